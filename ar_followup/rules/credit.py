# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Credit exposure, credit-limit usage and credit-insurance arithmetic.

All amounts are in the company currency and given as ``Decimal`` or
``int`` (a ``float`` is converted through its decimal representation);
they must be finite and not negative, otherwise :class:`CreditError`
(code ``invalid_amount``) is raised.  Results are not rounded: the caller
rounds with its currency.

Exposure
    exposure = overdue receivable + not yet due receivable
    - unallocated advances and credit notes
    [+ posted but unpaid amounts not yet in the receivable, if asked]
    [+ draft invoice amounts, if asked]

    A negative result means the customer is in credit: it is kept as is
    in ``Exposure.total`` while ``Exposure.exposure`` is floored at 0.

    Example: 50,000 EUR invoiced of which 10,000 EUR overdue, 5,000 EUR
    received as an advance: exposure 45,000 EUR, overdue 10,000 EUR,
    not yet due 40,000 EUR.

Credit-limit usage
    usage % = exposure / credit limit x 100.  There is no usage (None)
    when the customer has no credit limit.  A limit of 0 means "no
    credit": usage is 0 without exposure, otherwise ``Decimal('Infinity')``
    (above every alert threshold, over limit).

Alert level
    The highest threshold (default 50 %, 70 %, 90 %) that the usage
    reaches (usage >= threshold); None below the lowest one.

Credit insurance
    uncovered exposure = max(0, exposure - insured limit), where the
    insured limit is the amount agreed by the insurer for the customer
    (no insured limit: the whole exposure is uncovered).

    indemnity = min(loss, insured limit) x coverage % / 100: the
    coverage percentage (quotité garantie, e.g. 90 %) applies to the
    indemnity, not to the limit.
"""
import math
from dataclasses import dataclass
from decimal import Decimal
from . import RuleError

__all__ = [
    'DEFAULT_THRESHOLDS',
    'CreditError',
    'CreditUsage',
    'Exposure',
    'alert_level',
    'compute_exposure',
    'credit_usage',
    'insured_indemnity',
    'uncovered_exposure',
    'usage_percent',
    ]

DEFAULT_THRESHOLDS = (Decimal(50), Decimal(70), Decimal(90))
INFINITY = Decimal('Infinity')


class CreditError(RuleError):
    """Invalid credit computation input.

    ``code`` is one of:

    * ``invalid_amount`` (attributes ``name``, ``value``): not a finite,
      non-negative number,
    * ``invalid_thresholds`` (``thresholds``),
    * ``invalid_coverage`` (``coverage_percent``): not in [0, 100].
    """


def _amount(name, value, minimum=0):
    "Return value as a finite Decimal not below minimum (None: no minimum)"
    if isinstance(value, bool):
        raise CreditError('invalid_amount', name=name, value=value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CreditError('invalid_amount', name=name, value=value)
        value = Decimal(repr(value))
    elif isinstance(value, int):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        raise CreditError('invalid_amount', name=name, value=value)
    if not value.is_finite() or (minimum is not None and value < minimum):
        raise CreditError('invalid_amount', name=name, value=value)
    return value


def _optional_amount(name, value):
    return None if value is None else _amount(name, value)


@dataclass(frozen=True)
class Exposure:
    "Break-down of a customer's credit exposure"
    overdue: Decimal
    not_yet_due: Decimal
    unallocated_credits: Decimal
    posted_unpaid: Decimal
    draft: Decimal

    @property
    def open_receivable(self):
        "Overdue + not yet due"
        return self.overdue + self.not_yet_due

    @property
    def total(self):
        "Signed exposure: negative when the customer is in credit"
        return (self.open_receivable + self.posted_unpaid + self.draft
            - self.unallocated_credits)

    @property
    def exposure(self):
        "Exposure floored at 0"
        return max(self.total, Decimal(0))


def compute_exposure(
        overdue, not_yet_due, unallocated_credits=0,
        posted_unpaid=0, draft=0,
        include_posted_unpaid=False, include_draft=False):
    """Return the :class:`Exposure` of a customer.

    overdue, not_yet_due: open receivable amounts (debit lines, due date
        passed or not).
    unallocated_credits: advances received and credit notes not yet
        allocated to an invoice (positive amount).
    posted_unpaid: amounts committed but not yet in the receivable lines
        (e.g. open sales, confirmed but not invoiced; the caller must not
        pass amounts already counted in overdue/not_yet_due); counted
        only when include_posted_unpaid is true.
    draft: draft invoice amounts; counted only when include_draft is true.
    """
    zero = Decimal(0)
    return Exposure(
        overdue=_amount('overdue', overdue),
        not_yet_due=_amount('not_yet_due', not_yet_due),
        unallocated_credits=_amount(
            'unallocated_credits', unallocated_credits),
        posted_unpaid=(_amount('posted_unpaid', posted_unpaid)
            if include_posted_unpaid else zero),
        draft=_amount('draft', draft) if include_draft else zero,
        )


def _exposure_value(exposure):
    "Exposure amount floored at 0 (negative = customer in credit)"
    if isinstance(exposure, Exposure):
        return exposure.exposure
    return max(_amount('exposure', exposure, minimum=None), Decimal(0))


def usage_percent(exposure, limit):
    """Return exposure / limit x 100 as a Decimal.

    exposure: an :class:`Exposure` or an amount (negative = in credit,
        counted as 0).
    limit: the credit limit; None means no limit and returns None.  A
        limit of 0 returns 0 without exposure, else Decimal('Infinity').
    """
    if limit is None:
        return None
    limit = _amount('limit', limit)
    exposure = _exposure_value(exposure)
    if not limit:
        return INFINITY if exposure else Decimal(0)
    return exposure * 100 / limit


def _thresholds(thresholds):
    try:
        values = sorted(_amount('threshold', t) for t in thresholds)
    except (CreditError, TypeError):
        raise CreditError('invalid_thresholds', thresholds=thresholds)
    if not values or len(set(values)) != len(values):
        raise CreditError('invalid_thresholds', thresholds=thresholds)
    return values


def alert_level(usage, thresholds=DEFAULT_THRESHOLDS):
    """Return the highest threshold that usage reaches (usage >= it), or
    None (no usage or below every threshold).

    thresholds: distinct non-negative percentages, in any order."""
    thresholds = _thresholds(thresholds)
    if usage is None:
        return None
    reached = [t for t in thresholds if usage >= t]
    return reached[-1] if reached else None


@dataclass(frozen=True)
class CreditUsage:
    "Position of an exposure against a credit limit"
    exposure: Decimal
    limit: Decimal | None
    usage: Decimal | None
    alert: Decimal | None
    over_limit: bool
    headroom: Decimal | None  # limit - exposure, negative when over


def credit_usage(exposure, limit, thresholds=DEFAULT_THRESHOLDS):
    "Return the :class:`CreditUsage` of exposure against limit"
    value = _exposure_value(exposure)
    usage = usage_percent(value, limit)
    alert = alert_level(usage, thresholds)
    if limit is None:
        return CreditUsage(value, None, None, alert, False, None)
    limit = _amount('limit', limit)
    return CreditUsage(
        value, limit, usage, alert, value > limit, limit - value)


def uncovered_exposure(exposure, insured_limit):
    """Return max(0, exposure - insured_limit); the whole exposure when
    insured_limit is None (not insured)."""
    value = _exposure_value(exposure)
    if insured_limit is None:
        return value
    insured_limit = _amount('insured_limit', insured_limit)
    return max(Decimal(0), value - insured_limit)


def insured_indemnity(loss, insured_limit, coverage_percent):
    """Return min(loss, insured_limit) x coverage_percent / 100: what the
    insurer pays for a loss (0 when not insured, insured_limit None)."""
    loss = _amount('loss', loss)
    insured_limit = _optional_amount('insured_limit', insured_limit)
    try:
        coverage = _amount('coverage_percent', coverage_percent)
    except CreditError:
        coverage = None
    if coverage is None or coverage > 100:
        raise CreditError(
            'invalid_coverage', coverage_percent=coverage_percent)
    if insured_limit is None:
        return Decimal(0)
    return min(loss, insured_limit) * coverage / 100
