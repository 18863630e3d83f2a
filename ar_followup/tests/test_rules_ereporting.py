# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Tests of the payment e-reporting rules"
import datetime as dt
import unittest
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from trytond.modules.ar_followup.rules import ereporting

D = Decimal
amounts = st.decimals(min_value=D('-100000'), max_value=D('100000'),
    places=2)
rates = st.sampled_from([D('20.00'), D('10.00'), D('5.50'), D('2.10'),
        D('0.00')])
totals = st.dictionaries(rates,
    st.decimals(min_value=D('0.01'), max_value=D('100000'), places=2),
    min_size=1)


class EreportingTestCase(unittest.TestCase):

    @settings(max_examples=200, deadline=None)
    @given(amounts, totals)
    def test_split_adds_up(self, amount, totals):
        "The shares add up to the payment, per rate of the invoice"
        shares = ereporting.split_by_rate(amount, totals)
        self.assertEqual(set(shares), set(totals))
        self.assertEqual(sum(shares.values()), amount)
        whole = sum(totals.values())
        for rate, share in shares.items():
            # each share is within a cent per rate of its exact value
            exact = amount * totals[rate] / whole
            self.assertLessEqual(abs(share - exact), D('0.01') * len(totals))

    def test_split_proportional(self):
        "A payment of half the invoice is half of each rate"
        self.assertEqual(ereporting.split_by_rate(D('110.00'), {
                    D('20.00'): D('120.00'), D('10.00'): D('100.00')}),
            {D('20.00'): D('60.00'), D('10.00'): D('50.00')})

    def test_totals_per_day_and_rate(self):
        day1, day2 = dt.date(2026, 9, 1), dt.date(2026, 9, 2)
        totals = ereporting.payment_totals([
                (day2, D('120.00'), {D('20.00'): D('120.00')}),
                (day1, D('60.00'), {D('20.00'): D('120.00')}),
                (day1, D('110.00'), {
                        D('20.00'): D('120.00'), D('10.00'): D('100.00')}),
                ])
        self.assertEqual(totals, [
                (day1, D('10.00'), D('50.00')),
                (day1, D('20.00'), D('120.00')),
                (day2, D('20.00'), D('120.00')),
                ])
        self.assertEqual(ereporting.payments_csv(totals, 'EUR'),
            b'date;vat_rate;amount;currency\n'
            b'2026-09-01;10.00;50.00;EUR\n'
            b'2026-09-01;20.00;120.00;EUR\n'
            b'2026-09-02;20.00;120.00;EUR\n')
