# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Aged balance (balance âgée) buckets and cash-in forecast.

Ageing: an open receivable is aged by its days past due at an as-of date,
``as_of − due_date``. A line due on the as-of date or later is not due (it
is late from the day after its due date, L441-10 II C. com.). The buckets
are set by their upper bounds in days past due, strictly increasing
positive ints; the default ``(30, 60, 90, 120)`` gives:

    0 Not due (<= 0) | 1 1-30 | 2 31-60 | 3 61-90 | 4 91-120 | 5 > 120

:func:`maturity_ranges` turns the buckets into ranges of maturity dates
for an as-of date, so that SQL compares ``maturity_date`` with date
literals instead of doing date arithmetic on every line.

Cash-in forecast: :func:`expected_payment_date` and
:func:`weekly_cash_forecast` (13 weeks, Monday start);
:func:`average_resolution_days` gives the delay of the disputed invoices.
"""
import bisect
import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

__all__ = [
    'DEFAULT_BOUNDS',
    'FORECAST_WEEKS',
    'AgeingError',
    'CashForecast',
    'ForecastInputError',
    'InvalidBoundsError',
    'MaturityRange',
    'OpenInvoice',
    'aged_balance',
    'average_resolution_days',
    'bucket_index',
    'bucket_label',
    'bucket_labels',
    'check_bounds',
    'days_past_due',
    'expected_payment_date',
    'forecast_week',
    'maturity_ranges',
    'week_start',
    'weekly_cash_forecast',
    ]

DEFAULT_BOUNDS = (30, 60, 90, 120)
FORECAST_WEEKS = 13


class AgeingError(ValueError):
    "Base class of the errors raised by the ageing and forecast rules."


class InvalidBoundsError(AgeingError):
    "The bucket bounds are not strictly increasing positive ints."

    def __init__(self, bounds, reason):
        self.bounds = bounds
        super().__init__(
            f"Invalid aged-balance bucket bounds {bounds!r}: {reason}. "
            "Expected strictly increasing positive whole numbers of days "
            "past due, e.g. (30, 60, 90, 120).")


class ForecastInputError(AgeingError):
    "An argument of the cash-in forecast is of the wrong type or range."


# --- Aged balance -----------------------------------------------------------

def check_bounds(bounds):
    """Return ``bounds`` as a tuple after checking they are strictly
    increasing positive ints, else raise :class:`InvalidBoundsError`.

    An empty sequence is valid: two buckets, not due and overdue.
    """
    try:
        bounds_ = tuple(bounds)
    except TypeError:
        raise InvalidBoundsError(bounds, "not a sequence") from None
    for bound in bounds_:
        if isinstance(bound, bool) or not isinstance(bound, int):
            raise InvalidBoundsError(bounds, f"{bound!r} is not an int")
        if bound < 1:
            raise InvalidBoundsError(bounds, f"{bound} is not positive")
    for lower, upper in itertools.pairwise(bounds_):
        if upper <= lower:
            raise InvalidBoundsError(
                bounds, f"{upper} does not exceed {lower}")
    return bounds_


def days_past_due(as_of, due_date):
    "Return ``as_of − due_date`` in days (zero or negative: not due)."
    return (as_of - due_date).days


def _range_label(first, last):
    if first == last:
        return f"{first} day" if first == 1 else f"{first} days"
    return f"{first}-{last} days"


def bucket_labels(bounds=DEFAULT_BOUNDS):
    """Return the labels of the buckets, in bucket index order:
    ``('Not due', '1-30 days', …, 'Over 120 days')`` by default."""
    bounds = check_bounds(bounds)
    labels = ['Not due']
    first = 1
    for bound in bounds:
        labels.append(_range_label(first, bound))
        first = bound + 1
    labels.append(f"Over {bounds[-1]} days" if bounds else "Overdue")
    return tuple(labels)


def bucket_index(as_of, due_date, bounds=DEFAULT_BOUNDS):
    """Return the index of the bucket of a line due on ``due_date`` at
    ``as_of``: 0 when not due (days past due <= 0), i when
    bounds[i−2] < days past due <= bounds[i−1] (bounds[−1] read as 0),
    ``len(bounds) + 1`` beyond the last bound."""
    bounds = check_bounds(bounds)
    days = days_past_due(as_of, due_date)
    if days <= 0:
        return 0
    return bisect.bisect_left(bounds, days) + 1


def bucket_label(as_of, due_date, bounds=DEFAULT_BOUNDS):
    "Return the label of the bucket of :func:`bucket_index`."
    return bucket_labels(bounds)[bucket_index(as_of, due_date, bounds)]


class MaturityRange(NamedTuple):
    """The maturity dates covered by a bucket at an as-of date, both ends
    included; ``None`` is an open end."""
    label: str
    first: dt.date | None
    last: dt.date | None


def maturity_ranges(as_of, bounds=DEFAULT_BOUNDS):
    """Return the :class:`MaturityRange` of each bucket at ``as_of``, in
    bucket index order. With b the bounds and D = ``as_of``:

        not due:           D <= maturity
        (b[i−1], b[i]]:    D − b[i] <= maturity <= D − b[i−1] − 1
        over b[−1]:        maturity <= D − b[−1] − 1

    (b[−1] read as 0 for the first overdue bucket). The ranges are
    disjoint and cover every date: use ``maturity_date >= first`` and
    ``maturity_date <= last``, skipping the open ends.
    """
    bounds = check_bounds(bounds)
    labels = bucket_labels(bounds)
    day = dt.timedelta(days=1)
    ranges = [MaturityRange(labels[0], as_of, None)]
    previous = 0
    for label, bound in zip(labels[1:], bounds):
        ranges.append(MaturityRange(
                label, as_of - bound * day, as_of - (previous + 1) * day))
        previous = bound
    ranges.append(
        MaturityRange(labels[-1], None, as_of - (previous + 1) * day))
    return ranges


def aged_balance(as_of, lines, bounds=DEFAULT_BOUNDS):
    """Return ``[(label, amount)]`` of the open amounts per bucket at
    ``as_of``; ``lines`` is an iterable of ``(due_date, amount)``."""
    labels = bucket_labels(bounds)
    totals = [Decimal(0)] * len(labels)
    for due_date, amount in lines:
        totals[bucket_index(as_of, due_date, bounds)] += amount
    return list(zip(labels, totals))


# --- Cash-in forecast -------------------------------------------------------

def _whole_days(name, value):
    "Return ``value`` rounded half up to whole days (an int)."
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ForecastInputError(
            f"{name} must be a Decimal or an int, got {value!r}.")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ForecastInputError(f"{name} must be finite, got {value}.")
        value = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return value


def _dispute_delay(value):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ForecastInputError(
            "The dispute resolution delay must be None or an int of days "
            f"not below 0, got {value!r}.")
    return value


def expected_payment_date(
        as_of, due_date, average_delay=0, promise_date=None,
        disputed=False, dispute_delay=None):
    """Return the expected payment date of an open invoice, never before
    ``as_of``, or ``None`` when it is excluded from the forecast.

    - With a promise to pay: ``promise_date`` (it prevails over the rest;
      a past, broken promise gives ``as_of``).
    - Otherwise ``due_date + average_delay``, the customer's amount-weighted
      average delay (``kpi.average_days_late``, ``None`` counting as 0)
      rounded half up to whole days.
    - A disputed invoice is excluded when ``dispute_delay`` is ``None``;
      otherwise its date is pushed ``dispute_delay`` days (the average
      dispute resolution time) after the date above taken no earlier than
      ``as_of``.
    - Catch-up rule: a date before ``as_of`` becomes ``as_of``.
    """
    delay = _whole_days('The average delay', average_delay)
    dispute_delay = _dispute_delay(dispute_delay)
    if promise_date is not None:
        return max(promise_date, as_of)
    expected = max(due_date + dt.timedelta(days=delay), as_of)
    if disputed:
        if dispute_delay is None:
            return None
        expected += dt.timedelta(days=dispute_delay)
    return expected


def average_resolution_days(disputes):
    """Return the average days from the opening to the resolution of the
    ``(opened_on, resolved_on)`` iterable, rounded half up to whole days,
    or ``None`` when it is empty. A resolution dated before its opening
    counts 0 days."""
    total = count = 0
    for opened_on, resolved_on in disputes:
        total += max((resolved_on - opened_on).days, 0)
        count += 1
    if not count:
        return None
    return int((Decimal(total) / count).quantize(
            Decimal(1), rounding=ROUND_HALF_UP))


def week_start(day):
    "Return the Monday of the week of ``day``."
    return day - dt.timedelta(days=day.weekday())


def _weeks(weeks):
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise ForecastInputError(
            f"The number of weeks must be a positive int, got {weeks!r}.")
    return weeks


def forecast_week(as_of, expected_date, weeks=FORECAST_WEEKS):
    """Return the index of the forecast week of ``expected_date``: 0 for
    the week of ``as_of`` (Monday start), up to ``weeks − 1``, or ``None``
    beyond the horizon. A date before ``as_of`` falls in week 0 (catch-up:
    what is overdue is expected this week)."""
    weeks = _weeks(weeks)
    expected = max(expected_date, as_of)
    index = (week_start(expected) - week_start(as_of)).days // 7
    return index if index < weeks else None


@dataclass(frozen=True)
class OpenInvoice:
    "An open invoice to forecast; see :func:`expected_payment_date`."
    amount: Decimal
    due_date: dt.date
    average_delay: Decimal | None = None
    promise_date: dt.date | None = None
    disputed: bool = False


@dataclass(frozen=True)
class CashForecast:
    """Expected cash-in per week.

    ``weeks``: ``((monday, amount), …)`` for each forecast week, the first
    being the week of the as-of date. ``later``: expected after the
    horizon. ``excluded``: disputed invoices left out.
    """
    weeks: tuple
    later: Decimal
    excluded: Decimal

    @property
    def total(self):
        "Return the total of all the invoices forecast or excluded."
        return (sum((amount for _, amount in self.weeks), Decimal(0))
            + self.later + self.excluded)


def weekly_cash_forecast(
        as_of, invoices, weeks=FORECAST_WEEKS, dispute_delay=None):
    """Return the :class:`CashForecast` of the :class:`OpenInvoice`
    iterable over ``weeks`` weeks starting on the Monday of ``as_of``.

    Each invoice is placed at its :func:`expected_payment_date` and its
    week found by :func:`forecast_week` (overdue amounts in week 0).
    """
    weeks = _weeks(weeks)
    monday = week_start(as_of)
    totals = [Decimal(0)] * weeks
    later = excluded = Decimal(0)
    for invoice in invoices:
        expected = expected_payment_date(
            as_of, invoice.due_date, invoice.average_delay,
            invoice.promise_date, invoice.disputed, dispute_delay)
        if expected is None:
            excluded += invoice.amount
            continue
        index = forecast_week(as_of, expected, weeks)
        if index is None:
            later += invoice.amount
        else:
            totals[index] += invoice.amount
    return CashForecast(
        weeks=tuple(
            (monday + dt.timedelta(weeks=i), amount)
            for i, amount in enumerate(totals)),
        later=later,
        excluded=excluded)
