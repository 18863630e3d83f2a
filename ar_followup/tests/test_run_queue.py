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

    def run_tasks(self):
        """Run the tasks queued by the transaction, as a worker would;
        return how many were tasks of the follow-up (not email sendings)"""
        Queue = Pool().get('ir.queue')
        transaction = Transaction()
        ran = 0
        while transaction.tasks:
            task = Queue(transaction.tasks.pop(0))
            task.run()
            ran += task.data['method'] == 'run_bucket'
        return ran

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
        again = Run(again.id)
        self.assertEqual(
            (again.state, again.dunnings_created, again.level_changes,
                again.actions_recorded),
            ('done', 0, 0, 0))
