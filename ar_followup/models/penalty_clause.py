# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The late-payment penalty clause: per company, overridable per customer.

The legal default is the ECB rate of the half-year + 10 points; a
contractual rate may not be below three times the legal interest rate
(L441-10 II C. com., rules.interest).
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.modules.ar_followup.exceptions import PenaltyRateBelowFloorError
from trytond.modules.ar_followup.rules import interest
from trytond.modules.company.model import CompanyValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .penalty_rate import warn_missing_rate

RATE_TYPES = [
    ('legal', "Legal (ECB + 10 points)"),
    ('contractual', "Contractual Rate"),
    ]
DELAY_MODES = [
    (interest.SPLIT, "Split by Half-Year"),
    (interest.FREEZE, "Freeze the Rate of the First Day Late"),
    ]

late_rate_type = fields.Selection(
    RATE_TYPES, "Late Rate",
    help="The rate of the late-payment interest: the legal default (ECB "
    "main refinancing rate of the half-year + 10 points) or the rate "
    "agreed in the terms of sale.")
late_rate = fields.Numeric(
    "Contractual Late Rate (%)", digits=(16, 2),
    states={
        'invisible': Eval('late_rate_type') != 'contractual',
        },
    help="Not below three times the legal interest rate; empty applies "
    "the legal rate.")
late_rate_mode = fields.Selection(
    DELAY_MODES, "Delay Over Half-Years",
    help="For a delay spanning half-years: apply to the days of each "
    "half-year its own rate, or the rate of the first day late to the "
    "whole delay.")
penalty_interest_account = fields.Many2One(
    'account.account', "Late Interest Account",
    domain=[
        ('type.revenue', '=', True),
        ('company', '=', Eval('context', {}).get('company', -1)),
        ],
    help="The revenue account of the late interest claimed.")
penalty_indemnity_account = fields.Many2One(
    'account.account', "Recovery Indemnity Account",
    domain=[
        ('type.revenue', '=', True),
        ('company', '=', Eval('context', {}).get('company', -1)),
        ],
    help="The revenue account of the fixed recovery indemnities claimed "
    "(outside the scope of VAT).")

_CONFIGURATION_FIELDS = {
    'late_rate_type', 'late_rate', 'late_rate_mode',
    'penalty_interest_account', 'penalty_indemnity_account'}


def check_contractual_rates(records, date):
    "Refuse a contractual rate below 3 x the legal rate of ``date``"
    pool = Pool()
    LegalRate = pool.get('account.penalty.legal_rate')
    contractual = [
        r for r in records
        if r.late_rate_type == 'contractual' and r.late_rate is not None]
    if not contractual:
        return
    try:
        legal_rate = interest.legal_rate_for_half_year(
            LegalRate.professional_table(), date)
    except interest.MissingRateError as error:
        warn_missing_rate(error, contractual)
        return
    for record in contractual:
        try:
            interest.check_contractual_rate(record.late_rate, legal_rate)
        except interest.RateBelowFloorError as error:
            raise PenaltyRateBelowFloorError(gettext(
                    'ar_followup.msg_late_rate_below_floor',
                    rate=error.rate, floor=error.floor,
                    legal_rate=legal_rate)) from error


def _today():
    "Return the date of the penalty computations: today unless in context"
    return (Transaction().context.get('penalty_date')
        or Pool().get('ir.date').today())


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    late_rate_type = fields.MultiValue(late_rate_type)
    late_rate = fields.MultiValue(late_rate)
    late_rate_mode = fields.MultiValue(late_rate_mode)
    penalty_interest_account = fields.MultiValue(penalty_interest_account)
    penalty_indemnity_account = fields.MultiValue(penalty_indemnity_account)
    ecb_rates_checked_until = fields.Date(
        "ECB Rates Checked Until",
        help="The last date up to which the ECB rate table is known to be "
        "complete: a half-year starting later warns that its rate is "
        "missing. Empty trusts the last rate of the table.")

    @classmethod
    def multivalue_model(cls, field):
        if field in _CONFIGURATION_FIELDS:
            return Pool().get('account.configuration.late_penalty')
        return super().multivalue_model(field)

    @classmethod
    def default_late_rate_type(cls, **pattern):
        return 'legal'

    @classmethod
    def default_late_rate_mode(cls, **pattern):
        return interest.SPLIT


class ConfigurationLatePenalty(ModelSQL, CompanyValueMixin):
    "Accounting Configuration Late Penalties"
    __name__ = 'account.configuration.late_penalty'

    late_rate_type = late_rate_type
    late_rate = late_rate
    late_rate_mode = late_rate_mode
    penalty_interest_account = penalty_interest_account
    penalty_indemnity_account = penalty_indemnity_account

    @classmethod
    def default_late_rate_type(cls):
        return 'legal'

    @classmethod
    def default_late_rate_mode(cls):
        return interest.SPLIT

    @classmethod
    def validate(cls, records):
        super().validate(records)
        check_contractual_rates(records, _today())


party_late_rate_type = fields.Selection(
    [(None, "Company Default")] + RATE_TYPES, "Late Rate",
    help="The late-payment rate agreed with the customer; empty follows "
    "the accounting configuration.")
party_late_rate = fields.Numeric(
    "Contractual Late Rate (%)", digits=(16, 2),
    states={
        'invisible': Eval('late_rate_type') != 'contractual',
        },
    help="Not below three times the legal interest rate; empty applies "
    "the legal rate.")


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    late_rate_type = fields.MultiValue(party_late_rate_type)
    late_rate = fields.MultiValue(party_late_rate)
    late_penalties = fields.One2Many(
        'party.party.late_penalty', 'party', "Late Penalties")

    @classmethod
    def multivalue_model(cls, field):
        if field in {'late_rate_type', 'late_rate'}:
            return Pool().get('party.party.late_penalty')
        return super().multivalue_model(field)

    def late_penalty_clause(self, company):
        """Return the (rate type, contractual rate, delay mode) of the
        customer in ``company``"""
        rate_type, rate, mode = company_penalty_clause(company)
        pattern = {'company': company.id}
        if self.get_multivalue('late_rate_type', **pattern):
            rate_type = self.get_multivalue('late_rate_type', **pattern)
            rate = self.get_multivalue('late_rate', **pattern)
        return rate_type, rate, mode


def company_penalty_clause(company):
    """Return the (rate type, contractual rate, delay mode) of the
    accounting configuration of ``company``"""
    Configuration = Pool().get('account.configuration')
    config = Configuration(1)
    pattern = {'company': company.id}
    return (
        config.get_multivalue('late_rate_type', **pattern) or 'legal',
        config.get_multivalue('late_rate', **pattern),
        config.get_multivalue('late_rate_mode', **pattern) or interest.SPLIT)


class PartyLatePenalty(ModelSQL, CompanyValueMixin):
    "Party Late Penalties"
    __name__ = 'party.party.late_penalty'

    party = fields.Many2One(
        'party.party', "Party", ondelete='CASCADE',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    late_rate_type = party_late_rate_type
    late_rate = party_late_rate

    @classmethod
    def validate(cls, records):
        super().validate(records)
        check_contractual_rates(records, _today())


def late_rate_resolver(party, company, strict=True):
    """Return the ``rate`` argument of rules.interest and the delay mode
    of the customer in ``company``

    ``strict`` refuses the ECB half-years after the date up to which the
    table is checked (MissingRateError when computed).  Without ``party``
    the clause of the company applies.
    """
    pool = Pool()
    Configuration = pool.get('account.configuration')
    EcbRate = pool.get('account.penalty.ecb_rate')
    if party:
        rate_type, rate, mode = party.late_penalty_clause(company)
    else:
        rate_type, rate, mode = company_penalty_clause(company)
    if rate_type == 'contractual' and rate is not None:
        return rate, mode
    covered_until = None
    if strict:
        with Transaction().set_context(company=company.id):
            covered_until = Configuration(1).ecb_rates_checked_until
    return interest.default_rate_resolver(
        EcbRate.table(), covered_until=covered_until), mode
