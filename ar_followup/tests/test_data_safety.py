# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A module update (trytond-admin -u ar_followup) keeps the data: the
database is installed, filled with follow-up data and edits of the shipped
records, updated with the real command, then compared."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from trytond import backend
from trytond.tests.test_tryton import (
    DB_CACHE, DB_NAME, _db_cache_file, activate_module)
from trytond.transaction import Transaction

from .test_reliability_job import generate

WORKER = 'trytond.modules.ar_followup.tests.data_safety_worker'
ADMIN = os.path.join(os.path.dirname(sys.executable), 'trytond-admin')


@unittest.skipIf(generate is None, "benchmarks/ is not next to the module")
class ModuleUpdateTestCase(unittest.TestCase):
    "Test that a module update keeps the data"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('ar_followup')
        cls.database = f'{DB_NAME}_update'.replace(':', '').strip('_')
        cls.env = os.environ.copy()
        if backend.name == 'sqlite':
            if not DB_CACHE:
                raise unittest.SkipTest(
                    "on SQLite the installed database is copied from the "
                    "test cache (DB_CACHE, set by make test)")
            cls.directory = tempfile.mkdtemp()
            shutil.copy(_db_cache_file(DB_CACHE, 'ar_followup'),
                os.path.join(cls.directory, f'{cls.database}.sqlite'))
            cls.env['TRYTOND_DATABASE__PATH'] = cls.directory
        else:
            cls.directory = None
            backend.Database(DB_NAME).close()
            with Transaction().start(
                    None, 0, close=True, autocommit=True) as transaction:
                if cls.database in transaction.database.list():
                    transaction.database.drop(
                        transaction.connection, cls.database)
                transaction.database.create(
                    transaction.connection, cls.database, DB_NAME)

    @classmethod
    def tearDownClass(cls):
        if cls.directory:
            shutil.rmtree(cls.directory)
        else:
            with Transaction().start(
                    None, 0, close=True, autocommit=True) as transaction:
                transaction.database.drop(
                    transaction.connection, cls.database)
        super().tearDownClass()

    def call(self, *args):
        process = subprocess.run(args, env=self.env, capture_output=True,
            text=True, timeout=600)
        self.assertEqual(process.returncode, 0, msg=process.stderr)
        return process.stdout

    def fingerprint(self):
        return json.loads(self.call(
                sys.executable, '-m', WORKER, 'fingerprint',
                self.database).strip().splitlines()[-1])

    def test_update_keeps_data(self):
        "trytond-admin -u ar_followup keeps every record and edit"
        self.call(sys.executable, '-m', WORKER, 'create', self.database)
        before = self.fingerprint()
        self.assertGreater(before['counts']['account_dunning'], 0)
        self.assertGreater(before['counts']['account_dunning_action'], 0)
        self.assertIn("Mise en demeure", [l[1] for l in before['levels']])
        self.assertTrue(any(p[4] for p in before['parties']))

        self.call(ADMIN, '-d', self.database, '-u', 'ar_followup',
            '--activate-dependencies')
        self.assertEqual(self.fingerprint(), before)
