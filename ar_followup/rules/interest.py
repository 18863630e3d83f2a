# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Late-payment interest and fixed recovery indemnity (French law).

Sources:

- Code de commerce L441-10 II: default late rate = ECB main refinancing
  rate + 10 points, the ECB rate of a half-year being the rate in force on
  1 January (January-June) or on 1 July (July-December); a contractual rate
  may not be below three times the legal interest rate; interest is due
  from the day after the due date without any reminder.
- Code de commerce D441-5: fixed recovery indemnity of EUR 40 per late
  invoice; CJEU C-585/20: the indemnity is due per invoice from the first
  day late, and interest is computed on the amount including VAT.

Rates are percentages (``Decimal('14.50')`` means 14.50 %).  Nothing is
read from files: the caller passes the rate tables.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = [
    'DAY_COUNT_BASE',
    'DEFAULT_MARGIN',
    'DELAY_MODES',
    'FLOOR_MULTIPLIER',
    'FREEZE',
    'RECOVERY_INDEMNITY',
    'SPLIT',
    'InterestError',
    'InterestSegment',
    'InvalidInterestInputError',
    'LateInterest',
    'MissingRateError',
    'RateBelowFloorError',
    'check_contractual_rate',
    'contractual_rate_floor',
    'days_late',
    'default_late_rate',
    'default_rate_resolver',
    'ecb_rate_for_half_year',
    'half_year_start',
    'late_interest',
    'late_interest_on_balance',
    'legal_rate_for_half_year',
    'next_half_year_start',
    'rate_in_force',
    'recovery_indemnity',
    'round_amount',
    ]

SPLIT = 'split'
FREEZE = 'freeze'
DELAY_MODES = (SPLIT, FREEZE)
DAY_COUNT_BASE = 365
DEFAULT_MARGIN = Decimal(10)
FLOOR_MULTIPLIER = 3
RECOVERY_INDEMNITY = Decimal(40)

_ONE_DAY = dt.timedelta(days=1)
# Working precision of the unrounded segment amounts (default is 28).
_PRECISION = 50


class InterestError(ValueError):
    "Base class of the errors raised by the late-interest rules."


class MissingRateError(InterestError):
    """No rate is known for the half-year starting on ``period_start``.

    The caller must warn the user to complete the rate table.
    """

    def __init__(self, period_start):
        self.period_start = period_start
        super().__init__(
            f"No interest rate is known for the half-year starting on "
            f"{period_start.isoformat()}.")


class RateBelowFloorError(InterestError):
    "A contractual rate is below three times the legal interest rate."

    def __init__(self, rate, floor):
        self.rate = rate
        self.floor = floor
        super().__init__(
            f"The contractual late rate {rate} % is below the legal floor "
            f"of {floor} % (3 x the legal interest rate, L441-10 II).")


class InvalidInterestInputError(InterestError):
    "An argument of a late-interest computation is out of range."


def half_year_start(day):
    "Return 1 January or 1 July of the half-year containing ``day``."
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def next_half_year_start(day):
    "Return the first day of the half-year following the one of ``day``."
    if day.month <= 6:
        return dt.date(day.year, 7, 1)
    return dt.date(day.year + 1, 1, 1)


def rate_in_force(table, day):
    """Return the rate of ``table`` in force on ``day``, or None.

    ``table`` is a sequence of ``(effective_date, rate)`` pairs in any
    order; the rate in force is the one of the last effective date on or
    before ``day``.
    """
    applicable = [(d, r) for d, r in table if d <= day]
    if not applicable:
        return None
    return max(applicable, key=lambda item: item[0])[1]


def ecb_rate_for_half_year(table, day, covered_until=None):
    """Return the ECB rate applicable to the whole half-year of ``day``.

    It is the rate in force on 1 January for January-June and on 1 July for
    July-December (L441-10 II C. com.).  ``covered_until`` is the last date
    for which the caller vouches the table is complete (ECB decisions
    checked); None trusts the table for any later date.

    Raise MissingRateError (carrying the half-year start) when the table
    has no rate in force on that date or the date is after
    ``covered_until``.
    """
    start = half_year_start(day)
    if covered_until is not None and start > covered_until:
        raise MissingRateError(start)
    rate = rate_in_force(table, start)
    if rate is None:
        raise MissingRateError(start)
    return rate


def default_late_rate(
        ecb_table, day, covered_until=None, margin=DEFAULT_MARGIN):
    """Return the default late rate of the half-year of ``day``.

    ECB main refinancing rate of the half-year + 10 points
    (L441-10 II C. com.).  Raise MissingRateError as
    ecb_rate_for_half_year.
    """
    return ecb_rate_for_half_year(ecb_table, day, covered_until) + margin


def default_rate_resolver(ecb_table, covered_until=None,
        margin=DEFAULT_MARGIN):
    """Return a function giving the default late rate of a half-year.

    The result is meant for the ``rate`` argument of late_interest.
    """
    table = tuple(ecb_table)

    def resolve(day):
        return default_late_rate(table, day, covered_until, margin)
    return resolve


def legal_rate_for_half_year(table, day):
    """Return the French legal interest rate of the half-year of ``day``.

    ``table`` is a sequence of ``(half_year_start, rate)`` pairs (published
    per half-year by arrêté); pass the professional creditor column for the
    contractual floor.  Raise MissingRateError when the half-year is absent.
    """
    start = half_year_start(day)
    for period_start, rate in table:
        if period_start == start:
            return rate
    raise MissingRateError(start)


def contractual_rate_floor(legal_rate):
    "Return the floor of a contractual late rate: 3 x the legal rate."
    return FLOOR_MULTIPLIER * legal_rate


def check_contractual_rate(rate, legal_rate):
    """Raise RateBelowFloorError if ``rate`` is below 3 x ``legal_rate``.

    L441-10 II C. com.: a rate agreed in the terms may not be below three
    times the legal interest rate (professional creditor).  The floor
    applies to contractual rates only: the default rate (ECB + 10 points)
    applies as such even when it is lower than the floor, as in 1H2024
    (default 14.50 %, floor 15.21 %) and 2H2024 (14.25 %, floor 14.76 %).
    """
    floor = contractual_rate_floor(legal_rate)
    if rate < floor:
        raise RateBelowFloorError(rate, floor)


def round_amount(value, digits=2):
    "Round ``value`` half up to ``digits`` decimal places (currency digits)."
    if digits < 0:
        raise InvalidInterestInputError(
            f"The number of digits must not be negative, got {digits}.")
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def days_late(due_date, on_date):
    """Return the number of days late on ``on_date``: on_date - due_date.

    Interest runs from the day after the due date (L441-10 II C. com.), so
    the count is zero on the due date itself.
    """
    return max((on_date - due_date).days, 0)


@dataclass(frozen=True)
class InterestSegment:
    """Days from ``start`` to ``end`` (both included) late on ``balance``.

    ``amount`` = balance x rate / 100 x days / day-count base, unrounded.
    """
    start: dt.date
    end: dt.date
    days: int
    balance: Decimal
    rate: Decimal
    amount: Decimal


@dataclass(frozen=True)
class LateInterest:
    "Late interest rounded to the currency and its per-segment breakdown."
    amount: Decimal
    segments: tuple

    @property
    def unrounded(self):
        "Return the exact sum of the segment amounts."
        return _total(self.segments)

    @property
    def days(self):
        "Return the number of late days with a positive balance."
        return sum(s.days for s in self.segments)


def _total(segments):
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return sum((s.amount for s in segments), Decimal(0))


def _check_inputs(amount_due, payments, mode, day_count_base):
    if amount_due < 0:
        raise InvalidInterestInputError(
            f"The amount due must not be negative, got {amount_due}.")
    for day, paid in payments:
        if paid < 0:
            raise InvalidInterestInputError(
                f"The payment of {day.isoformat()} must not be negative, "
                f"got {paid}.")
    if mode not in DELAY_MODES:
        raise InvalidInterestInputError(
            f"Unknown delay mode {mode!r}, expected one of {DELAY_MODES}.")
    if day_count_base <= 0:
        raise InvalidInterestInputError(
            f"The day-count base must be positive, got {day_count_base}.")


def _rate_getter(rate):
    "Return a function of a date giving the rate of its half-year."
    if callable(rate):
        return lambda day: rate(half_year_start(day))
    return lambda day: rate


def _balance_periods(amount_due, due_date, payments, until):
    """Yield ``(first_day, last_day, balance)`` of the late days.

    The day of a payment still bears the balance before the payment; the
    reduced balance runs from the next day.  Payments on or before the due
    date reduce the amount before any interest; overpayment gives zero.
    """
    balance = amount_due
    start = due_date + _ONE_DAY
    for day, paid in sorted(payments, key=lambda p: p[0]):
        if day > until:
            break
        if day >= start:
            if balance > 0:
                yield start, day, balance
            start = day + _ONE_DAY
        balance = max(balance - paid, Decimal(0))
    if start <= until and balance > 0:
        yield start, until, balance


def _half_year_slices(first, last):
    "Yield the ``(first, last)`` day ranges cut at half-year boundaries."
    while first <= last:
        end = min(last, next_half_year_start(first) - _ONE_DAY)
        yield first, end
        first = end + _ONE_DAY


def _rated_slices(first, last, mode, rate_of, first_late_day):
    "Yield ``(start, end, rate)`` of a late period according to ``mode``."
    if mode == FREEZE:
        yield first, last, rate_of(first_late_day)
    else:
        for start, end in _half_year_slices(first, last):
            yield start, end, rate_of(start)


def _segment(start, end, balance, rate, day_count_base):
    if rate < 0:
        raise InvalidInterestInputError(
            f"The late rate must not be negative, got {rate}.")
    days = (end - start).days + 1
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        amount = balance * rate * days / (100 * day_count_base)
    return InterestSegment(start, end, days, balance, rate, amount)


def late_interest_on_balance(
        amount_due, due_date, payments, until, rate, mode=SPLIT,
        day_count_base=DAY_COUNT_BASE, digits=2):
    """Return the LateInterest on a balance reduced by partial payments.

    Simple interest on the amount due including VAT (CJEU C-585/20) x rate
    x days / ``day_count_base`` (L441-10 II C. com.), from the day after
    ``due_date`` to ``until`` included, so that the number of days is
    ``until - due_date``.  ``payments`` is a sequence of ``(date, amount)``:
    each payment reduces the balance from the day after it; payments after
    ``until`` are ignored.

    ``rate`` is a Decimal percentage (contractual rate) or a function
    returning the rate of the half-year starting on the date it receives
    (see default_rate_resolver); it may raise MissingRateError.  ``mode``
    for a delay spanning half-years: SPLIT (default) applies to the days of
    each half-year the rate of that half-year; FREEZE applies the rate of
    the first day late to the whole delay (public procurement practice).

    The day-count base stays 365 in leap years by default, as in the legal
    text and French practice.  Each segment is computed unrounded; only the
    total is rounded, half up, to ``digits`` decimals (0, 2, 3...).
    """
    _check_inputs(amount_due, payments, mode, day_count_base)
    rate_of = _rate_getter(rate)
    segments = tuple(
        _segment(start, end, balance, slice_rate, day_count_base)
        for first, last, balance in _balance_periods(
            amount_due, due_date, payments, until)
        for start, end, slice_rate in _rated_slices(
            first, last, mode, rate_of, due_date + _ONE_DAY))
    return LateInterest(
        amount=round_amount(_total(segments), digits), segments=segments)


def late_interest(
        amount, due_date, payment_date, rate, mode=SPLIT,
        day_count_base=DAY_COUNT_BASE, digits=2):
    """Return the LateInterest on ``amount`` paid in full on
    ``payment_date`` (or still unpaid on that date).

    Same rule, rounding and arguments as late_interest_on_balance, without
    partial payment: days = ``payment_date - due_date``; zero when paid on
    or before the due date.
    """
    return late_interest_on_balance(
        amount, due_date, (), payment_date, rate, mode=mode,
        day_count_base=day_count_base, digits=digits)


def recovery_indemnity(
        is_late, is_business, in_collective_proceedings,
        amount=RECOVERY_INDEMNITY):
    """Return the fixed recovery indemnity due for one invoice.

    EUR 40 per late invoice (L441-10 II and D441-5 C. com.; CJEU C-585/20),
    due from the first day late, not reduced by partial payments, outside
    the interest base and without VAT.  Not due by consumers (the
    provisions apply between professionals) nor by a customer under
    collective (insolvency) proceedings.  Higher justified collection costs
    are added by the caller with a justification, not here.
    """
    if is_late and is_business and not in_collective_proceedings:
        return amount
    return Decimal(0)
