# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the French late-payment penalty, term and limitation rules."""
import datetime as dt
import unittest
from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st
from trytond.modules.ar_followup.rules import interest, limitation, terms

D = Decimal
date = dt.date

# Extract of /work/shared/reference/ecb_main_refinancing_rate.csv
ECB = [
    (date(2016, 3, 16), D('0.00')),
    (date(2023, 9, 20), D('4.50')),
    (date(2024, 6, 12), D('4.25')),
    (date(2024, 9, 18), D('3.65')),
    (date(2024, 10, 23), D('3.40')),
    (date(2024, 12, 18), D('3.15')),
    (date(2025, 6, 11), D('2.15')),
    ]
# Extract of legal_interest_rate_fr.csv, professional creditor column
LEGAL = [
    (date(2024, 1, 1), D('5.07')),
    (date(2024, 7, 1), D('4.92')),
    (date(2025, 1, 1), D('3.71')),
    ]
DEFAULT_RATE = interest.default_rate_resolver(ECB)

PROPERTIES = settings(max_examples=100, deadline=None)
_BOUNDARIES = [date(y, m, 1) for y in range(2019, 2030) for m in (1, 3, 7)]
dates = st.one_of(
    st.dates(date(2019, 1, 1), date(2029, 12, 31)),
    st.builds(
        lambda b, shift: b + dt.timedelta(days=shift),
        st.sampled_from(_BOUNDARIES), st.integers(-3, 3)))
amounts = st.decimals(min_value=0, max_value=10 ** 9, places=2)
rates = st.decimals(min_value=0, max_value=30, places=2)
digits = st.sampled_from([0, 2, 3])
modes = st.sampled_from(interest.DELAY_MODES)


def varying_rate(period_start):
    "A rate changing every half-year, known for any date."
    bump = D('0.25') if period_start.month == 7 else D(0)
    return D(8) + period_start.year % 7 + bump


def ordered(*days):
    return sorted(days)


class LateInterestExamplesTestCase(unittest.TestCase):
    "Worked examples of late interest, checkable by hand."

    def test_ecb_rate_in_force_on_first_day_of_half_year(self):
        "ECB rate in force on 1 January / 1 July"
        for day, rate in [
                (date(2024, 3, 31), D('4.50')),  # set 2023-09-20
                (date(2024, 7, 1), D('4.25')),  # set 2024-06-12
                (date(2024, 12, 31), D('4.25')),  # 3.65 on 09-18 ignored
                (date(2025, 1, 1), D('3.15')),  # set 2024-12-18
                (date(2025, 8, 1), D('2.15')),  # set 2025-06-11
                ]:
            with self.subTest(day=day):
                self.assertEqual(
                    interest.ecb_rate_for_half_year(ECB, day), rate)

    def test_default_rate_is_ecb_plus_10(self):
        "Default rate = ECB + 10 points"
        self.assertEqual(
            interest.default_late_rate(ECB, date(2024, 5, 1)), D('14.50'))
        self.assertEqual(DEFAULT_RATE(date(2024, 7, 1)), D('14.25'))

    def test_missing_rate_after_covered_period(self):
        "Half-year after the covered period raises MissingRateError"
        with self.assertRaises(interest.MissingRateError) as cm:
            interest.ecb_rate_for_half_year(
                ECB, date(2026, 8, 15), covered_until=date(2026, 2, 5))
        self.assertEqual(cm.exception.period_start, date(2026, 7, 1))
        self.assertIsInstance(cm.exception, ValueError)
        self.assertIn('2026-07-01', str(cm.exception))

    def test_missing_rate_before_table(self):
        "Half-year before the first rate raises MissingRateError"
        with self.assertRaises(interest.MissingRateError) as cm:
            interest.ecb_rate_for_half_year(ECB, date(2016, 5, 1))
        self.assertEqual(cm.exception.period_start, date(2016, 1, 1))

    def test_missing_rate_during_delay(self):
        "Interest over an unknown half-year raises MissingRateError"
        resolve = interest.default_rate_resolver(
            ECB, covered_until=date(2026, 2, 5))
        with self.assertRaises(interest.MissingRateError) as cm:
            interest.late_interest(
                D('1000'), date(2026, 6, 20), date(2026, 7, 10), resolve)
        self.assertEqual(cm.exception.period_start, date(2026, 7, 1))

    def test_legal_rate_missing_half_year(self):
        "Legal rate table without the half-year raises MissingRateError"
        self.assertEqual(
            interest.legal_rate_for_half_year(LEGAL, date(2024, 9, 1)),
            D('4.92'))
        with self.assertRaises(interest.MissingRateError) as cm:
            interest.legal_rate_for_half_year(LEGAL, date(2026, 9, 1))
        self.assertEqual(cm.exception.period_start, date(2026, 7, 1))

    def test_single_half_year(self):
        "10,000 due 2024-03-31 paid 2024-05-15 at 14.50 %"
        # 45 days (30 in April + 15 in May):
        # 10000 x 0.145 x 45 / 365 = 178.767... -> 178.77
        result = interest.late_interest(
            D('10000.00'), date(2024, 3, 31), date(2024, 5, 15),
            DEFAULT_RATE)
        self.assertEqual(result.amount, D('178.77'))
        self.assertEqual(result.days, 45)
        segment, = result.segments
        self.assertEqual(
            (segment.start, segment.end, segment.days, segment.rate),
            (date(2024, 4, 1), date(2024, 5, 15), 45, D('14.50')))

    def test_across_half_years_split(self):
        "Split: each half-year's days at its own rate"
        # 2024-06-16..06-30: 15 d x 14.50 % -> 59.589...
        # 2024-07-01..07-20: 20 d x 14.25 % -> 78.082...
        # total 137.671... -> 137.67
        result = interest.late_interest(
            D('10000.00'), date(2024, 6, 15), date(2024, 7, 20),
            DEFAULT_RATE, mode=interest.SPLIT)
        self.assertEqual(result.amount, D('137.67'))
        self.assertEqual(
            [(s.start, s.end, s.days, s.rate) for s in result.segments], [
                (date(2024, 6, 16), date(2024, 6, 30), 15, D('14.50')),
                (date(2024, 7, 1), date(2024, 7, 20), 20, D('14.25')),
                ])

    def test_across_half_years_freeze(self):
        "Freeze: rate of the first day late for the whole delay"
        # 35 d x 14.50 %: 10000 x 0.145 x 35 / 365 = 139.041... -> 139.04
        result = interest.late_interest(
            D('10000.00'), date(2024, 6, 15), date(2024, 7, 20),
            DEFAULT_RATE, mode=interest.FREEZE)
        self.assertEqual(result.amount, D('139.04'))
        self.assertEqual(len(result.segments), 1)

    def test_freeze_first_late_day_in_next_half_year(self):
        "Freeze: due on 30 June, first day late is in July"
        # 20 d x 14.25 %: 10000 x 0.1425 x 20 / 365 = 78.082... -> 78.08
        result = interest.late_interest(
            D('10000.00'), date(2024, 6, 30), date(2024, 7, 20),
            DEFAULT_RATE, mode=interest.FREEZE)
        self.assertEqual(result.amount, D('78.08'))

    def test_partial_payments(self):
        "Interest runs on the remaining balance"
        # 12,000 due 2025-01-31 at 1H2025 rate 3.15 + 10 = 13.15 %
        # paid 5,000 on 02-20 and 7,000 on 03-31:
        # 02-01..02-20: 20 d x 12,000 -> 12000 x .1315 x 20/365 = 86.4657
        # 02-21..03-31: 39 d x  7,000 ->  7000 x .1315 x 39/365 = 98.3547
        # total 184.8205... -> 184.82
        result = interest.late_interest_on_balance(
            D('12000.00'), date(2025, 1, 31),
            [(date(2025, 3, 31), D('7000')), (date(2025, 2, 20), D('5000'))],
            date(2025, 4, 30), DEFAULT_RATE)
        self.assertEqual(result.amount, D('184.82'))
        self.assertEqual(
            [(s.start, s.end, s.days, s.balance) for s in result.segments], [
                (date(2025, 2, 1), date(2025, 2, 20), 20, D('12000.00')),
                (date(2025, 2, 21), date(2025, 3, 31), 39, D('7000.00')),
                ])

    def test_payment_before_due_date_reduces_base(self):
        "A payment on the due date is not late and reduces the base"
        # 1000 - 400 = 600 x 10 % x 73 / 365 = 12.00
        result = interest.late_interest_on_balance(
            D('1000'), date(2025, 1, 31), [(date(2025, 1, 31), D('400'))],
            date(2025, 4, 14), D('10'))
        self.assertEqual(result.amount, D('12.00'))

    def test_overpayment_stops_interest(self):
        "Interest stops once the balance is paid, even overpaid"
        result = interest.late_interest_on_balance(
            D('1000'), date(2025, 1, 31), [(date(2025, 2, 10), D('1500'))],
            date(2025, 12, 31), D('10'))
        # 10 d x 1000 x 10 % / 365 = 2.739... -> 2.74
        self.assertEqual(result.amount, D('2.74'))
        self.assertEqual(result.days, 10)

    def test_leap_year_uses_365(self):
        "Days / 365 even in a leap year; base is a parameter"
        # 366 days: 1000 x 0.10 x 366 / 365 = 100.273... -> 100.27
        result = interest.late_interest(
            D('1000'), date(2024, 1, 1), date(2025, 1, 1), D('10'))
        self.assertEqual(result.amount, D('100.27'))
        result = interest.late_interest(
            D('1000'), date(2024, 1, 1), date(2025, 1, 1), D('10'),
            day_count_base=366)
        self.assertEqual(result.amount, D('100.00'))

    def test_currency_digits(self):
        "Total rounded half up to 0 or 3 digits"
        # 1000 x 0.10 x 45 / 365 = 12.3287...
        args = (D('1000'), date(2024, 3, 31), date(2024, 5, 15), D('10'))
        self.assertEqual(
            interest.late_interest(*args, digits=0).amount, D('12'))
        self.assertEqual(
            interest.late_interest(*args, digits=3).amount, D('12.329'))

    def test_round_half_up_on_total_only(self):
        "Round the total once: half up"
        self.assertEqual(interest.round_amount(D('0.125')), D('0.13'))
        self.assertEqual(interest.round_amount(D('2.5'), 0), D('3'))
        # 3 segments of 1 day x 365 x 1 % / 365 = 0.01 / 3 -> 0.00333...
        # rounded each: 0.00 x 3 = 0.00; rounded total: 0.01
        result = interest.late_interest_on_balance(
            D('365'), date(2025, 1, 1),
            [(date(2025, 1, 2), D(0)), (date(2025, 1, 3), D(0))],
            date(2025, 1, 4), D('1') / 3)
        self.assertEqual(len(result.segments), 3)
        self.assertEqual(result.amount, D('0.01'))

    def test_bad_input(self):
        "Bad input raises ValueError subclasses"
        for kwargs in [
                {'amount': D('-1')},
                {'mode': 'average'},
                {'day_count_base': 0},
                {'rate': D('-1')},
                {'digits': -1},
                ]:
            args = {
                'amount': D('100'), 'due_date': date(2025, 1, 1),
                'payment_date': date(2025, 2, 1), 'rate': D('10'),
                }
            args.update(kwargs)
            with (self.subTest(**{k: str(v) for k, v in kwargs.items()}),
                    self.assertRaises(interest.InvalidInterestInputError)):
                interest.late_interest(**args)
        with self.assertRaises(interest.InvalidInterestInputError):
            interest.late_interest_on_balance(
                D('100'), date(2025, 1, 1), [(date(2025, 1, 5), D('-1'))],
                date(2025, 2, 1), D('10'))


class ContractualRateTestCase(unittest.TestCase):
    "Floor of the contractual rate: 3 x legal interest rate"

    def test_floor_2024(self):
        "1H2024 floor 15.21 %, 2H2024 floor 14.76 %"
        legal = interest.legal_rate_for_half_year(LEGAL, date(2024, 2, 1))
        self.assertEqual(interest.contractual_rate_floor(legal), D('15.21'))
        with self.assertRaises(interest.RateBelowFloorError) as cm:
            interest.check_contractual_rate(D('15.00'), legal)
        self.assertEqual(cm.exception.rate, D('15.00'))
        self.assertEqual(cm.exception.floor, D('15.21'))
        self.assertIsNone(interest.check_contractual_rate(D('15.21'), legal))
        with self.assertRaises(interest.RateBelowFloorError):
            interest.check_contractual_rate(D('14.75'), D('4.92'))
        interest.check_contractual_rate(D('14.76'), D('4.92'))

    def test_default_rate_below_floor_still_applies(self):
        "1H2024 default 14.50 % is below the floor but is the legal default"
        default = interest.default_late_rate(ECB, date(2024, 2, 1))
        self.assertLess(default, interest.contractual_rate_floor(D('5.07')))
        result = interest.late_interest(
            D('10000'), date(2024, 3, 31), date(2024, 5, 15), DEFAULT_RATE)
        self.assertEqual(result.segments[0].rate, D('14.50'))


class RecoveryIndemnityTestCase(unittest.TestCase):
    "EUR 40 per late invoice, B2B only, not under insolvency"

    def test_cases(self):
        for late, business, collective, expected in [
                (True, True, False, D('40')),
                (False, True, False, D('0')),
                (True, False, False, D('0')),
                (True, True, True, D('0')),
                ]:
            with self.subTest(
                    late=late, business=business, collective=collective):
                self.assertEqual(
                    interest.recovery_indemnity(late, business, collective),
                    expected)

    def test_first_day_late(self):
        "Due from the first day late"
        due = date(2025, 3, 31)
        self.assertEqual(interest.days_late(due, date(2025, 3, 31)), 0)
        self.assertEqual(interest.days_late(due, date(2025, 4, 1)), 1)
        self.assertEqual(
            interest.recovery_indemnity(
                interest.days_late(due, date(2025, 4, 1)) > 0, True, False),
            D('40'))


class TermsTestCase(unittest.TestCase):
    "Legal limits of payment terms and early-payment discount"

    def test_default_term(self):
        "30 days when nothing is agreed"
        self.assertEqual(
            terms.default_due_date(date(2025, 1, 15)), date(2025, 2, 14))

    def test_75_days_exceeds_60_days(self):
        "Invoice 2024-01-10, due 2024-03-25 (75 days), max 2024-03-10"
        violation, = terms.exceeds_legal_term(
            date(2024, 1, 10), date(2024, 3, 25), [terms.DAYS_60])
        self.assertEqual(violation.method, terms.DAYS_60)
        self.assertEqual(violation.max_due_date, date(2024, 3, 10))
        self.assertEqual(violation.excess_days, 15)
        self.assertEqual(
            terms.exceeds_legal_term(date(2024, 1, 10), date(2024, 3, 10)),
            ())

    def test_45_days_end_of_month_methods(self):
        "45 days EOM: (a) +45 d then EOM, (b) EOM then +45 d"
        # 2024-01-15: (a) +45 d = 2024-02-29 -> EOM 2024-02-29
        #             (b) EOM 2024-01-31 + 45 d = 2024-03-16
        invoice = date(2024, 1, 15)
        self.assertEqual(
            terms.max_due_date(invoice, terms.DAYS_45_EOM_A),
            date(2024, 2, 29))
        self.assertEqual(
            terms.max_due_date(invoice, terms.DAYS_45_EOM_B),
            date(2024, 3, 16))
        # 2024-01-20: (a) +45 d = 2024-03-05 -> 2024-03-31; (b) 2024-03-16
        invoice = date(2024, 1, 20)
        self.assertEqual(
            terms.max_due_date(invoice, terms.DAYS_45_EOM_A),
            date(2024, 3, 31))
        violations = terms.exceeds_legal_term(
            invoice, date(2024, 3, 20),
            [terms.DAYS_45_EOM_A, terms.DAYS_45_EOM_B])
        self.assertEqual(
            [(v.method, v.excess_days) for v in violations],
            [(terms.DAYS_45_EOM_B, 4)])

    def test_sector_limit(self):
        "Sector limit replaces the general limit"
        invoice = date(2025, 1, 1)
        violation, = terms.exceeds_legal_term(
            invoice, date(2025, 2, 15), sector_max_days=30)
        self.assertEqual(violation.method, terms.SECTOR)
        self.assertEqual(violation.max_due_date, date(2025, 1, 31))
        self.assertEqual(
            terms.exceeds_legal_term(
                invoice, date(2025, 3, 31), sector_max_days=90),
            ())

    def test_unknown_method(self):
        with self.assertRaises(terms.UnknownTermMethodError) as cm:
            terms.max_due_date(date(2025, 1, 1), '90_days')
        self.assertEqual(cm.exception.method, '90_days')

    def test_early_payment_discount(self):
        "2 % within 10 days of 2024-03-01: until 2024-03-11 included"
        args = (D('1200.00'), D('2'), date(2024, 3, 1), 10)
        self.assertEqual(
            terms.early_payment_discount(*args, date(2024, 3, 11)),
            D('24.00'))
        self.assertEqual(
            terms.early_payment_discount(*args, date(2024, 3, 12)),
            D('0.00'))
        # 1234.56 x 1.5 % = 18.5184 -> 18.52; 0 digits -> 19
        args = (D('1234.56'), D('1.5'), date(2024, 3, 1), 10,
            date(2024, 3, 5))
        self.assertEqual(terms.early_payment_discount(*args), D('18.52'))
        self.assertEqual(
            terms.early_payment_discount(*args, digits=0), D('19'))

    def test_discount_vat_split(self):
        "2 % of 1,200 incl. 200 VAT at 20 %: 20.00 net and 4.00 VAT"
        self.assertEqual(
            terms.discount_vat_split(
                D('24.00'), D('1200.00'), [('vat20', D('1000'), D('200'))]),
            (D('20.00'), [('vat20', D('20.00'), D('4.00'))]))
        # two rates: 1,000 at 20 % and 500 at 5.5 % = 1,727.50 incl. VAT;
        # 2 % = 34.55: VAT parts 4.00 and 0.55, the net part the rest
        self.assertEqual(
            terms.discount_vat_split(
                D('34.55'), D('1727.50'), [
                    ('vat20', D('1000'), D('200')),
                    ('vat5.5', D('500'), D('27.50'))]),
            (D('30.00'), [
                    ('vat20', D('20.00'), D('4.00')),
                    ('vat5.5', D('10.00'), D('0.55'))]))
        # no VAT (exempt sale): all net
        self.assertEqual(
            terms.discount_vat_split(D('10.00'), D('500.00'), []),
            (D('10.00'), []))

    def test_discount_vat_split_bad_input(self):
        for discount, total in [
                (D('-1'), D('100')), (D('1'), D('0')), (D('101'), D('100'))]:
            with self.assertRaises(terms.InvalidDiscountError):
                terms.discount_vat_split(discount, total, [])

    def test_discount_bad_input(self):
        with self.assertRaises(terms.InvalidDiscountError):
            terms.early_payment_discount(
                D('100'), D('-1'), date(2024, 3, 1), 10, date(2024, 3, 5))
        with self.assertRaises(terms.InvalidDiscountError):
            terms.early_payment_discount(
                D('100'), D('1'), date(2024, 3, 1), -1, date(2024, 3, 5))


class LimitationTestCase(unittest.TestCase):
    "Limitation dates"

    def test_b2b_and_b2c(self):
        "5 years B2B, 2 years B2C from the due date"
        due = date(2020, 3, 15)
        self.assertEqual(
            limitation.limitation_date(due, limitation.limitation_years(True)),
            date(2025, 3, 15))
        self.assertEqual(
            limitation.limitation_date(
                due, limitation.limitation_years(False)),
            date(2022, 3, 15))

    def test_interruption_restarts_full_period(self):
        "Acknowledgment restarts 5 years; formal notice does not interrupt"
        due = date(2020, 3, 15)
        self.assertEqual(
            limitation.limitation_date(due, 5, [
                    (date(2021, 1, 10), limitation.FORMAL_NOTICE),
                    (date(2023, 6, 1), limitation.ACKNOWLEDGMENT),
                    ]),
            date(2028, 6, 1))
        self.assertEqual(
            limitation.limitation_date(
                due, 5, [(date(2024, 1, 10), limitation.FORMAL_NOTICE)]),
            date(2025, 3, 15))
        # chained: court claim 2024-01-10, enforcement 2028-05-01
        self.assertEqual(
            limitation.limitation_date(due, 5, [
                    (date(2028, 5, 1), limitation.ENFORCEMENT),
                    (date(2024, 1, 10), limitation.COURT_CLAIM),
                    ]),
            date(2033, 5, 1))

    def test_interruption_after_limitation_ignored(self):
        "An event after the limitation date does not revive the claim"
        self.assertEqual(
            limitation.limitation_date(
                date(2020, 3, 15), 2,
                [(date(2022, 3, 16), limitation.ACKNOWLEDGMENT)]),
            date(2022, 3, 15))
        self.assertEqual(
            limitation.limitation_date(
                date(2020, 3, 15), 2,
                [(date(2022, 3, 15), limitation.PAYMENT_ORDER_SERVED)]),
            date(2024, 3, 15))

    def test_judgment_gives_10_years(self):
        "A judgment starts 10 years, also after a later enforcement"
        due = date(2020, 3, 15)
        self.assertEqual(
            limitation.limitation_date(
                due, 5, [(date(2024, 2, 10), limitation.JUDGMENT)]),
            date(2034, 2, 10))
        self.assertEqual(
            limitation.limitation_date(due, 5, [
                    (date(2024, 2, 10), limitation.JUDGMENT),
                    (date(2030, 1, 5), limitation.ENFORCEMENT),
                    ]),
            date(2040, 1, 5))

    def test_29_february(self):
        "29 February + n years gives 28 February in non-leap years"
        start = date(2024, 2, 29)
        self.assertEqual(limitation.limitation_date(start, 5),
            date(2029, 2, 28))
        self.assertEqual(limitation.limitation_date(start, 2),
            date(2026, 2, 28))
        self.assertEqual(limitation.add_years(start, 4), date(2028, 2, 29))

    def test_alert(self):
        "Days left and alert window"
        end = date(2025, 3, 15)
        self.assertEqual(
            limitation.days_before_limitation(date(2025, 2, 13), end), 30)
        self.assertTrue(limitation.is_alert(date(2025, 2, 13), end, 30))
        self.assertFalse(limitation.is_alert(date(2025, 2, 12), end, 30))
        self.assertTrue(limitation.is_alert(end, end, 30))
        self.assertFalse(limitation.is_alert(date(2025, 3, 16), end, 30))
        self.assertTrue(limitation.is_time_barred(date(2025, 3, 16), end))
        self.assertFalse(limitation.is_time_barred(end, end))

    def test_unknown_kind(self):
        with self.assertRaises(limitation.UnknownInterruptionError) as cm:
            limitation.limitation_date(
                date(2020, 1, 1), 5, [(date(2021, 1, 1), 'phone_call')])
        self.assertEqual(cm.exception.kind, 'phone_call')


class LateInterestPropertiesTestCase(unittest.TestCase):
    "Properties of late interest"

    @PROPERTIES
    @given(amounts, dates, dates, modes)
    def test_non_negative(self, amount, due, paid, mode):
        result = interest.late_interest(
            amount, due, paid, varying_rate, mode=mode)
        self.assertGreaterEqual(result.amount, 0)
        self.assertTrue(all(s.amount >= 0 for s in result.segments))

    @PROPERTIES
    @given(amounts, dates, dates, dates)
    def test_additive_over_split_periods(self, amount, x, y, z):
        "Interest over [a, c] = over [a, b] + over [b, c], unrounded"
        a, b, c = ordered(x, y, z)
        whole = interest.late_interest(amount, a, c, varying_rate)
        first = interest.late_interest(amount, a, b, varying_rate)
        second = interest.late_interest(amount, b, c, varying_rate)
        # exact up to the 50-digit working precision of the rules
        with localcontext() as ctx:
            ctx.prec = 60
            self.assertAlmostEqual(
                whole.unrounded, first.unrounded + second.unrounded,
                delta=D('1e-30'))
        self.assertEqual(whole.days, first.days + second.days)

    @PROPERTIES
    @given(amounts, dates, dates, dates, modes)
    def test_monotonic_in_days(self, amount, due, x, y, mode):
        early, late = ordered(x, y)
        first = interest.late_interest(
            amount, due, early, varying_rate, mode=mode)
        second = interest.late_interest(
            amount, due, late, varying_rate, mode=mode)
        self.assertLessEqual(first.unrounded, second.unrounded)
        self.assertLessEqual(first.amount, second.amount)

    @PROPERTIES
    @given(amounts, amounts, dates, dates, modes)
    def test_monotonic_in_amount(self, x, y, due, paid, mode):
        small, big = ordered(x, y)
        first = interest.late_interest(
            small, due, paid, varying_rate, mode=mode)
        second = interest.late_interest(
            big, due, paid, varying_rate, mode=mode)
        self.assertLessEqual(first.amount, second.amount)

    @PROPERTIES
    @given(amounts, dates, st.integers(0, 400), modes)
    def test_zero_when_paid_on_or_before_due(self, amount, due, early, mode):
        paid = due - dt.timedelta(days=early)
        result = interest.late_interest(
            amount, due, paid, varying_rate, mode=mode)
        self.assertEqual(result.amount, 0)
        self.assertEqual(result.segments, ())

    @PROPERTIES
    @given(st.data(), digits, dates, dates, rates)
    def test_currency_digits(self, data, places, due, paid, rate):
        amount = data.draw(
            st.decimals(min_value=0, max_value=10 ** 9, places=places))
        result = interest.late_interest(
            amount, due, paid, rate, digits=places)
        self.assertEqual(result.amount.as_tuple().exponent, -places)
        half_unit = D(1).scaleb(-places) / 2
        self.assertLessEqual(
            abs(result.amount - result.unrounded), half_unit)

    @PROPERTIES
    @given(amounts, dates, dates, rates)
    def test_split_equals_freeze_for_constant_rate(
            self, amount, due, paid, rate):
        split = interest.late_interest(
            amount, due, paid, lambda _: rate, mode=interest.SPLIT)
        freeze = interest.late_interest(
            amount, due, paid, lambda _: rate, mode=interest.FREEZE)
        self.assertEqual(split.amount, freeze.amount)

    @PROPERTIES
    @given(amounts, dates, dates)
    def test_days_are_payment_minus_due(self, amount, due, paid):
        result = interest.late_interest(amount, due, paid, varying_rate)
        expected = max((paid - due).days, 0) if amount else 0
        self.assertEqual(result.days, expected)
        for segment in result.segments:
            self.assertEqual(
                interest.half_year_start(segment.start),
                interest.half_year_start(segment.end))

    @PROPERTIES
    @given(amounts, dates, dates,
        st.lists(st.tuples(dates, amounts), max_size=4))
    def test_payments_reduce_interest(self, amount, due, until, payments):
        without = interest.late_interest(amount, due, until, varying_rate)
        with_ = interest.late_interest_on_balance(
            amount, due, payments, until, varying_rate)
        self.assertLessEqual(with_.amount, without.amount)
        self.assertGreaterEqual(with_.amount, 0)


class LimitationPropertiesTestCase(unittest.TestCase):
    "Properties of limitation dates"

    @PROPERTIES
    @given(dates, st.sampled_from([2, 5]), st.lists(st.tuples(
                dates, st.sampled_from(
                    limitation.INTERRUPTING_KINDS
                    + limitation.NON_INTERRUPTING_KINDS)), max_size=4))
    def test_never_shorter_than_period(self, start, years, events):
        end = limitation.limitation_date(start, years, events)
        self.assertGreaterEqual(end, limitation.add_years(start, years))
        self.assertLessEqual(
            end, limitation.limitation_date(start, years, events + [
                    (end, limitation.ACKNOWLEDGMENT)]))
