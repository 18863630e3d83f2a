# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Promises to pay (promesses de paiement).

An open promise pauses the follow-up of the invoice it names, or of all the
customer's invoices, until its date.  The daily job then checks the promises
due set-wise: kept when the customer paid the promised amount (less the
tolerance) between the promise and the check (as soon as it is paid),
otherwise broken once its date (plus the tolerance days) is past, and the
customer escalates at once: its dunnings move to the next level."""
import datetime
from decimal import Decimal

from sql import Literal, Null, Union
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    promise_tolerance_days = fields.Integer(
        "Promise Tolerance (days)",
        domain=[If(Eval('promise_tolerance_days'),
                ('promise_tolerance_days', '>=', 0), ())],
        help="The days after the promised date before a promise to pay "
        "not kept is broken.")
    promise_tolerance_amount = Monetary(
        "Promise Tolerance (amount)", currency='promise_currency',
        digits='promise_currency',
        help="The amount a customer may still owe on a kept promise.")
    promise_currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_promise_currency')

    def get_promise_currency(self, name):
        Company = Pool().get('company.company')
        company_id = Transaction().context.get('company')
        if company_id:
            return Company(company_id).currency.id


class Promise(Workflow, ModelSQL, ModelView):
    __name__ = 'account.dunning.promise'
    __string__ = "Promise to Pay"

    _states = {
        'readonly': Eval('state') != 'open',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    invoice = fields.Many2One(
        'account.invoice', "Invoice", states=_states,
        domain=[
            ('type', '=', 'out'),
            ('state', '=', 'posted'),
            ('company', '=', Eval('company', -1)),
            If(Eval('party'), ('party', '=', Eval('party', -1)), ()),
            ],
        help="Leave empty for a promise on all the customer's invoices.")
    made_on = fields.Date(
        "Made On", required=True, states=_states,
        help="The date of the promise: payments count from this date.")
    date = fields.Date(
        "Promised Date", required=True, states=_states,
        domain=[('date', '>=', Eval('made_on', None))],
        help="The follow-up pauses until this date.")
    amount = Monetary(
        "Amount", currency='currency', digits='currency', required=True,
        states=_states, domain=[('amount', '>', 0)])
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    amount_paid = Monetary(
        "Amount Paid", currency='currency', digits='currency', readonly=True,
        help="The payments received between the promise and its check.")
    note = fields.Text("Note")
    state = fields.Selection([
            ('open', "Open"),
            ('kept', "Kept"),
            ('broken', "Broken"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        cls._transitions |= {
            ('open', 'cancelled'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_made_on(cls):
        return Pool().get('ir.date').today()

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('invoice', 'party', 'amount', '_parent_invoice.party',
        '_parent_invoice.amount_to_pay')
    def on_change_invoice(self):
        if self.invoice:
            self.party = self.invoice.party
            if not self.amount:
                self.amount = self.invoice.amount_to_pay

    def get_rec_name(self, name):
        return '%s @ %s' % (self.party.rec_name, self.date)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, promises):
        pass

    @classmethod
    def check_run(cls, run):
        """Decide the open promises due at the date of the run and escalate
        the customers who broke theirs"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        MoveLine = pool.get('account.move.line')
        Move = pool.get('account.move')
        Account = pool.get('account.account')
        AccountType = pool.get('account.account.type')
        config = Configuration(1)
        days = config.promise_tolerance_days or 0
        tolerance = config.promise_tolerance_amount or Decimal(0)
        promise = cls.__table__()
        line = MoveLine.__table__()
        move = Move.__table__()
        account = Account.__table__()
        type_ = AccountType.__table__()
        cursor = Transaction().connection.cursor()
        company = run.company
        due = run.date - datetime.timedelta(days=days)
        # the payments received on the receivable of the customer between
        # the promise and the check
        paid = (line.join(move, condition=line.move == move.id)
            .join(account, condition=line.account == account.id)
            .join(type_, condition=account.type == type_.id)
            .select(Coalesce(Sum(line.credit - line.debit), 0),
                where=(line.party == promise.party)
                & (move.company == company.id)
                & (move.state == 'posted')
                & (type_.receivable == Literal(True))
                & (line.credit > 0)
                & (move.date >= promise.made_on)
                & (move.date <= run.date)))
        cursor.execute(*promise.select(
                promise.id, promise.party, promise.amount, promise.date, paid,
                where=(promise.company == company.id)
                & (promise.state == 'open')
                & (promise.made_on <= run.date)))
        results = {'kept': [], 'broken': []}
        amounts = {}
        broken_parties = set()
        for promise_id, party, amount, date, amount_paid in cursor:
            if isinstance(date, str):
                date = datetime.date.fromisoformat(date)
            amount_paid = company.currency.round(Decimal(str(amount_paid)))
            if amount_paid >= Decimal(str(amount)) - tolerance:
                # kept as soon as paid
                results['kept'].append(promise_id)
            elif date <= due:
                results['broken'].append(promise_id)
                broken_parties.add(party)
            else:
                continue
            amounts[promise_id] = amount_paid
        for state, ids in results.items():
            for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*promise.update(
                        [promise.state, promise.write_uid,
                            promise.write_date],
                        [state, Transaction().user, CurrentTimestamp()],
                        where=fields.SQL_OPERATORS['in'](
                            promise.id, list(sub_ids))))
        for promise_id, amount_paid in amounts.items():
            cursor.execute(*promise.update(
                    [promise.amount_paid], [amount_paid],
                    where=promise.id == promise_id))
        if broken_parties:
            cls.escalate(run, sorted(broken_parties))

    @classmethod
    def escalate(cls, run, parties):
        """Move the open dunnings of the customers to the next level and
        record their follow-up actions"""
        pool = Pool()
        Dunning = pool.get('account.dunning')
        Action = pool.get('account.dunning.action')
        Procedure = pool.get('account.dunning.procedure')
        from .run import DailySelection
        company = run.company
        selection = DailySelection(company, run.date)
        dunning = Dunning.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        for sub_parties in grouped_slice(parties, backend.MAX_QUERY_PARAMS):
            sub_parties = list(sub_parties)
            _, line, from_, where = Dunning._active_query(company.id)
            lines = from_.select(line.id, where=where
                & fields.SQL_OPERATORS['in'](line.party, sub_parties)
                & ~line.move.in_(selection.paused_moves()))
            for procedure in Procedure.search([]):
                levels = procedure.ordered_levels()
                # from the firmest down, so that no dunning moves twice
                for level, next_level in reversed(
                        list(zip(levels, levels[1:] + [levels[-1]]))):
                    cursor.execute(*dunning.update(
                            [dunning.level, dunning.state, dunning.date,
                                dunning.write_uid, dunning.write_date],
                            [next_level.id, 'draft', Null, user,
                                CurrentTimestamp()],
                            where=(dunning.company == company.id)
                            & (dunning.procedure == procedure.id)
                            & (dunning.level == level.id)
                            & (dunning.state != 'draft')
                            & (dunning.blocked == Literal(False))
                            & dunning.line.in_(lines)))
        escalations = selection.escalations()
        escalations = {p: v for p, v in escalations.items() if p in parties}
        Action.record(company, run.date, run, escalations)
        run.actions_recorded = (run.actions_recorded or 0) + len(escalations)
        run.save()


class Run(metaclass=PoolMeta):
    __name__ = 'account.dunning.run'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # before the actions of the run are planned
        cls._daily_steps.insert(0, ('account.dunning.promise', 'check_run'))


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._followup_pauses.append('_followup_paused_by_promise')

    @classmethod
    def _followup_paused_by_promise(cls):
        """Return a query of the ids of the invoices under an open promise
        to pay: the invoice it names, or all those of the customer"""
        Promise = Pool().get('account.dunning.promise')
        promise = Promise.__table__()
        on_party = Promise.__table__()
        invoice = cls.__table__()
        # two queries, not one join on a disjunction: the database would
        # pair every invoice with every open promise
        return Union(
            promise.select(promise.invoice,
                where=(promise.state == 'open') & (promise.invoice != Null)),
            invoice.join(on_party, condition=(
                    (on_party.party == invoice.party)
                    & (on_party.company == invoice.company))
                ).select(invoice.id,
                where=(on_party.state == 'open')
                & (on_party.invoice == Null)),
            all_=True)
