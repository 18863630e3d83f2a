# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal

from trytond import backend
from trytond.model import fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


def id_chunks(ids):
    """The chunks of ids that fit in one query's parameters; [None] for
    every record when ids is None"""
    if ids is None:
        return [None]
    return grouped_slice(ids, backend.MAX_QUERY_PARAMS)


def id_condition(column, ids):
    "The condition of column on ids, True for every record when ids is None"
    if ids is None:
        return Literal(True)
    return fields.SQL_OPERATORS['in'](column, list(ids))


def company_result(records, names):
    """Return the empty result {name: {id: None}} of a Function field
    getter and the company of the context (None without one)"""
    Company = Pool().get('company.company')
    company_id = Transaction().context.get('company')
    return ({n: {r.id: None for r in records} for n in names},
        Company(company_id) if company_id else None)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    customer_type = fields.Selection([
            ('business', "Business"),
            ('public', "Public Body"),
            ('consumer', "Consumer"),
            ], "Customer Type",
        help="Consumers get neither late-payment penalties nor the fixed "
        "recovery indemnity, and a shorter limitation period.")
    legal_status = fields.Selection([
            ('active', "Active"),
            ('ceased', "Ceased"),
            ('collective_proceedings', "Collective Proceedings"),
            ], "Legal Status",
        help="The legal situation of the company (from the company "
        "register).")
    followup_level = fields.Function(fields.Many2One(
            'account.dunning.level', "Follow-up Level",
            help="The firmest level reached by the open dunnings of the "
            "customer in the current company."),
        'get_followup')
    followup_days_overdue = fields.Function(fields.Integer(
            "Days Overdue",
            help="The days since the oldest dunned due date."),
        'get_followup')
    followup_amount = fields.Function(Monetary(
            "Amount Dunned", currency='followup_currency',
            digits='followup_currency'),
        'get_followup')
    followup_currency = fields.Function(fields.Many2One(
            'currency.currency', "Follow-up Currency"), 'get_followup')

    @classmethod
    def default_customer_type(cls):
        return 'business'

    @classmethod
    def default_legal_status(cls):
        return 'active'

    @classmethod
    def get_followup(cls, parties, names):
        pool = Pool()
        Dunning = pool.get('account.dunning')
        Date = pool.get('ir.date')
        result, company = company_result(parties, names)
        if not company:
            return result
        today = Date.today()
        levels = Dunning.highest_levels(
            company.id, 'party', [p.id for p in parties])
        for party in parties:
            if 'followup_currency' in result:
                result['followup_currency'][party.id] = company.currency.id
            if party.id not in levels:
                continue
            level, maturity_date, amount = levels[party.id]
            if 'followup_level' in result:
                result['followup_level'][party.id] = level
            if 'followup_days_overdue' in result:
                result['followup_days_overdue'][party.id] = max(
                    (today - maturity_date).days, 0)
            if 'followup_amount' in result:
                result['followup_amount'][party.id] = amount
        return result
