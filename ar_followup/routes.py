# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The customer portal served by the Tryton server (see models/portal.py).

    GET  /<database>/ar_followup/portal/<token>            the page
    POST /<database>/ar_followup/portal/<token>/<answer>   promise, dispute,
                                                           paid, contact
    GET  /<database>/ar_followup/portal/<token>/invoice/<id>  invoice
                                                  (Factur-X PDF if it can)
    GET  /<database>/ar_followup/portal/<token>/statement  statement PDF
    GET  /<database>/ar_followup/portal.css                the stylesheet
    GET  /<database>/ar_followup/portal/login              the login page
    POST /<database>/ar_followup/portal/login              log in (web_user)
    POST /<database>/ar_followup/portal/<token>/logout     log out

An unknown, malformed, expired or revoked token, or an invoice of another
customer, gets the same 404 page.  The requests are rate-limited per IP
address and per token (in memory, per server process), the forms carry a
token bound to a cookie of the browser, and every request that reaches a
valid link is written in the portal audit with the IP address.

When Tryton's web_user module is activated, a customer with a web user
logs in with his email and password and gets a link of his own for the
session (see models/portal_login.py); otherwise the login page is a 404.
Unknown email and wrong password get the same answer; the attempts are
limited per IP address (here) and per email (by web_user) and audited."""
import datetime as dt
import mimetypes
import os
import re
import urllib.parse
from decimal import Decimal

from genshi.template import MarkupTemplate

import trytond.config as config
from trytond.exceptions import RateLimitException, UserError
from trytond.i18n import gettext
from trytond.protocols.wrappers import (
    HTTPStatus, Response, redirect, set_max_request_size, with_pool,
    with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from .models.portal import DEFAULT_UPLOAD_SIZE
from .rules import portal as rules

WEB = os.path.join(os.path.dirname(__file__), 'web')
COOKIE = 'ar_followup_portal'
LANGUAGES = ('fr', 'en')
PREFIX = '/<database_name>/ar_followup/portal'
ANSWERS = ('promise', 'dispute', 'paid', 'contact')
MAX_TEXT = 2000
# the largest form accepted: the upload size of the configuration is
# checked within it
MAX_REQUEST_SIZE = 16 * 1024 * 1024
EMAIL = re.compile(r'[^@\s<>"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}')
HEADERS = {
    'Content-Security-Policy': (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    # the link goes to no other site; the forms keep their Origin, which
    # Tryton checks (no-referrer would send Origin: null)
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    }


def _limit(name, default):
    return config.getint('ar_followup', name, default=default)


class Limits:
    """The rate limits of the portal, read from the [ar_followup] section
    of the configuration on first use: portal_ip_requests per minute and
    portal_ip_failures (unknown links) per hour of an IP address,
    portal_token_requests per minute of a link, portal_login_attempts (login
    forms posted) per hour of an IP address"""

    def __init__(self):
        self._windows = None

    @property
    def windows(self):
        if self._windows is None:
            self._windows = {
                'ip': rules.SlidingWindow(
                    _limit('portal_ip_requests', 120), 60),
                'failure': rules.SlidingWindow(
                    _limit('portal_ip_failures', 30), 3600),
                'token': rules.SlidingWindow(
                    _limit('portal_token_requests', 60), 60),
                'login': rules.SlidingWindow(
                    _limit('portal_login_attempts', 20), 3600),
                }
        return self._windows

    def hit(self, kind, key):
        return self.windows[kind].hit(key)

    def clear(self):
        self._windows = None


# one set of windows per process, kept on the WSGI application: the module
# may be imported under two names (the test runner imports the package as
# ar_followup too) and only the routes registered first are served
LIMITS = app.__dict__.setdefault('ar_followup_portal_limits', Limits())


def _load(name):
    with open(os.path.join(WEB, name), encoding='utf-8') as fp:
        return fp.read()


_TEMPLATE = None


def template():
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = MarkupTemplate(
            _load('portal.html'), filename='portal.html')
    return _TEMPLATE


def _(key, /, **variables):
    return gettext('ar_followup.msg_portal_' + key, **variables)


def html_response(body, status=HTTPStatus.OK, headers=None):
    response = Response(body, status=status,
        content_type='text/html; charset=utf-8')
    response.headers.update(HEADERS)
    if headers:
        response.headers.update(headers)
    return response


def not_found():
    "The one answer to any link that does not open a portal"
    with Transaction().set_context(language='en'):
        english = _('not_found')
    with Transaction().set_context(language='fr'):
        french = _('not_found')
    return html_response(template().generate(
            page='not_found', english=english, french=french, lang='en',
            _=_, css=None).render('html', doctype='html5'),
        status=HTTPStatus.NOT_FOUND)


def too_many():
    return Response(
        'Too many requests / Trop de requêtes',
        status=HTTPStatus.TOO_MANY_REQUESTS,
        headers={'Retry-After': '60', **HEADERS},
        content_type='text/plain; charset=utf-8')


def ip_address(request):
    return request.remote_addr or ''


def language(request, access):
    lang = request.args.get('lang')
    if lang in LANGUAGES:
        return lang
    code = access.party.lang.code if access.party.lang else ''
    return 'fr' if code.startswith('fr') else 'en'


def portal_access(pool, request, token):
    """Return the access of the token or a response refusing the request;
    an unknown token counts against the IP address"""
    Access = pool.get('ar_followup.portal.access')
    ip = ip_address(request)
    if not LIMITS.hit('ip', ip):
        return None, too_many()
    access = Access.from_token(token)
    if access is None:
        if not LIMITS.hit('failure', ip):
            return None, too_many()
        return None, not_found()
    if not LIMITS.hit('token', access.id):
        return None, too_many()
    return access, None


def lang_record(pool, code):
    Lang = pool.get('ir.lang')
    return Lang.get(code)


class Page:
    "What the page of an access shows, in the language of the customer"

    def __init__(self, pool, request, access, lang):
        self.pool = pool
        self.request = request
        self.access = access
        self.lang = lang
        self.language = lang_record(pool, lang)
        self.company = access.company
        self.currency = access.company.currency
        self.today = pool.get('ir.date').today()

    def upload_size(self):
        Configuration = self.pool.get('account.configuration')
        return Configuration(1).portal_upload_size or DEFAULT_UPLOAD_SIZE

    def amount(self, value, currency=None):
        return self.language.currency(
            value, currency or self.currency, symbol=True)

    def date(self, value):
        return self.language.strftime(value) if value else ''

    @staticmethod
    def due_date(invoice):
        dates = [l.maturity_date for l in invoice.lines_to_pay
            if not l.reconciliation and l.maturity_date]
        return min(dates, default=invoice.invoice_date)

    def rows(self):
        Invoice = self.pool.get('account.invoice')
        invoices = self.access.open_invoices()
        accrued = Invoice.accrued_penalties(invoices, self.today)
        rows = []
        for invoice in invoices:
            due = self.due_date(invoice)
            penalty = accrued[invoice.id]
            penalties = penalty.late_interest + penalty.indemnity
            rows.append({
                    'invoice': invoice,
                    'number': invoice.number,
                    'date': self.date(invoice.invoice_date),
                    'due': self.date(due),
                    'days_late': max((self.today - due).days, 0),
                    'total': self.amount(
                        invoice.total_amount, invoice.currency),
                    'to_pay': self.amount(
                        invoice.amount_to_pay, invoice.currency),
                    'penalties': self.amount(
                        penalties, invoice.company.currency)
                    if penalties else '',
                    'disputed': invoice.disputed,
                    })
        return rows

    def paid_rows(self):
        return [{
                'invoice': i,
                'number': i.number,
                'date': self.date(i.invoice_date),
                'total': self.amount(i.total_amount, i.currency),
                } for i in self.access.paid_invoices()]

    def owed(self):
        return sum((i.amount_to_pay for i in self.access.open_invoices()),
            Decimal(0))

    def render(self, token, nonce, errors=None, values=None, done=None,
            status=HTTPStatus.OK):
        Dispute = self.pool.get('account.invoice.dispute')
        Configuration = self.pool.get('account.configuration')
        reasons = Dispute.fields_get(['reason'])['reason']['selection']
        base = self.request.script_root + self.request.path.rsplit(
            '/' + token, 1)[0] + '/' + token
        body = template().generate(
            page='portal', _=_, lang=self.lang, page_=self,
            company=self.company, party=self.access.party,
            rows=self.rows(), paid_rows=self.paid_rows(),
            total=self.amount(self.owed()),
            payment_details=Configuration(1).portal_payment_details or '',
            reasons=[r for r in reasons if r[0]],
            base=base, css=portal_base(self.request) + '.css',
            csrf=self.access.csrf_token(nonce),
            login=bool(getattr(self.access, 'login_expires', None)),
            errors=errors or {}, values=values or {}, done=done,
            today=self.today.isoformat(),
            **other_language(self.lang)).render('html', doctype='html5')
        response = html_response(body, status=status)
        set_nonce(response, self.request, nonce)
        return response


def portal_base(request):
    "The URL of the portal of the request's database"
    return request.script_root + '/' + request.path.split('/')[1] + (
        '/ar_followup/portal')


def other_language(lang):
    "The values of the template's link to the page in the other language"
    other = 'en' if lang == 'fr' else 'fr'
    return {
        'other_lang': other,
        'other_lang_name': 'English' if other == 'en' else 'Français',
        }


def set_nonce(response, request, nonce):
    if request.cookies.get(COOKIE) != nonce:
        path = portal_base(request) + '/'
        response.set_cookie(COOKIE, nonce, path=path, httponly=True,
            secure=request.is_secure, samesite='Lax')


def browser_nonce(request):
    nonce = request.cookies.get(COOKIE, '')
    if re.fullmatch(r'[A-Za-z0-9_-]{16,64}', nonce):
        return nonce
    return rules.new_nonce()


@app.route(PREFIX + '/<token>', methods={'GET'})
@with_pool
@with_transaction(readonly=False)
def portal(request, pool, token):
    Audit = pool.get('ar_followup.portal.audit')
    access, refused = portal_access(pool, request, token)
    if refused:
        return refused
    lang = language(request, access)
    with Transaction().set_context(
            company=access.company.id, language=lang):
        access.used()
        Audit.log(access, 'view', ip_address(request))
        done = request.args.get('done')
        return Page(pool, request, access, lang).render(
            token, browser_nonce(request),
            done=done if done in ANSWERS else None)


@app.route(PREFIX + '/<token>/<answer>', methods={'POST'})
@set_max_request_size(MAX_REQUEST_SIZE)
@with_pool
@with_transaction(readonly=False)
def portal_answer(request, pool, token, answer):
    Audit = pool.get('ar_followup.portal.audit')
    access, refused = portal_access(pool, request, token)
    if refused:
        return refused
    if answer not in ANSWERS:
        return not_found()
    lang = language(request, access)
    ip = ip_address(request)
    nonce = request.cookies.get(COOKIE, '')
    with Transaction().set_context(
            company=access.company.id, language=lang):
        page = Page(pool, request, access, lang)
        if access.locked or not access.check_csrf(
                nonce, request.form.get('csrf', '')):
            return refuse_form(page, token, ip, answer)
        form = {k: request.form.get(k, '')[:MAX_TEXT]
            for k in request.form.keys()}
        errors, record, detail = ANSWER_HANDLERS[answer](
            pool, page, form, request.files)
        if errors:
            access.failed()
            Audit.log(access, 'refused', ip, detail='%s: %s' % (
                    answer, ', '.join(sorted(errors))))
            return page.render(token, nonce, errors=errors,
                values=dict(form, answer=answer),
                status=HTTPStatus.BAD_REQUEST)
        Audit.log(access, answer, ip, detail=detail, resource=record)
        query = urllib.parse.urlencode({'lang': lang, 'done': answer})
        return redirect('%s?%s' % (page_url(request, token), query),
            code=HTTPStatus.SEE_OTHER)


def refuse_form(page, token, ip, detail):
    """Count and audit a form posted to the link of page without the token
    of the browser's form (or to a locked link); return its page again,
    forbidden"""
    page.access.failed()
    page.pool.get('ar_followup.portal.audit').log(
        page.access, 'csrf', ip, detail=detail)
    return page.render(token, browser_nonce(page.request),
        errors={'form': _('csrf')}, status=HTTPStatus.FORBIDDEN)


def page_url(request, token):
    return request.script_root + request.path.rsplit('/' + token, 1)[0] + (
        '/' + token)


def form_invoice(page, form, required):
    """Return the invoice of the form (one of the open invoices of the
    customer) or None, and the error"""
    value = form.get('invoice', '')
    if not value:
        return None, (_('invoice_required') if required else None)
    if not value.isdigit():
        return None, _('invoice_unknown')
    invoice = page.access.invoice(int(value))
    if not invoice or invoice.state != 'posted':
        return None, _('invoice_unknown')
    return invoice, None


def form_payment(page, form):
    """Return the errors, the invoice (None for all), the date and the
    amount of a promise or of a payment made"""
    errors = {}
    invoice, error = form_invoice(page, form, required=False)
    if error:
        errors['invoice'] = error
    date = rules.parse_date(form.get('date'))
    amount = rules.parse_amount(form.get('amount'))
    if date is None:
        errors['date'] = _('date_invalid')
    if amount is None:
        errors['amount'] = _('amount_invalid')
    else:
        amount = page.currency.round(amount)
    return errors, invoice, date, amount


def answer_promise(pool, page, form, files):
    Promise = pool.get('account.dunning.promise')
    Configuration = pool.get('account.configuration')
    config_ = Configuration(1)
    errors, invoice, date, amount = form_payment(page, form)
    if errors:
        return errors, None, None
    owed = invoice.amount_to_pay if invoice else page.owed()
    max_days = config_.portal_promise_max_days
    refusal = rules.check_promise(page.today, date, amount, owed,
        max_days=max_days, min_amount=config_.portal_promise_min_amount)
    if refusal == 'date_past':
        errors['date'] = _('promise_date_past')
    elif refusal == 'date_late':
        errors['date'] = _('promise_date_late', days=max_days)
    elif refusal == 'amount_high':
        errors['amount'] = _('promise_amount_high', owed=page.amount(owed))
    elif refusal == 'amount_low':
        errors['amount'] = _('promise_amount_low',
            amount=page.amount(config_.portal_promise_min_amount))
    if errors:
        return errors, None, None
    note = form.get('note', '').strip()
    promise, = Promise.create([{
                'company': page.company.id,
                'party': page.access.party.id,
                'invoice': invoice.id if invoice else None,
                'date': date,
                'amount': amount,
                'note': note or None,
                }])
    page.access.record_answer('promise',
        _('note_promise', amount=page.amount(amount), date=page.date(date),
            note=note), promise=promise)
    return None, promise, '%s %s' % (amount, date)


def answer_dispute(pool, page, form, files):
    Dispute = pool.get('account.invoice.dispute')
    Attachment = pool.get('ir.attachment')
    errors = {}
    invoice, error = form_invoice(page, form, required=True)
    if error:
        errors['invoice'] = error
    reasons = dict(Dispute.fields_get(['reason'])['reason']['selection'])
    reason = form.get('reason', '')
    if reason not in reasons or not reason:
        errors['reason'] = _('reason_invalid')
    comment = form.get('comment', '').strip()
    if not comment:
        errors['comment'] = _('comment_required')
    upload = files.get('attachment')
    content, extension = None, None
    if upload and upload.filename:
        max_mb = page.upload_size()
        content = upload.stream.read(max_mb * 1024 * 1024 + 1)
        try:
            extension = rules.sniff_upload(content, max_mb * 1024 * 1024)
        except ValueError as exception:
            errors['attachment'] = (_('upload_size', size=max_mb)
                if str(exception) == 'size' else _('upload_type'))
    if errors:
        return errors, None, None
    dispute, = Dispute.create([{
                'company': page.company.id,
                'invoice': invoice.id,
                'reason': reason,
                'amount': invoice.amount_to_pay or invoice.total_amount,
                'description': comment,
                }])
    if content:
        Attachment.create([{
                    'resource': str(dispute),
                    'name': 'portal-%s.%s' % (invoice.number, extension),
                    'type': 'data',
                    'data': content,
                    }])
    page.access.record_answer('dispute',
        _('note_dispute', invoice=invoice.number,
            reason=reasons[reason], note=comment), dispute=dispute)
    return None, dispute, invoice.number


def answer_paid(pool, page, form, files):
    Promise = pool.get('account.dunning.promise')
    errors, invoice, date, amount = form_payment(page, form)
    reference = form.get('reference', '').strip()[:100]
    if date and not (
            page.today - dt.timedelta(days=366) <= date <= page.today):
        errors['date'] = _('paid_date_invalid')
    if errors:
        return errors, None, None
    note = _('note_paid', amount=page.amount(amount), date=page.date(date),
        reference=reference)
    # a promise from the payment date, due when the collector is to have
    # checked the bank: kept as soon as the payment is found
    promise, = Promise.create([{
                'company': page.company.id,
                'party': page.access.party.id,
                'invoice': invoice.id if invoice else None,
                'made_on': date,
                'date': page.today + dt.timedelta(days=7),
                'amount': amount,
                'note': note,
                }])
    page.access.record_answer('promise', note, promise=promise)
    return None, promise, '%s %s %s' % (amount, date, reference)


def answer_contact(pool, page, form, files):
    errors = {}
    name = form.get('name', '').strip()[:100]
    email = form.get('email', '').strip()
    if not EMAIL.fullmatch(email) or len(email) > 254:
        errors['email'] = _('email_invalid')
    if errors:
        return errors, None, None
    note = form.get('note', '').strip()
    action = page.access.record_answer('wrong_contact',
        _('note_contact', name=name, email=email, note=note))
    return None, action, email


ANSWER_HANDLERS = {
    'promise': answer_promise,
    'dispute': answer_dispute,
    'paid': answer_paid,
    'contact': answer_contact,
    }


def document_response(ext, content, name):
    mimetype = mimetypes.guess_type('x.' + ext)[0] or (
        'application/octet-stream')
    if isinstance(content, str):
        content = content.encode('utf-8')
    filename = re.sub(r'[^A-Za-z0-9._-]', '_', '%s.%s' % (name, ext))
    response = Response(content, content_type=mimetype)
    response.headers.update(HEADERS)
    response.headers['Content-Disposition'] = (
        'attachment; filename="%s"' % filename)
    return response


@app.route(PREFIX + '/<token>/invoice/<int:invoice_id>', methods={'GET'})
@with_pool
@with_transaction(readonly=False)
def portal_invoice(request, pool, token, invoice_id):
    Audit = pool.get('ar_followup.portal.audit')
    InvoiceReport = pool.get('account.invoice', type='report')
    FacturXReport = pool.get('account.invoice.facturx', type='report')
    access, refused = portal_access(pool, request, token)
    if refused:
        return refused
    with Transaction().set_context(
            company=access.company.id, language=language(request, access)):
        invoice = access.invoice(invoice_id)
        if not invoice:
            return not_found()
        Audit.log(access, 'download', ip_address(request),
            detail=invoice.number, resource=invoice)
        try:
            # the PDF with its Factur-X XML, as the customer's software
            # reads it
            ext, content, _direct, name = FacturXReport.execute(
                [invoice.id], {})
        except UserError:
            # e.g. the company lacks a mandatory mention: the invoice as
            # printed
            ext, content, _direct, name = InvoiceReport.execute(
                [invoice.id], {})
        return document_response(ext, content, name)


@app.route(PREFIX + '/<token>/statement', methods={'GET'})
@with_pool
@with_transaction(readonly=False)
def portal_statement(request, pool, token):
    Audit = pool.get('ar_followup.portal.audit')
    StatementReport = pool.get('ar_followup.party.statement', type='report')
    from .models.statement import default_period
    access, refused = portal_access(pool, request, token)
    if refused:
        return refused
    with Transaction().set_context(
            company=access.company.id, language=language(request, access)):
        today = pool.get('ir.date').today()
        from_date, to_date = default_period(today)
        Audit.log(access, 'download', ip_address(request),
            detail='statement')
        ext, content, _direct, name = StatementReport.execute(
            [access.party.id], {
                'model': 'party.party',
                'company': access.company.id,
                'from_date': from_date.isoformat(),
                'to_date': to_date.isoformat(),
                })
        return document_response(ext, content, name)


def web_user_models(pool):
    """Return the models of the login (web user, access, audit), None when
    the web_user module is not activated in the database"""
    try:
        WebUser = pool.get('web.user')
    except KeyError:
        return None
    Access = pool.get('ar_followup.portal.access')
    if 'web_user' not in Access._fields:
        return None
    return WebUser, Access, pool.get('ar_followup.portal.audit')


def login_language(request):
    lang = request.args.get('lang')
    if lang in LANGUAGES:
        return lang
    return request.accept_languages.best_match(LANGUAGES, default='fr')


def login_company(request):
    "The company asked by the query (?company=<id>), None for any"
    value = request.values.get('company', '')
    return int(value) if value.isdigit() and len(value) < 10 else None


def login_csrf(pool, nonce):
    Configuration = pool.get('account.configuration')
    return rules.csrf_token(
        Configuration.get_portal_login_key(), 'login', nonce)


def render_login(pool, request, lang, nonce, errors=None, email='',
        done=None, status=HTTPStatus.OK):
    base = portal_base(request)
    company = login_company(request)
    body = template().generate(
        page='login', _=_, lang=lang, base=base,
        css=base + '.css',
        csrf=login_csrf(pool, nonce), company=company,
        errors=errors or {}, email=email, done=done,
        **other_language(lang),
        other_query=urllib.parse.urlencode(dict(
                {'lang': 'en' if lang == 'fr' else 'fr'},
                **({'company': company} if company else {}))),
        ).render('html', doctype='html5')
    response = html_response(body, status=status)
    set_nonce(response, request, nonce)
    return response


@app.route(PREFIX + '/login', methods={'GET'})
@with_pool
@with_transaction(readonly=False)
def portal_login_form(request, pool):
    if not LIMITS.hit('ip', ip_address(request)):
        return too_many()
    if not web_user_models(pool):
        return not_found()
    lang = login_language(request)
    with Transaction().set_context(language=lang):
        done = 'logout' if request.args.get('done') == 'logout' else None
        return render_login(
            pool, request, lang, browser_nonce(request), done=done)


@app.route(PREFIX + '/login', methods={'POST'})
@with_pool
@with_transaction(readonly=False)
def portal_login(request, pool):
    ip = ip_address(request)
    if not LIMITS.hit('ip', ip):
        return too_many()
    models = web_user_models(pool)
    if not models:
        return not_found()
    WebUser, Access, Audit = models
    lang = login_language(request)
    nonce = request.cookies.get(COOKIE, '')
    email = request.form.get('email', '').strip()[:254]
    password = request.form.get('password', '')[:1024]
    with Transaction().set_context(language=lang):
        if not rules.check_csrf(
                pool.get('account.configuration').get_portal_login_key(),
                'login', nonce, request.form.get('csrf', '')):
            Audit.log_login('csrf', ip, detail=email)
            return render_login(pool, request, lang, browser_nonce(request),
                errors={'form': _('csrf')}, email=email,
                status=HTTPStatus.FORBIDDEN)
        # every login posted counts, before the password is checked
        if not LIMITS.hit('login', ip):
            Audit.log_login('login_failed', ip, detail=email)
            return too_many()
        try:
            user = WebUser.portal_authenticate(email, password)
        except RateLimitException:
            Audit.log_login('login_failed', ip, detail=email)
            return too_many()
        if not user or not user.party:
            # the same answer for an unknown email, a wrong password and
            # an account of no customer
            Audit.log_login('login_failed', ip, web_user=user, detail=email)
            return render_login(pool, request, lang, nonce,
                errors={'form': _('login_failed')}, email=email,
                status=HTTPStatus.UNAUTHORIZED)
        companies = user.portal_companies(login_company(request))
        if not companies:
            Audit.log_login('login_failed', ip, web_user=user, detail=email)
            return not_found()
        links = []
        for company in companies:
            access, url = Access.login(user, company)
            Audit.log_login('login', ip, web_user=user, access=access)
            links.append((company, '%s/%s?%s' % (
                        portal_base(request), url.rsplit('/', 1)[1],
                        urllib.parse.urlencode({'lang': lang}))))
        if len(links) == 1:
            (_company, link), = links
            return redirect(link, code=HTTPStatus.SEE_OTHER)
        base = portal_base(request)
        return html_response(template().generate(
                page='companies', _=_, lang=lang, links=links,
                css=base + '.css',
                ).render('html', doctype='html5'))


@app.route(PREFIX + '/<token>/logout', methods={'POST'})
@with_pool
@with_transaction(readonly=False)
def portal_logout(request, pool, token):
    Audit = pool.get('ar_followup.portal.audit')
    access, refused = portal_access(pool, request, token)
    if refused:
        return refused
    if not getattr(access, 'login_expires', None):
        return not_found()
    lang = language(request, access)
    ip = ip_address(request)
    nonce = request.cookies.get(COOKIE, '')
    with Transaction().set_context(
            company=access.company.id, language=lang):
        if not access.check_csrf(nonce, request.form.get('csrf', '')):
            return refuse_form(
                Page(pool, request, access, lang), token, ip, 'logout')
        access.logout()
        Audit.log_login('logout', ip, web_user=access.web_user,
            access=access)
        query = urllib.parse.urlencode({'lang': lang, 'done': 'logout'})
        return redirect('%s/login?%s' % (portal_base(request), query),
            code=HTTPStatus.SEE_OTHER)


@app.route('/<database_name>/ar_followup/portal.css', methods={'GET'})
def portal_css(request, database_name):
    response = Response(_load('portal.css'), content_type='text/css')
    response.headers['Cache-Control'] = 'max-age=3600'
    response.headers['X-Content-Type-Options'] = 'nosniff'
    return response
