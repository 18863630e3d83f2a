# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A refused file gives the user a translated message naming the file and
the cause."""
import unittest

from trytond.tests.test_tryton import activate_module, with_transaction

from ..exceptions import ImportFileUserError
from ..models.import_file import (
    CODES, import_file_message, raise_import_file_error)
from ..rules import importers, safe_xml
from .test_rules_safe_xml import BILLION_LAUGHS


class ImportFileMessageTestCase(unittest.TestCase):
    "Test the messages of the refused files"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('ar_followup')

    def refused(self):
        "One real refusal per code, from the parsers"
        cases = [
            (importers.parse_insurer_decisions, b'x' * 100,
                {'max_size': 10}),
            (importers.parse_insurer_decisions, 'é'.encode('cp1252'), {}),
            (importers.parse_insurer_decisions, b'', {}),
            (importers.parse_insurer_decisions, b'siren;insurer\n', {}),
            (importers.parse_insurer_decisions,
                b'siren;siren;insurer;policy;insured_limit;currency;'
                b'decision_date;expiry_date;coverage_percent\n', {}),
            (importers.parse_insurer_decisions,
                b'siren;insurer;policy;insured_limit;currency;'
                b'decision_date;expiry_date;coverage_percent\n'
                + b'x\n' * 20, {'max_errors': 5}),
            (safe_xml.parse_xml, BILLION_LAUGHS, {}),
            (safe_xml.parse_xml, b'<a><b></a>', {}),
            ]
        for parse, data, kwargs in cases:
            try:
                parse(data, **kwargs)
            except (importers.ImportFileError, safe_xml.XMLFileError) as e:
                yield e
            else:
                self.fail(f"{data[:30]!r} was accepted")

    @with_transaction()
    def test_messages(self):
        "Every refusal has its own message with the file name"
        errors = list(self.refused())
        self.assertEqual({e.code for e in errors}, CODES)
        for error in errors:
            message = import_file_message(error, filename='decisions.csv')
            self.assertNotIn('msg_import', message)
            self.assertIn('decisions.csv', message)
            for name, value in error.values.items():
                if isinstance(value, (list, tuple)):
                    value = ', '.join(value)
                self.assertIn(str(value), message)
            with self.assertRaises(ImportFileUserError) as cm:
                raise_import_file_error(error, filename='decisions.csv')
            self.assertEqual(cm.exception.message, message)
