# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A second run of the daily follow-up the same day changes only what
changed since the first one."""
import datetime
import unittest
from decimal import Decimal

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from .tools import benchmark_generator

generate = benchmark_generator()


@unittest.skipIf(generate is None, "benchmarks/ is not next to the module")
class RunRerunTestCase(unittest.TestCase):
    "Test the same-day rerun of the daily follow-up"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('ar_followup')

    def post_line(self, company, party, maturity_date, amount):
        "Post a move with a receivable line of party due on maturity_date"
        pool = Pool()
        Move = pool.get('account.move')
        Journal = pool.get('account.journal')
        Period = pool.get('account.period')
        Account = pool.get('account.account')
        journal, = Journal.search([('type', '=', 'revenue')], limit=1)
        revenue, = Account.search([
                ('company', '=', company.id),
                ('type.revenue', '=', True),
                ('closed', '=', False),
                ], limit=1)
        move, = Move.create([{
                    'company': company.id,
                    'journal': journal.id,
                    'period': Period.find(company, date=maturity_date),
                    'date': maturity_date,
                    'lines': [('create', [{
                                    'account': (
                                        party.account_receivable_used.id),
                                    'party': party.id,
                                    'debit': amount,
                                    'credit': Decimal(0),
                                    'maturity_date': maturity_date,
                                    }, {
                                    'account': revenue.id,
                                    'debit': Decimal(0),
                                    'credit': amount,
                                    }])],
                    }])
        Move.post([move])
        return move

    @with_transaction()
    def test_same_day_rerun(self):
        "A rerun finds only the line posted and the dunning lowered since"
        pool = Pool()
        Run = pool.get('account.dunning.run')
        Company = pool.get('company.company')
        Dunning = pool.get('account.dunning')
        Action = pool.get('account.dunning.action')
        params = generate.Parameters(customers=40, invoices_per_customer=6)
        book = generate.populate(params)
        company = Company(book.company)
        date = params.today

        with Transaction().set_context(company=company.id):
            first, = Run.run_daily(date=date, companies=[company])
            self.assertGreater(first.dunnings_created, 0)
            self.assertGreater(first.actions_recorded, 0)
            dunnings = Dunning.search([])

            rerun, = Run.run_daily(date=date, companies=[company])
            self.assertEqual(
                (rerun.lines_selected, rerun.dunnings_created,
                    rerun.level_changes, rerun.actions_recorded),
                (first.lines_selected, 0, 0, 0))
            self.assertEqual(Dunning.search([]), dunnings)

            # between two runs of the day, a dunning is set back to the
            # first level of its procedure and a line 40 days late is
            # posted for another customer with dunnings
            def first_level(dunning):
                return dunning.procedure.ordered_levels()[0]
            lowered = next(d for d in dunnings
                if d.level != first_level(d) and not d.blocked)
            level = lowered.level
            Dunning.write([lowered], {
                    'level': first_level(lowered).id})
            other = next(d.line.party for d in dunnings
                if d.line.party != lowered.line.party)
            move = self.post_line(
                company, other, date - datetime.timedelta(days=40),
                Decimal('123.45'))

            again, = Run.run_daily(date=date, companies=[company])
            # the run writes in SQL: forget the records read before
            for cache in Transaction().cache.values():
                cache.clear()
            self.assertEqual(
                (again.lines_selected, again.dunnings_created,
                    again.level_changes, again.actions_recorded),
                (first.lines_selected + 1, 1, 1, 2))
            self.assertEqual(Dunning(lowered.id).level, level)
            new, = Dunning.search([('line.move', '=', move.id)])
            self.assertEqual(new.state, 'waiting')
            # each action covers all the customer's open dunnings
            for action in Action.search([('run', '=', again.id)]):
                self.assertIn(action.party, {lowered.line.party, other})
                open_ = Dunning.search([
                        ('line.party', '=', action.party.id),
                        ('line.reconciliation', '=', None),
                        ])
                self.assertEqual(action.line_count, len(open_))
                self.assertEqual(action.amount,
                    sum(d.line.debit - d.line.credit for d in open_))
                self.assertEqual(action.level,
                    max((d.level for d in open_),
                        key=lambda l: l.offset_days))

            # and a third run finds nothing left
            last, = Run.run_daily(date=date, companies=[company])
            self.assertEqual(
                (last.dunnings_created, last.level_changes,
                    last.actions_recorded),
                (0, 0, 0))
