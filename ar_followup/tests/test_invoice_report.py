# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The invoice report is account_invoice's template plus the mentions."""
import os
import re
import unittest

import trytond.modules.account_invoice as account_invoice

HERE = os.path.dirname(os.path.dirname(__file__))
BLOCK = re.compile(
    r'   <!-- ar_followup: legal mentions -->\n.*?'
    r'   <!-- /ar_followup -->\n', re.DOTALL)


def read(path):
    with open(path, encoding='utf-8') as file:
        return file.read()


class InvoiceReportTestCase(unittest.TestCase):
    "Test the invoice report template"

    def test_same_as_account_invoice(self):
        "The template is account_invoice's with one block of mentions"
        ours = read(os.path.join(HERE, 'reports', 'invoice.fodt'))
        self.assertEqual(len(BLOCK.findall(ours)), 1)
        self.assertIn('invoice.legal_mentions', BLOCK.search(ours).group())
        theirs = read(os.path.join(
                os.path.dirname(account_invoice.__file__), 'invoice.fodt'))
        self.assertEqual(BLOCK.sub('', ours), theirs)
