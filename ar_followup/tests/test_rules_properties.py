# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Properties of the pure rules not covered elsewhere: calendar helpers
across leap years and half-years, rounding to currencies of 0, 2 and 3
decimals, limitation dates, payment terms, credit usage."""
import calendar
import datetime as dt
import unittest
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from trytond.modules.ar_followup.rules import (
    credit, interest, limitation, terms)

dates = st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31))
leap_days = st.integers(1990, 2090).filter(calendar.isleap).map(
    lambda y: dt.date(y, 2, 29))
any_dates = st.one_of(dates, leap_days)
# currencies: JPY (0), EUR (2), KWD/TND (3)
currency_digits = st.sampled_from([0, 2, 3])
amounts = st.decimals(
    min_value=Decimal('-1e12'), max_value=Decimal('1e12'),
    allow_nan=False, allow_infinity=False, places=6)
positive = st.decimals(
    min_value=Decimal(0), max_value=Decimal('1e12'),
    allow_nan=False, allow_infinity=False, places=4)
percents = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
SETTINGS = settings(max_examples=300, deadline=None)


class HalfYearTestCase(unittest.TestCase):
    "Half-years of the late-interest rates"

    @SETTINGS
    @given(any_dates)
    def test_half_year_contains_day(self, day):
        start = interest.half_year_start(day)
        following = interest.next_half_year_start(day)
        self.assertLessEqual(start, day)
        self.assertLess(day, following)
        self.assertIn((start.month, start.day), [(1, 1), (7, 1)])
        self.assertIn((following.month, following.day), [(1, 1), (7, 1)])
        # 181 to 184 days in a half-year, leap year or not
        self.assertIn((following - start).days, {181, 182, 184})
        self.assertEqual(interest.half_year_start(following), following)
        self.assertEqual(
            interest.half_year_start(following - dt.timedelta(days=1)),
            start)

    @SETTINGS
    @given(any_dates, any_dates)
    def test_days_late(self, due, day):
        late = interest.days_late(due, day)
        self.assertGreaterEqual(late, 0)
        if day >= due:
            self.assertEqual(due + dt.timedelta(days=late), day)
        else:
            self.assertEqual(late, 0)


class RoundingTestCase(unittest.TestCase):
    "Rounding to the currency's digits"

    @SETTINGS
    @given(amounts, currency_digits)
    def test_round_amount(self, value, digits):
        rounded = interest.round_amount(value, digits)
        self.assertEqual(rounded, rounded.quantize(
                Decimal(1).scaleb(-digits)))
        self.assertLessEqual(abs(rounded - value), Decimal(5).scaleb(
                -digits - 1))
        # idempotent
        self.assertEqual(interest.round_amount(rounded, digits), rounded)

    @SETTINGS
    @given(st.integers(-1000, -1), amounts)
    def test_negative_digits_refused(self, digits, value):
        with self.assertRaises(interest.InvalidInterestInputError):
            interest.round_amount(value, digits)

    @SETTINGS
    @given(positive, percents, any_dates, st.integers(0, 120),
        st.integers(-200, 200), currency_digits)
    def test_early_payment_discount(
            self, amount, rate, invoice_date, deadline, delay, digits):
        payment = invoice_date + dt.timedelta(days=delay)
        discount = terms.early_payment_discount(
            amount, rate, invoice_date, deadline, payment, digits=digits)
        self.assertGreaterEqual(discount, 0)
        self.assertLessEqual(discount, interest.round_amount(amount, digits))
        self.assertEqual(discount, interest.round_amount(discount, digits))
        if delay > deadline:
            self.assertEqual(discount, 0)

    @SETTINGS
    @given(st.booleans(), st.booleans(), st.booleans())
    def test_recovery_indemnity(self, late, business, proceedings):
        indemnity = interest.recovery_indemnity(late, business, proceedings)
        self.assertIn(indemnity, {Decimal(0), Decimal(40)})
        self.assertEqual(
            indemnity == 40, late and business and not proceedings)


class TermsTestCase(unittest.TestCase):
    "Legal payment terms across month ends and leap years"

    @SETTINGS
    @given(any_dates)
    def test_end_of_month(self, day):
        last = terms.end_of_month(day)
        self.assertEqual((last.year, last.month), (day.year, day.month))
        self.assertEqual((last + dt.timedelta(days=1)).day, 1)

    @SETTINGS
    @given(any_dates, st.sampled_from(terms.TERM_METHODS))
    def test_max_due_date(self, invoice_date, method):
        limit = terms.max_due_date(invoice_date, method)
        # between 45 and 45 + 31 days, or exactly 60
        self.assertGreaterEqual((limit - invoice_date).days, 45)
        self.assertLessEqual((limit - invoice_date).days, 45 + 31)
        self.assertFalse(terms.exceeds_legal_term(
                invoice_date, limit, methods=(method,)))
        violation, = terms.exceeds_legal_term(
            invoice_date, limit + dt.timedelta(days=1), methods=(method,))
        self.assertEqual(violation.excess_days, 1)


    @SETTINGS
    @given(positive, percents, st.lists(
            st.tuples(positive, st.sampled_from(
                    [Decimal('0.055'), Decimal('0.10'), Decimal('0.20')])),
            max_size=3), currency_digits)
    def test_discount_vat_split(self, net_total, rate, bases, digits):
        "Net and VAT parts add up to the discount, each tax reduced pro rata"
        taxes = [(i, interest.round_amount(base, digits),
                interest.round_amount(base * vat, digits))
            for i, (base, vat) in enumerate(bases)]
        total = interest.round_amount(net_total, digits) + sum(
            base + vat for _, base, vat in taxes)
        if not total:
            return
        discount = interest.round_amount(total * rate / 100, digits)
        if discount > total:
            discount = total
        net, parts = terms.discount_vat_split(
            discount, total, taxes, digits=digits)
        self.assertEqual(net + sum(vat for _, _, vat in parts), discount)
        self.assertGreaterEqual(net, 0)
        for (key, base, vat), (part_key, base_part, vat_part) in zip(
                taxes, parts):
            self.assertEqual(key, part_key)
            self.assertTrue(0 <= vat_part <= vat)
            self.assertTrue(0 <= base_part <= base)


class LimitationTestCase(unittest.TestCase):
    "Limitation dates"

    @SETTINGS
    @given(any_dates, st.integers(1, 10))
    def test_add_years(self, day, years):
        later = limitation.add_years(day, years)
        self.assertEqual(later.year, day.year + years)
        self.assertEqual(later.month, day.month)
        if (day.month, day.day) == (2, 29) and not calendar.isleap(
                later.year):
            self.assertEqual(later.day, 28)
        else:
            self.assertEqual(later.day, day.day)

    @SETTINGS
    @given(dates, st.booleans(), st.lists(st.tuples(
                st.integers(0, 4000),
                st.sampled_from(limitation.INTERRUPTING_KINDS
                    + limitation.NON_INTERRUPTING_KINDS)), max_size=6))
    def test_interruptions_never_shorten(self, start, business, events):
        years = limitation.limitation_years(business)
        interruptions = [
            (start + dt.timedelta(days=d), k) for d, k in events]
        plain = limitation.limitation_date(start, years)
        end = limitation.limitation_date(start, years, interruptions)
        self.assertGreaterEqual(end, plain)
        self.assertEqual(
            limitation.is_time_barred(end + dt.timedelta(days=1), end),
            True)
        self.assertFalse(limitation.is_time_barred(end, end))
        self.assertEqual(limitation.days_before_limitation(end, end), 0)


class CreditTestCase(unittest.TestCase):
    "Credit usage"

    @SETTINGS
    @given(amounts, st.one_of(st.none(), positive))
    def test_usage(self, exposure, limit):
        result = credit.credit_usage(exposure, limit)
        self.assertGreaterEqual(result.exposure, 0)
        if limit is None:
            self.assertIsNone(result.usage)
            self.assertFalse(result.over_limit)
        else:
            self.assertEqual(result.over_limit, result.exposure > limit)
            self.assertEqual(result.headroom, limit - result.exposure)
            self.assertEqual(result.usage > 100, result.over_limit)

    @SETTINGS
    @given(positive, positive, positive)
    def test_alert_monotonic(self, exposure, extra, limit):
        low = credit.alert_level(credit.usage_percent(exposure, limit))
        high = credit.alert_level(
            credit.usage_percent(exposure + extra, limit))
        self.assertGreaterEqual(high or 0, low or 0)
