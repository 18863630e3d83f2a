# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Limitation (prescription) of receivables (French law).

Sources:

- Code de commerce L110-4: 5 years between traders (B2B).
- Code de la consommation L218-2: 2 years against consumers (B2C).
- Code civil 2240 (acknowledgment of the debt), 2241 (court claim,
  including summary proceedings), 2244 (enforcement measure): each
  interruption restarts a full new period from its date (2231); the
  service of a payment order (injonction de payer) interrupts too.  The
  effect of a court claim lasts until the proceedings end (2242): the
  caller may pass that end date as the interruption date.
- A formal notice (mise en demeure) does NOT interrupt the period.
- A court title (judgment) is enforceable for 10 years (L111-4 Code des
  procédures civiles d'exécution).

The start is the due date by default; the caller may pass another date
(Cass. com. 2020: the date the invoice should have been issued).
Suspensions (mediation, C. civ. 2238) are not handled here.
"""
import calendar
import datetime as dt

__all__ = [
    'ACKNOWLEDGMENT',
    'B2B_YEARS',
    'B2C_YEARS',
    'COURT_CLAIM',
    'ENFORCEMENT',
    'FORMAL_NOTICE',
    'INTERRUPTING_KINDS',
    'JUDGMENT',
    'JUDGMENT_YEARS',
    'NON_INTERRUPTING_KINDS',
    'PAYMENT_ORDER_SERVED',
    'LimitationError',
    'UnknownInterruptionError',
    'add_years',
    'days_before_limitation',
    'is_alert',
    'is_time_barred',
    'limitation_date',
    'limitation_years',
    ]

B2B_YEARS = 5
B2C_YEARS = 2
JUDGMENT_YEARS = 10

ACKNOWLEDGMENT = 'acknowledgment'
COURT_CLAIM = 'court_claim'
ENFORCEMENT = 'enforcement'
PAYMENT_ORDER_SERVED = 'payment_order_served'
JUDGMENT = 'judgment'
FORMAL_NOTICE = 'formal_notice'
INTERRUPTING_KINDS = (
    ACKNOWLEDGMENT, COURT_CLAIM, ENFORCEMENT, PAYMENT_ORDER_SERVED, JUDGMENT)
NON_INTERRUPTING_KINDS = (FORMAL_NOTICE,)


class LimitationError(ValueError):
    "Base class of the errors raised by the limitation rules."


class UnknownInterruptionError(LimitationError):
    "The kind of a limitation event is unknown."

    def __init__(self, kind):
        self.kind = kind
        super().__init__(
            f"Unknown limitation event {kind!r}, expected one of "
            f"{INTERRUPTING_KINDS + NON_INTERRUPTING_KINDS}.")


def add_years(day, years):
    "Return ``day`` + ``years`` years; 29 February gives 28 February."
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return dt.date(year, day.month, min(day.day, last))


def limitation_years(is_business):
    "Return the limitation period: 5 years B2B (L110-4), 2 years B2C."
    return B2B_YEARS if is_business else B2C_YEARS


def _check_kind(kind):
    if kind not in INTERRUPTING_KINDS + NON_INTERRUPTING_KINDS:
        raise UnknownInterruptionError(kind)


def limitation_date(start, years, interruptions=()):
    """Return the last day on which the claim can be acted upon.

    The claim is time-barred from the next day (C. civ. 2229).  The period
    of ``years`` runs from ``start``; each interruption ``(date, kind)``
    (see INTERRUPTING_KINDS) dated on or before the running limitation date
    restarts the full period from its date; a JUDGMENT restarts 10 years
    and makes 10 years the period restarted by later interruptions.  A
    FORMAL_NOTICE does not interrupt; events after the limitation date do
    not revive the claim; an event can never shorten the period.
    """
    for _, kind in interruptions:
        _check_kind(kind)
    end = add_years(start, years)
    for day, kind in sorted(interruptions, key=lambda event: event[0]):
        if day > end:
            break
        if kind == JUDGMENT:
            years = JUDGMENT_YEARS
        if kind in INTERRUPTING_KINDS:
            end = max(end, add_years(day, years))
    return end


def days_before_limitation(today, limitation_date):
    "Return the days left until ``limitation_date`` (negative once passed)."
    return (limitation_date - today).days


def is_time_barred(today, limitation_date):
    "Tell whether the claim is time-barred on ``today``."
    return today > limitation_date


def is_alert(today, limitation_date, alert_days):
    """Tell whether ``today`` is within ``alert_days`` of the limitation date.

    False once the claim is time-barred (see is_time_barred).
    """
    return 0 <= days_before_limitation(today, limitation_date) <= alert_days
