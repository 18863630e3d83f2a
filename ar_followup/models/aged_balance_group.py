# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The aged balance grouped per collector and per currency, with the
buckets, date and terms of the customer aged balance (same context)."""
from sql import Null
from sql.aggregate import Count, Min
from sql.conditionals import Case, Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool

from .aged_balance import AgedBucketsMixin


class AgedBalanceCollector(AgedBucketsMixin, ModelSQL, ModelView):
    __name__ = 'ar_followup.aged_balance.collector'
    __string__ = "Aged Balance per Collector"

    collector = fields.Many2One(
        'res.user', "Collector",
        help="The collector of the customers; empty for the customers "
        "without collector.")
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
        Party = Pool().get('party.party')
        party = Party.__table__()
        receivables = cls.open_receivables()
        line, move = receivables.line, receivables.move
        return (receivables.from_
            .join(party, condition=party.id == line.party)
            .select(
                # a customer has one collector: his id is unique per row
                Min(line.party).as_('id'),
                party.followup_collector.as_('collector'),
                move.company.as_('company'),
                Count(line.party, distinct=True).as_('customers'),
                *cls.aged_columns(receivables),
                where=receivables.where,
                group_by=[party.followup_collector, move.company]))

    def get_currency(self, name):
        return self.company.currency.id


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
