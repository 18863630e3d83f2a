# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The aged balance (balance âgée) of the customers as of any date.

A receivable line counts as open as of a date D when its move is posted and
dated on or before D and it was not reconciled by a reconciliation dated on
or before D: a payment or a credit note after D does not count.  The lines
are aged by their maturity date (their move date without one) with the
date ranges of :func:`rules.ageing.maturity_ranges`, so the SQL compares
dates with literals.
"""
import functools
import operator
from decimal import Decimal

from sql import Null
from sql.aggregate import Min, Sum
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard

from ..exceptions import AgedBalanceError
from ..rules import ageing
from .risk_score import RISK_CLASSES

BUCKETS = ['not_due', 'term1', 'term2', 'term3', 'term4', 'beyond']


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    aged_balance_term1 = fields.Integer(
        "Aged Balance Term 1",
        help="The upper bound, in days past due, of the first overdue "
        "bucket of the aged balance.")
    aged_balance_term2 = fields.Integer(
        "Aged Balance Term 2",
        help="The upper bound, in days past due, of the second overdue "
        "bucket of the aged balance.")
    aged_balance_term3 = fields.Integer(
        "Aged Balance Term 3",
        help="The upper bound, in days past due, of the third overdue "
        "bucket of the aged balance.")
    aged_balance_term4 = fields.Integer(
        "Aged Balance Term 4",
        help="The upper bound, in days past due, of the fourth overdue "
        "bucket of the aged balance.")

    @classmethod
    def default_aged_balance_term1(cls):
        return ageing.DEFAULT_BOUNDS[0]

    @classmethod
    def default_aged_balance_term2(cls):
        return ageing.DEFAULT_BOUNDS[1]

    @classmethod
    def default_aged_balance_term3(cls):
        return ageing.DEFAULT_BOUNDS[2]

    @classmethod
    def default_aged_balance_term4(cls):
        return ageing.DEFAULT_BOUNDS[3]

    @property
    def aged_balance_bounds(self):
        "The bucket bounds of the aged balance, the default ones if unset"
        bounds = tuple(getattr(self, f'aged_balance_term{i}') for i in
            range(1, 5))
        if None in bounds:
            return ageing.DEFAULT_BOUNDS
        return bounds

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            check_bounds(record.aged_balance_bounds)


def check_bounds(bounds):
    "Return the bounds as a tuple or raise the translated error"
    try:
        return ageing.check_bounds(bounds)
    except ageing.InvalidBoundsError:
        raise AgedBalanceError(gettext(
                'ar_followup.msg_aged_balance_bounds',
                bounds=', '.join(str(b) for b in bounds))) from None


def default_bounds():
    "Return the bucket bounds of the accounting configuration"
    Configuration = Pool().get('account.configuration')
    return Configuration(1).aged_balance_bounds


class OpenReceivables:
    """The receivable lines of a company open as of a date, as python-sql
    tables, join and condition, for the reports to aggregate.

    With ``since``, an earlier date, the condition keeps the lines open as
    of either date, so that one query sums both: the columns of
    :meth:`bucket_columns` are then those open as of ``date`` and
    :meth:`open_on` gives the condition of each date."""

    def __init__(self, company_id, date, since=None):
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Reconciliation = pool.get('account.move.reconciliation')
        Invoice = pool.get('account.invoice')
        InvoicePayment = pool.get('account.invoice-account.move.line')
        Dispute = pool.get('account.invoice.dispute')
        self.date = date
        line, move, from_, where = MoveLine.receivable_query(company_id)
        self.line, self.move = line, move
        reconciliation = Reconciliation.__table__()
        invoice = Invoice.__table__()
        invoice_payment = InvoicePayment.__table__()
        invoice_line = MoveLine.__table__()
        # A payment recorded on an invoice, not yet reconciled with it (a
        # partial payment), is aged with the invoice
        paid = (invoice_payment
            .join(invoice, condition=invoice_payment.invoice == invoice.id)
            .join(invoice_line,
                condition=(invoice_line.move == invoice.move)
                & (invoice_line.maturity_date != Null))
            .select(invoice_payment.line.as_('line'),
                Min(invoice_line.maturity_date).as_('maturity_date'),
                Min(invoice_payment.invoice).as_('invoice'),
                group_by=[invoice_payment.line]))
        line_invoice = Invoice.__table__()
        self.from_ = (from_
            .join(reconciliation, 'LEFT',
                condition=reconciliation.id == line.reconciliation)
            .join(paid, 'LEFT', condition=paid.line == line.id)
            .join(line_invoice, 'LEFT',
                condition=line_invoice.move == line.move))
        self.reconciliation = reconciliation
        self.since = since
        # the reconciliations after the date as a list that the databases
        # probe with the index on the line's reconciliation
        later = Reconciliation.__table__()
        self.where = (where
            & (line.party != Null)
            & (move.date <= max(date, since or date))
            & ((line.reconciliation == Null)
                | line.reconciliation.in_(later.select(later.id,
                        where=later.date > min(date, since or date)))))
        self.amount = line.debit - line.credit
        # the invoice a payment not yet reconciled was recorded on
        self.paid_invoice = paid.invoice
        # the invoice of the line or of the payment (-1 for none: the
        # conditions on it are never NULL)
        self.invoice = Coalesce(line_invoice.id, paid.invoice, -1)
        # the invoices with a dispute open on the date
        dispute = Dispute.__table__()
        self.disputed_invoices = dispute.select(dispute.invoice,
            where=(dispute.invoice != Null)
            & (dispute.opened_on <= date)
            & ((dispute.state == 'open') | (dispute.resolved_on > date)))
        self.maturity_date = Coalesce(
            line.maturity_date, paid.maturity_date, move.date)

    def open_on(self, date):
        "The condition of the lines open as of date"
        return ((self.move.date <= date)
            & ((self.line.reconciliation == Null)
                | (self.reconciliation.date > date)))

    def disputed(self):
        """The condition of the disputed lines, shown apart from the buckets:
        the open lines of the invoices with a dispute open on the date (and
        the partial payments recorded on them)"""
        return self.invoice.in_(self.disputed_invoices)

    def bucket_columns(self, bounds):
        """Return the Sum columns of the open amounts per bucket, the
        disputed amount (out of the buckets) and the total"""
        disputed = self.disputed()
        columns = []
        for _, first, last in ageing.maturity_ranges(self.date, bounds):
            condition = ~disputed
            if first is not None:
                condition &= self.maturity_date >= first
            if last is not None:
                condition &= self.maturity_date <= last
            columns.append(self.sum_open(condition))
        columns.append(self.sum_open(disputed))
        columns.append(self.sum_open())
        return columns

    def sum_open(self, condition=None, date=None):
        """The Sum column of the amounts open as of date (by default the
        date) meeting condition"""
        if self.since is not None:
            open_ = self.open_on(date or self.date)
            condition = open_ if condition is None else open_ & condition
        elif date not in {None, self.date}:
            raise ValueError(f"{date} is not the date of the receivables")
        if condition is None:
            return Sum(self.amount)
        # a FILTER adds only the amounts of the condition (not a zero per
        # other line); no line gives NULL, summed as 0 like the others
        return Coalesce(Sum(self.amount, filter_=condition), 0)

    def totals(self, bounds):
        """Return the company totals: a list of the amounts per bucket, the
        disputed amount and the total"""
        cursor = Transaction().connection.cursor()
        cursor.execute(*self.from_.select(
                *self.bucket_columns(bounds), where=self.where))
        row = cursor.fetchone()
        return [_decimal(v) for v in row]


def _decimal(value):
    if value is None:
        return Decimal(0)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value


class AgedBalanceContext(ModelView):
    __name__ = 'ar_followup.aged_balance.context'
    __string__ = "Customer Aged Balance Context"

    date = fields.Date(
        "Date", required=True,
        help="The aged balance as of this date: payments and credit notes "
        "after it do not count.")
    company = fields.Many2One('company.company', "Company", required=True)
    term1 = fields.Integer(
        "Term 1", required=True,
        domain=[('term1', '>', 0)],
        help="The upper bound in days past due of the first bucket.")
    term2 = fields.Integer(
        "Term 2", required=True,
        domain=[('term2', '>', Eval('term1', 0))])
    term3 = fields.Integer(
        "Term 3", required=True,
        domain=[('term3', '>', Eval('term2', 0))])
    term4 = fields.Integer(
        "Term 4", required=True,
        domain=[('term4', '>', Eval('term3', 0))])

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_term1(cls):
        return default_bounds()[0]

    @classmethod
    def default_term2(cls):
        return default_bounds()[1]

    @classmethod
    def default_term3(cls):
        return default_bounds()[2]

    @classmethod
    def default_term4(cls):
        return default_bounds()[3]


class AgedBucketsMixin:
    """The amounts of the aged balance per bucket, in the currency of the
    row's ``currency`` field"""
    __slots__ = ()

    not_due = Monetary(
        "Not Due", currency='currency', digits='currency',
        help="Due on the date or later.")
    term1 = Monetary(
        "Term 1", currency='currency', digits='currency',
        help="From 1 day past due to the first term.")
    term2 = Monetary(
        "Term 2", currency='currency', digits='currency',
        help="Past the first term, up to the second.")
    term3 = Monetary(
        "Term 3", currency='currency', digits='currency',
        help="Past the second term, up to the third.")
    term4 = Monetary(
        "Term 4", currency='currency', digits='currency',
        help="Past the third term, up to the fourth.")
    beyond = Monetary(
        "Beyond", currency='currency', digits='currency',
        help="Past the fourth term.")
    disputed = Monetary(
        "Disputed", currency='currency', digits='currency',
        help="The disputed amounts, left out of the buckets.")
    overdue = Monetary(
        "Overdue", currency='currency', digits='currency',
        help="The open amount past due, disputes excluded.")
    balance = Monetary(
        "Balance", currency='currency', digits='currency',
        help="The whole open amount of the customer.")

    @classmethod
    def aged_columns(cls, receivables):
        """Return the aliased Sum columns of the fields of the mixin over
        the receivables, for the bucket bounds of the context"""
        *buckets, disputed, balance = receivables.bucket_columns(
            cls.bounds())
        overdue = functools.reduce(operator.add, buckets[1:])
        return [*(b.as_(n) for b, n in zip(buckets, BUCKETS)),
            disputed.as_('disputed'),
            overdue.as_('overdue'),
            balance.as_('balance')]

    @classmethod
    def open_receivables(cls):
        "Return the OpenReceivables of the company and date of the context"
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        date = context.get('date') or Date.today()
        return OpenReceivables(context.get('company') or -1, date)

    @classmethod
    def bounds(cls):
        "Return the bucket bounds of the context or of the configuration"
        context = Transaction().context
        bounds = tuple(context.get(f'term{i}') for i in range(1, 5))
        if None in bounds:
            bounds = default_bounds()
        return check_bounds(bounds)


class AgedBalance(AgedBucketsMixin, ModelSQL, ModelView):
    __name__ = 'ar_followup.aged_balance'
    __string__ = "Customer Aged Balance"

    party = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    company = fields.Many2One('company.company', "Company")
    risk_class = fields.Selection(
        RISK_CLASSES, "Risk Class", sort=False,
        help="The risk class of the customer's last score.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"),
        'get_currency', searcher='search_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('beyond', 'DESC'))
        cls._order.insert(1, ('party', 'ASC'))

    @classmethod
    def table_query(cls):
        receivables = cls.open_receivables()
        line, move = receivables.line, receivables.move
        risk = Pool().get('party.party.risk').__table__()
        return receivables.from_.join(risk, 'LEFT',
            condition=(risk.party == line.party)
            & (risk.company == move.company)).select(
            line.party.as_('id'),
            line.party.as_('party'),
            move.company.as_('company'),
            *cls.aged_columns(receivables),
            risk.risk_class.as_('risk_class'),
            where=receivables.where,
            group_by=[line.party, move.company, risk.risk_class])

    def get_currency(self, name):
        return self.company.currency.id

    @classmethod
    def search_currency(cls, name, clause):
        return [('company.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return self.party.rec_name

    def lines_domain(self):
        "The domain of the receivable lines of the row"
        return [('party', '=', self.party.id)]


class AgedBalanceOpenLines(Wizard):
    """Open the receivable lines behind rows of the aged balance (per
    customer, collector, currency or risk class) open as of the context
    date: each row gives the domain of its lines (``lines_domain``)"""
    __name__ = 'ar_followup.aged_balance.open_lines'
    start_state = 'open_'
    _readonly = True
    open_ = StateAction('ar_followup.act_aged_balance_lines')

    def do_open_(self, action):
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        date = context.get('date') or Date.today()
        company_id = context.get('company') or -1
        action['name'] = '%s (%s)' % (action['name'], ', '.join(
                r.rec_name for r in self.records))
        action['pyson_domain'] = PYSONEncoder().encode(
            self.open_domain(company_id, date)
            + [['OR', *(r.lines_domain() for r in self.records)]])
        return action, {}

    @classmethod
    def open_domain(cls, company_id, date):
        "The domain of the company's receivable lines open as of date"
        return [
            ('move.company', '=', company_id),
            ('party', '!=', None),
            ('account.type.receivable', '=', True),
            ('move.state', '=', 'posted'),
            ('move.date', '<=', date),
            ['OR',
                ('reconciliation', '=', None),
                ('reconciliation.date', '>', date),
                ],
            ]
