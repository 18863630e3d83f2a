# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the follow-up emails and text messages share: one per action,
queued, attempted until sent, never sent twice."""
from trytond.model import Unique, fields
from trytond.pyson import Eval


class OutboxMixin:
    "A message of a follow-up action, queued until sent"
    __slots__ = ()
    # the ir.message of the one-message-per-action constraint
    _action_unique_message = None

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    action = fields.Many2One(
        'account.dunning.action', "Action", required=True, readonly=True,
        ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    attempts = fields.Integer("Attempts", readonly=True)
    error = fields.Text(
        "Last Error", readonly=True,
        states={
            'invisible': ~Eval('error'),
            })
    sent_at = fields.DateTime("Sent At", readonly=True)
    state = fields.Selection([
            ('queued', "Queued"),
            ('sent', "Sent"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('action_unique', Unique(t, t.action),
                cls._action_unique_message),
            ]
        cls._order.insert(0, ('id', 'DESC'))
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') != 'queued',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    def default_attempts(cls):
        return 0
