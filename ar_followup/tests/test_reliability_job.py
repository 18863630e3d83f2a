# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The daily job under faults and concurrency, on a real PostgreSQL
database shared by several processes: killed at each step then run again,
run by two workers at the same moment, run twice.  Each line gets one
dunning, each customer one action per level and date, nothing is lost."""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from trytond import backend
from trytond.modules.ar_followup.cli import in_transaction
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from .tools import benchmark_generator

generate = benchmark_generator()

WORKER = 'trytond.modules.ar_followup.tests.job_worker'
CUSTOMERS = 60
INVOICES = 6


@unittest.skipIf(backend.name != 'postgresql',
    "needs PostgreSQL: several processes share one database and the job's "
    "advisory lock (SQLite has neither)")
@unittest.skipIf(generate is None, "benchmarks/ is not next to the module")
class DailyJobReliabilityTestCase(unittest.TestCase):
    "Test the daily job under faults and concurrency"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('ar_followup')
        cls.database = f'{DB_NAME}_jobs'
        cls._drop()
        backend.Database(DB_NAME).close()
        with Transaction().start(
                None, 0, close=True, autocommit=True) as transaction:
            transaction.database.create(
                transaction.connection, cls.database, DB_NAME)
        from trytond.pool import Pool
        Pool(cls.database).init()
        cls.params = generate.Parameters(
            customers=CUSTOMERS, invoices_per_customer=INVOICES)
        cls.book = in_transaction(
            cls.database, generate.populate, params=cls.params)

    @classmethod
    def tearDownClass(cls):
        from trytond.pool import Pool
        backend.Database(cls.database).close()
        Pool.stop(cls.database)
        cls._drop()
        super().tearDownClass()

    @classmethod
    def _drop(cls):
        with Transaction().start(
                None, 0, close=True, autocommit=True) as transaction:
            if cls.database in transaction.database.list():
                transaction.database.drop(
                    transaction.connection, cls.database)

    def setUp(self):
        super().setUp()
        self.signal_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.signal_dir)

    def start(self, date, *args):
        return subprocess.Popen(
            [sys.executable, '-m', WORKER, self.database, date.isoformat(),
                '--signal-dir', self.signal_dir, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self, process):
        out, err = process.communicate(timeout=300)
        self.assertEqual(process.returncode, 0, msg=err)
        return json.loads(out.strip().splitlines()[-1])[0]

    def kill_at(self, date, point):
        "Run the job killed at point, the database must be as before"
        before = self.state()
        process = self.start(date, '--at', point, '--fault', 'kill')
        process.communicate(timeout=300)
        self.assertEqual(process.returncode, -9, msg=point)
        self.assertEqual(self.state(), before, msg=point)

    def wait_for(self, condition, what):
        deadline = time.monotonic() + 120
        while not condition():
            self.assertLess(time.monotonic(), deadline, msg=what)
            time.sleep(0.1)

    def query(self, sql):
        with Transaction().start(self.database, 0, readonly=True) as t:
            cursor = t.connection.cursor()
            cursor.execute(sql)
            return cursor.fetchall()

    def state(self):
        "The follow-up state: runs, dunnings per level, actions"
        return {
            'runs': self.query('SELECT COUNT(id) FROM account_dunning_run'),
            'dunnings': self.query(
                'SELECT level, state, COUNT(id) FROM account_dunning '
                'GROUP BY level, state ORDER BY level, state'),
            'actions': self.query(
                'SELECT party, level, date FROM account_dunning_action '
                'ORDER BY party, level, date'),
            }

    def assertNoDuplicate(self):
        self.assertEqual(self.query(
                'SELECT line FROM account_dunning '
                'GROUP BY line HAVING COUNT(id) > 1'), [])
        self.assertEqual(self.query(
                'SELECT party, level, date FROM account_dunning_action '
                'GROUP BY party, level, date HAVING COUNT(id) > 1'), [])

    def waiting_for_lock(self):
        return self.query(
            "SELECT COUNT(pid) FROM pg_locks "
            "WHERE locktype = 'advisory' AND NOT granted AND database = "
            "(SELECT oid FROM pg_database "
            "WHERE datname = current_database())")[0][0] > 0

    def expected_dunnings(self, date):
        offsets = [o for o, in self.query(
                'SELECT offset_days FROM account_dunning_level')]
        return self.book.open_due_before(
            date - datetime.timedelta(days=min(offsets)))

    def test_faults_concurrency_and_rerun(self):
        "Killed at each step, concurrent or repeated: once and only once"
        today = self.params.today
        empty = self.state()
        self.assertEqual(empty['runs'], [(0,)])

        # killed at each step of the first run: nothing is left behind
        for point in ['selection', 'creation', 'actions', 'commit']:
            with self.subTest(point=point):
                self.kill_at(today, point)
        self.assertEqual(self.state(), empty)

        # run again: everything is done once
        first = self.finish(self.start(today))
        expected = self.expected_dunnings(today)
        self.assertGreater(expected, 0)
        self.assertEqual(first['dunnings_created'], expected)
        self.assertEqual(
            sum(c for _, _, c in self.state()['dunnings']), expected)
        parties = self.query(
            'SELECT COUNT(DISTINCT l.party) FROM account_dunning d '
            'JOIN account_move_line l ON l.id = d.line')[0][0]
        self.assertEqual(first['actions_recorded'], parties)
        self.assertNoDuplicate()

        # run twice the same day: nothing changes
        done = self.state()
        again = self.finish(self.start(today))
        self.assertEqual(
            (again['dunnings_created'], again['level_changes'],
                again['actions_recorded']), (0, 0, 0))
        done['runs'] = [(done['runs'][0][0] + 1,)]
        self.assertEqual(self.state(), done)

        # ten days later, two workers at the same moment: the first holds
        # the company's lock after creating dunnings, the second starts and
        # waits for it; the work is done once
        later = today + datetime.timedelta(days=10)
        first = self.start(later, '--at', 'creation', '--fault', 'wait')
        self.wait_for(lambda: os.path.exists(
                os.path.join(self.signal_dir, 'reached')), "first worker")
        second = self.start(later)
        self.wait_for(self.waiting_for_lock, "second worker waiting")
        open(os.path.join(self.signal_dir, 'go'), 'w').close()
        results = [self.finish(first), self.finish(second)]
        changes = [r['level_changes'] + r['dunnings_created']
            for r in results]
        self.assertGreater(changes[0], 0)
        self.assertEqual(changes[1], 0)
        self.assertEqual(results[1]['actions_recorded'], 0)
        self.assertEqual(
            sum(c for _, _, c in self.state()['dunnings']),
            self.expected_dunnings(later))
        self.assertNoDuplicate()

        # twenty days later, a worker killed while holding the lock: the
        # worker waiting for it does the whole work
        latest = today + datetime.timedelta(days=20)
        os.remove(os.path.join(self.signal_dir, 'reached'))
        os.remove(os.path.join(self.signal_dir, 'go'))
        before = self.state()
        doomed = self.start(latest, '--at', 'actions', '--fault', 'wait')
        self.wait_for(lambda: os.path.exists(
                os.path.join(self.signal_dir, 'reached')), "doomed worker")
        survivor = self.start(latest)
        self.wait_for(self.waiting_for_lock, "survivor waiting")
        doomed.kill()
        doomed.communicate(timeout=60)
        result = self.finish(survivor)
        self.assertGreater(
            result['level_changes'] + result['dunnings_created'], 0)
        self.assertGreater(result['actions_recorded'], 0)
        self.assertEqual(
            sum(c for _, _, c in self.state()['dunnings']),
            self.expected_dunnings(latest))
        self.assertEqual(self.state()['runs'], [(before['runs'][0][0] + 1,)])
        self.assertNoDuplicate()
