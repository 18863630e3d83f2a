# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Payment-behaviour score (0-100) and risk class of a customer.

How the score is computed
-------------------------

The score starts at 100 (excellent payer).  Each factor below receives a
penalty between 0 (nothing to report) and 1 (worst case), and the
customer loses ``weight x penalty`` points for it.  The default weights
sum to 100; the administrator may change them.  When a factor cannot be
measured (no external grade) it is left out and the other weights are
scaled up so that they still sum to 100.

=====================  ======  ==============================================
Factor                 Weight  Penalty (0 = good, 1 = worst)
=====================  ======  ==============================================
Days late              30      Average delay of payment over the long run,
                               weighted by invoice amount: grows linearly
                               from 0 (paid on time or early) to 1 at 60
                               days late or more.
Trend                  10      Deterioration: the days-late penalty computed
                               on recent invoices only, minus the long-run
                               one (0 when recent payments are not worse).
Invoices paid late     15      Share of invoices paid after their due date
                               (e.g. 3 invoices out of 10 -> 0.3).
Open disputes          10      The larger of: number of open disputes / 3
                               and disputed amount / (half of the open
                               receivable), each capped at 1.
Broken promises        15      Number of broken payment promises / 3,
                               capped at 1.
Follow-up level        10      Highest dunning level reached divided by
                               the number of levels (last level -> 1).
External grade         10      1 - grade / 100 for a grade from 0 (worst)
                               to 100 (best), e.g. from a credit insurer
                               or a rating agency.  Ignored when unknown.
=====================  ======  ==============================================

score = 100 - sum of the points lost, rounded to 2 decimals.

Legal status caps the score: a customer that has ceased trading, or is
under collective proceedings (sauvegarde, redressement or liquidation
judiciaire), never scores more than 10, whatever his payment history.

Risk class (default thresholds, configurable): score >= 70 low risk,
>= 50 medium, >= 30 high, below 30 critical.

Measured inputs (:func:`measure_payments`)
------------------------------------------

The days-late factors come from the customer's receivable instalments
(invoice lines) of the history window: an instalment paid is late by
``payment date - due date`` days, an instalment still open and past due by
``today - due date`` days (so a customer who does not pay at all is not
spared), an instalment open and not yet due is left out.  Paying early
counts as 0 day late.  ``avg_days_late`` is the average of the days late
weighted by the amounts; ``recent_days_late`` is the same average over the
``recent`` instalments most recently due (None when the history has no
more instalments than that: there is nothing to compare with);
``late_invoice_count`` counts the instalments more than 0 day late.

Guarantees: the score is always between 0 and 100, and it never goes up
when the customer pays later (long-run or recent), has a larger share of
late invoices, more disputes, more broken promises, a higher follow-up
level or a lower external grade.  To keep that true for the long-run
delay, the trend weight may not exceed the days-late weight (otherwise
paying old invoices later would reduce the trend penalty by more than it
increases the days-late one).
"""
import datetime as dt
import math
from dataclasses import dataclass, fields

from . import RuleError

__all__ = [
    'DEFAULT_STATUS_CAPS',
    'LEGAL_STATUSES',
    'RISK_CLASSES',
    'RISK_CRITICAL',
    'RISK_HIGH',
    'RISK_LOW',
    'RISK_MEDIUM',
    'Contribution',
    'Curves',
    'PaymentBehaviour',
    'RiskThresholds',
    'ScoreResult',
    'ScoringError',
    'Weights',
    'Instalment',
    'compute_score',
    'measure_payments',
    'risk_class',
    ]

RISK_LOW = 'low'
RISK_MEDIUM = 'medium'
RISK_HIGH = 'high'
RISK_CRITICAL = 'critical'
RISK_CLASSES = (RISK_LOW, RISK_MEDIUM, RISK_HIGH, RISK_CRITICAL)

LEGAL_STATUSES = ('active', 'ceased', 'collective_proceedings')
DEFAULT_STATUS_CAPS = {
    'ceased': 10.0,
    'collective_proceedings': 10.0,
    }


class ScoringError(RuleError):
    """Invalid scoring input or parameter.

    ``code`` is one of:

    * ``invalid_value`` (attributes ``name``, ``value``): a factor is not
      a finite number in its range,
    * ``late_count_exceeds_count`` (``late_invoice_count``,
      ``invoice_count``),
    * ``level_exceeds_levels`` (``followup_level``, ``followup_levels``),
    * ``invalid_legal_status`` (``legal_status``),
    * ``invalid_weights`` (``name``, ``value``): negative or not finite,
    * ``trend_weight_too_high`` (``trend``, ``days_late``),
    * ``no_weight``: every measurable factor has a zero weight,
    * ``invalid_curves`` (``name``, ``value``): not strictly positive,
    * ``invalid_thresholds`` (``low``, ``medium``, ``high``): not
      100 >= low >= medium >= high >= 0,
    * ``invalid_cap`` (``legal_status``, ``value``): not in [0, 100].
    """


def _number(name, value, minimum=0, maximum=None, code='invalid_value'):
    "Return value as a float checked in [minimum, maximum]"
    if isinstance(value, bool):
        raise ScoringError(code, name=name, value=value)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ScoringError(code, name=name, value=value)
    if not math.isfinite(number) or (
            minimum is not None and number < minimum) or (
            maximum is not None and number > maximum):
        raise ScoringError(code, name=name, value=value)
    return number


@dataclass(frozen=True)
class Weights:
    "Weight of each factor (points lost at full penalty when all apply)"
    days_late: float = 30
    trend: float = 10
    late_share: float = 15
    disputes: float = 10
    broken_promises: float = 15
    followup_level: float = 10
    external_grade: float = 10

    def __post_init__(self):
        for field in fields(self):
            _number(field.name, getattr(self, field.name),
                code='invalid_weights')
        if float(self.trend) > float(self.days_late):
            raise ScoringError('trend_weight_too_high',
                trend=self.trend, days_late=self.days_late)
        if not sum(float(getattr(self, f.name)) for f in fields(self)
                if f.name != 'external_grade'):
            raise ScoringError('no_weight')


@dataclass(frozen=True)
class Curves:
    "Value at which each factor's penalty reaches 1 (linear from 0)"
    days_late_full: float = 60  # days
    disputes_count_full: float = 3  # open disputes
    disputes_share_full: float = 0.5  # disputed / open receivable
    broken_promises_full: float = 3  # broken promises

    def __post_init__(self):
        for field in fields(self):
            value = _number(field.name, getattr(self, field.name),
                code='invalid_curves')
            if value <= 0:
                raise ScoringError(
                    'invalid_curves', name=field.name, value=value)


@dataclass(frozen=True)
class RiskThresholds:
    "Minimum score of each risk class (below high: critical)"
    low: float = 70
    medium: float = 50
    high: float = 30

    def __post_init__(self):
        try:
            low, medium, high = (
                _number(n, v, maximum=100)
                for n, v in (('low', self.low), ('medium', self.medium),
                    ('high', self.high)))
        except ScoringError:
            low = medium = high = None
        if low is None or not (low >= medium >= high):
            raise ScoringError('invalid_thresholds',
                low=self.low, medium=self.medium, high=self.high)


@dataclass(frozen=True)
class PaymentBehaviour:
    """Measured payment behaviour of a customer.

    avg_days_late: long-run average delay of payment in days, weighted by
        invoice amount (negative = paid early, counts as 0).
    recent_days_late: same average over recent invoices, None if unknown.
    invoice_count, late_invoice_count: invoices considered and how many
        of them were paid late.
    open_disputes, disputed_amount, open_receivable: open disputes count,
        their amount and the customer's open receivable.
    broken_promises: number of broken payment promises.
    followup_level, followup_levels: rank of the highest follow-up level
        reached (0 = none) and number of levels of the procedure.
    external_grade: 0 (worst) - 100 (best), None if unknown.
    legal_status: 'active', 'ceased' or 'collective_proceedings'.
    """
    avg_days_late: float = 0
    recent_days_late: float | None = None
    invoice_count: int = 0
    late_invoice_count: int = 0
    open_disputes: int = 0
    disputed_amount: float = 0
    open_receivable: float = 0
    broken_promises: int = 0
    followup_level: int = 0
    followup_levels: int = 0
    external_grade: float | None = None
    legal_status: str = 'active'


@dataclass(frozen=True)
class Contribution:
    """Explanation of one factor: measured value, penalty (0-1), weight
    actually used (after scaling) and points lost (weight x penalty)."""
    factor: str
    value: object
    penalty: float
    weight: float
    points: float


@dataclass(frozen=True)
class ScoreResult:
    """score (0-100), risk class and per-factor contributions; cap is the
    legal-status cap applied (None when the score was not capped)."""
    score: float
    risk_class: str
    contributions: tuple
    cap: float | None = None
    uncapped_score: float | None = None


def _ramp(value, full):
    "0 at value <= 0, 1 at value >= full, linear in between"
    if value <= 0:
        return 0.0
    if value >= full:
        return 1.0
    return value / full


def risk_class(score, thresholds=None):
    "Return 'low', 'medium', 'high' or 'critical' for the score"
    if thresholds is None:
        thresholds = RiskThresholds()
    score = _number('score', score, maximum=100)
    if score >= thresholds.low:
        return RISK_LOW
    if score >= thresholds.medium:
        return RISK_MEDIUM
    if score >= thresholds.high:
        return RISK_HIGH
    return RISK_CRITICAL


def _penalties(behaviour, curves):
    "Yield (factor, value, penalty); penalty None when not measurable"
    b = behaviour
    avg = _number('avg_days_late', b.avg_days_late, minimum=None)
    days_penalty = _ramp(avg, curves.days_late_full)
    yield 'days_late', avg, days_penalty

    if b.recent_days_late is None:
        yield 'trend', None, 0.0
    else:
        recent = _number(
            'recent_days_late', b.recent_days_late, minimum=None)
        recent_penalty = _ramp(recent, curves.days_late_full)
        yield 'trend', recent, max(0.0, recent_penalty - days_penalty)

    count = _number('invoice_count', b.invoice_count)
    late = _number('late_invoice_count', b.late_invoice_count)
    if late > count:
        raise ScoringError('late_count_exceeds_count',
            late_invoice_count=b.late_invoice_count,
            invoice_count=b.invoice_count)
    share = late / count if count else 0.0
    yield 'late_share', share, share

    disputes = _number('open_disputes', b.open_disputes)
    disputed = _number('disputed_amount', b.disputed_amount)
    receivable = _number('open_receivable', b.open_receivable)
    if receivable:
        disputed_share = disputed / receivable
    else:
        disputed_share = 1.0 if disputed else 0.0
    yield 'disputes', disputes, max(
        _ramp(disputes, curves.disputes_count_full),
        _ramp(disputed_share, curves.disputes_share_full))

    promises = _number('broken_promises', b.broken_promises)
    yield 'broken_promises', promises, _ramp(
        promises, curves.broken_promises_full)

    level = _number('followup_level', b.followup_level)
    levels = _number('followup_levels', b.followup_levels)
    if level > levels:
        raise ScoringError('level_exceeds_levels',
            followup_level=b.followup_level,
            followup_levels=b.followup_levels)
    yield 'followup_level', level, level / levels if levels else 0.0

    if b.external_grade is None:
        yield 'external_grade', None, None
    else:
        grade = _number('external_grade', b.external_grade, maximum=100)
        yield 'external_grade', grade, 1 - grade / 100


def compute_score(
        behaviour, weights=None, curves=None, thresholds=None,
        status_caps=None):
    """Return the :class:`ScoreResult` of a :class:`PaymentBehaviour`.

    weights, curves, thresholds: :class:`Weights`, :class:`Curves`,
        :class:`RiskThresholds` (defaults when None).
    status_caps: maximum score per legal status (default
        DEFAULT_STATUS_CAPS); a status not in it is not capped.
    """
    weights = weights or Weights()
    curves = curves or Curves()
    thresholds = thresholds or RiskThresholds()
    if status_caps is None:
        status_caps = DEFAULT_STATUS_CAPS
    if behaviour.legal_status not in LEGAL_STATUSES:
        raise ScoringError(
            'invalid_legal_status', legal_status=behaviour.legal_status)

    penalties = list(_penalties(behaviour, curves))
    total_weight = sum(float(getattr(weights, name))
        for name, _, penalty in penalties if penalty is not None)
    scaled = {name: 100 * float(getattr(weights, name)) / total_weight
        for name, _, penalty in penalties if penalty is not None}
    contributions = []
    for name, value, penalty in penalties:
        if penalty is None:
            contributions.append(Contribution(name, value, 0.0, 0.0, 0.0))
            continue
        contributions.append(Contribution(
                name, value, round(penalty, 4), round(scaled[name], 2),
                round(scaled[name] * penalty, 2)))

    # Points lost, computed so that the floating-point result is itself
    # monotonic: w_d * P(long) + w_t * max(0, P(recent) - P(long)) is
    # rewritten (w_d - w_t) * P(long) + w_t * max(P(long), P(recent)).
    penalty_of = {name: penalty for name, _, penalty in penalties}
    days_penalty = penalty_of['days_late']
    recent_penalty = days_penalty
    if behaviour.recent_days_late is not None:
        recent_penalty = _ramp(
            float(behaviour.recent_days_late), curves.days_late_full)
    lost = ((scaled['days_late'] - scaled['trend']) * days_penalty
        + scaled['trend'] * max(days_penalty, recent_penalty))
    for name, penalty in penalty_of.items():
        if name not in {'days_late', 'trend'} and penalty is not None:
            lost += scaled[name] * penalty
    score = round(min(100.0, max(0.0, 100.0 - lost)), 2)

    cap = status_caps.get(behaviour.legal_status)
    uncapped = None
    if cap is not None:
        try:
            cap = _number('cap', cap, maximum=100)
        except ScoringError:
            raise ScoringError('invalid_cap',
                legal_status=behaviour.legal_status, value=cap)
        if score > cap:
            uncapped, score = score, cap
        else:
            cap = None
    return ScoreResult(
        score=score,
        risk_class=risk_class(score, thresholds),
        contributions=tuple(contributions),
        cap=cap,
        uncapped_score=uncapped)


@dataclass(frozen=True)
class Instalment:
    """Receivable instalments of a customer due on the same date and paid
    on the same date (paid_on None: still open); count: how many."""
    due_date: dt.date
    amount: float
    paid_on: dt.date | None = None
    count: int = 1


def measure_payments(instalments, today, recent=5):
    """Return (avg_days_late, recent_days_late, invoice_count,
    late_invoice_count) of the instalments as of today (see the module
    documentation); recent: how many instalments make the recent trend."""
    if recent < 1:
        raise ScoringError('invalid_value', name='recent', value=recent)
    measured = []
    for instalment in instalments:
        amount = _number('amount', instalment.amount)
        count = int(_number('count', instalment.count))
        end = instalment.paid_on
        if end is None:
            if instalment.due_date >= today:
                continue
            end = today
        days = max((end - instalment.due_date).days, 0)
        measured.append((instalment.due_date, days, amount, count))
    if not measured:
        return 0.0, None, 0, 0

    def average(rows):
        total = sum(a for _, _, a, _ in rows)
        if not total:
            return 0.0
        return sum(d * a for _, d, a, _ in rows) / total

    count = sum(c for *_, c in measured)
    late = sum(c for _, d, _, c in measured if d > 0)
    recent_days = None
    if count > recent:
        rows, left = [], recent
        for due_date, days, amount, number in sorted(
                measured, key=lambda r: r[0], reverse=True):
            taken = min(number, left)
            rows.append((due_date, days, amount * taken / number, taken))
            left -= taken
            if not left:
                break
        recent_days = average(rows)
    return average(measured), recent_days, count, late
