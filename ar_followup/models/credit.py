# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Credit exposure (encours) of the customers and its position against
their credit limit, computed set-wise for a list of parties."""
from decimal import Decimal

from sql import Null
from sql.aggregate import Max, Sum
from sql.conditionals import Case

from trytond import backend
from trytond.model import fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from ..rules.credit import compute_exposure, credit_usage
from .party import company_result, id_chunks, id_condition


def _decimal(value):
    if value is None:
        return Decimal(0)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    credit_include_draft = fields.Boolean(
        "Include Draft Invoices in Exposure",
        help="Count the customer invoices not yet posted in the exposure.")
    credit_alert_low = fields.Numeric(
        "First Credit Alert (%)", digits=(16, 2), required=True,
        help="The usage of the credit limit that raises the first alert.")
    credit_alert_medium = fields.Numeric(
        "Second Credit Alert (%)", digits=(16, 2), required=True)
    credit_alert_high = fields.Numeric(
        "Third Credit Alert (%)", digits=(16, 2), required=True)

    @classmethod
    def default_credit_include_draft(cls):
        return False

    @classmethod
    def default_credit_alert_low(cls):
        return Decimal(50)

    @classmethod
    def default_credit_alert_medium(cls):
        return Decimal(70)

    @classmethod
    def default_credit_alert_high(cls):
        return Decimal(90)

    @property
    def credit_alert_thresholds(self):
        return tuple(t for t in (
                self.credit_alert_low, self.credit_alert_medium,
                self.credit_alert_high) if t is not None)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    exposure_overdue = fields.Function(Monetary(
            "Overdue", currency='exposure_currency',
            digits='exposure_currency',
            help="The open receivable past its due date."),
        'get_exposure')
    exposure_not_yet_due = fields.Function(Monetary(
            "Not Yet Due", currency='exposure_currency',
            digits='exposure_currency',
            help="The open receivable not yet due."),
        'get_exposure')
    exposure_credits = fields.Function(Monetary(
            "Unallocated Credits", currency='exposure_currency',
            digits='exposure_currency',
            help="The advances and credit notes not yet allocated to an "
            "invoice."),
        'get_exposure')
    exposure_draft = fields.Function(Monetary(
            "Draft Invoices", currency='exposure_currency',
            digits='exposure_currency',
            help="The customer invoices not yet posted, when the "
            "configuration includes them in the exposure."),
        'get_exposure')
    exposure = fields.Function(Monetary(
            "Exposure", currency='exposure_currency',
            digits='exposure_currency',
            help="Overdue + not yet due - unallocated credits "
            "(+ draft invoices if configured), in the company currency."),
        'get_exposure')
    exposure_currency = fields.Function(fields.Many2One(
            'currency.currency', "Exposure Currency"), 'get_exposure')
    credit_usage = fields.Function(fields.Numeric(
            "Credit Usage (%)", digits=(16, 2),
            help="The exposure as a percentage of the credit limit."),
        'get_exposure')
    credit_alert = fields.Function(fields.Numeric(
            "Credit Alert (%)", digits=(16, 2),
            help="The highest alert threshold reached by the credit "
            "usage."),
        'get_exposure')
    over_credit_limit = fields.Function(fields.Boolean(
            "Over Credit Limit",
            help="The exposure exceeds the credit limit."),
        'get_exposure', searcher='search_over_credit_limit')

    @classmethod
    def _exposure_lines(cls, company_id):
        "Return the tables and condition of the open receivable lines"
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        line, from_, where = MoveLine.open_receivable_query(company_id)
        return line, from_, where & (line.party != Null)

    @classmethod
    def receivable_positions(cls, company, party_ids, include_draft=None):
        """Return {party_id: rules.credit.Exposure} for the company, by one
        query per chunk of parties, or by one query over the company when
        party_ids is None (parties without anything open are missing)."""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        Date = pool.get('ir.date')
        cursor = Transaction().connection.cursor()
        if include_draft is None:
            include_draft = Configuration(1).credit_include_draft
        with Transaction().set_context(company=company.id):
            today = Date.today()
        line, from_, where = cls._exposure_lines(company.id)
        amount = line.debit - line.credit
        positions = {}
        for sub_ids in id_chunks(party_ids):
            cursor.execute(*from_.select(
                    line.party,
                    Sum(Case(((amount > 0) & (line.maturity_date < today),
                                amount))),
                    Sum(Case(((amount > 0) & ((line.maturity_date == Null)
                                    | (line.maturity_date >= today)),
                                amount))),
                    Sum(Case((amount < 0, line.credit - line.debit))),
                    where=where & id_condition(line.party, sub_ids),
                    group_by=[line.party]))
            for party_id, overdue, not_due, credits in cursor:
                positions[party_id] = [
                    _decimal(overdue), _decimal(not_due), _decimal(credits),
                    Decimal(0)]
        if include_draft:
            for party_id, amount in cls._draft_amounts(
                    company, party_ids).items():
                positions.setdefault(party_id, [Decimal(0)] * 4)[3] = amount
        return {p: compute_exposure(
                o, n, c, draft=d, include_draft=include_draft)
            for p, (o, n, c, d) in positions.items()}

    @classmethod
    def _draft_amounts(cls, company, party_ids):
        "Return the positive totals of the unposted customer invoices"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Currency = pool.get('currency.currency')
        Date = pool.get('ir.date')
        amounts = {}
        for sub_ids in id_chunks(party_ids):
            domain = [
                ('company', '=', company.id),
                ('type', '=', 'out'),
                ('state', 'in', ['draft', 'validated']),
                ]
            if sub_ids is not None:
                domain.append(('party', 'in', list(sub_ids)))
            invoices = Invoice.search(domain)
            for invoice in invoices:
                amount = invoice.total_amount
                if amount <= 0:
                    continue
                with Transaction().set_context(
                        date=invoice.invoice_date or Date.today()):
                    amount = Currency.compute(
                        invoice.currency, amount, company.currency)
                amounts[invoice.party.id] = (
                    amounts.get(invoice.party.id, Decimal(0)) + amount)
        return amounts

    @classmethod
    def credit_limits(cls, company, party_ids):
        "Return {party_id: credit limit amount or None} for the company"
        pool = Pool()
        CreditLimit = pool.get('party.party.credit_limit_amount')
        default = cls.default_credit_limit_amount(company=company.id)
        limits = dict.fromkeys(party_ids, default)
        for sub_ids in grouped_slice(party_ids, backend.MAX_QUERY_PARAMS):
            for record in CreditLimit.search([
                        ('company', '=', company.id),
                        ('party', 'in', list(sub_ids)),
                        ]):
                limits[record.party.id] = record.credit_limit_amount
        return limits

    @classmethod
    def get_exposure(cls, parties, names):
        pool = Pool()
        Configuration = pool.get('account.configuration')
        result, company = company_result(parties, names)
        if not company:
            return result
        ids = [p.id for p in parties]
        positions = cls.receivable_positions(company, ids)
        empty = compute_exposure(0, 0)
        usage_names = {'credit_usage', 'credit_alert', 'over_credit_limit'}
        if usage_names & set(names):
            limits = cls.credit_limits(company, ids)
            thresholds = Configuration(1).credit_alert_thresholds
        for party_id in ids:
            position = positions.get(party_id, empty)
            round_ = company.currency.round
            values = {
                'exposure_overdue': round_(position.overdue),
                'exposure_not_yet_due': round_(position.not_yet_due),
                'exposure_credits': round_(position.unallocated_credits),
                'exposure_draft': round_(position.draft),
                'exposure': round_(position.exposure),
                'exposure_currency': company.currency.id,
                }
            if usage_names & set(names):
                usage = credit_usage(
                    position, limits[party_id], thresholds)
                values['credit_usage'] = (
                    usage.usage.quantize(Decimal('0.01'))
                    if usage.usage is not None and usage.usage.is_finite()
                    else None)
                values['credit_alert'] = (
                    usage.alert.quantize(Decimal('0.01'))
                    if usage.alert is not None else None)
                values['over_credit_limit'] = usage.over_limit
            for name in names:
                result[name][party_id] = values[name]
        return result

    @classmethod
    def search_over_credit_limit(cls, name, clause):
        "Parties whose posted open receivable exceeds their limit"
        pool = Pool()
        CreditLimit = pool.get('party.party.credit_limit_amount')
        company_id = Transaction().context.get('company')
        if not company_id:
            return [('id', '=', -1)]
        limit = CreditLimit.__table__()
        line, from_, where = cls._exposure_lines(company_id)
        from_ = from_.join(limit, condition=(
                (limit.party == line.party)
                & (limit.company == company_id)))
        # SQLite stores Numeric as text: cast to compare with the sum
        limit_amount = CreditLimit.credit_limit_amount.sql_cast(
            limit.credit_limit_amount)
        query = from_.select(
            line.party,
            where=where & (limit.credit_limit_amount != Null),
            group_by=[line.party],
            having=Sum(line.debit - line.credit) > Max(limit_amount))
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('id', 'in', query)]
        return [('id', 'not in', query)]
