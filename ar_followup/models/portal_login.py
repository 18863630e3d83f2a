# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The optional login to the customer portal through Tryton's web_user
module (registered only when web_user is activated).

The administrator creates a web user (*Administration › Users › Web
Users*) with an email, a password and the party; the customer logs in on
the portal's login page (see ../routes.py) and gets a portal link of his
own for that session: for that party and that company only, expiring
after some idle minutes (``[ar_followup] portal_login_minutes``, 30 by
default) and the next day at the latest, closed by *Log out*, and invalid
as soon as the web user is deactivated or linked to another party."""
import datetime as dt
import secrets


import trytond.config as config
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

DEFAULT_LOGIN_MINUTES = 30
# the checks of a password against an unknown email: a hash of a random
# password, computed once per process
_DUMMY_HASH = None


def login_timeout():
    "The idle time after which a login closes"
    return dt.timedelta(minutes=config.getint(
            'ar_followup', 'portal_login_minutes',
            default=DEFAULT_LOGIN_MINUTES))


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    portal_login_key = fields.Char(
        "Portal Login Key", readonly=True, strip=False,
        help="The secret signing the form tokens of the login page "
        "(generated on first use, readable by nobody).")

    @classmethod
    def get_portal_login_key(cls):
        "Return the key of the login form tokens, creating it on first use"
        config_ = cls(1)
        if not config_.portal_login_key:
            with without_check_access():
                cls.write([config_], {
                        'portal_login_key': secrets.token_hex(32),
                        })
            config_ = cls(1)
        return config_.portal_login_key


class PortalAccess(metaclass=PoolMeta):
    __name__ = 'ar_followup.portal.access'

    web_user = fields.Many2One(
        'web.user', "Web User", readonly=True, ondelete='SET NULL',
        help="The customer account that logged in and got the link.")
    login_expires = fields.DateTime(
        "Login Expires", readonly=True,
        help="The link of a login closes at this time unless it is used "
        "again before.")

    def get_valid(self, name):
        valid = super().get_valid(name)
        if valid and self.login_expires:
            # the web user deactivated, deleted or linked to another party
            # closes his links
            valid = (self.login_expires > dt.datetime.now()
                and bool(self.web_user) and self.web_user.active
                and self.web_user.party == self.party)
        return valid

    @classmethod
    def login(cls, web_user, company):
        """Issue the link of a login of web_user to the portal of his party
        for company; return the access and its URL"""
        return cls.issue(company, web_user.party, days=1, web_user=web_user,
            login_expires=dt.datetime.now() + login_timeout())

    def used(self):
        if self.login_expires:
            self.login_expires = dt.datetime.now() + login_timeout()
        super().used()

    def logout(self):
        "Close every open login of the web user of the access"
        if not self.web_user:
            return
        accesses = self.search([
                ('web_user', '=', self.web_user.id),
                ('login_expires', '!=', None),
                ('revoked', '=', False),
                ])
        self.revoke(accesses)


class PortalAudit(metaclass=PoolMeta):
    __name__ = 'ar_followup.portal.audit'

    web_user = fields.Many2One(
        'web.user', "Web User", readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # a refused login has no link: the audit is read by its own access
        # (follow-up users) and rule (the user's companies, or none)
        cls.access.required = False
        cls.__access__.discard('access')
        cls.event.selection += [
            ('login', "Logged In"),
            ('login_failed', "Login Refused"),
            ('logout', "Logged Out"),
            ]

    @classmethod
    def log_login(cls, event, ip_address, web_user=None, access=None,
            detail=None):
        "Write the audit of a login, refused or not, or of a logout"
        party = access.party if access else (
            web_user.party if web_user else None)
        cls.create([{
                    'access': access.id if access else None,
                    'company': access.company.id if access else None,
                    'party': party.id if party else None,
                    'web_user': web_user.id if web_user else None,
                    'timestamp': dt.datetime.now(),
                    'ip_address': ip_address,
                    'event': event,
                    'detail': (detail or '')[:200] or None,
                    }])


class WebUser(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def portal_authenticate(cls, email, password):
        """Return the active web user of email and password, None otherwise;
        an unknown email takes the time of a password check too, so that
        the answer's delay does not tell whether the email exists.  Raise
        RateLimitException after too many failures for the email
        ([session] max_attempt) or the IP network"""
        global _DUMMY_HASH
        email = email.strip().lower()
        if not cls.search([('email', '=', email)], limit=1):
            if _DUMMY_HASH is None:
                _DUMMY_HASH = cls.hash_password(secrets.token_urlsafe(16))
            cls.check_password(password, _DUMMY_HASH)
        return cls.authenticate(email, password)

    def portal_companies(self, company_id=None):
        """The companies whose portal the login opens: the one asked for,
        else those where the party has customer invoices, else all"""
        pool = Pool()
        Company = pool.get('company.company')
        Invoice = pool.get('account.invoice')
        if company_id is not None:
            return Company.search([('id', '=', company_id)])
        invoice = Invoice.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*invoice.select(invoice.company,
                where=(invoice.party == self.party.id)
                & (invoice.type == 'out')
                & invoice.state.in_(['posted', 'paid']),
                group_by=[invoice.company]))
        ids = [c for c, in cursor]
        if ids:
            return Company.browse(sorted(ids))
        return Company.search([], order=[('id', 'ASC')])
