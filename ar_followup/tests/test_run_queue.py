# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The daily follow-up split into tasks of the queue does the same work as
one transaction, once."""
import unittest

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from .tools import benchmark_generator

generate = benchmark_generator()


@unittest.skipIf(generate is None, "benchmarks/ is not next to the module")
class RunQueueTestCase(unittest.TestCase):
    "Test the daily follow-up split into queue tasks"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('ar_followup')

    def run_tasks(self, ran=None):
        """Run the tasks queued by the transaction, as a worker would;
        return how many were tasks of the follow-up (the selection's and
        the daily steps', not their advances nor email sendings), and fill
        ran with the tasks run"""
        Queue = Pool().get('ir.queue')
        transaction = Transaction()
        count = 0
        while transaction.tasks:
            task = Queue(transaction.tasks.pop(0))
            task.run()
            count += task.data['method'] in {'run_bucket', 'run_step'}
            if ran is not None:
                ran.append(task)
        return count

    def results(self, company, run):
        """Return what a run of the follow-up leaves: its figures, the
        dunnings, the actions, the risk scores and procedures of the
        customers and the KPI snapshots"""
        pool = Pool()
        Run = pool.get('account.dunning.run')
        Dunning = pool.get('account.dunning')
        Action = pool.get('account.dunning.action')
        PartyRisk = pool.get('party.party.risk')
        Party = pool.get('party.party')
        Snapshot = pool.get('ar_followup.receivable_kpi.snapshot')
        Transaction().cache.clear()
        run = Run(run.id)
        with Transaction().set_context(company=company.id):
            procedures = {p.id: p.dunning_procedure
                for p in Party.search([])}
        return {
            'run': (run.lines_selected, run.dunnings_created,
                run.level_changes, run.actions_recorded,
                run.limitation_alerts),
            'dunnings': sorted((d.line.id, d.level.id, d.state, d.date)
                for d in Dunning.search([])),
            'actions': sorted((a.party.id, a.level.id, a.date, a.amount,
                    a.line_count, a.maturity_date, a.state, a.planned_date)
                for a in Action.search([])),
            'risks': sorted((r.party.id, r.score, r.risk_class,
                    r.computed_on, r.explanation)
                for r in PartyRisk.search([])),
            'procedures': procedures,
            'snapshots': sorted(
                tuple((n, getattr(s, n)) for n in sorted(
                        Snapshot.values(company, s.date)) if n != 'company')
                for s in Snapshot.search([])),
            }

    @with_transaction()
    def test_split_run(self):
        "The tasks of a split run cover every customer exactly once"
        pool = Pool()
        Run = pool.get('account.dunning.run')
        Company = pool.get('company.company')
        Configuration = pool.get('account.configuration')
        Dunning = pool.get('account.dunning')
        Action = pool.get('account.dunning.action')
        params = generate.Parameters(customers=90, invoices_per_customer=6)
        book = generate.populate(params)
        company = Company(book.company)
        configuration = Configuration(1)
        configuration.followup_task_size = 25
        configuration.save()

        run, = Run.run_daily(date=params.today, companies=[company])
        self.assertEqual(run.state, 'running')
        self.assertGreater(run.tasks, 1)
        self.assertEqual(run.tasks_done, 0)
        self.assertEqual(Dunning.search([], count=True), 0)

        self.assertEqual(self.run_tasks(), run.tasks)
        Transaction().cache.clear()
        run = Run(run.id)
        self.assertEqual(run.state, 'done')
        self.assertEqual(run.tasks_done, run.tasks)
        self.assertEqual(run.lines_selected, book.open_lines)
        self.assertEqual(
            run.dunnings_created, Dunning.search([], count=True))
        self.assertGreater(run.dunnings_created, 0)
        # one action per customer with a dunning, all in this run
        customers = {d.line.party for d in Dunning.search([])}
        self.assertEqual(run.actions_recorded, len(customers))
        self.assertEqual(
            {a.party for a in Action.search([('run', '=', run.id)])},
            customers)

        # the same job in one transaction finds nothing left to do
        configuration.followup_task_size = None
        configuration.save()
        whole, = Run.run_daily(date=params.today, companies=[company])
        self.assertEqual(
            (whole.lines_selected, whole.dunnings_created,
                whole.level_changes, whole.actions_recorded),
            (book.open_lines, 0, 0, 0))

        # and a second split run the same day neither
        configuration.followup_task_size = 25
        configuration.save()
        again, = Run.run_daily(date=params.today, companies=[company])
        self.run_tasks()
        Transaction().cache.clear()
        again = Run(again.id)
        self.assertEqual(
            (again.state, again.dunnings_created, again.level_changes,
                again.actions_recorded),
            ('done', 0, 0, 0))

    @with_transaction()
    def test_steps_stages(self):
        "The daily steps start once the steps whose results they use are done"
        Run = Pool().get('account.dunning.run')
        self.assertEqual(Run._daily_stages(), [
                [('account.dunning.promise', 'check_run')],
                [('account.dunning.action', 'plan_run')],
                [('account.dunning.email', 'send_run'),
                    ('account.invoice', 'flag_limitation'),
                    ('ar_followup.receivable_kpi.snapshot',
                        'snapshot_daily'),
                    ('account.dunning.sms', 'send_run'),
                    ('party.party', 'compute_risk_run')],
                ])

    @with_transaction()
    def test_split_same_as_whole(self):
        """A run split into tasks, its daily steps queued as tasks of their
        own and the risk scores per bucket of customers, leaves what the
        run in one transaction leaves; each task run again changes
        nothing"""
        pool = Pool()
        Run = pool.get('account.dunning.run')
        Company = pool.get('company.company')
        Configuration = pool.get('account.configuration')
        params = generate.Parameters(customers=60, invoices_per_customer=5)
        book = generate.populate(params)
        company = Company(book.company)
        transaction = Transaction()
        cursor = transaction.connection.cursor()

        cursor.execute('SAVEPOINT whole_run')
        whole, = Run.run_daily(date=params.today, companies=[company])
        self.run_tasks()
        expected = self.results(company, whole)
        cursor.execute('ROLLBACK TO SAVEPOINT whole_run')
        transaction.tasks.clear()
        transaction.cache.clear()
        self.assertGreater(len(expected['dunnings']), 0)
        self.assertGreater(len(expected['risks']), 0)
        self.assertEqual(len(expected['snapshots']), 2)

        configuration = Configuration(1)
        configuration.followup_task_size = 20
        configuration.save()
        run, = Run.run_daily(date=params.today, companies=[company])
        self.assertEqual(run.state, 'running')
        buckets = len({t.bucket for t in run.task_list if t.stage == 0})
        risk_buckets = [t for t in run.task_list
            if t.step == 'party.party|compute_risk_run']
        self.assertGreater(buckets, 1)
        self.assertGreater(len(risk_buckets), 1)
        self.assertEqual(run.tasks,
            buckets + len(Run._daily_steps) - 1 + len(risk_buckets))
        # only the selection's tasks are queued at first
        self.assertEqual(
            {t.state for t in run.task_list if t.stage == 0}, {'queued'})
        self.assertEqual(
            {t.state for t in run.task_list if t.stage > 0}, {'waiting'})

        ran = []
        self.assertEqual(self.run_tasks(ran), run.tasks)
        steps = [(t.data['args'][0], t.data['args'][1])
            for t in ran if t.data['method'] == 'run_step']
        self.assertEqual(
            sorted({s for s, _ in steps}),
            sorted(f'{m}|{f}' for m, f in Run._daily_steps))
        self.assertEqual(
            sorted(b for s, b in steps if s == 'party.party|compute_risk_run'),
            sorted(t.bucket for t in risk_buckets))
        # a step starts after the selection's tasks and the steps it needs
        order = [t.data['args'][0] if t.data['method'] == 'run_step'
            else 'selection' for t in ran
            if t.data['method'] in {'run_bucket', 'run_step'}]
        last_selection = max(
            i for i, n in enumerate(order) if n == 'selection')
        first = {n: order.index(n) for n in order}
        check = 'account.dunning.promise|check_run'
        plan = 'account.dunning.action|plan_run'
        self.assertLess(last_selection, first[check])
        self.assertLess(first[check], first[plan])
        self.assertLess(first[plan], first['party.party|compute_risk_run'])

        Transaction().cache.clear()
        run = Run(run.id)
        self.assertEqual((run.state, run.tasks_done), ('done', run.tasks))
        self.assertEqual(
            {t.state for t in run.task_list}, {'done'})
        self.assertIsNotNone(run.duration)
        self.assertEqual(self.results(company, run), expected)

        # every task run again, in any order, changes nothing
        tasks = [t for t in ran
            if t.data['method'] in {'run_bucket', 'run_step', 'advance'}]
        for task in reversed(tasks):
            task.run()
        self.run_tasks()
        Transaction().cache.clear()
        run = Run(run.id)
        self.assertEqual((run.state, run.tasks_done), ('done', run.tasks))
        self.assertEqual(self.results(company, run), expected)
