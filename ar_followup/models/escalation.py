# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Escalation levels that act.

A level says through which channels the customer is contacted (email and
printed letter from Tryton's core modules, formal notice wording, SMS, call
task, salesperson alert, handover), whether a collector confirms the action
first and the minimum interval between two contacts of the same customer.
The daily job records the customer's action 'pending'; this step plans it
after the minimum interval, cancels the older pending actions it replaces
and processes the actions that need no confirmation.
"""
import datetime

from sql import Null
from sql.aggregate import Max
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

# claim_penalties (penalty_followup.py) comes after the letter it follows;
# handover (handover.py) comes last: it pauses the invoices it hands over
CHANNELS = ['send_email', 'print_on_letter', 'formal_notice', 'send_sms',
    'call_task', 'alert_salesperson', 'claim_penalties', 'handover']


class Level(metaclass=PoolMeta):
    __name__ = 'account.dunning.level'

    formal_notice = fields.Boolean(
        "Formal Notice",
        help="Check to print a registered letter with the wording of a "
        "formal notice (mise en demeure, article 1344 of the Civil Code).")
    formal_notice_days = fields.Integer(
        "Formal Notice Deadline (days)",
        domain=['OR',
            ('formal_notice_days', '=', None),
            [('formal_notice_days', '>=', 8),
                ('formal_notice_days', '<=', 15)],
            ],
        states={
            'invisible': ~Eval('formal_notice', False),
            'required': Eval('formal_notice', False),
            },
        help="The days granted to the customer to pay after the formal "
        "notice (8 to 15).")
    send_sms = fields.Boolean(
        "Send SMS", help="Check to send a text message to the customer.")
    call_task = fields.Boolean(
        "Call Task",
        help="Check to put a phone call on the collector's worklist.")
    alert_salesperson = fields.Boolean(
        "Alert Salesperson",
        help="Check to notify the customer's salesperson.")
    handover = fields.Boolean(
        "Handover",
        help="Check to hand the receivables over to a collection agency or "
        "to the credit insurer.")
    confirm = fields.Boolean(
        "Needs Confirmation",
        help="Check to keep the actions of this level pending until a "
        "collector confirms them; otherwise the daily job processes them.")
    min_interval_days = fields.Integer(
        "Minimum Interval (days)", required=True,
        domain=[('min_interval_days', '>=', 0)],
        help="The minimum number of days between two contacts of the same "
        "customer: a later action waits until then.")

    @classmethod
    def default_formal_notice(cls):
        return False

    @classmethod
    def default_send_sms(cls):
        return False

    @classmethod
    def default_call_task(cls):
        return False

    @classmethod
    def default_alert_salesperson(cls):
        return False

    @classmethod
    def default_handover(cls):
        return False

    @classmethod
    def default_confirm(cls):
        return False

    @classmethod
    def default_min_interval_days(cls):
        return 0

    @fields.depends('formal_notice', 'formal_notice_days')
    def on_change_formal_notice(self):
        if self.formal_notice and not self.formal_notice_days:
            self.formal_notice_days = 8

    @property
    def channels(self):
        "The names of the channels of the level"
        return [c for c in CHANNELS if getattr(self, c, False)]


class Run(metaclass=PoolMeta):
    __name__ = 'account.dunning.run'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._daily_steps.append(('account.dunning.action', 'plan_run'))


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    planned_date = fields.Date(
        "Planned Date", readonly=True,
        help="The date from which the action is done: the minimum interval "
        "after the previous contact of the customer.")
    needs_confirmation = fields.Function(fields.Boolean(
            "Needs Confirmation"), 'get_needs_confirmation')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'process': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    def get_needs_confirmation(self, name):
        return bool(self.level.confirm)

    @classmethod
    def plan_run(cls, run):
        """Plan the actions of the run after the minimum interval, cancel
        the pending actions they replace and process the actions due"""
        pool = Pool()
        Level = pool.get('account.dunning.level')
        table = cls.__table__()
        previous = cls.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        # the older pending actions of the same customers are replaced
        cursor.execute(*table.update(
                [table.state, table.write_uid, table.write_date],
                ['cancelled', user, CurrentTimestamp()],
                where=(table.company == run.company.id)
                & (table.state == 'pending')
                & ((table.run != run.id) | (table.run == Null))
                & table.party.in_(previous.select(previous.party,
                        where=previous.run == run.id))))
        intervals = {l.id: l.min_interval_days or 0
            for l in Level.search([])}
        # the pending ones: those processed already by a first call keep
        # their date (the step may run again, as a task of the queue)
        cursor.execute(*table.select(table.id, table.party, table.level,
                where=(table.run == run.id) & (table.state == 'pending')))
        actions = cursor.fetchall()
        last_contacts = {}
        parties = sorted({a[1] for a in actions})
        for sub_parties in grouped_slice(parties, backend.MAX_QUERY_PARAMS):
            cursor.execute(*previous.select(
                    previous.party, Max(previous.date),
                    where=(previous.company == run.company.id)
                    & (previous.state == 'done')
                    & fields.SQL_OPERATORS['in'](
                        previous.party, list(sub_parties)),
                    group_by=[previous.party]))
            for party, date in cursor:
                if isinstance(date, str):
                    date = datetime.date.fromisoformat(date)
                last_contacts[party] = date
        by_date = {}
        for action_id, party, level in actions:
            planned = run.date
            if party in last_contacts:
                planned = max(planned, last_contacts[party]
                    + datetime.timedelta(days=intervals[level]))
            by_date.setdefault(planned, []).append(action_id)
        for planned, ids in by_date.items():
            for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*table.update(
                        [table.planned_date], [planned],
                        where=fields.SQL_OPERATORS['in'](
                            table.id, list(sub_ids))))
        cls.process_due(run.company, run.date)

    @classmethod
    def process_due(cls, company, date):
        "Process the pending actions due that need no confirmation"
        pool = Pool()
        Level = pool.get('account.dunning.level')
        automatic = [l.id for l in Level.search([('confirm', '=', False)])]
        actions = cls.search([
                ('company', '=', company.id),
                ('state', '=', 'pending'),
                ('planned_date', '<=', date),
                ('level', 'in', automatic),
                ])
        cls.do_process(actions)

    @classmethod
    @ModelView.button
    def process(cls, actions):
        "Confirm and process the pending actions"
        cls.do_process([a for a in actions if a.state == 'pending'])

    @classmethod
    @ModelView.button
    def cancel(cls, actions):
        cls.write([a for a in actions if a.state == 'pending'], {
                'state': 'cancelled',
                })

    @classmethod
    def do_process(cls, actions):
        """Carry out the channels of the actions and mark them done.

        Each channel is a class method _process_<channel>(actions) called
        with the actions whose level has the channel."""
        if not actions:
            return
        for channel in CHANNELS:
            method = getattr(cls, '_process_%s' % channel, None)
            selected = [a for a in actions if getattr(a.level, channel)]
            if method and selected:
                method(selected)
        cls.write(list(actions), {'state': 'done'})
