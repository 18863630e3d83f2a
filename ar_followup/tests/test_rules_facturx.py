# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The Factur-X profile an invoice needs"
import unittest
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from trytond.modules.ar_followup.rules import facturx

S20 = ('S', Decimal('0.2'), None)
S55 = ('S', Decimal('0.055'), None)
O = ('O', None, "Débours hors champ de TVA")
E_TRAINING = ('E', Decimal(0), "Exonération art. 261-4-4° CGI")
E_MEDICAL = ('E', Decimal(0), "Exonération art. 261-4-1° CGI")
CATEGORIES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O']


class ProfileTestCase(unittest.TestCase):

    def test_en16931(self):
        for breakdown in [[], [S20], [S20, S55], [O], [E_TRAINING],
                [S20, E_TRAINING], [(None, Decimal('0.2'), None)]]:
            with self.subTest(breakdown=breakdown):
                self.assertEqual(
                    facturx.profile(breakdown), facturx.EN16931)

    def test_not_subject_beside_others(self):
        "Disbursements (O) beside taxed lines: BR-O-11 to 14"
        self.assertEqual(facturx.profile([S20, O]), facturx.EXTENDED)
        self.assertEqual(facturx.profile([O, E_TRAINING]), facturx.EXTENDED)

    def test_two_exemptions(self):
        "Two exemption reasons: one E breakdown only in EN 16931 (BR-E-01)"
        self.assertEqual(facturx.profile([E_TRAINING, E_MEDICAL]),
            facturx.EXTENDED)

    def test_guidelines_and_rules(self):
        self.assertEqual(set(facturx.GUIDELINES), set(facturx.RULES))
        self.assertTrue(facturx.GUIDELINES[facturx.EXTENDED].endswith(
                ':extended'))

    @given(st.lists(st.sampled_from(CATEGORIES), max_size=6))
    def test_extended_iff_en16931_rules_break(self, categories):
        "EXTENDED exactly when an EN 16931 one-category rule would break"
        breakdown = [(c, None, None) for c in categories]
        non_standard = [c for c in categories if c != 'S']
        breaks = (('O' in categories and len(set(categories)) > 1)
            or len(non_standard) != len(set(non_standard)))
        self.assertEqual(facturx.profile(breakdown),
            facturx.EXTENDED if breaks else facturx.EN16931)
        # adding a standard-rate line to an EXTENDED invoice keeps it so
        if breaks:
            self.assertEqual(facturx.profile(breakdown + [S20]),
                facturx.EXTENDED)
