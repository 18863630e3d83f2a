# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Browser test of the customer portal, end to end from a demo email.

Builds (or takes from DB_CACHE) the demo database with the reminder emails
of its run, as the browser smoke test does (see test_browser.py for what
it needs), takes the portal link of a reminder email, serves the database
and runs browser/portal.mjs in Chromium: the customer sees his invoices,
promises to pay and disputes an invoice.  Then the collector's side is
checked in the database through Tryton: both pause the follow-up of the
invoices and the customer is on the worklist."""
import email
import email.policy
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import urllib.parse

from trytond.modules.ar_followup.tests import test_browser

PORTAL = os.path.join(test_browser.BROWSER, 'portal.mjs')
LINK = re.compile(r'https?://[^\s"<>]+/ar_followup/portal/[A-Za-z0-9_-]{43}')

# run by the interpreter of the venv against the demo database: the
# collector's side of the answers given on the portal
CHECK = textwrap.dedent('''\
    import json, sys
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    database, digest = sys.argv[1:]
    pool = Pool(database)
    with Transaction().start(database, 0, readonly=True):
        pool.init()
    with Transaction().start(database, 0, readonly=True) as transaction:
        Access = pool.get('ar_followup.portal.access')
        access, = Access.search([('token_digest', '=', digest)])
        with transaction.set_context(company=access.company.id):
            Invoice = pool.get('account.invoice')
            Promise = pool.get('account.dunning.promise')
            Dispute = pool.get('account.invoice.dispute')
            Action = pool.get('account.dunning.action')
            Audit = pool.get('ar_followup.portal.audit')
            Attachment = pool.get('ir.attachment')
            cursor = transaction.connection.cursor()
            cursor.execute(*Invoice.followup_paused_query())
            paused = {i for i, in cursor}
            party = access.party
            promises = Promise.search([
                    ('party', '=', party.id), ('state', '=', 'open')])
            disputes = Dispute.search([
                    ('invoice.party', '=', party.id), ('state', '=', 'open')])
            worklist = Action.search([
                    ('company', '=', access.company.id),
                    ('on_worklist', '=', True),
                    ('portal_answer_date', '!=', None)])
            print(json.dumps({
                'party': party.rec_name,
                'promises': [[p.invoice.number if p.invoice else None,
                        '%.2f' % p.amount, p.invoice.id in paused
                        if p.invoice else None] for p in promises],
                'disputes': [[d.invoice.number, d.invoice.id in paused,
                        Attachment.search_count([
                                ('resource', '=', str(d))])]
                    for d in disputes],
                'worklist': [a.party.rec_name for a in worklist],
                'audit': sorted({a.event for a in Audit.search([
                            ('access', '=', access.id)])}),
                }))
    ''')


class PortalBrowserTestCase(test_browser.BrowserSmokeTestCase):
    "A customer answers on the portal from the link of a reminder email"

    # the smoke test of the web client is run by test_browser.py
    test_invoice_form_shows_followup = None

    def reminder_link(self):
        "The portal link of the first reminder email of the demo run"
        for path in sorted(glob.glob(
                    os.path.join(self.tmp, 'mail', 'new', '*'))):
            with open(path, 'rb') as fp:
                message = email.message_from_binary_file(
                    fp, policy=email.policy.default)
            body = message.get_body(('plain', 'html'))
            match = body and LINK.search(body.get_content())
            if match:
                return message['To'], match.group(0)
        self.fail("no reminder email of the demo carries a portal link")

    def test_portal_from_reminder_email(self):
        started = time.monotonic()
        self.build_database()
        print(f"\ndemo database built in {time.monotonic() - started:.0f} s")
        recipient, link = self.reminder_link()
        url = self.start_server()
        # the link of the email, on the address of the test server
        link_path = urllib.parse.urlsplit(link).path
        self.assertTrue(link_path.startswith(
                f'/{test_browser.DATABASE}/ar_followup/portal/'), link)
        token = link_path.rsplit('/', 1)[1]
        print(f"reminder to {recipient}: {link}")
        output = self.run_script(PORTAL,
            AR_PORTAL_URL=url.rstrip('/') + link_path,
            AR_SCREENSHOTS=os.path.join(test_browser.SCREENSHOTS, 'portal'))
        promised, = re.findall(r'^promised: (\S+)$', output, re.M)
        disputed, = re.findall(r'^disputed: (\S+)$', output, re.M)

        # what the collector sees
        check = subprocess.run([sys.executable, '-c', CHECK,
                test_browser.DATABASE,
                hashlib.sha256(token.encode()).hexdigest()],
            cwd=self.tmp, env=self.env, capture_output=True, text=True,
            timeout=test_browser.SERVER_TIMEOUT)
        self.assertEqual(check.returncode, 0, check.stderr)
        seen = json.loads(check.stdout.strip().splitlines()[-1])
        self.assertIn([promised, '10.00', True], seen['promises'])
        self.assertIn([disputed, True, 1], seen['disputes'])
        self.assertIn(seen['party'], seen['worklist'])
        self.assertTrue(
            {'view', 'promise', 'dispute'} <= set(seen['audit']), seen)
