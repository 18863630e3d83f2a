# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the receivables KPIs, aged balance and cash-in forecast."""
import datetime as dt
import itertools
import unittest
from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st
from trytond.modules.ar_followup.rules import ageing, kpi

D = Decimal
date = dt.date
PROPERTIES = settings(max_examples=200, deadline=None)

amounts = st.decimals(min_value=0, max_value=10 ** 9, places=2)
positive_amounts = st.decimals(
    min_value=D('0.01'), max_value=10 ** 9, places=2)
month_lengths = st.integers(28, 31)
months = st.lists(st.tuples(month_lengths, amounts), max_size=24)
dates = st.dates(date(2000, 1, 1), date(2040, 12, 31))
bounds = st.sets(st.integers(1, 400), max_size=8).map(
    lambda s: tuple(sorted(s)))
delays = st.one_of(
    st.none(),
    st.integers(-60, 400),
    st.decimals(min_value=-60, max_value=400, places=2))

# Count-back example: AR 150,000 at the end of March; sales most recent
# first: March 60,000 (30 d), February 50,000 (31 d), January 70,000 (30 d)
AR = D('150000')
MONTHS = [(30, D('60000')), (31, D('50000')), (30, D('70000'))]
SALES = D('180000')  # 60,000 + 50,000 + 70,000
DAYS = 91  # 30 + 31 + 30
CURRENT_AR = D('90000')  # not yet due at the end of March


class DSOTestCase(unittest.TestCase):
    "Worked examples of the DSO"

    def test_count_back(self):
        # 150,000 - 60,000 = 90,000 (30 d); 90,000 - 50,000 = 40,000
        # (31 d); 40,000 / 70,000 x 30 = 17.142857 d
        # DSO = 30 + 31 + 17.142857 = 78.142857 -> 78.14
        result = kpi.count_back_dso(AR, MONTHS)
        self.assertEqual(result, kpi.CountBackDSO(D('78.14'), True))

    def test_simple_dso_same_data(self):
        # 150,000 / 180,000 x 91 = 75.8333 -> 75.83: the simple DSO
        # averages the high January sales in, the count-back does not
        self.assertEqual(kpi.simple_dso(AR, SALES, DAYS), D('75.83'))

    def test_count_back_exactly_one_month(self):
        result = kpi.count_back_dso(D('60000'), MONTHS)
        self.assertEqual(result, kpi.CountBackDSO(D('30.00'), True))

    def test_count_back_history_exhausted(self):
        # 200,000 > 180,000 of sales given: lower bound 91 days, flagged
        result = kpi.count_back_dso(D('200000'), MONTHS)
        self.assertEqual(result, kpi.CountBackDSO(D('91.00'), False))

    def test_count_back_no_history(self):
        self.assertEqual(
            kpi.count_back_dso(D('1'), []), kpi.CountBackDSO(D(0), False))

    def test_count_back_nothing_owed(self):
        for receivable in [D(0), D('-500')]:
            self.assertEqual(
                kpi.count_back_dso(receivable, MONTHS),
                kpi.CountBackDSO(D(0), True))

    def test_count_back_month_without_sales(self):
        # no sales in March: 31 days counted whole; then February
        # 10,000 / 50,000 x 28 = 5.6 days; DSO = 31 + 5.6 = 36.60
        result = kpi.count_back_dso(
            D('10000'), [(31, D(0)), (28, D('50000'))])
        self.assertEqual(result, kpi.CountBackDSO(D('36.60'), True))

    def test_best_possible_dso_and_add(self):
        # BPDSO = 90,000 / 180,000 x 91 = 45.50
        # ADD = 75.83 - 45.50 = 30.33
        self.assertEqual(
            kpi.best_possible_dso(CURRENT_AR, SALES, DAYS), D('45.50'))
        self.assertEqual(
            kpi.average_days_delinquent(AR, CURRENT_AR, SALES, DAYS),
            D('30.33'))

    def test_dso_without_sales(self):
        self.assertIsNone(kpi.simple_dso(AR, D(0), DAYS))
        self.assertIsNone(kpi.best_possible_dso(AR, D(0), DAYS))
        self.assertIsNone(
            kpi.average_days_delinquent(AR, CURRENT_AR, D(0), DAYS))

    def test_bad_input(self):
        for args in [
                (AR, SALES, 0),
                (AR, SALES, -30),
                (AR, SALES, 30.0),
                (AR, D('-1'), DAYS),
                (150000.0, SALES, DAYS),
                (D('NaN'), SALES, DAYS),
                (AR, True, DAYS),
                ]:
            with (self.subTest(args=args),
                    self.assertRaises(kpi.KPIInputError)):
                kpi.simple_dso(*args)
        with self.assertRaises(kpi.KPIInputError):
            kpi.count_back_dso(AR, [(0, D(1))])
        with self.assertRaises(kpi.KPIInputError):
            kpi.count_back_dso(AR, [(30, D(-1))])

    def test_independent_of_caller_context(self):
        with localcontext() as context:
            context.prec = 3
            self.assertEqual(kpi.count_back_dso(AR, MONTHS).days, D('78.14'))
            self.assertEqual(kpi.simple_dso(AR, SALES, DAYS), D('75.83'))

    def test_calendar_months(self):
        months = kpi.calendar_months(date(2025, 3, 31), 3)
        self.assertEqual(months, [
                (date(2025, 3, 1), date(2025, 3, 31)),
                (date(2025, 2, 1), date(2025, 2, 28)),
                (date(2025, 1, 1), date(2025, 1, 31)),
                ])
        self.assertEqual(
            [kpi.month_days(*m) for m in months], [31, 28, 31])
        # closing mid-month: the current month counts 15 days
        first, = kpi.calendar_months(date(2024, 3, 15), 1)
        self.assertEqual(first, (date(2024, 3, 1), date(2024, 3, 15)))
        self.assertEqual(kpi.month_days(*first), 15)
        with self.assertRaises(kpi.KPIInputError):
            kpi.calendar_months(date(2025, 3, 31), 0)
        with self.assertRaises(kpi.KPIInputError):
            kpi.month_days(date(2025, 3, 2), date(2025, 3, 1))


class CEITestCase(unittest.TestCase):
    "Worked examples of the collection effectiveness index"

    # Quarter: opening AR 100,000, sales 180,000 over N = 3 months,
    # closing AR 110,000 of which 60,000 not yet due
    ARGS = (D('100000'), D('180000'), D('110000'), D('60000'))

    def test_cei_divides_sales_by_months(self):
        # (100,000 + 180,000/3 - 110,000) / (100,000 + 60,000 - 60,000)
        # = 50,000 / 100,000 = 50.00 %
        self.assertEqual(
            kpi.collection_effectiveness_index(*self.ARGS, 3), D('50.00'))

    def test_common_mistake_without_division(self):
        # Forgetting /N: (100,000 + 180,000 - 110,000)
        # / (100,000 + 180,000 - 60,000) = 170,000 / 220,000 = 77.27 %,
        # flattering the collectors by 27 points
        self.assertEqual(
            kpi.collection_effectiveness_index(*self.ARGS, 1), D('77.27'))

    def test_nothing_overdue_at_close(self):
        self.assertEqual(
            kpi.collection_effectiveness_index(
                D('100000'), D('180000'), D('60000'), D('60000'), 3),
            D('100.00'))

    def test_nothing_collectible(self):
        # 0 + 0/1 - 0 = 0 in the denominator
        self.assertIsNone(
            kpi.collection_effectiveness_index(D(0), D(0), D(0), D(0), 1))

    def test_bad_months(self):
        for months in [0, -3, 3.0]:
            with (self.subTest(months=months),
                    self.assertRaises(kpi.KPIInputError)):
                kpi.collection_effectiveness_index(*self.ARGS, months)


def settlement(amount, invoice, due, paid):
    return kpi.Settlement(D(amount), invoice, due, paid)


class DelayTestCase(unittest.TestCase):
    "Worked examples of the payment delays"

    # 1,000 invoiced 1 Jan, due 10 Feb, paid 31 Jan: 30 days to pay,
    # 10 days early; 3,000 invoiced 10 Jan, due 9 Feb, paid 11 Mar:
    # 60 days to pay, 30 days late
    SETTLEMENTS = (
        settlement(1000, date(2025, 1, 1), date(2025, 2, 10),
            date(2025, 1, 31)),
        settlement(3000, date(2025, 1, 10), date(2025, 2, 9),
            date(2025, 3, 11)),
        )

    def test_average_days_to_pay(self):
        # (1,000 x 30 + 3,000 x 60) / 4,000 = 52.50 (unweighted: 45)
        self.assertEqual(
            kpi.average_days_to_pay(self.SETTLEMENTS), D('52.50'))

    def test_average_days_late_early_as_zero(self):
        # (1,000 x 0 + 3,000 x 30) / 4,000 = 22.50
        self.assertEqual(
            kpi.average_days_late(self.SETTLEMENTS), D('22.50'))

    def test_average_days_late_signed(self):
        # (1,000 x -10 + 3,000 x 30) / 4,000 = 20.00
        self.assertEqual(
            kpi.average_days_late(self.SETTLEMENTS, early_as_zero=False),
            D('20.00'))

    def test_no_settlement(self):
        self.assertIsNone(kpi.average_days_to_pay([]))
        self.assertIsNone(kpi.average_days_late([]))

    def test_negative_amount(self):
        with self.assertRaises(kpi.KPIInputError):
            kpi.average_days_to_pay([settlement(
                    -1, date(2025, 1, 1), date(2025, 1, 1),
                    date(2025, 1, 1))])


class RateTestCase(unittest.TestCase):
    "Worked examples of the rates"

    def test_overdue_rate(self):
        # 45,000 / 150,000 = 30.00 %
        self.assertEqual(kpi.overdue_rate(D('45000'), AR), D('30.00'))

    def test_disputed_share(self):
        # 7,500 / 150,000 = 5.00 %
        self.assertEqual(kpi.disputed_share(D('7500'), AR), D('5.00'))

    def test_promises_kept_rate(self):
        self.assertEqual(kpi.promises_kept_rate(3, 1), D('75.00'))
        # 2 / 3 = 66.666… -> 66.67
        self.assertEqual(kpi.promises_kept_rate(2, 1), D('66.67'))
        self.assertIsNone(kpi.promises_kept_rate(0, 0))
        with self.assertRaises(kpi.KPIInputError):
            kpi.promises_kept_rate(-1, 2)

    def test_target_achievement(self):
        # 45,000 collected on a target of 3 × 20,000 = 75.00 %
        self.assertEqual(
            kpi.target_achievement(D('45000'), D('60000')), D('75.00'))
        # 70,000 / 60,000 = 116.666… -> 116.67
        self.assertEqual(
            kpi.target_achievement(D('70000'), D('60000')), D('116.67'))
        self.assertIsNone(kpi.target_achievement(D('100'), D(0)))
        with self.assertRaises(kpi.KPIInputError):
            kpi.target_achievement(100.0, D('60000'))

    def test_no_receivable(self):
        self.assertIsNone(kpi.overdue_rate(D(0), D(0)))
        self.assertIsNone(kpi.disputed_share(D(10), D('-5')))


class KPIPropertiesTestCase(unittest.TestCase):
    "Properties of the KPIs"

    @PROPERTIES
    @given(amounts, months)
    def test_count_back_within_days_given(self, receivable, months):
        result = kpi.count_back_dso(receivable, months)
        total_days = sum(days for days, _ in months)
        self.assertGreaterEqual(result.days, 0)
        self.assertLessEqual(result.days, total_days)
        total_sales = sum((sales for _, sales in months), D(0))
        self.assertEqual(result.complete, receivable <= total_sales)
        if not result.complete:
            self.assertEqual(result.days, total_days)

    @PROPERTIES
    @given(positive_amounts, month_lengths, st.integers(1, 24), st.data())
    def test_count_back_equals_simple_when_constant(
            self, sales, length, count, data):
        receivable = data.draw(st.decimals(
                min_value=0, max_value=sales * count, places=2))
        result = kpi.count_back_dso(receivable, [(length, sales)] * count)
        self.assertTrue(result.complete)
        self.assertEqual(
            result.days,
            kpi.simple_dso(receivable, sales * count, length * count))

    @PROPERTIES
    @given(amounts, amounts, months)
    def test_count_back_grows_with_receivable(self, a, b, months):
        low, high = sorted([a, b])
        self.assertLessEqual(
            kpi.count_back_dso(low, months).days,
            kpi.count_back_dso(high, months).days)

    @PROPERTIES
    @given(amounts, amounts, amounts, st.integers(1, 400))
    def test_add_is_dso_minus_bpdso(self, receivable, current, sales, days):
        add = kpi.average_days_delinquent(receivable, current, sales, days)
        dso = kpi.simple_dso(receivable, sales, days)
        best = kpi.best_possible_dso(current, sales, days)
        if not sales:
            self.assertIsNone(add)
            return
        self.assertEqual(add, dso - best)
        if current <= receivable:
            self.assertGreaterEqual(add, 0)

    @PROPERTIES
    @given(amounts, positive_amounts, st.integers(1, 400), st.integers(1, 9))
    def test_simple_dso_scale_invariant(self, receivable, sales, days, k):
        self.assertEqual(
            kpi.simple_dso(receivable, sales, days),
            kpi.simple_dso(receivable * k, sales * k, days))

    @PROPERTIES
    @given(amounts, amounts, amounts, amounts, st.integers(1, 12))
    def test_cei_at_most_100(self, opening, sales, closing, current, n):
        cei = kpi.collection_effectiveness_index(
            opening, sales, closing, current, n)
        denominator = opening + sales / n - current
        self.assertEqual(cei is None, denominator <= 0)
        if cei is None:
            return
        if closing >= current:
            self.assertLessEqual(cei, 100)
        if closing == current:
            self.assertEqual(cei, 100)

    @PROPERTIES
    @given(st.lists(st.tuples(amounts, dates, dates, dates), max_size=20))
    def test_average_delays(self, rows):
        settlements = [kpi.Settlement(*row) for row in rows]
        to_pay = kpi.average_days_to_pay(settlements)
        late = kpi.average_days_late(settlements)
        signed = kpi.average_days_late(settlements, early_as_zero=False)
        paid = [s for s in settlements if s.amount]
        if not paid:
            self.assertIsNone(to_pay)
            self.assertIsNone(late)
            return
        days = [(s.payment_date - s.invoice_date).days for s in paid]
        self.assertGreaterEqual(to_pay, min(days))
        self.assertLessEqual(to_pay, max(days))
        self.assertGreaterEqual(late, 0)
        self.assertGreaterEqual(late, signed)

    @PROPERTIES
    @given(amounts, amounts)
    def test_rates_are_percentages(self, a, b):
        part, whole = sorted([a, b])
        for rate in [
                kpi.overdue_rate(part, whole),
                kpi.disputed_share(part, whole)]:
            if not whole:
                self.assertIsNone(rate)
            else:
                self.assertTrue(0 <= rate <= 100)

    @PROPERTIES
    @given(st.integers(0, 10 ** 6), st.integers(0, 10 ** 6))
    def test_promises_kept_rate_range(self, kept, broken):
        rate = kpi.promises_kept_rate(kept, broken)
        if kept + broken == 0:
            self.assertIsNone(rate)
        else:
            self.assertTrue(0 <= rate <= 100)
            # 19,999 kept / 1 broken rounds to 100.00: no converse
            if not broken:
                self.assertEqual(rate, 100)
            if not kept:
                self.assertEqual(rate, 0)

    @PROPERTIES
    @given(dates, st.integers(1, 36))
    def test_calendar_months_contiguous(self, closing, count):
        months = kpi.calendar_months(closing, count)
        self.assertEqual(len(months), count)
        self.assertEqual(months[0][1], closing)
        for (first, _), (_, last) in itertools.pairwise(months):
            self.assertEqual(last + dt.timedelta(days=1), first)
        for first, last in months:
            self.assertEqual(first.day, 1)
            self.assertTrue(1 <= kpi.month_days(first, last) <= 31)


AS_OF = date(2025, 6, 30)


class AgeingTestCase(unittest.TestCase):
    "Worked examples of the aged balance"

    def test_default_labels(self):
        self.assertEqual(ageing.bucket_labels(), (
                'Not due', '1-30 days', '31-60 days', '61-90 days',
                '91-120 days', 'Over 120 days'))

    def test_bucket_index(self):
        for days_late, index in [
                (-10, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2),
                (61, 3), (90, 3), (91, 4), (120, 4), (121, 5), (3000, 5)]:
            with self.subTest(days_late=days_late):
                due = AS_OF - dt.timedelta(days=days_late)
                self.assertEqual(ageing.bucket_index(AS_OF, due), index)
        self.assertEqual(
            ageing.bucket_label(AS_OF, date(2025, 5, 30)), '31-60 days')

    def test_maturity_ranges(self):
        # 30 June - 121 days = 1 March
        self.assertEqual(ageing.maturity_ranges(AS_OF), [
                ('Not due', date(2025, 6, 30), None),
                ('1-30 days', date(2025, 5, 31), date(2025, 6, 29)),
                ('31-60 days', date(2025, 5, 1), date(2025, 5, 30)),
                ('61-90 days', date(2025, 4, 1), date(2025, 4, 30)),
                ('91-120 days', date(2025, 3, 2), date(2025, 3, 31)),
                ('Over 120 days', None, date(2025, 3, 1)),
                ])
        # unpacks as (label, first, last), as summary.py does
        label, first, last = ageing.maturity_ranges(AS_OF)[1]
        self.assertEqual(
            (label, first, last),
            ('1-30 days', date(2025, 5, 31), date(2025, 6, 29)))

    def test_custom_bounds(self):
        self.assertEqual(
            ageing.bucket_labels((1, 15)),
            ('Not due', '1 day', '2-15 days', 'Over 15 days'))
        self.assertEqual(ageing.bucket_labels(()), ('Not due', 'Overdue'))
        self.assertEqual(ageing.maturity_ranges(AS_OF, ()), [
                ('Not due', AS_OF, None),
                ('Overdue', None, date(2025, 6, 29))])

    def test_invalid_bounds(self):
        for bad in [(30, 30), (0, 30), (-5,), (60, 30), ('30',),
                (True,), (30.0,), 30, None]:
            with (self.subTest(bounds=bad),
                    self.assertRaises(ageing.InvalidBoundsError)):
                ageing.check_bounds(bad)

    def test_aged_balance(self):
        lines = [
            (date(2025, 7, 15), D('100')),
            (date(2025, 6, 30), D('50')),
            (date(2025, 6, 1), D('20')),
            (date(2024, 1, 1), D('7')),
            ]
        self.assertEqual(ageing.aged_balance(AS_OF, lines), [
                ('Not due', D('150')), ('1-30 days', D('20')),
                ('31-60 days', D(0)), ('61-90 days', D(0)),
                ('91-120 days', D(0)), ('Over 120 days', D('7'))])


# Wednesday; the forecast weeks start on Monday 16 June 2025
TODAY = date(2025, 6, 18)


class ForecastTestCase(unittest.TestCase):
    "Worked examples of the cash-in forecast"

    def test_promise_prevails(self):
        self.assertEqual(
            ageing.expected_payment_date(
                TODAY, date(2025, 6, 1), D(40), date(2025, 7, 1)),
            date(2025, 7, 1))
        # broken promise: expected now
        self.assertEqual(
            ageing.expected_payment_date(
                TODAY, date(2025, 6, 1), 0, date(2025, 6, 10)), TODAY)

    def test_due_date_plus_average_delay(self):
        # 10 June + 12.5 -> 13 days (half up) = 23 June
        self.assertEqual(
            ageing.expected_payment_date(
                TODAY, date(2025, 6, 10), D('12.5')), date(2025, 6, 23))
        # early payer: 30 June - 2.5 -> -3 days = 27 June
        self.assertEqual(
            ageing.expected_payment_date(
                TODAY, date(2025, 6, 30), D('-2.5')), date(2025, 6, 27))
        # no history: the due date
        self.assertEqual(
            ageing.expected_payment_date(TODAY, date(2025, 7, 4), None),
            date(2025, 7, 4))

    def test_catch_up(self):
        # 1 May + 5 days = 6 May, already past: expected today
        self.assertEqual(
            ageing.expected_payment_date(TODAY, date(2025, 5, 1), 5), TODAY)

    def test_disputed(self):
        due = date(2025, 6, 10)
        self.assertIsNone(ageing.expected_payment_date(
                TODAY, due, 0, disputed=True))
        # past due: today + 30 days of dispute resolution = 18 July
        self.assertEqual(
            ageing.expected_payment_date(
                TODAY, due, 0, disputed=True, dispute_delay=30),
            date(2025, 7, 18))
        # not yet due: 31 July + 20 = 20 August
        self.assertEqual(
            ageing.expected_payment_date(
                TODAY, date(2025, 7, 31), 0, disputed=True,
                dispute_delay=20),
            date(2025, 8, 20))
        with self.assertRaises(ageing.ForecastInputError):
            ageing.expected_payment_date(
                TODAY, due, 0, disputed=True, dispute_delay=-1)
        with self.assertRaises(ageing.ForecastInputError):
            ageing.expected_payment_date(TODAY, due, 1.5)

    def test_forecast_week(self):
        self.assertEqual(ageing.week_start(TODAY), date(2025, 6, 16))
        for expected, index in [
                (date(2025, 1, 1), 0),
                (date(2025, 6, 22), 0),
                (date(2025, 6, 23), 1),
                (date(2025, 7, 1), 2),
                (date(2025, 9, 14), 12),
                (date(2025, 9, 15), None),
                ]:
            with self.subTest(expected=expected):
                self.assertEqual(
                    ageing.forecast_week(TODAY, expected), index)
        with self.assertRaises(ageing.ForecastInputError):
            ageing.forecast_week(TODAY, TODAY, 0)

    def test_weekly_cash_forecast(self):
        invoices = [
            ageing.OpenInvoice(D('100'), date(2025, 5, 1)),
            ageing.OpenInvoice(D('200'), date(2025, 6, 10), D('12.5')),
            ageing.OpenInvoice(
                D('300'), date(2025, 5, 1), promise_date=date(2025, 7, 1)),
            ageing.OpenInvoice(D('400'), date(2025, 6, 1), disputed=True),
            ageing.OpenInvoice(D('500'), date(2025, 12, 31)),
            ]
        forecast = ageing.weekly_cash_forecast(TODAY, invoices)
        self.assertEqual(len(forecast.weeks), 13)
        self.assertEqual(forecast.weeks[0], (date(2025, 6, 16), D('100')))
        self.assertEqual(forecast.weeks[1], (date(2025, 6, 23), D('200')))
        self.assertEqual(forecast.weeks[2], (date(2025, 6, 30), D('300')))
        self.assertEqual(forecast.weeks[12][0], date(2025, 9, 8))
        self.assertEqual(forecast.later, D('500'))
        self.assertEqual(forecast.excluded, D('400'))
        self.assertEqual(forecast.total, D('1500'))
        # with 14 days of dispute resolution: 2 July, week 2
        forecast = ageing.weekly_cash_forecast(
            TODAY, invoices, dispute_delay=14)
        self.assertEqual(forecast.weeks[2][1], D('700'))
        self.assertEqual(forecast.excluded, D(0))

    def test_average_resolution_days(self):
        # 10, 5 and 20 days: 35 / 3 = 11.67, rounded to 12
        disputes = [
            (date(2025, 5, 1), date(2025, 5, 11)),
            (date(2025, 5, 10), date(2025, 5, 15)),
            (date(2025, 6, 1), date(2025, 6, 21)),
            ]
        self.assertEqual(ageing.average_resolution_days(disputes), 12)
        # 10 and 5 days: 7.5 rounds half up to 8
        self.assertEqual(ageing.average_resolution_days(disputes[:2]), 8)
        # a resolution dated before its opening counts 0
        self.assertEqual(ageing.average_resolution_days(
                [(date(2025, 5, 2), date(2025, 5, 1))]), 0)
        self.assertIsNone(ageing.average_resolution_days([]))


class AgeingPropertiesTestCase(unittest.TestCase):
    "Properties of the aged balance and forecast"

    @PROPERTIES
    @given(dates, dates, bounds)
    def test_date_in_exactly_one_range(self, as_of, due, bounds):
        ranges = ageing.maturity_ranges(as_of, bounds)
        self.assertEqual(len(ranges), len(bounds) + 2)
        matching = [
            i for i, (_, first, last) in enumerate(ranges)
            if (first is None or first <= due)
            and (last is None or due <= last)]
        self.assertEqual(
            matching, [ageing.bucket_index(as_of, due, bounds)])
        self.assertEqual(
            ageing.bucket_label(as_of, due, bounds), ranges[matching[0]][0])

    @PROPERTIES
    @given(dates, bounds)
    def test_ranges_partition(self, as_of, bounds):
        ranges = ageing.maturity_ranges(as_of, bounds)
        self.assertEqual(ranges[0].first, as_of)
        self.assertIsNone(ranges[0].last)
        self.assertIsNone(ranges[-1].first)
        one = dt.timedelta(days=1)
        for newer, older in itertools.pairwise(ranges):
            self.assertEqual(older.last + one, newer.first)
        for bounded in ranges[1:-1]:
            self.assertLessEqual(bounded.first, bounded.last)

    @PROPERTIES
    @given(dates, dates, dates, bounds)
    def test_bucket_grows_with_age(self, as_of, a, b, bounds):
        older, newer = sorted([a, b])
        self.assertGreaterEqual(
            ageing.bucket_index(as_of, older, bounds),
            ageing.bucket_index(as_of, newer, bounds))

    @PROPERTIES
    @given(dates, dates, delays, st.one_of(st.none(), dates),
        st.booleans(), st.one_of(st.none(), st.integers(0, 365)))
    def test_forecast_never_before_as_of(
            self, as_of, due, delay, promise, disputed, dispute_delay):
        expected = ageing.expected_payment_date(
            as_of, due, delay, promise, disputed, dispute_delay)
        if expected is None:
            self.assertTrue(disputed)
            self.assertIsNone(dispute_delay)
            self.assertIsNone(promise)
            return
        self.assertGreaterEqual(expected, as_of)
        index = ageing.forecast_week(as_of, expected)
        if index is not None:
            monday = ageing.week_start(as_of) + dt.timedelta(weeks=index)
            self.assertTrue(
                monday <= expected <= monday + dt.timedelta(days=6))
            self.assertEqual(monday.weekday(), 0)

    @PROPERTIES
    @given(dates, st.lists(st.builds(
                ageing.OpenInvoice, amounts, dates, delays,
                st.one_of(st.none(), dates), st.booleans()), max_size=30),
        st.one_of(st.none(), st.integers(0, 120)), st.integers(1, 26))
    def test_forecast_keeps_every_amount(
            self, as_of, invoices, dispute_delay, weeks):
        forecast = ageing.weekly_cash_forecast(
            as_of, invoices, weeks, dispute_delay)
        self.assertEqual(len(forecast.weeks), weeks)
        self.assertEqual(
            forecast.total,
            sum((i.amount for i in invoices), D(0)))
        mondays = [monday for monday, _ in forecast.weeks]
        self.assertEqual(mondays[0], ageing.week_start(as_of))
        if dispute_delay is not None:
            self.assertEqual(forecast.excluded, 0)

    @PROPERTIES
    @given(st.lists(st.tuples(dates, st.integers(0, 400)), min_size=1,
            max_size=30))
    def test_average_resolution_within_range(self, disputes):
        average = ageing.average_resolution_days(
            (opened, opened + dt.timedelta(days=days))
            for opened, days in disputes)
        durations = [days for _, days in disputes]
        self.assertLessEqual(min(durations), average)
        self.assertLessEqual(average, max(durations))
