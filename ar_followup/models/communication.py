# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Grouped follow-up emails: one per customer action.

The email is queued when the action is processed and sent through Tryton's
email machinery to the customer's follow-up contact.  Just before sending,
in the same transaction, the statement is computed again from the open
dunnings: paid, disputed and promised invoices drop out and an email that
would cover nothing is cancelled.  An SMTP failure leaves the email queued
for the next attempt; a sent email is never sent again."""
import datetime
import logging
import mimetypes
from collections import defaultdict
from decimal import Decimal

import trytond.config as config
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report, get_email
from trytond.sendmail import send_message
from trytond.tools.email_ import format_address, set_from_header
from trytond.transaction import Transaction

from .outbox import OutboxMixin
from .run import DailySelection

logger = logging.getLogger(__name__)


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    dunning = fields.Boolean(
        "Follow-up",
        help="Check to send the follow-up emails to this contact.")

    @classmethod
    def usages(cls, _fields=None):
        if _fields is None:
            _fields = []
        _fields.append('dunning')
        return super().usages(_fields=_fields)


class Communication(OutboxMixin, ModelSQL, ModelView):
    __name__ = 'account.dunning.email'
    __string__ = "Follow-up Email"
    _action_unique_message = 'ar_followup.msg_dunning_email_action_unique'

    recipients = fields.Char("Recipients", readonly=True)
    message_id = fields.Char("Message-ID", readonly=True)
    cancel_reason = fields.Selection([
            (None, ""),
            ('nothing_due', "Nothing Due"),
            ('no_contact', "No Email Contact"),
            ], "Cancellation Reason", readonly=True,
        states={
            'invisible': Eval('state') != 'cancelled',
            })

    def statement(self):
        "Return the statement of the action (see Action.statement)"
        return self.action.statement()

    def get_contact(self):
        usage = self.action.level.email_contact_mechanism or 'dunning'
        contact = self.party.contact_mechanism_get('email', usage=usage)
        if contact and contact.email:
            return format_address(
                contact.email, contact.name or self.party.rec_name)

    def attach_invoices(self, msg):
        "Attach the documents of the invoices of the statement"
        InvoiceReport = Pool().get('account.invoice', type='report')
        for _, rows, _, _ in self.statement():
            for invoice, *_ in rows:
                ext, content, _, name = InvoiceReport.execute(
                    [invoice.id], {})
                if isinstance(content, str):
                    content = content.encode('utf-8')
                maintype, subtype = (
                    mimetypes.guess_type('x.' + ext)[0]
                    or 'application/octet-stream').split('/', 1)
                msg.add_attachment(content, maintype=maintype,
                    subtype=subtype, filename='%s.%s' % (name, ext))

    @classmethod
    @ModelView.button
    def send(cls, communications):
        "Send the queued emails, checking again what is due"
        pool = Pool()
        Email = pool.get('ir.email')
        Lang = pool.get('ir.lang')
        Configuration = pool.get('ir.configuration')
        Report = pool.get('account.dunning.email', type='report')
        emails = []
        for communication in communications:
            if communication.state != 'queued':
                continue
            if not communication.statement():
                logger.info("follow-up email %s cancelled: nothing due",
                    communication.id)
                communication.state = 'cancelled'
                communication.cancel_reason = 'nothing_due'
                communication.save()
                continue
            to = communication.get_contact()
            if not to:
                communication.state = 'cancelled'
                communication.cancel_reason = 'no_contact'
                communication.save()
                continue
            lang = communication.party.lang
            if not lang:
                lang, = Lang.search([
                        ('code', '=', Configuration.get_language()),
                        ], limit=1)
            msg, title = get_email(Report, communication, [lang])
            communication.attach_invoices(msg)
            from_ = config.get('email', 'from')
            set_from_header(msg, from_, from_)
            msg['To'] = to
            msg['Subject'] = title
            msg['Auto-Submitted'] = 'auto-generated'
            # a stable identifier lets the receiver drop a duplicate
            msg['Message-ID'] = communication.message_id or (
                '<ar_followup.email.%s.%s@%s>' % (
                    Transaction().database.name, communication.id,
                    config.get('email', 'from', default='tryton')
                    .rsplit('@', 1)[-1].strip('>')))
            communication.attempts = (communication.attempts or 0) + 1
            communication.recipients = to
            communication.message_id = msg['Message-ID']
            try:
                send_message(msg, strict=True)
            except Exception as exception:
                logger.warning("follow-up email %s not sent",
                    communication.id, exc_info=True)
                communication.error = str(exception)
                communication.save()
                continue
            communication.state = 'sent'
            communication.error = None
            communication.sent_at = datetime.datetime.now()
            communication.save()
            emails.append(Email.from_message(msg, resource=communication,
                    dunning_level=communication.action.level))
        Email.save(emails)

    @classmethod
    def send_run(cls, run):
        "Send (or retry) the queued emails of the company of the run"
        # the emails of the actions of the run were just attempted
        cls.send(cls.search([
                    ('company', '=', run.company.id),
                    ('state', '=', 'queued'),
                    ['OR',
                        ('action.run', '!=', run.id),
                        ('action.run', '=', None),
                        ],
                    ]))


class CommunicationReport(Report):
    __name__ = 'account.dunning.email'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['statement'] = lambda c: c.statement()
        return context


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    emails = fields.One2Many(
        'account.dunning.email', 'action', "Emails", readonly=True)
    cancel_reason = fields.Selection([
            (None, ""),
            ('nothing_due', "Nothing Due"),
            ], "Cancellation Reason", readonly=True,
        states={
            'invisible': Eval('state') != 'cancelled',
            },
        help="Why the action was cancelled when it was processed.")

    def statement(self):
        """Return what the customer owes as of the date of the action, one
        section per currency: a list of (currency, rows, credits, total).

        rows are (invoice, amount to pay, days overdue, due date) of the
        customer's invoices with an open dunning whose follow-up is not
        paused (dispute, promise), for what remains to pay after partial
        payments; credits are (line, amount) of the customer's unallocated
        payments and credit notes, deducted from the total.  A currency
        where nothing remains due is left out."""
        pool = Pool()
        Dunning = pool.get('account.dunning')
        Invoice = pool.get('account.invoice')
        MoveLine = pool.get('account.move.line')
        selection = DailySelection(self.company, self.date)
        dunning, line, from_, where = Dunning._active_query(self.company.id)
        cursor = Transaction().connection.cursor()
        cursor.execute(*from_.select(line.move,
                where=where & (line.party == self.party.id)
                & ~line.move.in_(selection.paused_moves())))
        moves = [m for m, in cursor]
        invoices = Invoice.search([
                ('move', 'in', moves),
                ('type', '=', 'out'),
                ('state', '=', 'posted'),
                ], order=[('invoice_date', 'ASC'), ('id', 'ASC')])
        rows = defaultdict(list)
        for invoice in invoices:
            amount = invoice.amount_to_pay
            if amount <= 0:
                continue
            due = min((l.maturity_date for l in invoice.lines_to_pay
                    if not l.reconciliation and l.maturity_date),
                default=invoice.invoice_date)
            rows[invoice.currency].append(
                (invoice, amount, max((self.date - due).days, 0), due))
        credits = defaultdict(list)
        for credit in MoveLine.search([
                    ('party', '=', self.party.id),
                    ('move.company', '=', self.company.id),
                    ('move.state', '=', 'posted'),
                    ('account.type.receivable', '=', True),
                    ('reconciliation', '=', None),
                    ['OR', ('credit', '>', 0), ('debit', '<', 0)],
                    ('invoice_payment', '=', None),
                    ], order=[('date', 'ASC'), ('id', 'ASC')]):
            if credit.second_currency:
                credits[credit.second_currency].append(
                    (credit, -credit.amount_second_currency))
            else:
                credits[self.company.currency].append(
                    (credit, credit.credit - credit.debit))
        sections = []
        for currency in sorted(rows, key=lambda c: c.code):
            total = (sum((r[1] for r in rows[currency]), Decimal(0))
                - sum((c[1] for c in credits[currency]), Decimal(0)))
            if currency.is_zero(total) or total < 0:
                continue
            sections.append(
                (currency, rows[currency], credits[currency], total))
        return sections

    @classmethod
    def do_process(cls, actions):
        """Check again, just before acting, what each customer owes: an
        action covering nothing is cancelled and logged"""
        pool = Pool()
        Communication = pool.get('account.dunning.email')
        empty = [a for a in actions if not a.statement()]
        for action in empty:
            logger.info("follow-up action %s of %s cancelled: nothing due",
                action.id, action.party.rec_name)
        if empty:
            cls.write(empty, {
                    'state': 'cancelled',
                    'cancel_reason': 'nothing_due',
                    })
        actions = [a for a in actions if a not in empty]
        super().do_process(actions)
        Communication.send(Communication.search([
                    ('action', 'in', [a.id for a in actions]),
                    ('state', '=', 'queued'),
                    ]))

    @classmethod
    def _process_send_email(cls, actions):
        Communication = Pool().get('account.dunning.email')
        Communication.create([{
                    'company': a.company.id,
                    'action': a.id,
                    'party': a.party.id,
                    } for a in actions if not a.emails])


class Run(metaclass=PoolMeta):
    __name__ = 'account.dunning.run'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # retry the emails left queued by an SMTP failure
        cls._daily_steps.append(('account.dunning.email', 'send_run'))
