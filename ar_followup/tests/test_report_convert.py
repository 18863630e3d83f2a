# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Letters, statements and invoices are converted by LibreOffice, retried
when a conversion produced nothing, and never handed over unconverted."""
import os
import shutil
import stat
import tempfile
import unittest
from unittest import mock

from trytond import config
from trytond.modules.ar_followup.exceptions import ReportConversionError
from trytond.modules.ar_followup.models import report as report_module
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

# produces no file the first FAILURES times, as LibreOffice does when
# another of its processes holds the user profile, then "converts"
CONVERTER = '''#!/bin/sh
count=$(cat "{count}" 2>/dev/null || echo 0)
echo $((count + 1)) > "{count}"
[ "$count" -lt {failures} ] && exit 0
printf 'PDF:%s' "$(cat "$1")" > "$2"
'''


class ReportConvertTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module('ar_followup')

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.count = os.path.join(self.tmp, 'count')
        pause = mock.patch.object(report_module, 'RETRY_PAUSE', 0)
        pause.start()
        self.addCleanup(pause.stop)

    def converter(self, failures):
        script = os.path.join(self.tmp, 'convert')
        with open(script, 'w') as fp:
            fp.write(CONVERTER.format(count=self.count, failures=failures))
        os.chmod(script, stat.S_IRWXU)
        command = f'{script} "%(input_path)s" "%(output_path)s"'
        get = config.get

        def get_command(section, option, default=None):
            if (section, option) == ('report', 'convert_command'):
                return command
            return get(section, option, default=default)
        patch = mock.patch.object(config, 'get', get_command)
        patch.start()
        self.addCleanup(patch.stop)

    def calls(self):
        with open(self.count) as fp:
            return int(fp.read())

    def report(self, report_name):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        action, = ActionReport.search([
                ('report_name', '=', report_name),
                ], limit=1)
        action.extension = 'pdf'
        return pool.get(report_name, type='report'), action

    @with_transaction()
    def test_letter_retried_until_converted(self):
        "A letter conversion that produced nothing is tried again"
        Letter, action = self.report('account.dunning.action.letter')
        self.converter(failures=2)
        self.assertEqual(
            Letter.convert(action, 'Mise en demeure'),
            ('pdf', b'PDF:Mise en demeure'))
        self.assertEqual(self.calls(), 3)

    @with_transaction()
    def test_invoice_retried_until_converted(self):
        "The customer invoice of Tryton is converted the same way"
        Invoice, action = self.report('account.invoice')
        self.converter(failures=1)
        self.assertEqual(
            Invoice.convert(action, 'Facture'), ('pdf', b'PDF:Facture'))
        self.assertEqual(self.calls(), 2)

    @with_transaction()
    def test_never_converted_raises(self):
        "A document LibreOffice never converts is an error, not an ODT"
        Letter, action = self.report('account.dunning.action.letter')
        self.converter(failures=100)
        with self.assertRaises(ReportConversionError):
            Letter.convert(action, 'Mise en demeure', retry=3)
        self.assertEqual(self.calls(), 4)
