# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Receivables KPIs per company and per customer for a period.

The figures are aggregated in SQL (a handful of queries grouped by
customer) and the KPIs computed by :mod:`rules.kpi`:

- receivable, not due and overdue amounts as of the end of the period and
  the receivable as of the day before its start (see
  :class:`.aged_balance.OpenReceivables`);
- sales including VAT per calendar month: the receivable lines of the
  moves of the customer invoices (credit notes negative), a month below
  zero counting zero;
- settlements: the invoice lines reconciled within the period, the payment
  date being the reconciliation date.
"""
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce

from trytond import backend
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from ..rules import kpi
from .aged_balance import OpenReceivables, _decimal
from .party import id_condition

# months of sales history before the period for the count-back DSO
COUNT_BACK_HISTORY = 24
_ZERO = Decimal(0)


def _date(value):
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value


def period_months(start, end):
    "Return the number of calendar months the period touches"
    return (end.year - start.year) * 12 + end.month - start.month + 1


class ReceivableFigures:
    """The aggregates of the receivables of a company for a period, per
    customer or, with ``per_party=False``, for the whole company (the key
    of the figures is then None, the queries not grouped by customer).
    The company's ratios are computed from its sums, never averaged from
    the customers' ratios."""

    def __init__(
            self, company_id, start, end, per_party=True, months=None,
            bounds=(), parties=None):
        self.company_id = company_id
        self.start = start
        self.end = end
        self.per_party = per_party
        # the customers to compute (None for all): a page of a list
        self.parties = parties
        # the terms of the aged buckets summed with the balances
        self.bounds = bounds
        # {party: [not due, overdue per term…]} as of the end, filled by
        # balances
        self.buckets = {}
        # N of the CEI: by default the calendar months the period touches
        self.period_months = months or period_months(start, end)
        self.period_days = kpi.month_days(start, end)
        self.cursor = Transaction().connection.cursor()
        Company = Pool().get('company.company')
        self.currency = (
            Company(company_id).currency if company_id >= 0 else None)
        # computed once for the many customers
        self._months = self._month_days = None
        self._round = lambda a: a
        if self.currency:
            # Currency.round without reading the rounding for each amount;
            # a power of ten (0.01) is a quantize, of the same result
            round_, factor = type(self.currency)._round, self.currency.rounding
            if factor and factor == Decimal(1).scaleb(factor.adjusted()):
                self._round = lambda a: a.quantize(
                    factor, rounding=ROUND_HALF_EVEN)
            else:
                self._round = lambda a: round_(a, factor, ROUND_HALF_EVEN)

    def _select(self, from_, line, *columns, where, group_by=()):
        """Execute the aggregate grouped by customer (for the company: not
        grouped by customer) and return its rows, each starting with the
        customer (None for the company)"""
        where &= id_condition(line.party, self.parties)
        if not self.per_party:
            self.cursor.execute(*from_.select(*columns,
                    where=where, group_by=list(group_by) or None))
            return [(None, *row) for row in self.cursor]
        self.cursor.execute(*from_.select(line.party, *columns,
                where=where, group_by=[line.party, *group_by]))
        return list(self.cursor)

    def balances(self):
        """Return {party: (receivable, not due, disputed)} open as of the
        end and {party: receivable} open as of the day before the start,
        summed by one query with the aged buckets of :attr:`bounds` as of
        the end (stored in :attr:`buckets`)"""
        opening_date = self.start - dt.timedelta(days=1)
        receivables = OpenReceivables(
            self.company_id, self.end, since=opening_date)
        *buckets, disputed, total = receivables.bucket_columns(self.bounds)
        rows = self._select(receivables.from_, receivables.line,
            total, disputed, receivables.sum_open(date=opening_date),
            *buckets, where=receivables.where)
        closing, opening = {}, {}
        for party, *values in rows:
            total, disputed, opening[party], *buckets = map(
                _decimal, values)
            # the first bucket is the part not due
            closing[party] = (total, buckets[0], disputed)
            self.buckets[party] = buckets
        return closing, opening

    def months(self):
        "Return the calendar months of the count-back, most recent first"
        if self._months is None:
            count = self.period_months + COUNT_BACK_HISTORY
            self._months = kpi.calendar_months(self.end, count)
            self._month_days = [kpi.month_days(f, l) for f, l in self._months]
        return self._months

    def sales(self):
        """Return {party: (period sales, [sales of each month])} with the
        months of :meth:`months`"""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Invoice = pool.get('account.invoice')
        line, move, from_, where = MoveLine.receivable_query(
            self.company_id)
        invoice = Invoice.__table__()
        months = self.months()
        amount = line.debit - line.credit

        def total(first, last):
            return Sum(amount,
                filter_=(move.date >= first) & (move.date <= last))
        columns = [total(self.start, self.end)]
        columns += [total(first, last) for first, last in months]
        rows = self._select(
            from_.join(invoice, condition=invoice.move == move.id),
            line, *columns,
            where=where
            & (line.party != Null)
            & (invoice.type == 'out')
            & (move.date >= months[-1][0])
            & (move.date <= self.end))
        # no sales in a month is NULL (FILTER); SQLite sums floats
        return {
            party: (_decimal(period), [
                    m if type(m) is Decimal else _decimal(m) if m else _ZERO
                    for m in monthly])
            for party, period, *monthly in rows}

    def settlements(self):
        "Return {party: [kpi.Settlement]} of the lines paid in the period"
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Reconciliation = pool.get('account.move.reconciliation')
        line, move, from_, where = MoveLine.receivable_query(
            self.company_id)
        reconciliation = Reconciliation.__table__()
        maturity_date = Coalesce(line.maturity_date, move.date)
        rows = self._select(
            from_.join(reconciliation,
                condition=line.reconciliation == reconciliation.id),
            line, move.date, maturity_date, reconciliation.date,
            Sum(line.debit),
            where=where
            & (line.party != Null)
            & (line.debit > 0)
            & (reconciliation.date >= self.start)
            & (reconciliation.date <= self.end),
            group_by=[move.date, maturity_date, reconciliation.date])
        settlements = defaultdict(list)
        for party, date, maturity, paid, amount in rows:
            settlements[party].append(kpi.Settlement(
                    amount=_decimal(amount), invoice_date=_date(date),
                    due_date=_date(maturity), payment_date=_date(paid)))
        return settlements

    def promises(self):
        """Return {party: (kept, broken)}: the counts of the promises to pay
        promised for a date of the period and checked"""
        Promise = Pool().get('account.dunning.promise')
        promise = Promise.__table__()

        def count(state):
            return Sum(Case((promise.state == state, 1), else_=0))
        return {party: (int(kept or 0), int(broken or 0))
            for party, kept, broken in self._select(
                promise, promise, count('kept'), count('broken'),
                where=(promise.company == self.company_id)
                & (promise.date >= self.start)
                & (promise.date <= self.end))}

    def figures(self):
        """Return {party: (closing, opening, sales, settlements, promises)}
        the inputs of :meth:`compute` per customer (the additive sums of
        the queries) and the customers with receivables"""
        closing, opening = self.balances()
        sales = self.sales()
        settlements = self.settlements()
        promises = self.promises()
        keys = set(closing) | set(opening) | set(sales) | set(settlements)
        zero = (Decimal(0),) * 3
        no_sales = (Decimal(0), [Decimal(0)] * len(self.months()))
        return {key: (closing.get(key, zero), opening.get(key, Decimal(0)),
                sales.get(key, no_sales), settlements.get(key, []),
                promises.get(key, (0, 0)))
            for key in keys | set(promises)}, keys

    @staticmethod
    def total(figures):
        """Return the inputs of :meth:`compute` of the company: the sums of
        the customers' figures (the settlements put together), from which
        the ratios are computed again"""
        closing, opening, sales, settlements = [Decimal(0)] * 3, 0, None, []
        kept = broken = 0
        for (party_closing, party_opening, party_sales, party_settlements,
                (party_kept, party_broken)) in figures:
            closing = [a + b for a, b in zip(closing, party_closing)]
            opening += party_opening
            period, monthly = party_sales
            if sales is None:
                sales = (period, list(monthly))
            else:
                sales = (sales[0] + period,
                    [a + b for a, b in zip(sales[1], monthly)])
            settlements.extend(party_settlements)
            kept += party_kept
            broken += party_broken
        return tuple(closing), Decimal(opening), sales, settlements, (
            kept, broken)

    def kpis(self, totals=False):
        """Return {party: kpis} (only the key None for the company when
        per_party is False; the key None added when totals is True), each
        a dict of the field names of :class:`KPIMixin`.  The company's
        are computed from the sums of the customers' figures."""
        figures, customers = self.figures()
        result = {}
        with kpi.exact():
            if self.per_party:
                result = {
                    key: self.compute(*figures[key]) for key in customers}
            if totals or not self.per_party:
                no_sales = (Decimal(0), [Decimal(0)] * len(self.months()))
                closing, opening, sales, settlements, promises = self.total(
                    figures.values())
                result[None] = self.compute(closing, opening,
                    sales or no_sales, settlements, promises)
        return result

    def compute(self, closing, opening, sales, settlements, promises=(0, 0)):
        receivable, current, disputed = closing
        opening_receivable = opening
        period_sales, monthly = sales
        zero = _ZERO
        period_sales = max(period_sales, zero)
        days = self.period_days
        self.months()
        months = ((d, s if s > zero else zero)
            for d, s in zip(self._month_days, monthly))
        count_back = kpi.count_back_dso(receivable, months)
        overdue = receivable - current - disputed
        round_ = self._round
        receivable, current, disputed, overdue, opening_receivable = map(
            round_, (receivable, current, disputed, overdue,
                opening_receivable))
        return {
            'receivable': receivable,
            'current_receivable': current,
            'overdue_receivable': overdue,
            'disputed_receivable': disputed,
            'opening_receivable': opening_receivable,
            'sales': round_(period_sales),
            'dso': kpi.simple_dso(receivable, period_sales, days),
            'count_back_dso': count_back.days,
            'count_back_complete': count_back.complete,
            'best_possible_dso': kpi.best_possible_dso(
                current, period_sales, days),
            'average_days_delinquent': kpi.average_days_delinquent(
                receivable, current, period_sales, days),
            'cei': kpi.collection_effectiveness_index(
                opening_receivable, period_sales, receivable, current,
                self.period_months),
            'average_days_to_pay': kpi.average_days_to_pay(settlements),
            'average_days_late': kpi.average_days_late(settlements),
            'overdue_rate': kpi.overdue_rate(overdue, receivable),
            'disputed_share': kpi.disputed_share(disputed, receivable),
            'promises_kept_rate': kpi.promises_kept_rate(*promises),
            }


class KPIContext(ModelView):
    __name__ = 'ar_followup.receivable_kpi.context'
    __string__ = "Receivables KPI Context"

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date(
        "From Date", required=True,
        domain=[('from_date', '<=', Eval('to_date'))],
        help="The first day of the period.")
    to_date = fields.Date(
        "To Date", required=True,
        domain=[('to_date', '>=', Eval('from_date'))],
        help="The last day of the period: the receivables are taken as "
        "of this date.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_to_date(cls):
        today = Pool().get('ir.date').today()
        return today + relativedelta(day=1, days=-1)

    @classmethod
    def default_from_date(cls):
        today = Pool().get('ir.date').today()
        return today + relativedelta(day=1, months=-3)


def _kpi(string, help):
    "A KPI field: an amount, days or a percentage rounded to 0.01"
    return fields.Function(fields.Numeric(string, digits=(16, 2),
            help=help), 'get_kpis')


class KPIMixin:
    "The KPI fields, computed for the period of the context"
    __slots__ = ()

    company = fields.Many2One('company.company', "Company", readonly=True)
    receivable = _kpi(
        "Receivable", "The receivables open at the end of the period.")
    current_receivable = _kpi(
        "Not Due", "The receivables not yet due at the end of the period.")
    overdue_receivable = _kpi(
        "Overdue", "The receivables past due at the end of the period, "
        "disputes excluded.")
    disputed_receivable = _kpi(
        "Disputed", "The disputed receivables at the end of the period.")
    opening_receivable = _kpi(
        "Opening Receivable",
        "The receivables open the day before the period.")
    sales = _kpi(
        "Sales", "The sales including VAT of the period, net of credit "
        "notes.")
    dso = _kpi(
        "DSO", "Days sales outstanding: receivable / sales × days of the "
        "period.")
    count_back_dso = _kpi(
        "Count-back DSO", "The days of sales, month by month backwards from "
        "the end of the period, the receivable covers.")
    count_back_complete = fields.Function(fields.Boolean(
            "Count-back Complete",
            help="Unchecked when the sales history was exhausted before the "
            "receivable: the count-back DSO is then a lower bound."),
        'get_kpis')
    best_possible_dso = _kpi(
        "Best Possible DSO",
        "Not due receivable / sales × days of the period.")
    average_days_delinquent = _kpi(
        "Average Days Delinquent", "DSO − best possible DSO.")
    cei = _kpi(
        "CEI (%)", "Collection effectiveness index: (opening + sales / "
        "months − closing) / (opening + sales / months − closing not due).")
    average_days_to_pay = _kpi(
        "Average Days to Pay", "Amount-weighted days from the invoice to "
        "its payment, for the invoices paid in the period.")
    average_days_late = _kpi(
        "Average Days Late", "Amount-weighted days from the due date to "
        "the payment (early counts 0), for the invoices paid in the "
        "period.")
    overdue_rate = _kpi("Overdue Rate (%)", "Overdue / receivable.")
    disputed_share = _kpi("Disputed Share (%)", "Disputed / receivable.")
    promises_kept_rate = _kpi(
        "Promises Kept Rate (%)",
        "Promises to pay kept / promises due (empty without promises).")

    @classmethod
    def _figures(cls, per_party=True, parties=None):
        context = Transaction().context
        today = Pool().get('ir.date').today()
        end = context.get('to_date') or today
        start = context.get('from_date') or (end + relativedelta(months=-3))
        if start > end:
            start = end
        return ReceivableFigures(
            context.get('company') or -1, start, end, per_party=per_party,
            parties=parties)


class CustomerKPI(KPIMixin, ModelSQL, ModelView):
    __name__ = 'ar_followup.receivable_kpi.customer'
    __string__ = "Customer Receivables KPI"

    party = fields.Many2One(
        'party.party', "Customer", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('party', 'ASC'))

    @classmethod
    def table_query(cls):
        "The customers with receivable lines up to the end of the period"
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        figures = cls._figures()
        line, move, from_, where = MoveLine.receivable_query(
            figures.company_id)
        return (from_
            .select(line.party.as_('id'), line.party.as_('party'),
                move.company.as_('company'),
                where=where
                & (line.party != Null)
                & (move.date <= figures.end),
                group_by=[line.party, move.company]))

    @classmethod
    def get_kpis(cls, records, names):
        # the customers of the records only: a list reads a page at a time
        parties = {r.party.id for r in records}
        if len(parties) > backend.MAX_QUERY_PARAMS:
            parties = None
        per_party = cls._figures(parties=parties).kpis()
        return {name: {
                r.id: per_party.get(r.party.id, {}).get(name)
                for r in records}
            for name in names}


class CompanyKPI(KPIMixin, ModelSQL, ModelView):
    __name__ = 'ar_followup.receivable_kpi.company'
    __string__ = "Company Receivables KPI"

    @classmethod
    def table_query(cls):
        Company = Pool().get('company.company')
        company = Company.__table__()
        figures = cls._figures()
        return company.select(company.id.as_('id'),
            company.id.as_('company'),
            where=company.id == figures.company_id)

    @classmethod
    def get_kpis(cls, records, names):
        totals = cls._figures(per_party=False).kpis()[None]
        return {name: {r.id: totals.get(name) for r in records}
            for name in names}
