# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The benchmark generator's S book is coherent for Tryton and the daily
job selects what the generator left open."""
import datetime
import unittest

from sql import Null

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from ..models.receivable_kpi import ReceivableFigures
from .tools import benchmark_generator

generate = benchmark_generator()


@unittest.skipIf(generate is None, "benchmarks/ is not next to the module")
class BenchmarkGeneratorTestCase(unittest.TestCase):
    "Test the benchmark data generator"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('ar_followup')

    def test_deterministic(self):
        "The same parameters give the same draws"
        params = generate.Parameters.size('S')
        self.assertEqual(
            (params.customers, params.invoices_per_customer), (1000, 20))
        self.assertEqual(generate.Parameters.size('S'), params)

    @with_transaction()
    def test_disputes_and_promises(self):
        "Disputes and promises are written and pause the daily job"
        pool = Pool()
        Run = pool.get('account.dunning.run')
        Company = pool.get('company.company')
        Level = pool.get('account.dunning.level')
        Dispute = pool.get('account.invoice.dispute')
        Promise = pool.get('account.dunning.promise')
        Dunning = pool.get('account.dunning')
        params = generate.Parameters(customers=300,
            invoices_per_customer=8, dispute_share=0.1, promise_share=0.2)

        book = generate.populate(params)

        self.assertGreater(book.disputes, 0)
        self.assertGreater(book.promises, 0)
        self.assertGreater(book.paused_lines, 0)
        self.assertEqual(Dispute.search([], count=True), book.disputes)
        self.assertEqual(Promise.search([], count=True), book.promises)
        disputes = Dispute.search([])
        for dispute in disputes:
            self.assertGreater(dispute.amount, 0)
            self.assertLessEqual(dispute.amount, dispute.invoice.total_amount)
        self.assertEqual(generate.check(book, params), [])

        company = Company(book.company)
        first_offset = min(l.offset_days for l in Level.search([]))
        run, = Run.run_daily(date=params.today, companies=[company])
        self.assertEqual(
            run.lines_selected, book.open_lines - book.paused_lines)
        self.assertEqual(run.dunnings_created, book.open_due_before(
                params.today - datetime.timedelta(days=first_offset)))
        paused_moves = {d.invoice.move.id for d in disputes
            if d.state == 'open'}
        paused_parties = {p.party.id for p in Promise.search(
                    [('state', '=', 'open')])}
        for dunning in Dunning.search([]):
            self.assertNotIn(dunning.line.move.id, paused_moves)
            self.assertNotIn(dunning.line.party.id, paused_parties)

    @with_transaction()
    def test_size_s_coherent(self):
        "The S book reads back through Tryton and feeds the daily job"
        pool = Pool()
        Run = pool.get('account.dunning.run')
        Company = pool.get('company.company')
        Level = pool.get('account.dunning.level')
        params = generate.Parameters.size('S')

        book = generate.populate(params)

        self.assertEqual(book.parties, 1000)
        self.assertEqual(book.invoices, 20000)
        self.assertGreater(book.reconciliations, 0)
        self.assertGreater(book.payments, book.reconciliations)
        self.assertLess(book.open_lines, book.invoices)
        self.assertEqual(generate.check(book, params), [])

        company = Company(book.company)
        first_offset = min(l.offset_days for l in Level.search([]))
        run, = Run.run_daily(date=params.today, companies=[company])
        self.assertEqual(run.lines_selected, book.open_lines)
        self.assertEqual(run.dunnings_created, book.open_due_before(
                params.today - datetime.timedelta(days=first_offset)))
        self.assertEqual(run.level_changes, 0)

        again, = Run.run_daily(date=params.today, companies=[company])
        self.assertEqual(
            (again.dunnings_created, again.level_changes,
                again.actions_recorded), (0, 0, 0))

        # The KPIs of a page of customers, computed alone, are theirs in
        # the KPIs of every customer
        start = params.today.replace(day=1)
        everyone = ReceivableFigures(
            company.id, start, params.today).kpis()
        self.assertEqual(len(everyone), book.parties)
        page = sorted(everyone)[:3]
        self.assertEqual(
            ReceivableFigures(
                company.id, start, params.today, parties=page).kpis(),
            {p: everyone[p] for p in page})

        # The check sees a line changed behind the generator's back
        MoveLine = pool.get('account.move.line')
        line = MoveLine.__table__()
        party = min(book.balances)
        cursor = Transaction().connection.cursor()
        cursor.execute(*line.select(line.id,
                where=(line.party == party) & (line.debit > 0)
                & (line.reconciliation == Null),
                order_by=[line.id], limit=1))
        line_id, = cursor.fetchone()
        cursor.execute(*line.update(
                [line.debit], [line.debit + 1], where=line.id == line_id))
        problems = generate.check(book, params)
        self.assertIn("1 unbalanced moves", problems)
        self.assertTrue(any(p.startswith(f"party {party}:")
                for p in problems))
