# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The rate tables of the late-payment penalties.

The ECB main refinancing rate by effective date and the French legal
interest rate by half-year, shipped in data/penalty_rate.xml (from the CSV
files next to it) and maintained by the account administrators.
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.ar_followup.exceptions import (
    MissingPenaltyRateWarning, PenaltyRateValidationError)
from trytond.modules.ar_followup.rules import interest
from trytond.pool import Pool


class EcbRate(ModelSQL, ModelView):
    "ECB Main Refinancing Rate"
    __name__ = 'account.penalty.ecb_rate'

    date = fields.Date(
        "Effective Date", required=True,
        help="The day the ECB decision takes effect.")
    rate = fields.Numeric(
        "Rate (%)", digits=(16, 2), required=True,
        help="The ECB main refinancing operations rate, in percent.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        t = cls.__table__()
        cls._sql_constraints += [
            ('date_unique', Unique(t, t.date),
                'ar_followup.msg_ecb_rate_date_unique'),
            ]

    @classmethod
    def table(cls):
        "Return the ((effective date, rate), ...) of the table"
        return tuple((r.date, r.rate) for r in cls.search([]))


class LegalRate(ModelSQL, ModelView):
    "Legal Interest Rate"
    __name__ = 'account.penalty.legal_rate'

    half_year_start = fields.Date(
        "Half-Year Start", required=True,
        help="1 January or 1 July.")
    professional_rate = fields.Numeric(
        "Professional Creditor (%)", digits=(16, 2), required=True,
        help="The legal interest rate when the creditor is a professional: "
        "three times this rate is the floor of a contractual late rate.")
    private_rate = fields.Numeric(
        "Private Creditor (%)", digits=(16, 2), required=True,
        help="The legal interest rate when the creditor is a private "
        "person acting outside any professional activity.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('half_year_start', 'DESC'))
        t = cls.__table__()
        cls._sql_constraints += [
            ('half_year_start_unique', Unique(t, t.half_year_start),
                'ar_followup.msg_legal_rate_half_year_unique'),
            ]

    @classmethod
    def validate_fields(cls, rates, field_names):
        super().validate_fields(rates, field_names)
        if field_names & {'half_year_start'}:
            for rate in rates:
                start = rate.half_year_start
                if start != interest.half_year_start(start):
                    raise PenaltyRateValidationError(gettext(
                            'ar_followup.msg_legal_rate_half_year_start',
                            date=start))

    @classmethod
    def professional_table(cls):
        "Return the ((half-year start, professional rate), ...) of the table"
        return tuple(
            (r.half_year_start, r.professional_rate)
            for r in cls.search([]))


def warn_missing_rate(error, records):
    """Raise the user warning of a MissingRateError of the rules

    Once the user accepts it, the caller goes on with the last rate known.
    """
    pool = Pool()
    Warning = pool.get('res.user.warning')
    Lang = pool.get('ir.lang')
    warning_name = Warning.format(
        'penalty_rate_missing_%s' % error.period_start.isoformat(), records)
    if Warning.check(warning_name):
        raise MissingPenaltyRateWarning(warning_name, gettext(
                'ar_followup.msg_penalty_rate_missing',
                date=Lang.get().strftime(error.period_start)))
