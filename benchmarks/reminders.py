# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The reminder figures: the grouped follow-up emails of a sample of
customers composed and sent to a loopback SMTP server, and the follow-up
letters rendered as PDF by LibreOffice on a sample, both given per 1,000.

The book has the customers' moves but neither addresses, email contacts
nor (before the generator writes them) customer invoices: they are written
before timing, the invoices by one INSERT from the receivable lines of
their moves, each with the PDF document Tryton stores when an invoice is
posted (one invoice rendered once, its PDF stored on all), so that the
emails attach the documents as in production instead of converting one
per invoice."""
import email.message
import smtplib
import socket
import time

# the customers whose emails are sent: each email attaches the
# customer's statement of account converted to PDF by LibreOffice, a few
# seconds each, so the figure is measured on a sample and given per 1,000
EMAILS = 20
LETTERS = 20


class SMTPServer:
    "A loopback SMTP server (aiosmtpd) counting what it receives"

    def __init__(self):
        from aiosmtpd.controller import Controller
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            self.port = sock.getsockname()[1]
        self.messages = 0
        self.bytes = 0
        self.controller = Controller(
            self, hostname='127.0.0.1', port=self.port,
            data_size_limit=256 * 1024 * 1024)

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.bytes += len(envelope.content)
        return '250 OK'

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *args):
        self.controller.stop()


def pending_actions(pool, company, count):
    "Return the first count pending actions of the run, one per customer"
    Action = pool.get('account.dunning.action')
    return Action.search([
            ('company', '=', company.id),
            ('state', '=', 'pending'),
            ], order=[('party', 'ASC'), ('id', 'ASC')], limit=count)


def setup(pool, transaction, company, actions, param):
    """Give the customers of the actions an address and a follow-up email
    contact, and their receivable moves a posted customer invoice with its
    stored PDF; return the PDF (committed by the caller)"""
    Address = pool.get('party.address')
    ContactMechanism = pool.get('party.contact_mechanism')
    InvoiceReport = pool.get('account.invoice', type='report')
    Party = pool.get('party.party')
    parties = Party.browse(sorted({a.party.id for a in actions}))
    Address.create([{'party': p.id} for p in parties if not p.addresses])
    ContactMechanism.create([{
                'party': p.id, 'type': 'email', 'dunning': True,
                'value': f'compta.{p.id}@client.example',
                } for p in parties])
    ids = ', '.join(str(p.id) for p in parties)
    cursor = transaction.connection.cursor()
    cursor.execute(
        'INSERT INTO "account_invoice" ("company", "type", "party", '
        '"invoice_address", "currency", "journal", "account", "move", '
        '"number", "invoice_date", "accounting_date", "state", '
        '"untaxed_amount_cache", "tax_amount_cache", "total_amount_cache", '
        '"create_uid", "create_date") '
        f"SELECT m.\"company\", 'out', l.\"party\", a.\"id\", "
        f'{param}, m."journal", l."account", m."id", m."number", m."date", '
        "m.\"date\", 'posted', l.\"debit\", 0, l.\"debit\", 0, "
        'CURRENT_TIMESTAMP '
        'FROM "account_move_line" l '
        'JOIN "account_move" m ON l."move" = m."id" '
        'JOIN "account_journal" j ON m."journal" = j."id" '
        'JOIN (SELECT "party", MIN("id") AS "id" FROM "party_address" '
        'GROUP BY "party") a ON a."party" = l."party" '
        f'WHERE l."party" IN ({ids}) AND l."debit" > 0 '
        'AND l."maturity_date" IS NOT NULL '
        f"AND j.\"type\" = 'revenue' AND m.\"company\" = {int(company.id)} "
        'AND NOT EXISTS (SELECT 1 FROM "account_invoice" i '
        'WHERE i."move" = m."id")', [company.currency.id])
    cursor.execute(
        'SELECT MIN("id") FROM "account_invoice" '
        f'WHERE "party" IN ({ids}) AND "invoice_report_cache" IS NULL')
    first, = cursor.fetchone()
    if first is None:
        return None
    ext, content, _, _ = InvoiceReport.execute([first], {})
    cursor.execute(
        f'UPDATE "account_invoice" SET "invoice_report_cache" = {param}, '
        f'"invoice_report_format" = {param} '
        f'WHERE "party" IN ({ids}) AND "invoice_report_cache" IS NULL',
        [bytes(content), ext])
    return bytes(content)


def send_emails(pool, database, actions):
    """Queue the emails of the actions as processing them does, then send
    each in a transaction of its own as the queue's tasks do; return the
    emails by state"""
    from trytond.transaction import Transaction
    Action = pool.get('account.dunning.action')
    Communication = pool.get('account.dunning.email')
    company = actions[0].company.id
    action_ids = [a.id for a in actions]
    with Transaction(new=True).start(database, 0,
            context={'company': company}) as transaction:
        Action._process_send_email(Action.browse(action_ids))
        ids = [c.id for c in Communication.search(
                [('action', 'in', action_ids)], order=[('id', 'ASC')])]
        transaction.commit()
    for id_ in ids:
        with Transaction(new=True).start(database, 0,
                context={'company': company}) as transaction:
            Communication.deliver([Communication(id_)])
            transaction.commit()
    with Transaction(new=True).start(database, 0, readonly=True):
        states = {}
        for communication in Communication.browse(ids):
            states[communication.state] = (
                states.get(communication.state, 0) + 1)
    return states


def floor_emails(cursor, company_id, party_ids, document, port):
    """The floor: one query of the customers' open due lines, one plain
    email per customer listing them with one document per line attached,
    all sent on one SMTP connection; return the emails sent"""
    ids = ', '.join(str(int(i)) for i in party_ids)
    cursor.execute(
        'SELECT l."party", m."number", m."date", l."maturity_date", '
        'l."debit" - l."credit" '
        'FROM "account_move_line" l '
        'JOIN "account_move" m ON l."move" = m."id" '
        'JOIN "account_account" a ON l."account" = a."id" '
        'JOIN "account_account_type" t ON a."type" = t."id" '
        'JOIN "account_dunning" d ON d."line" = l."id" '
        f'WHERE m."company" = {int(company_id)} '
        "AND m.\"state\" = 'posted' AND t.\"receivable\" = TRUE "
        'AND l."reconciliation" IS NULL '
        f'AND l."party" IN ({ids}) ORDER BY l."party", l."maturity_date"')
    lines = {}
    for party, *row in cursor:
        lines.setdefault(party, []).append(row)
    sent = 0
    with smtplib.SMTP('127.0.0.1', port) as server:
        for party, rows in lines.items():
            msg = email.message.EmailMessage()
            msg['From'] = 'relances@bench.example'
            msg['To'] = f'compta.{party}@client.example'
            msg['Subject'] = "Reminder"
            msg.set_content('\n'.join(
                    f'{number} {date} {maturity} {amount}'
                    for number, date, maturity, amount in rows))
            for number, *_ in rows:
                if document:
                    msg.add_attachment(document, maintype='application',
                        subtype='pdf', filename=f'{number}.pdf')
            server.send_message(msg)
            sent += 1
    return sent


def render_letters(pool, actions):
    """Render the follow-up letter of each action as processing it does
    (LibreOffice converts each one); return the bytes rendered"""
    Letter = pool.get('account.dunning.action.letter', type='report')
    size = 0
    for action in actions:
        _, content, _, _ = Letter.execute([action.id], {})
        size += len(content)
    return size


def floor_letters(count):
    """The floor of the letters: Tryton's conversion to PDF of a
    one-paragraph text document, count times (one LibreOffice start each)"""
    from trytond.report import Report

    class Minimal:
        template_extension = 'fodt'
        extension = 'pdf'
        report_name = 'floor'
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:'
        'xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:'
        'xmlns:text:1.0" office:version="1.3" office:mimetype='
        '"application/vnd.oasis.opendocument.text"><office:body>'
        '<office:text><text:p>Reminder</text:p></office:text>'
        '</office:body></office:document>').encode()
    for _ in range(count):
        ext, _ = Report.convert(Minimal, document)
        if ext != 'pdf':
            raise RuntimeError("LibreOffice did not convert the floor")


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result
