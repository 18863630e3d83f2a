# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the customer-risk rules: identifiers, credit, score, imports."""
import dataclasses
import datetime as dt
import io
import unittest
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva
from trytond.modules.ar_followup.rules import (
    company_data,
    credit,
    identity,
    importers,
    scoring,
)

D = Decimal
PROPERTIES = settings(max_examples=200, deadline=None)


def siren_of(number):
    "Return the valid SIREN whose first 8 digits are number"
    base = f'{number:08d}'
    return base + luhn.calc_check_digit(base)


sirens = st.integers(0, 10 ** 8 - 1).map(siren_of)
amounts = st.decimals(min_value=0, max_value=10 ** 9, places=2)

INSURER_HEADER = (
    'siren;insurer;policy;insured_limit;currency;decision_date;'
    'expiry_date;coverage_percent')
SIRENE_HEADER = (
    'siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,'
    'dateCreationUniteLegale,sigleUniteLegale,prenom1UniteLegale,'
    'nomUniteLegale,denominationUniteLegale,categorieJuridiqueUniteLegale,'
    'activitePrincipaleUniteLegale,etatAdministratifUniteLegale')


def sirene_line(siren, created='1984-01-01', first='', last='',
        name='', form='5710', activity='62.01Z', state='A'):
    cells = [siren, 'O', '', created, '', first, last, name, form,
        activity, state]
    return ','.join(cells)


class IdentityTestCase(unittest.TestCase):
    "SIREN, SIRET and VAT consistency"

    def test_vat_from_siren(self):
        vat = identity.vat_from_siren('732 829 320')
        self.assertEqual(vat, 'FR44732829320')
        self.assertTrue(fr_tva.is_valid(vat))
        self.assertEqual(vat, 'FR' + fr_siren.to_tva('732829320'))

    def test_vat_from_invalid_siren(self):
        with self.assertRaises(identity.IdentifierError) as cm:
            identity.vat_from_siren('732829321')
        self.assertEqual(cm.exception.code, 'invalid_siren')
        self.assertEqual(cm.exception.siren, '732829321')

    def test_consistent(self):
        self.assertEqual(
            identity.check_consistency(
                siren='732 829 320', siret='732 829 320 00074',
                vat='fr 44 732 829 320'),
            ('732829320', '73282932000074', 'FR44732829320'))

    def test_empty_values_ignored(self):
        self.assertEqual(
            identity.check_consistency(siren='', siret=None, vat='  '),
            (None, None, None))

    def test_vat_mismatch(self):
        with self.assertRaises(identity.IdentifierError) as cm:
            identity.check_consistency(
                siren='732829320', vat='FR40303265045')
        self.assertEqual(cm.exception.code, 'vat_siren_mismatch')
        self.assertEqual(cm.exception.vat, 'FR40303265045')
        self.assertEqual(cm.exception.siren, '732829320')
        self.assertIsInstance(cm.exception, ValueError)

    def test_vat_mismatch_siret(self):
        "Without SIREN the VAT is compared with the SIRET's SIREN"
        with self.assertRaises(identity.IdentifierError) as cm:
            identity.check_consistency(
                siret='73282932000074', vat='FR40303265045')
        self.assertEqual(cm.exception.code, 'vat_siren_mismatch')
        self.assertEqual(cm.exception.siren, '732829320')

    def test_siret_mismatch(self):
        with self.assertRaises(identity.IdentifierError) as cm:
            identity.check_consistency(
                siren='303265045', siret='73282932000074')
        self.assertEqual(cm.exception.code, 'siret_siren_mismatch')
        self.assertEqual(cm.exception.siret, '73282932000074')
        self.assertEqual(cm.exception.siren, '303265045')

    def test_invalid_identifiers(self):
        for kwargs, code in [
                ({'siren': '732829321'}, 'invalid_siren'),
                ({'siren': '73282932'}, 'invalid_siren'),
                ({'siret': '73282932000075'}, 'invalid_siret'),
                ({'vat': 'FR45732829320'}, 'invalid_vat'),
                ({'vat': '44732829320'}, 'invalid_vat'),
                ({'siren': 732829320}, 'invalid_siren'),
                ]:
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(identity.IdentifierError) as cm:
                    identity.check_consistency(**kwargs)
                self.assertEqual(cm.exception.code, code)

    def test_la_poste(self):
        "La Poste establishments are validated by stdnum's own rule"
        siret = '35600000049837'
        self.assertTrue(fr_siret.is_valid(siret))
        self.assertFalse(luhn.is_valid(siret))
        self.assertEqual(
            identity.check_consistency(siren='356000000', siret=siret),
            ('356000000', siret, None))

    def test_foreign_vat_not_compared(self):
        self.assertEqual(
            identity.check_consistency(
                siren='732829320', vat='DE 136 695 976'),
            ('732829320', None, 'DE136695976'))

    @PROPERTIES
    @given(sirens, st.integers(0, 9999))
    def test_derived_identifiers_consistent(self, siren, nic):
        vat = identity.vat_from_siren(siren)
        self.assertTrue(fr_tva.is_valid(vat))
        base = f'{siren}{nic:04d}'
        siret = base + luhn.calc_check_digit(base)
        assume(not siret.startswith('356000000'))
        self.assertEqual(
            identity.check_consistency(siren, siret, vat),
            (siren, siret, vat))


class CreditTestCase(unittest.TestCase):
    "Exposure, credit-limit usage and insurance"

    def test_seed_example(self):
        exposure = credit.compute_exposure(
            overdue=D(10000), not_yet_due=D(40000),
            unallocated_credits=D(5000))
        self.assertEqual(exposure.exposure, D(45000))
        self.assertEqual(exposure.overdue, D(10000))
        self.assertEqual(exposure.not_yet_due, D(40000))
        self.assertEqual(exposure.open_receivable, D(50000))

    def test_optional_amounts(self):
        kwargs = {'overdue': 100, 'not_yet_due': 200,
            'unallocated_credits': 50, 'posted_unpaid': 30, 'draft': 20}
        self.assertEqual(
            credit.compute_exposure(**kwargs).exposure, D(250))
        self.assertEqual(credit.compute_exposure(
                include_posted_unpaid=True, **kwargs).exposure, D(280))
        self.assertEqual(credit.compute_exposure(
                include_posted_unpaid=True, include_draft=True,
                **kwargs).exposure, D(300))

    def test_customer_in_credit(self):
        exposure = credit.compute_exposure(0, 100, unallocated_credits=300)
        self.assertEqual(exposure.total, D(-200))
        self.assertEqual(exposure.exposure, 0)
        self.assertEqual(credit.usage_percent(exposure, 1000), 0)
        self.assertEqual(credit.uncovered_exposure(D(-200), D(0)), 0)

    def test_invalid_amounts(self):
        for value in [D(-1), D('NaN'), float('inf'), '10', True]:
            with self.subTest(value=value):
                with self.assertRaises(credit.CreditError) as cm:
                    credit.compute_exposure(value, 0)
                self.assertEqual(cm.exception.code, 'invalid_amount')
                self.assertEqual(cm.exception.name, 'overdue')

    def test_usage_and_alert(self):
        exposure = credit.compute_exposure(10000, 40000, 5000)
        usage = credit.usage_percent(exposure, D(60000))
        self.assertEqual(usage, D(75))
        self.assertEqual(credit.alert_level(usage), D(70))
        self.assertEqual(credit.alert_level(D('49.99')), None)
        self.assertEqual(credit.alert_level(D(50)), D(50))
        self.assertEqual(credit.alert_level(D(90)), D(90))
        self.assertEqual(credit.alert_level(D(250)), D(90))
        self.assertEqual(credit.alert_level(D(85), [80, 95]), D(80))

    def test_no_limit(self):
        self.assertIsNone(credit.usage_percent(D(45000), None))
        self.assertIsNone(credit.alert_level(None))
        status = credit.credit_usage(D(45000), None)
        self.assertEqual(
            (status.usage, status.alert, status.over_limit, status.headroom),
            (None, None, False, None))

    def test_zero_limit(self):
        "A limit of 0 means no credit: any exposure is over limit"
        self.assertEqual(
            credit.usage_percent(D(1), D(0)), D('Infinity'))
        self.assertEqual(credit.usage_percent(D(0), D(0)), D(0))
        status = credit.credit_usage(D(1), D(0))
        self.assertEqual(status.alert, D(90))
        self.assertTrue(status.over_limit)
        self.assertEqual(status.headroom, D(-1))

    def test_credit_usage(self):
        status = credit.credit_usage(D(45000), D(40000))
        self.assertEqual(status.usage, D('112.5'))
        self.assertEqual(status.alert, D(90))
        self.assertTrue(status.over_limit)
        self.assertEqual(status.headroom, D(-5000))

    def test_invalid_thresholds(self):
        for thresholds in [[], [50, 50], [-1], ['x'], None]:
            with self.subTest(thresholds=thresholds):
                with self.assertRaises(credit.CreditError) as cm:
                    credit.alert_level(D(10), thresholds)
                self.assertEqual(cm.exception.code, 'invalid_thresholds')

    def test_insurance(self):
        self.assertEqual(
            credit.uncovered_exposure(D(45000), D(30000)), D(15000))
        self.assertEqual(credit.uncovered_exposure(D(45000), D(50000)), 0)
        self.assertEqual(credit.uncovered_exposure(D(45000), None),
            D(45000))
        self.assertEqual(
            credit.insured_indemnity(D(20000), D(15000), D(90)), D(13500))
        self.assertEqual(
            credit.insured_indemnity(D(10000), D(15000), D(90)), D(9000))
        self.assertEqual(credit.insured_indemnity(D(10000), None, 90), 0)
        for coverage in [D(101), D(-1), None]:
            with self.assertRaises(credit.CreditError) as cm:
                credit.insured_indemnity(D(1), D(1), coverage)
            self.assertEqual(cm.exception.code, 'invalid_coverage')

    @PROPERTIES
    @given(amounts, amounts, amounts, st.one_of(st.none(), amounts))
    def test_uncovered_positive(
            self, overdue, not_yet_due, credits, insured_limit):
        exposure = credit.compute_exposure(overdue, not_yet_due, credits)
        uncovered = credit.uncovered_exposure(exposure, insured_limit)
        self.assertGreaterEqual(uncovered, 0)
        self.assertLessEqual(uncovered, exposure.exposure)

    @PROPERTIES
    @given(amounts, amounts, st.integers(0, 100))
    def test_indemnity_bounded(self, loss, insured_limit, coverage):
        indemnity = credit.insured_indemnity(loss, insured_limit, coverage)
        self.assertGreaterEqual(indemnity, 0)
        self.assertLessEqual(indemnity, min(loss, insured_limit))

    @PROPERTIES
    @given(amounts, amounts, st.one_of(st.none(), amounts))
    def test_alert_monotonic(self, exposure, extra, limit):
        low = credit.credit_usage(exposure, limit)
        high = credit.credit_usage(exposure + extra, limit)
        self.assertLessEqual(low.alert or 0, high.alert or 0)


def behaviours():
    "Strategy of valid PaymentBehaviour"
    days = st.one_of(
        st.integers(-30, 400),
        st.floats(-30, 400, allow_nan=False))

    @st.composite
    def build(draw):
        count = draw(st.integers(0, 500))
        levels = draw(st.integers(0, 6))
        receivable = draw(amounts)
        values = {
            'avg_days_late': draw(days),
            'recent_days_late': draw(st.one_of(st.none(), days)),
            'invoice_count': count,
            'late_invoice_count': draw(st.integers(0, count)),
            'open_disputes': draw(st.integers(0, 20)),
            'disputed_amount': draw(amounts),
            'open_receivable': receivable,
            'broken_promises': draw(st.integers(0, 20)),
            'followup_level': draw(st.integers(0, levels)),
            'followup_levels': levels,
            'external_grade': draw(st.one_of(
                    st.none(), st.floats(0, 100, allow_nan=False))),
            'legal_status': draw(st.sampled_from(scoring.LEGAL_STATUSES)),
            }
        return scoring.PaymentBehaviour(**values)
    return build()


@st.composite
def weights(draw):
    w = st.integers(0, 50)
    days_late = draw(st.integers(1, 50))
    return scoring.Weights(
        days_late=days_late, trend=draw(st.integers(0, days_late)),
        late_share=draw(w), disputes=draw(w), broken_promises=draw(w),
        followup_level=draw(w), external_grade=draw(w))


PERFECT = scoring.PaymentBehaviour(
    avg_days_late=-2, recent_days_late=0, invoice_count=40,
    open_receivable=12000, followup_levels=4, external_grade=100)
CHRONIC = scoring.PaymentBehaviour(
    avg_days_late=75, recent_days_late=90, invoice_count=20,
    late_invoice_count=18, open_disputes=2, disputed_amount=3000,
    open_receivable=30000, broken_promises=4, followup_level=3,
    followup_levels=4, external_grade=25)


class ScoringTestCase(unittest.TestCase):
    "Payment-behaviour score and risk class"

    def test_default_weights(self):
        weights = scoring.Weights()
        self.assertEqual(sum(
                getattr(weights, f.name)
                for f in dataclasses.fields(weights)), 100)

    def test_perfect_payer(self):
        result = scoring.compute_score(PERFECT)
        self.assertEqual(result.score, 100)
        self.assertEqual(result.risk_class, scoring.RISK_LOW)
        self.assertTrue(all(c.points == 0 for c in result.contributions))
        self.assertIsNone(result.cap)

    def test_chronic_late_payer(self):
        result = scoring.compute_score(CHRONIC)
        self.assertEqual(result.risk_class, scoring.RISK_CRITICAL)
        # disputes: 2 open disputes (2/3) outweigh 10 % of the receivable
        # disputed (0.1 / 0.5 = 0.2): 2/3 x 10 = 6.67 points
        points = {c.factor: c.points for c in result.contributions}
        self.assertEqual(points, {
                'days_late': 30, 'trend': 0, 'late_share': 13.5,
                'disputes': 6.67, 'broken_promises': 15,
                'followup_level': 7.5, 'external_grade': 7.5})
        self.assertEqual(result.score, 19.83)

    def test_contributions_explain_score(self):
        result = scoring.compute_score(CHRONIC)
        self.assertAlmostEqual(
            100 - result.score,
            sum(c.points for c in result.contributions), delta=0.05)
        self.assertEqual(
            [c.factor for c in result.contributions],
            ['days_late', 'trend', 'late_share', 'disputes',
                'broken_promises', 'followup_level', 'external_grade'])

    def test_trend_worsening_lowers_score(self):
        stable = dataclasses.replace(
            PERFECT, avg_days_late=10, recent_days_late=10)
        worse = dataclasses.replace(stable, recent_days_late=40)
        stable_score = scoring.compute_score(stable).score
        worse_score = scoring.compute_score(worse).score
        self.assertLess(worse_score, stable_score)
        # trend penalty: P(40) - P(10) = 40/60 - 10/60 = 0.5, x 10 points
        self.assertAlmostEqual(stable_score - worse_score, 5, places=2)
        better = dataclasses.replace(stable, recent_days_late=0)
        self.assertEqual(scoring.compute_score(better).score, stable_score)

    def test_legal_status_caps(self):
        for status in ['ceased', 'collective_proceedings']:
            with self.subTest(status=status):
                result = scoring.compute_score(
                    dataclasses.replace(PERFECT, legal_status=status))
                self.assertEqual(result.score, 10)
                self.assertEqual(result.cap, 10)
                self.assertEqual(result.uncapped_score, 100)
                self.assertEqual(result.risk_class, scoring.RISK_CRITICAL)
        result = scoring.compute_score(
            dataclasses.replace(CHRONIC, avg_days_late=400,
                legal_status='ceased'),
            status_caps={'ceased': 50})
        self.assertIsNone(result.cap)

    def test_missing_grade_rescales(self):
        result = scoring.compute_score(
            dataclasses.replace(PERFECT, avg_days_late=60,
                external_grade=None))
        self.assertEqual(result.score, round(100 - 30 * 100 / 90, 2))
        grade = result.contributions[-1]
        self.assertEqual((grade.value, grade.weight), (None, 0))

    def test_risk_class(self):
        for score, expected in [(100, 'low'), (70, 'low'),
                (69.99, 'medium'), (50, 'medium'), (30, 'high'),
                (29.99, 'critical'), (0, 'critical')]:
            self.assertEqual(scoring.risk_class(score), expected)
        thresholds = scoring.RiskThresholds(low=80, medium=60, high=40)
        self.assertEqual(scoring.risk_class(75, thresholds), 'medium')

    def test_invalid_parameters(self):
        for factory, code in [
                (lambda: scoring.Weights(trend=40), 'trend_weight_too_high'),
                (lambda: scoring.Weights(disputes=-1), 'invalid_weights'),
                (lambda: scoring.Weights(**{f.name: 0
                            for f in dataclasses.fields(scoring.Weights)
                            if f.name != 'external_grade'}), 'no_weight'),
                (lambda: scoring.Curves(days_late_full=0), 'invalid_curves'),
                (lambda: scoring.RiskThresholds(low=40),
                    'invalid_thresholds'),
                (lambda: scoring.RiskThresholds(low=101),
                    'invalid_thresholds'),
                ]:
            with self.assertRaises(scoring.ScoringError) as cm:
                factory()
            self.assertEqual(cm.exception.code, code)

    def test_invalid_behaviour(self):
        for changes, code in [
                ({'legal_status': 'dormant'}, 'invalid_legal_status'),
                ({'avg_days_late': float('nan')}, 'invalid_value'),
                ({'broken_promises': -1}, 'invalid_value'),
                ({'external_grade': 101}, 'invalid_value'),
                ({'late_invoice_count': 41}, 'late_count_exceeds_count'),
                ({'followup_level': 5}, 'level_exceeds_levels'),
                ]:
            with self.subTest(changes=changes):
                with self.assertRaises(scoring.ScoringError) as cm:
                    scoring.compute_score(
                        dataclasses.replace(PERFECT, **changes))
                self.assertEqual(cm.exception.code, code)
        with self.assertRaises(scoring.ScoringError) as cm:
            scoring.compute_score(
                dataclasses.replace(PERFECT, legal_status='ceased'),
                status_caps={'ceased': 120})
        self.assertEqual(cm.exception.code, 'invalid_cap')
        self.assertEqual(cm.exception.legal_status, 'ceased')

    @PROPERTIES
    @given(behaviours(), weights())
    def test_score_bounded(self, behaviour, weights):
        result = scoring.compute_score(behaviour, weights)
        self.assertGreaterEqual(result.score, 0)
        self.assertLessEqual(result.score, 100)
        self.assertIn(result.risk_class, scoring.RISK_CLASSES)
        if behaviour.legal_status != 'active':
            self.assertLessEqual(result.score, 10)

    @PROPERTIES
    @given(behaviours(), weights(), st.floats(0, 500, allow_nan=False),
        st.booleans())
    def test_more_days_late_not_higher(
            self, behaviour, weights, extra, recent):
        if recent and behaviour.recent_days_late is not None:
            later = dataclasses.replace(behaviour,
                recent_days_late=behaviour.recent_days_late + extra)
        else:
            later = dataclasses.replace(behaviour,
                avg_days_late=behaviour.avg_days_late + extra)
        self.assertLessEqual(
            scoring.compute_score(later, weights).score,
            scoring.compute_score(behaviour, weights).score)

    @PROPERTIES
    @given(behaviours(), weights(), st.integers(1, 10))
    def test_more_broken_promises_not_higher(
            self, behaviour, weights, extra):
        worse = dataclasses.replace(behaviour,
            broken_promises=behaviour.broken_promises + extra)
        self.assertLessEqual(
            scoring.compute_score(worse, weights).score,
            scoring.compute_score(behaviour, weights).score)

    @PROPERTIES
    @given(behaviours(), st.integers(1, 10), amounts)
    def test_more_disputes_not_higher(self, behaviour, extra, amount):
        worse = dataclasses.replace(behaviour,
            open_disputes=behaviour.open_disputes + extra,
            disputed_amount=behaviour.disputed_amount + amount)
        self.assertLessEqual(
            scoring.compute_score(worse).score,
            scoring.compute_score(behaviour).score)


class MeasurePaymentsTestCase(unittest.TestCase):
    "Days late, trend and late share measured from the instalments"

    today = dt.date(2025, 6, 30)

    def instalment(self, due, amount, paid=None, count=1):
        return scoring.Instalment(
            due_date=dt.date.fromisoformat(due), amount=amount,
            paid_on=dt.date.fromisoformat(paid) if paid else None,
            count=count)

    def test_amount_weighted(self):
        # 1,000 paid 30 days late and 3,000 paid 10 days early:
        # (1000 x 30 + 3000 x 0) / 4000 = 7.5 days
        avg, recent, count, late = scoring.measure_payments([
                self.instalment('2025-01-31', 1000, '2025-03-02'),
                self.instalment('2025-02-28', 3000, '2025-02-18'),
                ], self.today)
        self.assertEqual((avg, recent, count, late), (7.5, None, 2, 1))

    def test_open_overdue_counts_until_today(self):
        avg, _, count, late = scoring.measure_payments([
                self.instalment('2025-05-31', 500),
                self.instalment('2025-07-31', 9000),
                ], self.today)
        # the instalment not yet due is left out
        self.assertEqual((avg, count, late), (30, 1, 1))

    def test_recent_trend(self):
        history = [self.instalment(f'2024-{m:02d}-01', 100, f'2024-{m:02d}-01')
            for m in range(1, 11)]
        recent = [self.instalment('2025-03-01', 100, '2025-04-30'),
            self.instalment('2025-04-01', 200, '2025-05-31', count=2)]
        avg, trend, count, late = scoring.measure_payments(
            history + recent, self.today, recent=2)
        self.assertEqual((count, late), (13, 3))
        # the last two instalments: the group of 2 due on 2025-04-01,
        # paid 60 days late
        self.assertEqual(trend, 60)
        self.assertAlmostEqual(avg, (60 * 100 + 60 * 200) / 1300)
        result = scoring.compute_score(scoring.PaymentBehaviour(
                avg_days_late=avg, recent_days_late=trend,
                invoice_count=count, late_invoice_count=late))
        self.assertEqual(
            {c.factor: c.points for c in result.contributions}['trend'],
            # no external grade: the weight 10 is scaled to 10 x 100 / 90
            round(10 * 100 / 90 * (1 - avg / 60), 2))

    def test_nothing_measured(self):
        self.assertEqual(scoring.measure_payments([], self.today),
            (0.0, None, 0, 0))
        with self.assertRaises(scoring.ScoringError):
            scoring.measure_payments([], self.today, recent=0)

    @PROPERTIES
    @given(st.lists(st.tuples(st.integers(-400, 0), st.integers(-30, 200),
                st.integers(1, 10 ** 6), st.booleans()), max_size=30),
        st.integers(1, 10))
    def test_measures_bounded(self, rows, recent):
        instalments = [scoring.Instalment(
                due_date=self.today + dt.timedelta(days=due),
                amount=amount,
                paid_on=(self.today + dt.timedelta(days=due + delay)
                    if paid else None))
            for due, delay, amount, paid in rows]
        avg, trend, count, late = scoring.measure_payments(
            instalments, self.today, recent=recent)
        self.assertLessEqual(late, count)
        worst = max([0] + [max(delay, 0) if paid else -due
                for due, delay, _, paid in rows])
        self.assertLessEqual(avg, worst + 1e-6)
        self.assertGreaterEqual(avg, 0)
        if trend is not None:
            self.assertGreater(count, recent)
            self.assertLessEqual(trend, worst + 1e-6)
        # the measures always make a valid behaviour
        scoring.compute_score(scoring.PaymentBehaviour(
                avg_days_late=avg, recent_days_late=trend,
                invoice_count=count, late_invoice_count=late))


def insurer_file(*lines, header=INSURER_HEADER, bom=False, sep='\n'):
    data = sep.join((header,) + lines).encode('utf-8')
    return (b'\xef\xbb\xbf' if bom else b'') + data


VALID_INSURER = '732829320;Allianz Trade;P-1;50000;EUR;2025-01-15;;90'
# (column, value) replacements that keep VALID_INSURER valid
VALID_CHANGES = {
    (3, '73282932'), (3, '732829321'), (3, '101'), (6, '')}


class ChunkedStream(io.RawIOBase):
    "Binary stream generating its lines lazily, recording read sizes"

    def __init__(self, header, lines):
        self._chunks = iter([header.encode() + b'\n'] + [
                line.encode() + b'\n' for line in lines])
        self._pending = b''
        self.reads = []

    def readable(self):
        return True

    def readinto(self, buffer):
        self.reads.append(len(buffer))
        while not self._pending:
            self._pending = next(self._chunks, None)
            if self._pending is None:
                self._pending = b''
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class InsurerImportTestCase(unittest.TestCase):
    "Insurer decisions CSV"

    def test_valid_file(self):
        rows, errors = importers.parse_insurer_decisions(insurer_file(
                VALID_INSURER,
                '303 265 045;Coface;;"1 234,56";EUR;2025-02-01;'
                '2026-01-31;95,5',
                bom=True, sep='\r\n'))
        self.assertEqual(errors, [])
        self.assertEqual(rows[0], importers.InsurerDecision(
                line=2, siren='732829320', insurer='Allianz Trade',
                policy='P-1', insured_limit=D(50000), currency='EUR',
                decision_date=dt.date(2025, 1, 15), expiry_date=None,
                coverage_percent=D(90)))
        self.assertEqual(
            (rows[1].siren, rows[1].insured_limit, rows[1].expiry_date,
                rows[1].coverage_percent),
            ('303265045', D('1234.56'), dt.date(2026, 1, 31), D('95.5')))

    def test_comma_delimiter_and_column_order(self):
        header = ('Coverage_Percent,siren,insurer,policy,insured_limit,'
            'currency,decision_date,expiry_date,comment')
        rows, errors = importers.parse_insurer_decisions(insurer_file(
                '"90,5",732829320,Atradius,,"1000,5",EUR,2025-01-01,,x',
                header=header))
        self.assertEqual(errors, [])
        self.assertEqual(
            (rows[0].coverage_percent, rows[0].insured_limit),
            (D('90.5'), D('1000.5')))

    def test_line_errors(self):
        lines = [
            VALID_INSURER.replace('732829320', '732829321'),
            VALID_INSURER.replace('50000', '50 000.x'),
            VALID_INSURER.replace('50000', '-5'),
            VALID_INSURER.replace('EUR', 'eur'),
            VALID_INSURER.replace('2025-01-15', '15/01/2025'),
            VALID_INSURER.replace('2025-01-15', '2025-02-30'),
            VALID_INSURER.replace(';;90', ';2024-12-31;90'),
            VALID_INSURER.replace(';90', ';100.01'),
            VALID_INSURER.replace('Allianz Trade', ''),
            VALID_INSURER + ';extra',
            VALID_INSURER.replace('P-1', 'P\x001'),
            '',
            VALID_INSURER,
            ]
        rows, errors = importers.parse_insurer_decisions(
            insurer_file(*lines))
        self.assertEqual([r.line for r in rows], [14])
        self.assertEqual([(line, code) for line, code, _ in errors], [
                (2, 'invalid_siren'), (3, 'invalid_amount'),
                (4, 'invalid_amount'), (5, 'invalid_currency'),
                (6, 'invalid_date'), (7, 'invalid_date'),
                (8, 'expiry_before_decision'), (9, 'invalid_coverage'),
                (10, 'missing_value'), (11, 'wrong_column_count'),
                (12, 'invalid_character')])
        self.assertEqual(errors[1][2],
            {'column': 'insured_limit', 'value': '50 000.x'})

    def test_multiline_cell_line_numbers(self):
        rows, errors = importers.parse_insurer_decisions(insurer_file(
                VALID_INSURER.replace('P-1', '"P\n1"'),
                VALID_INSURER.replace('EUR', 'EURO')))
        self.assertEqual(rows[0].policy, 'P\n1')
        self.assertEqual(errors[0][:2], (4, 'invalid_currency'))

    def test_formula_kept_raw(self):
        rows, errors = importers.parse_insurer_decisions(insurer_file(
                VALID_INSURER.replace('Allianz Trade', '=HYPERLINK("x")')
                .replace('P-1', '@SUM(A1)')))
        self.assertEqual(errors, [])
        self.assertEqual(rows[0].insurer, '=HYPERLINK("x")')
        self.assertEqual(importers.csv_safe(rows[0].insurer),
            '\'=HYPERLINK("x")')
        self.assertEqual(importers.csv_safe(rows[0].policy), "'@SUM(A1)")

    def test_csv_safe(self):
        for value in ['=1+1', '+33', '-2', '@x', '\tx', '\rx']:
            self.assertEqual(importers.csv_safe(value), "'" + value)
        for value in ['ACME', '', ' =1', "'=1", 42, None]:
            self.assertEqual(importers.csv_safe(value), value)

    def assertFileError(self, data, code, **kwargs):
        with self.assertRaises(importers.ImportFileError) as cm:
            importers.parse_insurer_decisions(data, **kwargs)
        self.assertEqual(cm.exception.code, code)
        return cm.exception

    def test_file_errors(self):
        self.assertFileError(b'', 'empty_file')
        self.assertFileError(b'\n\n', 'empty_file')
        self.assertFileError(b'\xef\xbb\xbf', 'empty_file')
        error = self.assertFileError(
            b'siren;insurer;insured_limit\n', 'missing_columns')
        self.assertIn('coverage_percent', error.columns)
        self.assertNotIn('siren', error.columns)
        self.assertFileError(
            insurer_file(header=INSURER_HEADER + ';SIREN'),
            'duplicate_columns')
        cp1252 = insurer_file(
            VALID_INSURER.replace('Allianz Trade', 'Société')
            ).decode().encode('cp1252')
        self.assertFileError(cp1252, 'not_utf8')
        error = self.assertFileError(
            insurer_file(*['x'] * 11), 'too_many_errors', max_errors=10)
        self.assertEqual(error.max_errors, 10)
        data = insurer_file(VALID_INSURER)
        self.assertFileError(data, 'file_too_large', max_size=len(data) - 1)
        self.assertEqual(len(importers.parse_insurer_decisions(
                    data, max_size=len(data))[0]), 1)

    def test_stream_size_limit(self):
        stream = ChunkedStream(INSURER_HEADER, [VALID_INSURER] * 1000)
        with self.assertRaises(importers.ImportFileError) as cm:
            importers.parse_insurer_decisions(stream, max_size=10000)
        self.assertEqual(cm.exception.code, 'file_too_large')
        self.assertEqual(cm.exception.max_size, 10000)

    @PROPERTIES
    @given(st.binary(max_size=2000))
    def test_fuzz_bytes(self, noise):
        for data in [noise, INSURER_HEADER.encode() + b'\n' + noise]:
            try:
                rows, errors = importers.parse_insurer_decisions(data)
            except importers.ImportFileError:
                continue
            lines = {line for line, _, _ in errors}
            for row in rows:
                self.assertNotIn(row.line, lines)
                self.assertTrue(fr_siren.is_valid(row.siren))
                self.assertTrue(0 <= row.coverage_percent <= 100)
                self.assertGreaterEqual(row.insured_limit, 0)

    @PROPERTIES
    @given(st.lists(st.tuples(
                st.integers(0, 7),
                st.sampled_from([
                        '', '73282932', '732829321', 'x', '-1', '1e3',
                        '2025-1-01', '101', '=1+1', '12,5,5', 'EURO',
                        '2025-13-01', '1.2.3', '١٢٣']),
                st.booleans()), max_size=30))
    def test_no_row_for_malformed_line(self, changes):
        lines, bad = [], set()
        for number, (column, value, corrupt) in enumerate(changes, 2):
            cells = VALID_INSURER.split(';')
            if corrupt and column not in (1, 2):  # insurer, policy free
                cells[column] = value
                if (column, value) not in VALID_CHANGES:
                    bad.add(number)
            lines.append(';'.join(cells))
        rows, errors = importers.parse_insurer_decisions(
            insurer_file(*lines))
        row_lines = {r.line for r in rows}
        error_lines = {line for line, _, _ in errors}
        self.assertFalse(row_lines & error_lines)
        self.assertFalse(row_lines & bad)
        self.assertEqual(row_lines | error_lines,
            set(range(2, len(lines) + 2)))


class SireneImportTestCase(unittest.TestCase):
    "INSEE SIRENE StockUniteLegale CSV"

    def test_filter_and_names(self):
        data = '\n'.join([
                SIRENE_HEADER,
                sirene_line('732829320', name='LVMH', form='5599',
                    activity='70.10Z'),
                sirene_line('303265045', created='', first='Jean',
                    last='DUPONT', name='', form='1000', state='C'),
                sirene_line('552100554', form='55'),
                sirene_line('356000000', name='LA POSTE'),
                ]).encode()
        rows, errors = importers.parse_sirene(
            data, {'732 829 320', '303265045', '552100554'})
        self.assertEqual(rows, [
                importers.LegalUnit(
                    line=2, siren='732829320', name='LVMH',
                    legal_form='5599', activity='70.10Z', active=True,
                    creation_date=dt.date(1984, 1, 1)),
                importers.LegalUnit(
                    line=3, siren='303265045', name='Jean DUPONT',
                    legal_form='1000', activity='62.01Z', active=False,
                    creation_date=None),
                ])
        self.assertEqual(errors, [(4, 'invalid_legal_form', {
                        'column': 'categorieJuridiqueUniteLegale',
                        'value': '55', 'siren': '552100554'})])

    def test_unwanted_lines_not_validated(self):
        data = '\n'.join([
                SIRENE_HEADER,
                sirene_line('732829320', state='X'),
                sirene_line('732829320', state='X') + ',extra',
                sirene_line('303265045', name='ACME'),
                ]).encode()
        rows, errors = importers.parse_sirene(data, {'303265045'})
        self.assertEqual([r.name for r in rows], ['ACME'])
        self.assertEqual(errors, [
                (3, 'wrong_column_count', {'expected': 11, 'found': 12})])

    def test_line_errors(self):
        data = '\n'.join([
                SIRENE_HEADER,
                sirene_line('732829320', state='X'),
                sirene_line('732829320', created='1984-01'),
                sirene_line('732829320', state=''),
                ]).encode()
        rows, errors = importers.parse_sirene(data, {'732829320'})
        self.assertEqual(rows, [])
        self.assertEqual([e[:2] for e in errors], [
                (2, 'invalid_state'), (3, 'invalid_date'),
                (4, 'missing_value')])

    def test_semicolon_rejected(self):
        with self.assertRaises(importers.ImportFileError) as cm:
            importers.parse_sirene(
                SIRENE_HEADER.replace(',', ';').encode(), {'732829320'})
        self.assertEqual(cm.exception.code, 'missing_columns')

    def test_streamed(self):
        "The stock file is read in small chunks, never as a whole"
        lines = (sirene_line(siren_of(n), name=f'UNIT {n}')
            for n in range(20000))
        stream = ChunkedStream(SIRENE_HEADER, lines)
        rows, errors = importers.parse_sirene(
            stream, {siren_of(13), siren_of(1999)}, max_size=None)
        self.assertEqual(errors, [])
        self.assertEqual([(r.line, r.name) for r in rows],
            [(15, 'UNIT 13'), (2001, 'UNIT 1999')])
        self.assertLessEqual(max(stream.reads), 64 * 1024)
        self.assertGreater(len(stream.reads), 10)

    @PROPERTIES
    @given(st.binary(max_size=2000), st.sets(sirens, max_size=3))
    def test_fuzz_bytes(self, noise, wanted):
        for data in [noise, SIRENE_HEADER.encode() + b'\n' + noise]:
            try:
                rows, errors = importers.parse_sirene(data, wanted)
            except importers.ImportFileError:
                continue
            lines = {line for line, _, _ in errors}
            for row in rows:
                self.assertNotIn(row.line, lines)
                self.assertIn(row.siren, wanted)

    @PROPERTIES
    @given(st.text(max_size=300))
    def test_fuzz_text(self, text):
        data = (SIRENE_HEADER + '\n' + sirene_line('732829320') + text
            ).encode('utf-8', 'surrogatepass')
        try:
            rows, errors = importers.parse_sirene(data, None)
        except importers.ImportFileError as error:
            self.assertEqual(error.code, 'not_utf8')
            return
        lines = {line for line, _, _ in errors}
        for row in rows:
            self.assertNotIn(row.line, lines)
            self.assertTrue(fr_siren.is_valid(row.siren))


class CompanyDataTestCase(unittest.TestCase):
    "Providers of company data and the changes they make to a party"

    def fetch(self, data, sirens=('732829320',), **kwargs):
        provider = company_data.get_provider('sirene_file', **kwargs)
        return provider.fetch(set(sirens), data=data)

    def file(self, *lines):
        return '\n'.join((SIRENE_HEADER,) + lines).encode()

    def test_registry(self):
        self.assertIs(
            company_data.PROVIDERS['sirene_file'],
            company_data.SireneFileProvider)

        class Fake(company_data.Provider):
            code = 'test_fake'

            def fetch(self, sirens, data=None):
                return [importers.LegalUnit(line=1, siren=s, name='X',
                            legal_form='5710', activity='', active=True,
                            creation_date=None) for s in sorted(sirens)], []
        try:
            company_data.register(Fake)
            rows, errors = company_data.get_provider('test_fake').fetch(
                {'732829320'})
            self.assertEqual([r.siren for r in rows], ['732829320'])
        finally:
            del company_data.PROVIDERS['test_fake']
        with self.assertRaises(ValueError):
            company_data.register(company_data.Provider)

    def test_bad_encoding(self):
        data = self.file(sirene_line('732829320', name='SOCIÉTÉ'))
        with self.assertRaises(importers.ImportFileError) as cm:
            self.fetch(data.decode().encode('cp1252'))
        self.assertEqual(cm.exception.code, 'not_utf8')

    def test_wrong_columns(self):
        with self.assertRaises(importers.ImportFileError) as cm:
            self.fetch(b'siren,denominationUniteLegale\n732829320,X\n')
        self.assertEqual(cm.exception.code, 'missing_columns')
        self.assertIn('etatAdministratifUniteLegale', cm.exception.columns)
        with self.assertRaises(importers.ImportFileError) as cm:
            self.fetch((SIRENE_HEADER + ',siren\n').encode())
        self.assertEqual(cm.exception.code, 'duplicate_columns')

    def test_formula_cells(self):
        "A formula is never evaluated: kept raw in a name, refused in a code"
        rows, errors = self.fetch(self.file(
                sirene_line('732829320', name='=HYPERLINK("http://x")'),
                sirene_line('732829320', activity='=1+1'),
                sirene_line('732829320', form='@SUM'),
                ))
        self.assertEqual([r.name for r in rows], ['=HYPERLINK("http://x")'])
        self.assertEqual(errors, [
                (3, 'invalid_activity', {
                        'column': 'activitePrincipaleUniteLegale',
                        'value': '=1+1', 'siren': '732829320'}),
                (4, 'invalid_legal_form', {
                        'column': 'categorieJuridiqueUniteLegale',
                        'value': '@SUM', 'siren': '732829320'}),
                ])

    def test_activity_codes(self):
        for code in ['62.01Z', '74.1A', '741A', '7401']:
            rows, errors = self.fetch(self.file(
                    sirene_line('732829320', activity=code)))
            self.assertEqual((rows[0].activity, errors), (code, []))

    def test_huge_file(self):
        data = self.file(*(sirene_line(siren_of(n)) for n in range(2000)))
        with self.assertRaises(importers.ImportFileError) as cm:
            self.fetch(data, max_size=len(data) - 1)
        self.assertEqual(cm.exception.code, 'file_too_large')
        stream = ChunkedStream(SIRENE_HEADER,
            (sirene_line(siren_of(n)) for n in range(2000)))
        with self.assertRaises(importers.ImportFileError) as cm:
            self.fetch(stream, max_size=10000)
        self.assertEqual(cm.exception.code, 'file_too_large')

    def unit(self, **values):
        defaults = dict(line=2, siren='732829320', name='X',
            legal_form='5710', activity='62.01Z', active=True,
            creation_date=dt.date(1984, 1, 1))
        return importers.LegalUnit(**{**defaults, **values})

    def test_legal_changes(self):
        current = {'legal_form': None, 'naf_code': None,
            'legal_creation_date': None, 'legal_status': 'active'}
        self.assertEqual(company_data.legal_changes(current, self.unit()), {
                'legal_form': '5710', 'naf_code': '62.01Z',
                'legal_creation_date': dt.date(1984, 1, 1)})
        self.assertEqual(company_data.legal_changes(
                current, self.unit(active=False, legal_form='',
                    activity='', creation_date=None)),
            {'legal_status': 'ceased'})
        # the file does not know collective proceedings: kept
        self.assertEqual(company_data.legal_changes(
                {**current, 'legal_status': 'collective_proceedings'},
                self.unit(legal_form='', activity='', creation_date=None)),
            {})
        # a company registered again is active
        self.assertEqual(company_data.legal_changes(
                {**current, 'legal_status': 'ceased'},
                self.unit(legal_form='', activity='', creation_date=None)),
            {'legal_status': 'active'})

    @PROPERTIES
    @given(st.sampled_from(['', '5710', '1000']),
        st.sampled_from(['', '62.01Z']), st.booleans(),
        st.sampled_from([None, 'active', 'ceased', 'collective_proceedings']),
        st.sampled_from([None, '5499']))
    def test_legal_changes_idempotent(
            self, form, activity, active, status, current_form):
        current = {'legal_form': current_form, 'naf_code': None,
            'legal_creation_date': None, 'legal_status': status}
        unit = self.unit(legal_form=form, activity=activity, active=active)
        changes = company_data.legal_changes(current, unit)
        self.assertEqual(
            company_data.legal_changes({**current, **changes}, unit), {})
        if not active:
            self.assertEqual(
                {**current, **changes}['legal_status'], 'ceased')
