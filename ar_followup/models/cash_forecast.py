# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Cash-in forecast of the open customer invoices for the next 13 weeks.

SQL selects the receivables open as of the forecast date (see
:class:`.aged_balance.OpenReceivables`) per invoice and maturity date;
:mod:`rules.ageing` places each one at its expected payment date: the date
of an open promise to pay, otherwise the due date plus the customer's
amount-weighted average days late over the last 12 months.  A disputed
invoice is left out or delayed by the dispute resolution time, as
configured.
"""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Literal, Null, Values
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from ..rules import ageing, kpi
from .aged_balance import OpenReceivables, _decimal
from .receivable_kpi import ReceivableFigures, _date

DISPUTED = [
    ('exclude', "Excluded"),
    ('delay', "Delayed"),
    ]


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    cash_forecast_disputed = fields.Selection(
        DISPUTED, "Disputed Invoices in Forecast",
        help="Leave the disputed invoices out of the cash-in forecast or "
        "delay them by the dispute resolution time.")
    cash_forecast_dispute_days = fields.Integer(
        "Dispute Resolution (days)",
        domain=['OR',
            ('cash_forecast_dispute_days', '=', None),
            ('cash_forecast_dispute_days', '>=', 0),
            ],
        states={
            'invisible': Eval('cash_forecast_disputed') != 'delay',
            },
        help="The delay of a disputed invoice in the cash-in forecast. "
        "Leave empty for the average resolution time of the disputes "
        "resolved in the last 12 months.")

    @classmethod
    def default_cash_forecast_disputed(cls):
        return 'exclude'


def average_dispute_days(company_id, date):
    """Return the average resolution days of the company's disputes
    resolved in the 12 months up to date, None without any"""
    Dispute = Pool().get('account.invoice.dispute')
    dispute = Dispute.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*dispute.select(dispute.opened_on, dispute.resolved_on,
            where=(dispute.company == company_id)
            & (dispute.state == 'resolved')
            & (dispute.resolved_on <= date)
            & (dispute.resolved_on > date - relativedelta(years=1))))
    return ageing.average_resolution_days(
        (_date(o), _date(r)) for o, r in cursor)


class CashForecastContext(ModelView):
    __name__ = 'ar_followup.cash_forecast.context'
    __string__ = "Cash-in Forecast Context"

    date = fields.Date(
        "Date", required=True,
        help="The forecast starts on the week of this date; the invoices "
        "open on it are forecast.")
    company = fields.Many2One('company.company', "Company", required=True)
    disputed = fields.Selection(
        DISPUTED, "Disputed Invoices", required=True,
        help="Leave the disputed invoices out of the forecast or delay "
        "them by the dispute resolution time.")
    dispute_days = fields.Integer(
        "Dispute Resolution (days)",
        domain=['OR',
            ('dispute_days', '=', None),
            ('dispute_days', '>=', 0),
            ],
        states={
            'invisible': Eval('disputed') != 'delay',
            },
        help="The days a disputed invoice is delayed.")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_disputed(cls):
        Configuration = Pool().get('account.configuration')
        return Configuration(1).cash_forecast_disputed or 'exclude'

    @classmethod
    def default_dispute_days(cls):
        Configuration = Pool().get('account.configuration')
        days = Configuration(1).cash_forecast_dispute_days
        if days is None:
            company_id = Transaction().context.get('company')
            if company_id is not None:
                days = average_dispute_days(
                    company_id, cls.default_date())
        return days


class Forecast:
    "The cash-in forecast of a company as of a date, from the context"

    def __init__(self):
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        self.company_id = context.get('company') or -1
        self.date = _date(context.get('date')) or Date.today()
        if context.get('disputed', 'exclude') == 'delay':
            self.dispute_days = context.get('dispute_days')
            if self.dispute_days is None:
                self.dispute_days = (average_dispute_days(
                        self.company_id, self.date) or 0)
        else:
            self.dispute_days = None

    def query(self):
        """Return the query of the receivables open on the date, per
        invoice (or move line without invoice) and maturity date, their
        open amount positive"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        receivables = OpenReceivables(self.company_id, self.date)
        line, move = receivables.line, receivables.move
        invoice = Invoice.__table__()
        invoice_id = Coalesce(invoice.id, receivables.paid_invoice)
        # the lines without invoice are forecast one by one
        alone = Case((invoice_id == Null, line.id), else_=Null)
        amount = Sum(receivables.amount)
        return (receivables.from_
            .join(invoice, 'LEFT', condition=invoice.move == move.id)
            .select(
                Min(line.id).as_('id'),
                move.company.as_('company'),
                line.party.as_('party'),
                invoice_id.as_('invoice'),
                receivables.maturity_date.as_('maturity_date'),
                amount.as_('amount'),
                where=receivables.where,
                group_by=[move.company, line.party, invoice_id, alone,
                    receivables.maturity_date],
                having=amount > 0))

    def average_delays(self):
        """Return {party: average days late} of the invoices paid in the 12
        months up to the date"""
        figures = ReceivableFigures(self.company_id,
            self.date - relativedelta(years=1) + dt.timedelta(days=1),
            self.date)
        return {party: kpi.average_days_late(settlements)
            for party, settlements in figures.settlements().items()}

    def promise_dates(self):
        """Return {invoice: date} and {party: date} of the open promises to
        pay, on an invoice or on all the customer's invoices (the earliest
        one)"""
        Promise = Pool().get('account.dunning.promise')
        promise = Promise.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*promise.select(
                promise.invoice, promise.party, promise.date,
                where=(promise.company == self.company_id)
                & (promise.state == 'open')
                & (promise.made_on <= self.date)))
        invoices, parties = {}, {}
        for invoice, party, date in cursor:
            date = _date(date)
            if invoice is not None:
                invoices[invoice] = min(date, invoices.get(invoice, date))
            else:
                parties[party] = min(date, parties.get(party, date))
        return invoices, parties

    def disputed_invoices(self):
        "Return the ids of the invoices under dispute on the date"
        Dispute = Pool().get('account.invoice.dispute')
        dispute = Dispute.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*dispute.select(dispute.invoice,
                where=(dispute.company == self.company_id)
                & (dispute.opened_on <= self.date)
                & ((dispute.state == 'open')
                    | (dispute.resolved_on > self.date))))
        return {i for i, in cursor}

    def open_invoices(self, ids=None):
        """Return {id: rules.ageing.OpenInvoice} of the rows of
        :meth:`query` (those of ids only if given)"""
        cursor = Transaction().connection.cursor()
        query = self.query()
        cursor.execute(*query.select(
                query.id, query.party, query.invoice, query.maturity_date,
                query.amount,
                where=query.id.in_(list(ids)) if ids is not None
                else Literal(True)))
        rows = list(cursor)
        delays = self.average_delays()
        invoice_promises, party_promises = self.promise_dates()
        disputed = self.disputed_invoices()
        return {
            id_: ageing.OpenInvoice(
                amount=_decimal(amount),
                due_date=_date(maturity_date),
                average_delay=delays.get(party),
                promise_date=invoice_promises.get(
                    invoice, party_promises.get(party)),
                disputed=invoice in disputed)
            for id_, party, invoice, maturity_date, amount in rows}

    def expected_date(self, invoice):
        "Return the expected payment date of the OpenInvoice"
        return ageing.expected_payment_date(
            self.date, invoice.due_date, invoice.average_delay,
            invoice.promise_date, invoice.disputed, self.dispute_days)

    def weekly(self):
        "Return the rules.ageing.CashForecast of the open invoices"
        return ageing.weekly_cash_forecast(
            self.date, self.open_invoices().values(),
            dispute_delay=self.dispute_days)


class CashForecastLine(ModelSQL, ModelView):
    __name__ = 'ar_followup.cash_forecast.line'
    __string__ = "Cash-in Forecast per Invoice"

    company = fields.Many2One('company.company', "Company", readonly=True)
    party = fields.Many2One(
        'party.party', "Customer", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    invoice = fields.Many2One('account.invoice', "Invoice", readonly=True)
    maturity_date = fields.Date("Due Date", readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True,
        help="The amount still open on the forecast date.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')
    average_delay = fields.Function(fields.Numeric(
            "Average Days Late", digits=(16, 2),
            help="The customer's amount-weighted average days late on the "
            "invoices paid in the last 12 months."), 'get_forecast')
    promise_date = fields.Function(fields.Date(
            "Promised Date",
            help="The date of the customer's open promise to pay."),
        'get_forecast')
    disputed = fields.Function(fields.Boolean("Disputed"), 'get_forecast')
    expected_date = fields.Function(fields.Date(
            "Expected Payment Date",
            help="The promised date, otherwise the due date plus the "
            "average days late, never before the forecast date; empty for "
            "a disputed invoice left out."), 'get_forecast')
    week = fields.Function(fields.Date(
            "Week",
            help="The Monday of the week of the expected payment, empty "
            "beyond the 13 weeks of the forecast."), 'get_forecast')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('maturity_date', 'ASC'))
        cls._order.insert(1, ('id', 'ASC'))

    @classmethod
    def table_query(cls):
        return Forecast().query()

    def get_currency(self, name):
        return self.company.currency.id

    @classmethod
    def get_forecast(cls, records, names):
        forecast = Forecast()
        invoices = forecast.open_invoices([r.id for r in records])
        result = {name: {} for name in names}
        for record in records:
            invoice = invoices.get(record.id)
            if invoice is None:
                continue
            expected = forecast.expected_date(invoice)
            week = None
            if expected is not None and ageing.forecast_week(
                    forecast.date, expected) is not None:
                week = ageing.week_start(expected)
            values = {
                'average_delay': invoice.average_delay,
                'promise_date': invoice.promise_date,
                'disputed': invoice.disputed,
                'expected_date': expected,
                'week': week,
                }
            for name in names:
                result[name][record.id] = values[name]
        return result


class CashForecastWeek(ModelSQL, ModelView):
    __name__ = 'ar_followup.cash_forecast.week'
    __string__ = "Cash-in Forecast per Week"

    company = fields.Many2One('company.company', "Company", readonly=True)
    week = fields.Function(fields.Date(
            "Week", help="The Monday of the week."), 'get_forecast')
    amount = fields.Function(Monetary(
            "Expected Cash-in", currency='currency', digits='currency',
            help="The open amounts expected to be paid in the week (the "
            "overdue amounts not yet expected fall in the first week)."),
        'get_forecast')
    cumulative_amount = fields.Function(Monetary(
            "Cumulative Cash-in", currency='currency', digits='currency'),
        'get_forecast')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('id', 'ASC')]

    @classmethod
    def table_query(cls):
        "One row per week of the forecast, numbered from 1"
        weeks = Values([[i] for i in range(1, ageing.FORECAST_WEEKS + 1)])
        company_id = Transaction().context.get('company') or -1
        return weeks.select(
            weeks.column1.as_('id'),
            Literal(company_id).as_('company'))

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    @classmethod
    def get_forecast(cls, records, names):
        Company = Pool().get('company.company')
        forecast = Forecast()
        round_ = (Company(forecast.company_id).currency.round
            if forecast.company_id >= 0 else (lambda a: a))
        weeks = forecast.weekly().weeks
        result = {name: {} for name in names}
        cumulative = Decimal(0)
        cumulatives = []
        for _, amount in weeks:
            cumulative += amount
            cumulatives.append(cumulative)
        for record in records:
            monday, amount = weeks[record.id - 1]
            values = {
                'week': monday,
                'amount': round_(amount),
                'cumulative_amount': round_(cumulatives[record.id - 1]),
                }
            for name in names:
                result[name][record.id] = values[name]
        return result
