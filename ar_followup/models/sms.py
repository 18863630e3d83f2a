# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Follow-up text messages through a pluggable gateway.

A gateway is a class registered under a name with ``register_gateway``; its
``send(number, text)`` returns the identifier of the message or raises.  The
gateway used is the ``sms_gateway`` option of the ``[ar_followup]`` section
of the configuration (``file`` by default): the file gateway appends one
JSON line per message to the ``sms_file`` option, or logs it when there is
none.  A provider's gateway is a class of another module, registered the
same way.  Like the emails, a message is queued when its action is
processed, what is due is checked again before each attempt, a failure
leaves it queued for the next daily run and a sent message is never sent
again."""
import datetime
import json
import logging
import uuid

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from ..exceptions import SMSGatewayError
from .outbox import OutboxMixin

logger = logging.getLogger(__name__)
GATEWAYS = {}


def register_gateway(name):
    "Register the decorated gateway class under name"
    def decorator(cls):
        GATEWAYS[name] = cls
        return cls
    return decorator


def get_gateway():
    "Return an instance of the configured gateway"
    name = config.get('ar_followup', 'sms_gateway', default='file')
    if name not in GATEWAYS:
        raise SMSGatewayError(gettext(
                'ar_followup.msg_sms_gateway_unknown', gateway=name,
                gateways=', '.join(sorted(GATEWAYS))))
    return GATEWAYS[name]()


@register_gateway('file')
class FileGateway:
    "Write the messages to a file (one JSON line each) or to the log"

    def send(self, number, text):
        message_id = str(uuid.uuid4())
        path = config.get('ar_followup', 'sms_file', default=None)
        record = {'id': message_id, 'to': number, 'text': text}
        if path:
            with open(path, 'a', encoding='utf-8') as fp:
                fp.write(json.dumps(record, ensure_ascii=False) + '\n')
        else:
            logger.info("SMS %s", json.dumps(record, ensure_ascii=False))
        return message_id


class SMS(OutboxMixin, ModelSQL, ModelView):
    __name__ = 'account.dunning.sms'
    __string__ = "Follow-up SMS"
    _action_unique_message = 'ar_followup.msg_dunning_sms_action_unique'

    number = fields.Char("Number", readonly=True)
    text = fields.Text("Text", readonly=True)
    gateway = fields.Char("Gateway", readonly=True)
    message_id = fields.Char("Message ID", readonly=True)
    cancel_reason = fields.Selection([
            (None, ""),
            ('nothing_due', "Nothing Due"),
            ('no_contact', "No Mobile Number"),
            ], "Cancellation Reason", readonly=True,
        states={
            'invisible': Eval('state') != 'cancelled',
            })

    def get_number(self):
        contact = self.party.contact_mechanism_get(
            'mobile', usage='dunning')
        if contact and contact.value:
            return contact.value

    def get_text(self, statement):
        "The text in the customer's language with the totals due"
        pool = Pool()
        Lang = pool.get('ir.lang')
        code = self.party.lang.code if self.party.lang else None
        lang = Lang.get(code)
        with Transaction().set_context(language=lang.code):
            return gettext('ar_followup.msg_sms_text',
                company=self.company.rec_name,
                amount=', '.join(lang.currency(total, currency)
                    for currency, _, _, total in statement))

    @classmethod
    @ModelView.button
    def send(cls, messages):
        "Send the queued messages, checking again what is due"
        gateway = None
        for message in messages:
            if message.state != 'queued':
                continue
            statement = message.action.statement()
            number = message.get_number()
            if not statement or not number:
                message.state = 'cancelled'
                message.cancel_reason = (
                    'nothing_due' if not statement else 'no_contact')
                message.save()
                continue
            if gateway is None:
                gateway = get_gateway()
            message.number = number
            message.text = message.get_text(statement)
            message.gateway = config.get(
                'ar_followup', 'sms_gateway', default='file')
            message.attempts = (message.attempts or 0) + 1
            try:
                message.message_id = gateway.send(number, message.text)
            except Exception as exception:
                logger.warning("follow-up SMS %s not sent", message.id,
                    exc_info=True)
                message.error = str(exception)
                message.save()
                continue
            message.state = 'sent'
            message.error = None
            message.sent_at = datetime.datetime.now()
            message.save()

    @classmethod
    def send_run(cls, run):
        "Retry the queued messages of the company of the run"
        # the messages of the actions of the run were just attempted
        cls.send(cls.search([
                    ('company', '=', run.company.id),
                    ('state', '=', 'queued'),
                    ['OR',
                        ('action.run', '!=', run.id),
                        ('action.run', '=', None),
                        ],
                    ]))


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    sms = fields.One2Many(
        'account.dunning.sms', 'action', "SMS", readonly=True)

    @classmethod
    def _process_send_sms(cls, actions):
        SMS = Pool().get('account.dunning.sms')
        messages = SMS.create([{
                    'company': a.company.id,
                    'action': a.id,
                    'party': a.party.id,
                    } for a in actions if not a.sms])
        SMS.send(messages)


class Run(metaclass=PoolMeta):
    __name__ = 'account.dunning.run'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        step = ('account.dunning.sms', 'send_run')
        cls._daily_steps.append(step)
        # after the messages of the actions processed by the plans
        cls._daily_step_needs[step] = [('account.dunning.action', 'plan_run')]
