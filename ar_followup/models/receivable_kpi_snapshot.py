# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Snapshots of the company's receivables KPIs, stored by the daily job.

Each daily run stores the KPIs and the aged buckets of its company as of
its date (and of the last month end before it when that one is missing,
for a run skipped on a month end), so the trends do not depend on a later
re-computation: a payment recorded afterwards with an earlier date leaves
the stored history unchanged.  The KPIs are those of the three months
ending on the snapshot date (see :mod:`.receivable_kpi`).
"""
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import PoolMeta

from .aged_balance import BUCKETS, default_bounds
from .receivable_kpi import ReceivableFigures

# the length in months of the period of the KPIs of a snapshot
SNAPSHOT_MONTHS = 3


def _amount(string, help):
    return fields.Numeric(string, digits=(16, 2), readonly=True, help=help)


class Snapshot(ModelSQL, ModelView):
    __name__ = 'ar_followup.receivable_kpi.snapshot'
    __string__ = "Receivables KPI Snapshot"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    date = fields.Date(
        "Date", required=True, readonly=True,
        help="The receivables are taken as of this date, the KPIs over the "
        "three months ending on it.")
    month_end = fields.Boolean(
        "Month End", readonly=True,
        help="The snapshot is taken on the last day of a month.")
    receivable = _amount(
        "Receivable", "The receivables open on the date.")
    overdue_receivable = _amount(
        "Overdue", "The receivables past due on the date, disputes "
        "excluded.")
    disputed_receivable = _amount(
        "Disputed", "The disputed receivables on the date.")
    sales = _amount(
        "Sales", "The sales including VAT of the three months ending on the "
        "date, net of credit notes.")
    dso = _amount("DSO", "Receivable / sales × days of the three months.")
    count_back_dso = _amount(
        "Count-back DSO", "The days of sales, month by month backwards from "
        "the date, the receivable covers.")
    best_possible_dso = _amount(
        "Best Possible DSO", "Not due receivable / sales × days.")
    average_days_delinquent = _amount(
        "Average Days Delinquent", "DSO − best possible DSO.")
    cei = _amount(
        "CEI (%)", "Collection effectiveness index of the three months.")
    average_days_to_pay = _amount(
        "Average Days to Pay", "Amount-weighted days from the invoice to "
        "its payment, for the invoices paid in the three months.")
    average_days_late = _amount(
        "Average Days Late", "Amount-weighted days from the due date to the "
        "payment (early counts 0), for the invoices paid in the three "
        "months.")
    overdue_rate = _amount("Overdue Rate (%)", "Overdue / receivable.")
    not_due = _amount("Not Due", "The receivables not yet due on the date.")
    term1 = _amount("Term 1", "Overdue in the first term of the aged "
        "balance (1–30 days by default).")
    term2 = _amount("Term 2", "Overdue in the second term (31–60 days by "
        "default).")
    term3 = _amount("Term 3", "Overdue in the third term (61–90 days by "
        "default).")
    term4 = _amount("Term 4", "Overdue in the fourth term (91–120 days by "
        "default).")
    beyond = _amount("Beyond", "Overdue beyond the fourth term (> 120 days "
        "by default).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_date_unique', Unique(t, t.company, t.date),
                'ar_followup.msg_receivable_kpi_snapshot_unique'),
            ]
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def snapshot_daily(cls, run):
        "Store the snapshots of the run's company (a step of the daily job)"
        dates = [run.date + relativedelta(day=1, days=-1), run.date]
        existing = {s.date for s in cls.search([
                    ('company', '=', run.company.id),
                    ('date', 'in', dates),
                    ])}
        cls.create([cls.values(run.company, date)
                for date in dates if date not in existing])

    @classmethod
    def values(cls, company, date):
        "Return the values of the snapshot of the company as of date"
        start = date + dt.timedelta(days=1) + relativedelta(
            months=-SNAPSHOT_MONTHS)
        # the aged buckets summed with the KPIs' balances, by one query
        figures = ReceivableFigures(
            company.id, start, date, per_party=False, months=SNAPSHOT_MONTHS,
            bounds=default_bounds())
        kpis = figures.kpis()[None]
        buckets = figures.buckets.get(None, [0] * len(BUCKETS))
        values = {
            'company': company.id,
            'date': date,
            'month_end': (date + dt.timedelta(days=1)).day == 1,
            }
        for name in [
                'receivable', 'overdue_receivable', 'disputed_receivable',
                'sales', 'dso', 'count_back_dso', 'best_possible_dso',
                'average_days_delinquent', 'cei', 'average_days_to_pay',
                'average_days_late', 'overdue_rate']:
            values[name] = kpis[name]
        for name, amount in zip(BUCKETS, buckets):
            values[name] = company.currency.round(amount)
        return values


class Run(metaclass=PoolMeta):
    __name__ = 'account.dunning.run'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        step = ('ar_followup.receivable_kpi.snapshot', 'snapshot_daily')
        cls._daily_steps.append(step)
        # after the penalty invoices of the actions processed by the plans
        cls._daily_step_needs[step] = [('account.dunning.action', 'plan_run')]
