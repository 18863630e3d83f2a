# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Lifecycle status messages: reading, writing, official rules"
import datetime as dt
import os
import unittest
from decimal import Decimal

from trytond.modules.ar_followup.rules import lifecycle, validation
from trytond.modules.ar_followup.rules.importers import ImportFileError
from trytond.modules.ar_followup.tests.tools import fnfe_folder, fnfe_missing

FNFE = fnfe_folder()
SELLER = lifecycle.CdarParty('732829320', 'SE', "Supplier")
BUYER = lifecycle.CdarParty('552100554', 'BY', "Customer")
PLATFORM = lifecycle.CdarParty('0123', 'WK', "Platform", scheme='0238')


def status(code, day, **values):
    return dict(invoice='INV-%s' % code, invoice_date=dt.date(2026, 9, 1),
        seller=SELLER, code=code, date=dt.date(2026, 9, day), **values)


def message(*statuses):
    return lifecycle.build_cdar('MSG-1', dt.datetime(2026, 9, 20, 10),
        PLATFORM, SELLER, statuses, issuer=BUYER)


class LifecycleTestCase(unittest.TestCase):

    def test_statuses_from_csv_data(self):
        self.assertEqual(list(lifecycle.STATUSES), [
                str(c) for c in range(200, 214)])
        self.assertEqual(lifecycle.STATUSES['207'].label_fr, "En litige")
        self.assertTrue(lifecycle.STATUSES['210'].reason_required)
        self.assertFalse(lifecycle.STATUSES['212'].reason_required)

    def test_current_status_out_of_order(self):
        day = dt.date(2026, 9, 1)
        self.assertEqual(lifecycle.current_status([
                    ('207', day + dt.timedelta(2)), ('205', day)]), '207')
        self.assertEqual(lifecycle.current_status([
                    ('211', day), ('212', day)]), '212')
        self.assertIsNone(lifecycle.current_status([]))

    def test_cdar_round_trip(self):
        xml = message(
            status('207', 15, reason_code='AUTRE', reason="Quantities"),
            status('212', 16, amount=Decimal('120.00'),
                vat_rate=Decimal('20')))
        rows, errors = lifecycle.parse_cdar(xml)
        self.assertEqual(errors, [])
        self.assertEqual([(r.invoice, r.code, r.date, r.reason_code)
                for r in rows], [
                ('INV-207', '207', dt.date(2026, 9, 15), 'AUTRE'),
                ('INV-212', '212', dt.date(2026, 9, 16), ''),
                ])
        self.assertEqual(rows[1].amount, Decimal('120.00'))
        self.assertEqual(rows[1].vat_rate, Decimal('20'))

    def test_cdar_amounts(self):
        "212 per VAT rate, 206 with its part not approved or approved"
        xml = message(
            status('212', 16, amounts=[
                    (Decimal('120.00'), Decimal('20.00')),
                    (Decimal('52.75'), Decimal('5.50'))]),
            status('206', 17, reason_code='QTE_ERR', characteristics=[
                    ('MNATTC', Decimal('150.00'), None)]),
            status('206', 18, reason_code='PU_ERR', characteristics=[
                    ('MAPTTC', Decimal('250.00'), None)]))
        rows, errors = lifecycle.parse_cdar(xml)
        self.assertEqual(errors, [])
        collected, not_approved, approved = rows
        self.assertEqual(collected.amount, Decimal('172.75'))
        self.assertIsNone(collected.vat_rate)
        self.assertEqual(
            (not_approved.amount, not_approved.approved_amount),
            (Decimal('150.00'), None))
        self.assertEqual((approved.amount, approved.approved_amount),
            (None, Decimal('250.00')))

    def test_cdar_amount_without_rate(self):
        "A 212 amount without its VAT rate names the line"
        xml = message(status('212', 16, characteristics=[
                    ('MEN', Decimal('10'), None)]))
        rows, errors = lifecycle.parse_cdar(xml)
        self.assertEqual(rows, [])
        self.assertEqual([e[1] for e in errors], ['invalid_amount'])

    def test_dispute_reason(self):
        self.assertEqual(lifecycle.dispute_reason('PU_ERR'), 'price')
        self.assertEqual(lifecycle.dispute_reason('qte_err'), 'quantity')
        self.assertEqual(lifecycle.dispute_reason('DOUBLE_FACT'),
            'duplicate')
        self.assertEqual(lifecycle.dispute_reason('LIVR_INCOMP'),
            'not_received')
        self.assertEqual(lifecycle.dispute_reason('AUTRE'), 'other')
        self.assertEqual(lifecycle.dispute_reason(None), 'other')

    def test_cdar_line_errors(self):
        xml = message(status('207', 15), status('299', 15))
        rows, errors = lifecycle.parse_cdar(xml)
        self.assertEqual(rows, [])
        self.assertEqual([e[1] for e in errors],
            ['missing_reason_code', 'unknown_status'])
        self.assertTrue(all(e[0] > 1 for e in errors))

    def test_xml_entities_refused(self):
        for data in [
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]>'
                b'<x>&e;</x>',
                b'<x><unclosed></x>',
                b'<Other/>']:
            with self.assertRaises(ImportFileError):
                lifecycle.parse_cdar(data)

    def test_csv(self):
        rows, errors = lifecycle.parse_status_csv(
            b'invoice;code;date;reason_code\n'
            b'F1;207;2026-09-15;AUTRE\n'
            b'F1;207;2026-09-15;\n'
            b'F2;211;15/09/2026;\n')
        self.assertEqual([(r.line, r.code) for r in rows], [(2, '207')])
        self.assertEqual([(e[0], e[1]) for e in errors], [
                (3, 'missing_reason_code'), (4, 'invalid_date')])


@unittest.skipIf(fnfe_missing('CDAR'), fnfe_missing('CDAR'))
class CdarRulesTestCase(unittest.TestCase):
    "The messages built pass the CDAR XSD and the BR-FR-CDV rules"

    def rules(self):
        return validation.rule_paths(FNFE, validation.CDAR_RULES)

    def test_valid_message(self):
        xml = message(
            status('207', 15, reason_code='AUTRE', reason="Quantities"),
            status('210', 15, reason_code='TX_TVA_ERR'),
            status('212', 16, amount=Decimal('120.00'),
                vat_rate=Decimal('20')))
        self.assertEqual(validation.check_xsd(
                xml, os.path.join(FNFE, validation.CDAR_XSD)), [])
        self.assertEqual(validation.fatal_assertions(xml, self.rules()), [])

    def test_disputed_part(self):
        "206 with the part not approved and the part approved"
        xml = message(
            status('206', 17, reason_code='QTE_ERR', characteristics=[
                    ('MNATTC', Decimal('150.00'), None),
                    ('MAPTTC', Decimal('210.00'), None)]))
        self.assertEqual(validation.check_xsd(
                xml, os.path.join(FNFE, validation.CDAR_XSD)), [])
        self.assertEqual(validation.fatal_assertions(xml, self.rules()), [])

    def test_rules_catch_missing_rate(self):
        "The rules run: a 212 amount without VAT rate fails BR-FR-CDV-14"
        xml = message(status('212', 16, characteristics=[
                    ('MEN', Decimal('10.00'), None)]))
        ids = [a[0] for a in validation.fatal_assertions(xml, self.rules())]
        self.assertTrue(any(i.startswith('BR-FR-CDV-14') for i in ids), ids)

    def test_rules_catch_missing_reason(self):
        "The rules run: a 207 without reason code fails BR-FR-CDV-15"
        xml = message(status('207', 15))
        ids = [a[0] for a in validation.fatal_assertions(xml, self.rules())]
        self.assertIn('BR-FR-CDV-15_MDT-113', ids)

    def test_issued_collection(self):
        "The 212 the seller issues to its customer passes the rules"
        xml = lifecycle.build_cdar('212-1', dt.datetime(2026, 9, 20, 10),
            SELLER, BUYER, [status('212', 16, amount=Decimal('360.00'),
                    vat_rate=Decimal('20.00'))],
            recipient_uri='552100554_FACT')
        self.assertEqual(validation.check_xsd(
                xml, os.path.join(FNFE, validation.CDAR_XSD)), [])
        self.assertEqual(validation.fatal_assertions(xml, self.rules()), [])

    def test_issued_collection_several_rates(self):
        "The 212 of an invoice with two VAT rates: one MEN per rate"
        xml = lifecycle.build_cdar('212-2', dt.datetime(2026, 9, 20, 10),
            SELLER, BUYER, [status('212', 16, amounts=[
                        (Decimal('120.00'), Decimal('20.00')),
                        (Decimal('211.00'), Decimal('5.50'))])],
            recipient_uri='552100554_FACT')
        self.assertEqual(validation.check_xsd(
                xml, os.path.join(FNFE, validation.CDAR_XSD)), [])
        self.assertEqual(validation.fatal_assertions(xml, self.rules()), [])
