# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Receivables key performance indicators (DSO, CEI, delays, rates).

Pure functions: the models aggregate the figures in SQL and pass them here.

Conventions shared by every function of this module:

- Amounts are ``Decimal`` (or ``int``), all including VAT (TTC), in one
  currency. Floats are refused (:class:`KPIInputError`).
- Receivable amounts may have any sign (a customer may owe nothing or have
  a credit balance); no consistency between them is enforced (a total net
  of unallocated payments may be smaller than its overdue part).
- Sales must not be negative and day or month counts must be positive
  integers, otherwise :class:`KPIInputError` is raised.
- A ratio whose denominator is zero (or negative) is not computable: the
  function returns ``None``.
- Results in days and in percent are rounded half up (``ROUND_HALF_UP``)
  to two decimals (0.01 day, 0.01 %). Intermediate values are computed
  unrounded with 34 significant digits, whatever the caller's context.
- Percentages are returned as percent (``Decimal('75.00')`` for 75 %).
"""
import datetime as dt
import functools
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP, Context, Decimal, getcontext, localcontext)

__all__ = [
    'CountBackDSO',
    'KPIError',
    'KPIInputError',
    'Settlement',
    'average_days_delinquent',
    'average_days_late',
    'average_days_to_pay',
    'best_possible_dso',
    'calendar_months',
    'collection_effectiveness_index',
    'count_back_dso',
    'disputed_share',
    'exact',
    'month_days',
    'overdue_rate',
    'promises_kept_rate',
    'simple_dso',
    'target_achievement',
    ]

_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)
_CENT = Decimal('0.01')
_HUNDRED = Decimal(100)


class KPIError(ValueError):
    "Base class of the errors raised by the KPI rules."


class KPIInputError(KPIError):
    "An argument of a KPI is of the wrong type or out of range."


# the decimal context installed by exact(), to recognise it
_ACTIVE = ContextVar('_ACTIVE', default=None)


@contextmanager
def exact():
    """Install the fixed decimal context of the functions of this module
    for a block: a caller computing the KPIs of many customers enters it
    once instead of once per call."""
    with localcontext(_CONTEXT) as context:
        token = _ACTIVE.set(context)
        try:
            yield
        finally:
            _ACTIVE.reset(token)


def _exact(function):
    "Run ``function`` in a fixed decimal context, independent of the caller."
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if getcontext() is _ACTIVE.get():
            return function(*args, **kwargs)
        with exact():
            return function(*args, **kwargs)
    return wrapper


def _round(value):
    "Round ``value`` half up to 0.01."
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _amount(name, value):
    "Return ``value`` as a Decimal, refusing floats and non numbers."
    if type(value) is Decimal and value.is_finite():
        # the common case, checked first: one KPI set checks many amounts
        return value
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise KPIInputError(
            f"{name} must be a Decimal or an int, got {value!r}.")
    if isinstance(value, Decimal) and not value.is_finite():
        raise KPIInputError(f"{name} must be finite, got {value!r}.")
    return Decimal(value)


def _sales(name, value):
    "Return ``value`` as a Decimal, refusing negative sales."
    value = _amount(name, value)
    if value < 0:
        raise KPIInputError(f"{name} must not be negative, got {value}.")
    return value


def _count(name, value, minimum=1):
    "Return ``value`` if it is an int not below ``minimum``."
    if type(value) is int and value >= minimum:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise KPIInputError(f"{name} must be an int, got {value!r}.")
    if value < minimum:
        raise KPIInputError(
            f"{name} must be at least {minimum}, got {value}.")
    return value


def _percent(part, whole):
    "Return part / whole × 100 rounded, or None if whole <= 0."
    if whole <= 0:
        return None
    return _round(part * _HUNDRED / whole)


# --- Days sales outstanding -------------------------------------------------

@_exact
def simple_dso(receivable, sales, period_days):
    """Return the simple DSO in days: receivable / sales × period_days.

    ``receivable`` is the AR at the end of the period, ``sales`` the sales
    of the period, both including VAT; ``period_days`` the length of the
    period in days. Returns ``None`` when ``sales`` is zero.
    """
    receivable = _amount('Receivable', receivable)
    sales = _sales('Sales', sales)
    period_days = _count('Period days', period_days)
    if not sales:
        return None
    return _round(receivable * period_days / sales)


@dataclass(frozen=True)
class CountBackDSO:
    """Result of the count-back DSO.

    ``days``: the DSO in days, rounded to 0.01.
    ``complete``: False when the sales history given was exhausted before
    the receivable: ``days`` is then the total of the days given, a lower
    bound of the true DSO (more history is needed).
    """
    days: Decimal
    complete: bool


@_exact
def count_back_dso(receivable, monthly_sales):
    """Return the count-back DSO (méthode par épuisement du chiffre
    d'affaires) as a :class:`CountBackDSO`.

    ``monthly_sales`` is a sequence of ``(days, sales)`` pairs, most recent
    month first: ``days`` the length of the month, ``sales`` its sales
    including VAT. Starting from the closing ``receivable`` R, whole months
    are consumed while R exceeds their sales, the last month pro rata:

        DSO = days_1 + … + days_k + R_k / sales_(k+1) × days_(k+1)

    where R_k = R − (sales_1 + … + sales_k) <= sales_(k+1).

    A receivable of zero or less gives 0 days. A month without sales is
    counted whole. If the history is exhausted before R, the result is the
    sum of all the days with ``complete=False``.

    ``monthly_sales`` may be an iterator: it is read, and each month
    checked, up to the month that exhausts R only (one call per customer
    of a KPI set, whose history is mostly older than that month).
    """
    remaining = _amount('Receivable', receivable)
    total = Decimal(0)
    if remaining <= 0:
        return CountBackDSO(total, True)
    for days, sales in monthly_sales:
        # the common case inline
        if type(days) is not int or days < 1:
            days = _count('Month days', days)
        if type(sales) is not Decimal or not sales.is_finite() or sales < 0:
            sales = _sales('Monthly sales', sales)
        if remaining <= sales:
            # remaining > 0 here so sales > 0
            return CountBackDSO(
                _round(total + remaining * days / sales), True)
        remaining -= sales
        total += days
    return CountBackDSO(_round(total), False)


@_exact
def best_possible_dso(current_receivable, sales, period_days):
    """Return the best possible DSO in days:
    current_receivable / sales × period_days.

    ``current_receivable`` is the part of the closing AR not yet due.
    Returns ``None`` when ``sales`` is zero.
    """
    return simple_dso(current_receivable, sales, period_days)


@_exact
def average_days_delinquent(
        receivable, current_receivable, sales, period_days):
    """Return the average days delinquent (ADD) in days:

        ADD = simple DSO − best possible DSO
            = (receivable − current_receivable) / sales × period_days

    computed as the difference of the two rounded DSOs so that the three
    figures shown agree. Returns ``None`` when ``sales`` is zero.
    """
    dso = simple_dso(receivable, sales, period_days)
    best = best_possible_dso(current_receivable, sales, period_days)
    if dso is None:
        return None
    return dso - best


# --- Collection effectiveness -----------------------------------------------

@_exact
def collection_effectiveness_index(
        opening_receivable, sales, closing_receivable,
        closing_current_receivable, months):
    """Return the collection effectiveness index (CEI, indice d'efficacité
    du recouvrement) in percent:

        CEI = (opening AR + sales / N − closing AR)
            / (opening AR + sales / N − closing current AR) × 100

    ``sales`` are the sales of the whole period, ``months`` = N the number
    of months of the period: the sales are averaged per month (forgetting
    the division by N is the common mistake). ``closing_current_receivable``
    is the part of the closing AR not yet due.

    100 means everything collectible was collected; the index is at most
    100 whenever closing AR >= closing current AR. Returns ``None`` when the
    denominator is zero or negative (nothing was collectible).
    """
    opening = _amount('Opening receivable', opening_receivable)
    sales = _sales('Sales', sales)
    closing = _amount('Closing receivable', closing_receivable)
    current = _amount(
        'Closing current receivable', closing_current_receivable)
    months = _count('Months', months)
    collectible = opening + sales / months
    return _percent(collectible - closing, collectible - current)


# --- Payment delays ---------------------------------------------------------

@dataclass(frozen=True)
class Settlement:
    """A payment of a customer invoice, for the payment delays.

    A partially paid invoice gives one settlement per payment, each with
    the amount paid.
    """
    amount: Decimal
    invoice_date: dt.date
    due_date: dt.date
    payment_date: dt.date


def _weighted_days(settlements, days_of):
    "Return sum(amount × days_of(s)) / sum(amount), or None."
    total = weighted = Decimal(0)
    for settlement in settlements:
        amount = _amount('Settlement amount', settlement.amount)
        if amount < 0:
            raise KPIInputError(
                f"Settlement amount must not be negative, got {amount}.")
        total += amount
        weighted += amount * days_of(settlement)
    if not total:
        return None
    return _round(weighted / total)


@_exact
def average_days_to_pay(settlements):
    """Return the amount-weighted average days to pay (délai moyen de
    paiement) of the :class:`Settlement` iterable:

        sum(amount × (payment_date − invoice_date)) / sum(amount)

    A payment before the invoice date counts negative days. Returns
    ``None`` when the total amount is zero (no settlement).
    """
    return _weighted_days(
        settlements, lambda s: (s.payment_date - s.invoice_date).days)


@_exact
def average_days_late(settlements, early_as_zero=True):
    """Return the amount-weighted average days late of the
    :class:`Settlement` iterable:

        sum(amount × lateness) / sum(amount)
        lateness = payment_date − due_date

    With ``early_as_zero`` (the default, as credit managers do) a payment
    before its due date counts 0 days late instead of negative days, so
    the result is never negative. Returns ``None`` when the total amount
    is zero.
    """
    def lateness(settlement):
        days = (settlement.payment_date - settlement.due_date).days
        return max(days, 0) if early_as_zero else days
    return _weighted_days(settlements, lateness)


# --- Rates ------------------------------------------------------------------

@_exact
def overdue_rate(overdue_receivable, receivable):
    """Return the overdue rate (taux d'échus) in percent:
    overdue_receivable / receivable × 100.

    Returns ``None`` when ``receivable`` is zero or negative.
    """
    return _percent(
        _amount('Overdue receivable', overdue_receivable),
        _amount('Receivable', receivable))


@_exact
def disputed_share(disputed_receivable, receivable):
    """Return the disputed share in percent:
    disputed_receivable / receivable × 100.

    Returns ``None`` when ``receivable`` is zero or negative.
    """
    return _percent(
        _amount('Disputed receivable', disputed_receivable),
        _amount('Receivable', receivable))


@_exact
def promises_kept_rate(kept, broken):
    """Return the promises kept rate in percent:
    kept / (kept + broken) × 100.

    ``kept`` and ``broken`` are counts of promises to pay whose date has
    passed (promises still pending are in neither). Returns ``None`` when
    there is no such promise.
    """
    kept = _count('Kept promises', kept, minimum=0)
    broken = _count('Broken promises', broken, minimum=0)
    return _percent(Decimal(kept), Decimal(kept + broken))


@_exact
def target_achievement(collected, target):
    """Return the achievement of a collection target in percent:
    collected / target × 100.

    Returns ``None`` when ``target`` is zero or negative (no target).
    """
    return _percent(
        _amount('Collected amount', collected),
        _amount('Target', target))


# --- Periods ----------------------------------------------------------------

def calendar_months(closing_date, count):
    """Return the ``count`` calendar months ending at ``closing_date`` as
    ``(first_day, last_day)`` pairs, most recent first, for the count-back
    DSO (days of a month = (last_day − first_day).days + 1).

    The most recent month runs from the first of the month of
    ``closing_date`` to ``closing_date`` itself (a whole month when
    ``closing_date`` is a month end).
    """
    count = _count('Month count', count)
    months = []
    last = closing_date
    for _ in range(count):
        first = last.replace(day=1)
        months.append((first, last))
        last = first - dt.timedelta(days=1)
    return months


def month_days(first_day, last_day):
    "Return the number of days from ``first_day`` to ``last_day`` included."
    days = (last_day - first_day).days + 1
    if days < 1:
        raise KPIInputError(
            f"The month ends ({last_day}) before it starts ({first_day}).")
    return days
