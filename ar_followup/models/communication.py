# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Grouped follow-up emails: one per customer action.

The email is queued when the action is processed and sent through Tryton's
email machinery to the customer's follow-up contact.  Just before sending,
in the same transaction, the statement is computed again from the open
dunnings: paid, disputed and promised invoices drop out and an email that
would cover nothing is cancelled.  An SMTP failure leaves the email queued
for the next attempt; a sent email is never sent again.

The daily job never talks to the SMTP server inside its own transaction: it
queues one task per email (Tryton's queue), run after its commit, each in a
transaction of its own that locks the email, so that a run rolled back
sends nothing and a sent email is recorded as such at once.  The delivery
is at least once: when the connection is lost after the message was
transmitted, the server may have delivered it; the email stays queued with
that error and is sent again with the same Message-ID."""
import datetime
import logging
import mimetypes
import re
import smtplib
from collections import defaultdict
from decimal import Decimal

import trytond.config as config
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.i18n import gettext
from trytond.report import Report, get_email
from trytond.sendmail import get_smtp_server
from trytond.tools.email_ import format_address, set_from_header
from trytond.transaction import Transaction

from .outbox import OutboxMixin
from .run import DailySelection, serialise

logger = logging.getLogger(__name__)

# seconds to wait for the SMTP server when [email] uri sets no timeout
SMTP_TIMEOUT = 60


class MaybeDeliveredError(smtplib.SMTPException):
    "The connection was lost once the message was transmitted"


def transmit(msg):
    """Hand msg once to the SMTP server of [email] uri.

    Unlike trytond.sendmail.send_message, it does not try again at once: a
    retry after a connection lost at the end of DATA may deliver twice.
    Raise MaybeDeliveredError when the failure came after the message was
    transmitted (the server may have delivered it), else the SMTP or socket
    (OSError) error."""
    uri = config.get('email', 'uri')
    if 'timeout=' not in uri:
        uri += ('&' if '?' in uri else '?') + 'timeout=%s' % SMTP_TIMEOUT
    server = get_smtp_server(uri, strict=True)
    transmitted = []
    data = server.data

    def data_transmitted(content):
        transmitted.append(True)
        return data(content)
    server.data = data_transmitted
    try:
        server.send_message(msg)
    except smtplib.SMTPResponseException:
        server.close()
        raise
    except Exception as exception:
        server.close()
        if transmitted:
            raise MaybeDeliveredError(str(exception)) from exception
        raise
    try:
        server.quit()
    except Exception:
        server.close()


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


def attach_report(msg, ext, content, name):
    "Attach the document of a report to the email message"
    if isinstance(content, str):
        content = content.encode('utf-8')
    maintype, subtype = (
        mimetypes.guess_type('x.' + ext)[0]
        or 'application/octet-stream').split('/', 1)
    msg.add_attachment(content, maintype=maintype,
        subtype=subtype, filename='%s.%s' % (name, ext))


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
                attach_report(msg, ext, content, name)

    @classmethod
    @ModelView.button
    def send(cls, communications):
        "Send the queued emails now, checking again what is due"
        cls.deliver(communications)

    @classmethod
    def send_later(cls, communications):
        """Send each queued email after the commit, in a task of the queue
        of its own (run by trytond-worker, else at the end of the request)"""
        for communication in communications:
            cls.__queue__.deliver([communication])

    @classmethod
    def deliver(cls, communications):
        """Make one attempt to send each queued email, checking again what
        is due; each email is locked until the end of the transaction so
        that two tasks never send the same email (the second one waits,
        then starts again and finds it sent)"""
        pool = Pool()
        Email = pool.get('ir.email')
        Lang = pool.get('ir.lang')
        Configuration = pool.get('ir.configuration')
        Report = pool.get('account.dunning.email', type='report')
        for communication_id in sorted(c.id for c in communications):
            serialise(f'{cls.__name__},{communication_id}')
        emails = []
        for communication in cls.browse([c.id for c in communications]):
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
            # a stable identifier lets the receiver drop a duplicate; the
            # database name is reduced to the characters of a msg-id atom
            msg['Message-ID'] = communication.message_id or (
                '<ar_followup.email.%s.%s@%s>' % (
                    re.sub(r'[^A-Za-z0-9_-]', '',
                        Transaction().database.name) or 'db',
                    communication.id,
                    config.get('email', 'from', default='tryton')
                    .rsplit('@', 1)[-1].strip('>')))
            communication.attempts = (communication.attempts or 0) + 1
            communication.recipients = to
            communication.message_id = msg['Message-ID']
            try:
                transmit(msg)
            except MaybeDeliveredError as exception:
                logger.warning("follow-up email %s may have been delivered",
                    communication.id, exc_info=True)
                communication.error = gettext(
                    'ar_followup.msg_dunning_email_maybe_delivered',
                    error=str(exception))
                communication.save()
                continue
            except (smtplib.SMTPException, OSError) as exception:
                logger.warning("follow-up email %s not sent",
                    communication.id, exc_info=True)
                communication.error = str(exception) or repr(exception)
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
        "Queue again the emails of the company left queued by a failure"
        # the emails of the actions of the run are queued already
        cls.send_later(cls.search([
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
        # the penalties accrued as of the day the email is sent
        today = Pool().get('ir.date').today()
        context['penalties'] = lambda c: c.action.penalties(today)
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
        Communication.send_later(Communication.search([
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
        step = ('account.dunning.email', 'send_run')
        cls._daily_steps.append(step)
        # after the emails of the actions processed by the plans
        cls._daily_step_needs[step] = [('account.dunning.action', 'plan_run')]
