# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The customer portal: personal links to a statement, the invoices and the
answers a customer can give (promise to pay, dispute, payment already made,
another contact).

Each follow-up email composed issues a link of its own (a portal access):
an unguessable token of which only the SHA-256 is stored, valid for the
days the configuration sets, revocable.  The pages are served by the
Tryton server (see ../routes.py); every request is written in the portal
audit with its IP address.  The answers create the records a collector
would create (promise to pay, dispute, follow-up action outcome) and put
the customer's last follow-up action on the worklist until a collector
marks the answer checked."""
import datetime as dt
import hmac

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.rpc import RPC
from trytond.transaction import Transaction, without_check_access

from ..rules import portal as rules

DEFAULT_VALIDITY = 60
DEFAULT_UPLOAD_SIZE = 5
# POSTs refused to a link after this many bad form tokens or answers
MAX_FAILED_ATTEMPTS = 20


def default_base_url():
    """The base URL of the links when the configuration sets none: the
    public host of [web] hostname, else the address of [web] listen"""
    from trytond.url import http_host
    if config.get('web', 'hostname'):
        return http_host()
    listen = config.get('web', 'listen', default='localhost:8000')
    return 'http://' + listen


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    portal_url = fields.Char(
        "Portal Base URL",
        help="The address of the Tryton server as customers reach it, "
        "e.g. https://erp.example.com.\n"
        "Leave empty for the [web] hostname (or listen) of the server.")
    portal_validity = fields.Integer(
        "Link Validity (days)",
        domain=[If(Eval('portal_validity'),
                ('portal_validity', '>', 0), ())],
        help="The days a link of a follow-up email opens the portal "
        "(%s when empty)." % DEFAULT_VALIDITY)
    portal_promise_max_days = fields.Integer(
        "Promise Max Delay (days)",
        domain=[If(Eval('portal_promise_max_days'),
                ('portal_promise_max_days', '>=', 0), ())],
        help="The latest date, in days from today, a customer may promise "
        "to pay on the portal (no limit when empty).")
    portal_promise_min_amount = Monetary(
        "Promise Min Amount", currency='promise_currency',
        digits='promise_currency',
        help="The smallest amount a customer may promise to pay on the "
        "portal, unless he owes less.")
    portal_upload_size = fields.Integer(
        "Upload Max Size (MB)",
        domain=[If(Eval('portal_upload_size'),
                ('portal_upload_size', '>', 0), ())],
        help="The largest file (PDF, PNG or JPEG) a customer may attach "
        "to a dispute (%s MB when empty)." % DEFAULT_UPLOAD_SIZE)
    portal_payment_details = fields.Text(
        "Payment Details",
        help="Shown on the portal: the bank details (IBAN, BIC) of the "
        "company and the reference to quote with a payment.")

    def get_portal_url(self):
        return (self.portal_url or default_base_url()).rstrip('/')


class PortalAccess(ModelSQL, ModelView):
    __name__ = 'ar_followup.portal.access'
    __string__ = "Portal Link"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        ondelete='CASCADE',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    action = fields.Many2One(
        'account.dunning.action', "Follow-up Action", readonly=True,
        ondelete='SET NULL',
        help="The follow-up action whose email carried the link.")
    token_digest = fields.Char(
        "Token Digest", required=True, readonly=True, strip=False)
    expires_on = fields.Date("Expires On", required=True, readonly=True)
    revoked = fields.Boolean("Revoked", readonly=True)
    last_used = fields.DateTime("Last Used", readonly=True)
    use_count = fields.Integer("Uses", readonly=True)
    failed_attempts = fields.Integer(
        "Failed Attempts", readonly=True,
        help="The forms refused: bad form token or invalid answer.")
    valid = fields.Function(fields.Boolean("Valid"), 'get_valid')
    audits = fields.One2Many(
        'ar_followup.portal.audit', 'access', "Audit", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('create_date', 'DESC'))
        cls.__access__.add('party')
        t = cls.__table__()
        cls._sql_constraints += [
            ('token_digest_unique', Unique(t, t.token_digest),
                'ar_followup.msg_portal_token_unique'),
            ]
        cls._buttons.update({
                'revoke': {
                    'invisible': Eval('revoked', False),
                    'depends': ['revoked'],
                    },
                })

    @classmethod
    def default_revoked(cls):
        return False

    @classmethod
    def default_use_count(cls):
        return 0

    @classmethod
    def default_failed_attempts(cls):
        return 0

    def get_valid(self, name):
        today = Pool().get('ir.date').today()
        return not self.revoked and self.expires_on >= today

    def get_rec_name(self, name):
        return '%s (%s)' % (self.party.rec_name, self.expires_on)

    @classmethod
    @ModelView.button
    def revoke(cls, accesses):
        # nobody writes a link (its expiry, its digest) but the portal
        with without_check_access():
            cls.write(accesses, {'revoked': True})

    @classmethod
    def issue(cls, company, party, action=None, days=None, **values):
        """Create a link to the portal of party for company, valid for days
        (the configuration's validity by default), with the other values of
        the access; return the access and its URL (the token is in the URL
        only)"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        Date = pool.get('ir.date')
        config_ = Configuration(1)
        token = rules.new_token()
        with Transaction().set_context(company=company.id):
            today = Date.today()
        access = cls(
            company=company, party=party, action=action,
            token_digest=rules.token_digest(token),
            expires_on=today + dt.timedelta(
                days=days or config_.portal_validity or DEFAULT_VALIDITY),
            **values)
        access.save()
        return access, cls.url(token)

    @classmethod
    def url(cls, token, path=''):
        Configuration = Pool().get('account.configuration')
        database = Transaction().database.name
        return '%s/%s/ar_followup/portal/%s%s' % (
            Configuration(1).get_portal_url(), database, token, path)

    @classmethod
    def from_token(cls, token):
        """Return the valid access of the token, None for an unknown,
        malformed, expired or revoked one (all alike)"""
        if not rules.valid_token(token):
            return None
        digest = rules.token_digest(token)
        accesses = cls.search([('token_digest', '=', digest)], limit=1)
        if not accesses:
            return None
        access, = accesses
        if not hmac.compare_digest(access.token_digest, digest):
            return None
        with Transaction().set_context(company=access.company.id):
            if not access.valid:
                return None
        return access

    def csrf_token(self, nonce):
        return rules.csrf_token(self.token_digest, self.id, nonce)

    def check_csrf(self, nonce, token):
        return rules.check_csrf(self.token_digest, self.id, nonce, token)

    def used(self):
        "Count a use of the link"
        self.last_used = dt.datetime.now()
        self.use_count = (self.use_count or 0) + 1
        self.save()

    def failed(self):
        "Count a refused form of the link"
        self.failed_attempts = (self.failed_attempts or 0) + 1
        self.save()

    @property
    def locked(self):
        return (self.failed_attempts or 0) >= MAX_FAILED_ATTEMPTS

    def open_invoices(self):
        """The customer's posted invoices of the company still to pay, the
        oldest due first"""
        Invoice = Pool().get('account.invoice')
        return Invoice.search([
                ('company', '=', self.company.id),
                ('party', '=', self.party.id),
                ('type', '=', 'out'),
                ('state', '=', 'posted'),
                ], order=[('invoice_date', 'ASC'), ('id', 'ASC')])

    def paid_invoices(self, days=90):
        "The customer's invoices paid over the last days"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Date = pool.get('ir.date')
        since = Date.today() - dt.timedelta(days=days)
        return Invoice.search([
                ('company', '=', self.company.id),
                ('party', '=', self.party.id),
                ('type', '=', 'out'),
                ('state', '=', 'paid'),
                ('invoice_date', '>=', since),
                ], order=[('invoice_date', 'DESC'), ('id', 'DESC')])

    def invoice(self, invoice_id):
        "The invoice of the customer with that id, None for another one"
        Invoice = Pool().get('account.invoice')
        invoices = Invoice.search([
                ('id', '=', invoice_id),
                ('company', '=', self.company.id),
                ('party', '=', self.party.id),
                ('type', '=', 'out'),
                ('state', 'in', ['posted', 'paid']),
                ], limit=1)
        return invoices[0] if invoices else None

    def last_action(self):
        "The customer's last follow-up action, on which answers are recorded"
        Action = Pool().get('account.dunning.action')
        if self.action:
            return self.action
        actions = Action.search([
                ('company', '=', self.company.id),
                ('party', '=', self.party.id),
                ], order=[('date', 'DESC'), ('id', 'DESC')], limit=1)
        return actions[0] if actions else None

    def record_answer(self, outcome, note, promise=None, dispute=None):
        """Record the answer of the customer on his last follow-up action,
        as a collector records the outcome of a call, and put it on the
        worklist until it is checked"""
        pool = Pool()
        Date = pool.get('ir.date')
        action = self.last_action()
        if not action:
            return None
        note = gettext('ar_followup.msg_portal_answer_note', note=note)
        action.record_call_outcome(
            outcome, note=note, promise=promise, dispute=dispute)
        action.portal_answer_date = Date.today()
        action.save()
        return action


class PortalAudit(ModelSQL, ModelView):
    __name__ = 'ar_followup.portal.audit'
    __string__ = "Portal Audit"

    access = fields.Many2One(
        'ar_followup.portal.access', "Portal Link", required=True,
        readonly=True, ondelete='CASCADE')
    company = fields.Many2One('company.company', "Company", readonly=True)
    party = fields.Many2One(
        'party.party', "Party", readonly=True, ondelete='CASCADE',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    timestamp = fields.DateTime("Time", readonly=True, required=True)
    ip_address = fields.Char("IP Address", readonly=True)
    event = fields.Selection([
            ('view', "Page Viewed"),
            ('download', "Document Downloaded"),
            ('promise', "Promise to Pay"),
            ('dispute', "Dispute"),
            ('paid', "Payment Already Made"),
            ('contact', "Other Contact"),
            ('refused', "Form Refused"),
            ('csrf', "Form Token Refused"),
            ], "Event", readonly=True, required=True, sort=False)
    detail = fields.Char("Detail", readonly=True)
    resource = fields.Reference(
        "Record", selection=[
            (None, ""),
            ('account.dunning.promise', "Promise to Pay"),
            ('account.invoice.dispute', "Dispute"),
            ('account.invoice', "Invoice"),
            ('account.dunning.action', "Follow-up Action"),
            ], readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('timestamp', 'DESC'))
        cls.__access__.add('access')

    @classmethod
    def log(cls, access, event, ip_address, detail=None, resource=None):
        cls.create([{
                    'access': access.id,
                    'company': access.company.id,
                    'party': access.party.id,
                    'timestamp': dt.datetime.now(),
                    'ip_address': ip_address,
                    'event': event,
                    'detail': (detail or '')[:200] or None,
                    'resource': str(resource) if resource else None,
                    }])


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    portal_answer_date = fields.Date(
        "Portal Answer On", readonly=True,
        help="The date the customer answered on the portal: the action "
        "stays on the worklist until a collector checks the answer.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'portal_checked': {
                    'invisible': ~Eval('portal_answer_date'),
                    'depends': ['portal_answer_date'],
                    },
                })

    @classmethod
    def get_on_worklist(cls, actions, name):
        result = super().get_on_worklist(actions, name)
        for action in actions:
            if action.portal_answer_date:
                result[action.id] = True
        return result

    @classmethod
    def search_on_worklist(cls, name, clause):
        domain = super().search_on_worklist(name, clause)
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return ['OR', domain, ('portal_answer_date', '!=', None)]
        return [domain, ('portal_answer_date', '=', None)]

    @classmethod
    @ModelView.button
    def portal_checked(cls, actions):
        "The collector has checked the answer of the customer"
        cls.write(actions, {'portal_answer_date': None})

    def portal_link(self):
        """Issue the link to the portal that the email or the letter of the
        action carries (one per document composed)"""
        Access = Pool().get('ar_followup.portal.access')
        _, url = Access.issue(self.company, self.party, action=self)
        return url


class Communication(metaclass=PoolMeta):
    __name__ = 'account.dunning.email'

    def portal_link(self):
        "Issue the link to the portal that the email carries"
        return self.action.portal_link()


class CommunicationReport(metaclass=PoolMeta):
    __name__ = 'account.dunning.email'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # composing the email issues its portal link
        cls.__rpc__['execute'] = RPC(False)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['portal_link'] = lambda c: c.portal_link()
        return context


class Letter(metaclass=PoolMeta):
    __name__ = 'account.dunning.action.letter'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # printing the letter, again too, issues its portal link
        cls.__rpc__['execute'] = RPC(False)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['portal_link'] = lambda a: a.portal_link()
        # the QR code of the link, 3 cm wide, for the image frame
        context['portal_qr'] = lambda url: (
            rules.qr_png(url), 'image/png', '3cm', '3cm')
        return context
