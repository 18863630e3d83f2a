# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The aged balance grouped per collector, per currency and per risk class,
with the buckets, date and terms of the customer aged balance (same
context).  Each row opens the receivable lines behind it
(``lines_domain``, see ``AgedBalanceOpenLines``)."""
from sql import Null
from sql.aggregate import Count, Min
from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .aged_balance import AgedBucketsMixin
from .risk_score import RISK_CLASSES


class AgedCustomerGroupMixin(AgedBucketsMixin):
    """The aged balance of groups of customers in the company currency, a
    customer in one group per company: the smallest customer id is the id
    of the row"""
    __slots__ = ()

    company = fields.Many2One('company.company', "Company")
    customers = fields.Integer(
        "Customers", help="The customers with an open receivable.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('overdue', 'DESC'))

    @classmethod
    def table_query(cls):
        receivables = cls.open_receivables()
        line, move = receivables.line, receivables.move
        from_, group, name = cls.customer_group(receivables)
        return from_.select(
            Min(line.party).as_('id'),
            group.as_(name),
            move.company.as_('company'),
            Count(line.party, distinct=True).as_('customers'),
            *cls.aged_columns(receivables),
            where=receivables.where,
            group_by=[group, move.company])

    @classmethod
    def customer_group(cls, receivables):
        """Return the receivables joined to the group of the customer, the
        column of the group and the name of its field"""
        raise NotImplementedError

    def get_currency(self, name):
        return self.company.currency.id


class AgedBalanceCollector(AgedCustomerGroupMixin, ModelSQL, ModelView):
    __name__ = 'ar_followup.aged_balance.collector'
    __string__ = "Aged Balance per Collector"

    collector = fields.Many2One(
        'res.user', "Collector",
        help="The collector of the customers; empty for the customers "
        "without collector.")

    @classmethod
    def customer_group(cls, receivables):
        party = Pool().get('party.party').__table__()
        return (receivables.from_.join(
                party, condition=party.id == receivables.line.party),
            party.followup_collector, 'collector')

    def get_rec_name(self, name):
        if self.collector:
            return self.collector.rec_name
        return gettext('ar_followup.msg_aged_balance_no_collector')

    def lines_domain(self):
        "The domain of the receivable lines of the row"
        return [('party.followup_collector', '=',
                self.collector.id if self.collector else None)]


class AgedBalanceCurrency(AgedBucketsMixin, ModelSQL, ModelView):
    __name__ = 'ar_followup.aged_balance.currency'
    __string__ = "Aged Balance per Currency"

    currency = fields.Many2One(
        'currency.currency', "Currency",
        help="The currency of the receivable lines: the amounts are in "
        "this currency.")
    company = fields.Many2One('company.company', "Company")
    customers = fields.Integer(
        "Customers", help="The customers with an open receivable.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('balance', 'DESC'))

    @classmethod
    def table_query(cls):
        Company = Pool().get('company.company')
        company = Company.__table__()
        receivables = cls.open_receivables()
        line, move = receivables.line, receivables.move
        currency = Coalesce(line.second_currency, company.currency)
        # amounts in the currency of the line
        receivables.amount = Case(
            (line.second_currency != Null, line.amount_second_currency),
            else_=receivables.amount)
        return (receivables.from_
            .join(company, condition=company.id == move.company)
            .select(
                currency.as_('id'),
                currency.as_('currency'),
                move.company.as_('company'),
                Count(line.party, distinct=True).as_('customers'),
                *cls.aged_columns(receivables),
                where=receivables.where,
                group_by=[currency, move.company]))

    def get_rec_name(self, name):
        return self.currency.rec_name

    def lines_domain(self):
        "The domain of the receivable lines of the row"
        return ['OR',
            ('second_currency', '=', self.currency.id),
            [('second_currency', '=', None),
                ('move.company.currency', '=', self.currency.id)],
            ]


class AgedBalanceRiskClass(AgedCustomerGroupMixin, ModelSQL, ModelView):
    __name__ = 'ar_followup.aged_balance.risk_class'
    __string__ = "Aged Balance per Risk Class"

    risk_class = fields.Selection(
        RISK_CLASSES, "Risk Class", sort=False,
        help="The risk class of the customers' last score (today's class, "
        "not the one of the date); empty for the customers without one.")
    risk_class_string = risk_class.translated('risk_class')

    @classmethod
    def customer_group(cls, receivables):
        risk = Pool().get('party.party.risk').__table__()
        return (receivables.from_.join(risk, 'LEFT',
                condition=(risk.party == receivables.line.party)
                & (risk.company == receivables.move.company)),
            risk.risk_class, 'risk_class')

    def get_rec_name(self, name):
        if self.risk_class:
            return self.risk_class_string
        return gettext('ar_followup.msg_aged_balance_no_risk_class')

    def lines_domain(self):
        "The domain of the receivable lines of the row"
        if self.risk_class:
            return [('party.risks', 'where', [
                        ('company', '=', self.company.id),
                        ('risk_class', '=', self.risk_class),
                        ])]
        # no score in the company, or a score without class
        return [('party.risks', 'not where', [
                    ('company', '=', self.company.id),
                    ('risk_class', '!=', None),
                    ])]
