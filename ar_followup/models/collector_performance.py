# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Collector performance for a period: the amount collected on the
customers of each collector against his target, and the follow-up actions
done.

SQL aggregates per collector (the customers' ``followup_collector``):

- collected: the customer invoice lines (receivable debits) reconciled
  within the period, like the settlements of the KPIs;
- actions done: the follow-up actions of his customers dated within the
  period and done;
- target: the collector's monthly target × the calendar months the period
  touches.
"""
from sql import Literal, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta

from ..rules import kpi
from .aged_balance import _decimal
from .receivable_kpi import KPIMixin, period_months


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    followup_collection_target = fields.Numeric(
        "Monthly Collection Target", digits=(16, 2),
        domain=['OR',
            ('followup_collection_target', '=', None),
            ('followup_collection_target', '>=', 0),
            ],
        help="The amount, in the company currency, the collector should "
        "collect each month on the customers of his portfolio.")


class CollectorPerformance(ModelSQL, ModelView):
    __name__ = 'ar_followup.collector_performance'
    __string__ = "Collector Performance"

    collector = fields.Many2One('res.user', "Collector", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    collected = Monetary(
        "Collected", currency='currency', digits='currency', readonly=True,
        help="The customer invoices of his customers paid (reconciled) in "
        "the period.")
    target = Monetary(
        "Target", currency='currency', digits='currency', readonly=True,
        help="The monthly collection target × the months of the period.")
    achievement = fields.Function(fields.Numeric(
            "Achievement (%)", digits=(16, 2),
            help="Collected / target."), 'get_achievement')
    actions_done = fields.Integer(
        "Actions Done", readonly=True,
        help="The follow-up actions of his customers dated in the period "
        "and done.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('collected', 'DESC'))

    @classmethod
    def table_query(cls):
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Reconciliation = pool.get('account.move.reconciliation')
        Party = pool.get('party.party')
        User = pool.get('res.user')
        Action = pool.get('account.dunning.action')
        figures = KPIMixin._figures()
        company_id, start, end = figures.company_id, figures.start, figures.end

        party = Party.__table__()
        collectors = party.select(
            party.followup_collector.as_('collector'),
            where=party.followup_collector != Null,
            group_by=[party.followup_collector])

        line, move, from_, where = MoveLine.receivable_query(company_id)
        reconciliation = Reconciliation.__table__()
        party = Party.__table__()
        collected = (from_
            .join(reconciliation,
                condition=line.reconciliation == reconciliation.id)
            .join(party, condition=line.party == party.id)
            .select(
                party.followup_collector.as_('collector'),
                Sum(line.debit).as_('amount'),
                where=where
                & (line.debit > 0)
                & (reconciliation.date >= start)
                & (reconciliation.date <= end),
                group_by=[party.followup_collector]))

        action = Action.__table__()
        party = Party.__table__()
        actions = (action
            .join(party, condition=action.party == party.id)
            .select(
                party.followup_collector.as_('collector'),
                Count(action.id).as_('count'),
                where=(action.company == company_id)
                & (action.state == 'done')
                & (action.date >= start)
                & (action.date <= end),
                group_by=[party.followup_collector]))

        user = User.__table__()
        months = period_months(start, end)
        return (collectors
            .join(user, condition=user.id == collectors.collector)
            .join(collected, 'LEFT',
                condition=collected.collector == collectors.collector)
            .join(actions, 'LEFT',
                condition=actions.collector == collectors.collector)
            .select(
                collectors.collector.as_('id'),
                collectors.collector.as_('collector'),
                Literal(company_id).as_('company'),
                Coalesce(collected.amount, 0).as_('collected'),
                (Coalesce(user.followup_collection_target, 0)
                    * months).as_('target'),
                Coalesce(actions.count, 0).as_('actions_done')))

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    def get_achievement(self, name):
        return kpi.target_achievement(
            _decimal(self.collected), _decimal(self.target))
