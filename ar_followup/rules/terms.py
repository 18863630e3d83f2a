# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Legal limits of payment terms and early-payment discount (French law).

Sources:

- Code de commerce L441-10 I: without agreement, payment is due 30 days
  after receipt of the goods or performance of the service; the agreed term
  may not exceed 60 days from the invoice date or, by way of exception,
  45 days end of month from the invoice date.
- Code de commerce L441-11, L441-12, L441-16: sector limits (e.g.
  perishable goods 30 days, transport 30 days, exports outside the EU 90
  days).
- Code de commerce L441-9: the invoice states the discount conditions for
  early payment (escompte).
"""
import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .interest import round_amount

__all__ = [
    'DAYS_45_EOM_A',
    'DAYS_45_EOM_B',
    'DAYS_60',
    'DEFAULT_TERM_DAYS',
    'SECTOR',
    'TERM_METHODS',
    'InvalidDiscountError',
    'TermError',
    'TermViolation',
    'UnknownTermMethodError',
    'default_due_date',
    'discount_deadline',
    'discount_vat_split',
    'early_payment_discount',
    'end_of_month',
    'exceeds_legal_term',
    'max_due_date',
    'sector_max_due_date',
    ]

DAYS_60 = '60_days'
DAYS_45_EOM_A = '45_days_eom_a'
DAYS_45_EOM_B = '45_days_eom_b'
TERM_METHODS = (DAYS_60, DAYS_45_EOM_A, DAYS_45_EOM_B)
# Pseudo-method reported for a violation of a sector limit.
SECTOR = 'sector'
DEFAULT_TERM_DAYS = 30


class TermError(ValueError):
    "Base class of the errors raised by the payment-term rules."


class UnknownTermMethodError(TermError):
    "The computation method of a maximum payment term is unknown."

    def __init__(self, method):
        self.method = method
        super().__init__(
            f"Unknown payment-term method {method!r}, expected one of "
            f"{TERM_METHODS}.")


class InvalidDiscountError(TermError):
    "An argument of an early-payment discount is out of range."


def end_of_month(day):
    "Return the last day of the month of ``day``."
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=last)


def default_due_date(start):
    """Return the due date when no term is agreed: ``start`` + 30 days.

    L441-10 I C. com.: 30 days after receipt of the goods or performance of
    the service (``start``).
    """
    return start + dt.timedelta(days=DEFAULT_TERM_DAYS)


def max_due_date(invoice_date, method):
    """Return the latest due date allowed by ``method`` (L441-10 I C. com.).

    - DAYS_60 ('60_days'): invoice date + 60 days;
    - DAYS_45_EOM_A ('45_days_eom_a'): invoice date + 45 days, then end of
      that month;
    - DAYS_45_EOM_B ('45_days_eom_b'): end of the invoice month, then + 45
      days.

    Both 45-days-end-of-month methods are accepted in practice.
    """
    if method == DAYS_60:
        return invoice_date + dt.timedelta(days=60)
    if method == DAYS_45_EOM_A:
        return end_of_month(invoice_date + dt.timedelta(days=45))
    if method == DAYS_45_EOM_B:
        return end_of_month(invoice_date) + dt.timedelta(days=45)
    raise UnknownTermMethodError(method)


def sector_max_due_date(invoice_date, sector_max_days):
    """Return the latest due date under a sector limit of days.

    The sector limits (L441-11, L441-12, L441-16 C. com.) run from events
    such as the delivery; the caller passes the limit expressed from the
    invoice date.
    """
    return invoice_date + dt.timedelta(days=sector_max_days)


@dataclass(frozen=True)
class TermViolation:
    "A due date later than the maximum of ``method`` by ``excess_days``."
    method: str
    max_due_date: dt.date
    due_date: dt.date
    excess_days: int


def _violation(method, max_date, due_date):
    if due_date <= max_date:
        return None
    return TermViolation(
        method, max_date, due_date, (due_date - max_date).days)


def exceeds_legal_term(
        invoice_date, due_date, methods=(DAYS_60,), sector_max_days=None):
    """Return the violations of the legal maximum term (a tuple).

    Each method of ``methods`` (see max_due_date) that ``due_date`` exceeds
    gives one TermViolation; an empty tuple means the term is lawful for
    all of them.  A term agreed under one method only needs to respect that
    one.  ``sector_max_days`` replaces the general limits by a sector limit
    in days from the invoice date (e.g. 30, 90) reported as SECTOR.
    """
    if sector_max_days is not None:
        limits = [(SECTOR, sector_max_due_date(invoice_date, sector_max_days))]
    else:
        limits = [(m, max_due_date(invoice_date, m)) for m in methods]
    violations = (_violation(m, d, due_date) for m, d in limits)
    return tuple(v for v in violations if v is not None)


def discount_deadline(invoice_date, deadline_days):
    "Return the last payment date giving right to the early discount."
    return invoice_date + dt.timedelta(days=deadline_days)


def early_payment_discount(
        amount, rate, invoice_date, deadline_days, payment_date, digits=2):
    """Return the early-payment discount (escompte) earned by a payment.

    ``amount`` x ``rate`` % rounded half up to ``digits`` decimals when
    ``payment_date`` is on or before ``invoice_date`` + ``deadline_days``,
    zero otherwise (discount conditions stated on the invoice, L441-9
    C. com.).
    """
    if rate < 0 or amount < 0:
        raise InvalidDiscountError(
            f"The discount rate and amount must not be negative, got "
            f"{rate} and {amount}.")
    if deadline_days < 0:
        raise InvalidDiscountError(
            f"The discount deadline must not be negative, got "
            f"{deadline_days} days.")
    if payment_date > discount_deadline(invoice_date, deadline_days):
        return round_amount(Decimal(0), digits)
    return round_amount(amount * rate / 100, digits)


def discount_vat_split(discount, total, taxes, digits=2):
    """Split an early-payment discount between its net part and the VAT it
    reduces, pro rata of the invoice.

    ``discount`` is granted on an invoice of ``total`` incl. VAT whose
    ``taxes`` are (key, base, amount) tuples.  Each tax is reduced by
    ``discount / total`` of its base and of its amount, rounded half up to
    ``digits``; the net part (posted on the discount-granted account) is the
    discount less these VAT parts, so that the net part and the VAT parts
    add up to the discount exactly (on tiny amounts the VAT parts are
    capped so that the net part is never negative).  Return (net, [(key,
    base part, VAT part), ...]).
    """
    if discount < 0 or total <= 0 or discount > total:
        raise InvalidDiscountError(
            f"The discount must be between zero and the total {total} "
            f"incl. VAT, got {discount}.")
    ratio = discount / total
    parts, remaining = [], discount
    for key, base, amount in taxes:
        # rounding up tiny amounts may not take more than the discount
        vat = min(round_amount(amount * ratio, digits), remaining)
        remaining -= vat
        parts.append((key, round_amount(base * ratio, digits), vat))
    return round_amount(remaining, digits), parts
