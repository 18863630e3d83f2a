# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The shipped rate records are the rows of the shipped CSV files."""
import csv
import os
import unittest
from xml.etree import ElementTree

DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'data')


def csv_rows(name):
    with open(os.path.join(DATA_DIR, name), newline='') as fp:
        return [tuple(row.values()) for row in csv.DictReader(fp)]


def xml_rows(model, fields):
    tree = ElementTree.parse(os.path.join(DATA_DIR, 'penalty_rate.xml'))
    rows = []
    for record in tree.iter('record'):
        if record.get('model') != model:
            continue
        values = {f.get('name'): eval(f.get('eval'), {
                    'datetime': __import__('datetime'),
                    'Decimal': __import__('decimal').Decimal,
                    }) for f in record.iter('field')}
        rows.append(tuple(str(values[f]) for f in fields))
    return rows


class ShippedRatesTestCase(unittest.TestCase):
    "data/penalty_rate.xml matches the CSV files"

    def test_ecb_rates(self):
        self.assertEqual(
            xml_rows('account.penalty.ecb_rate', ['date', 'rate']),
            csv_rows('ecb_main_refinancing_rate.csv'))

    def test_legal_rates(self):
        self.assertEqual(
            xml_rows('account.penalty.legal_rate', [
                    'half_year_start', 'professional_rate', 'private_rate']),
            csv_rows('legal_interest_rate_fr.csv'))
