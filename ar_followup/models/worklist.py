# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The collector's worklist: "My follow-ups today".

The worklist lists the follow-up actions due today that wait for a person:
the pending actions of the levels that need a collector's confirmation and
the phone calls of the levels with *Call Task*, ranked by amount at risk,
then by age.  The record rules of the portfolios narrow it to the
collector's customers.  The outcome of a call is captured in two clicks (the
*Record Outcome* button, then the outcome): a promise or a dispute outcome
creates the promise to pay or the dispute; no answer puts the call back on
the list the next day."""
import datetime

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..exceptions import OutcomeError

OUTCOMES = [
    (None, ""),
    ('promise', "Promise to Pay"),
    ('dispute', "Dispute"),
    ('no_answer', "No Answer"),
    ('wrong_contact', "Wrong Contact"),
    ]


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    call_date = fields.Date(
        "Call On", readonly=True,
        help="The date from which the call to the customer is on the "
        "collector's worklist; empty once its outcome is recorded.")
    on_worklist = fields.Function(fields.Boolean(
            "On Worklist",
            help="The action waits today for a collector: a confirmation "
            "or a phone call."),
        'get_on_worklist', searcher='search_on_worklist')
    outcome = fields.Selection(
        OUTCOMES, "Outcome", readonly=True, sort=False,
        help="What the collector obtained from the customer.")
    outcome_date = fields.Date("Outcome Date", readonly=True)
    outcome_user = fields.Many2One(
        'res.user', "Recorded By", readonly=True)
    outcome_note = fields.Text("Call Note", readonly=True)
    promise = fields.Many2One(
        'account.dunning.promise', "Promise to Pay", readonly=True,
        ondelete='SET NULL')
    dispute = fields.Many2One(
        'account.invoice.dispute', "Dispute", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'record_outcome': {
                    'invisible': ~Eval('on_worklist', False),
                    'depends': ['on_worklist'],
                    },
                })

    @classmethod
    def get_on_worklist(cls, actions, name):
        today = Pool().get('ir.date').today()
        return {a.id: bool(
                (a.state == 'pending' and a.planned_date
                    and a.planned_date <= today)
                or (a.call_date and a.call_date <= today))
            for a in actions}

    @classmethod
    def search_on_worklist(cls, name, clause):
        today = Pool().get('ir.date').today()
        _, operator, value = clause
        domain = ['OR',
            [('state', '=', 'pending'), ('planned_date', '<=', today)],
            [('state', '=', 'done'), ('call_date', '<=', today)],
            ]
        if (operator == '=') == bool(value):
            return domain
        return [
            ['OR', ('state', '!=', 'pending'),
                ('planned_date', '=', None), ('planned_date', '>', today)],
            ['OR', ('state', '!=', 'done'),
                ('call_date', '=', None), ('call_date', '>', today)],
            ]

    @classmethod
    @ModelView.button_action('ar_followup.wizard_action_outcome')
    def record_outcome(cls, actions):
        pass

    @classmethod
    def _process_call_task(cls, actions):
        "Put a phone call to each customer on the worklist"
        for action in actions:
            action.call_date = action.planned_date or action.date
        cls.save(actions)

    def record_call_outcome(
            self, outcome, note=None, promise=None, dispute=None):
        """Record the outcome of the call: no answer puts it back on the
        worklist the next day; an action still pending that covers nothing
        any more (promise, dispute) is cancelled"""
        today = Pool().get('ir.date').today()
        self.outcome = outcome
        self.outcome_date = today
        self.outcome_user = Transaction().user
        self.outcome_note = note
        self.promise = promise
        self.dispute = dispute
        if self.call_date:
            self.call_date = (today + datetime.timedelta(days=1)
                if outcome == 'no_answer' else None)
        if (outcome in {'promise', 'dispute'} and self.state == 'pending'
                and not self.statement()):
            self.state = 'cancelled'
            self.cancel_reason = 'nothing_due'
        self.save()


class OutcomeStart(ModelView):
    __name__ = 'account.dunning.action.outcome.start'
    __string__ = "Record Outcome"

    company = fields.Many2One('company.company', "Company", readonly=True)
    party = fields.Many2One(
        'party.party', "Party", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    currency = fields.Many2One('currency.currency', "Currency", readonly=True)
    note = fields.Text("Call Note")
    promise_date = fields.Date(
        "Promised Date",
        help="For a promise: the date the customer promises to pay by.")
    promise_amount = Monetary(
        "Promised Amount", currency='currency', digits='currency',
        help="For a promise: the amount the customer promises to pay.")
    invoice = fields.Many2One(
        'account.invoice', "Invoice",
        domain=[
            ('type', '=', 'out'),
            ('state', '=', 'posted'),
            ('company', '=', Eval('company', -1)),
            ('party', '=', Eval('party', -1)),
            ],
        help="For a dispute: the disputed invoice.\n"
        "For a promise: the invoice promised, empty for all the customer's "
        "invoices.")
    dispute_reason = fields.Selection(
        'get_dispute_reasons', "Dispute Reason")
    dispute_amount = Monetary(
        "Disputed Amount", currency='currency', digits='currency',
        states={
            'invisible': ~Eval('invoice'),
            })

    @classmethod
    def get_dispute_reasons(cls):
        Dispute = Pool().get('account.invoice.dispute')
        return Dispute.fields_get(['reason'])['reason']['selection']

    @fields.depends('invoice', 'dispute_amount')
    def on_change_invoice(self):
        if self.invoice:
            self.dispute_amount = self.invoice.amount_to_pay


class Outcome(Wizard):
    __name__ = 'account.dunning.action.outcome'

    start = StateView('account.dunning.action.outcome.start',
        'ar_followup.action_outcome_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Wrong Contact", 'wrong_contact', 'tryton-close'),
            Button("No Answer", 'no_answer', 'tryton-clear'),
            Button("Dispute", 'dispute', 'tryton-forward'),
            Button("Promise", 'promise', 'tryton-ok', default=True),
            ])
    promise = StateTransition()
    dispute = StateTransition()
    no_answer = StateTransition()
    wrong_contact = StateTransition()

    def default_start(self, fields):
        today = Pool().get('ir.date').today()
        action = self.record
        values = {
            'company': action.company.id,
            'party': action.party.id,
            'currency': action.company.currency.id,
            'promise_date': today + datetime.timedelta(days=7),
            'promise_amount': action.company.currency.round(action.amount),
            'dispute_reason': 'other',
            }
        return values

    def transition_promise(self):
        Promise = Pool().get('account.dunning.promise')
        start = self.start
        if not start.promise_date or not start.promise_amount:
            raise OutcomeError(gettext(
                    'ar_followup.msg_outcome_promise_missing',
                    party=self.record.party.rec_name))
        promise, = Promise.create([{
                    'company': self.record.company.id,
                    'party': self.record.party.id,
                    'invoice': start.invoice.id if start.invoice else None,
                    'date': start.promise_date,
                    'amount': start.promise_amount,
                    'note': start.note,
                    }])
        self.record.record_call_outcome(
            'promise', note=start.note, promise=promise)
        return 'end'

    def transition_dispute(self):
        Dispute = Pool().get('account.invoice.dispute')
        start = self.start
        if not start.invoice:
            raise OutcomeError(gettext(
                    'ar_followup.msg_outcome_dispute_invoice',
                    party=self.record.party.rec_name))
        dispute, = Dispute.create([{
                    'company': self.record.company.id,
                    'invoice': start.invoice.id,
                    'reason': start.dispute_reason or 'other',
                    'amount': (start.dispute_amount
                        or start.invoice.amount_to_pay),
                    'description': start.note,
                    'owner': Transaction().user,
                    }])
        self.record.record_call_outcome(
            'dispute', note=start.note, dispute=dispute)
        return 'end'

    def transition_no_answer(self):
        self.record.record_call_outcome('no_answer', note=self.start.note)
        return 'end'

    def transition_wrong_contact(self):
        self.record.record_call_outcome('wrong_contact', note=self.start.note)
        return 'end'
