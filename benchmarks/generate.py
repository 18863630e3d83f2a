# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A deterministic receivables book for the benchmarks.

`build` creates a database with ar_followup activated, sets up the company,
the French chart of accounts, the fiscal years and the default follow-up
procedure with the helpers of `ar_followup.demo`, then `populate_book`
writes the customers and their receivables straight into the tables, in
batches (`executemany` on SQLite, `COPY` on PostgreSQL):

- one party per customer (code ``BENCH<n>``), each with a payment term of
  0, 30 or 60 days and a payment behaviour drawn from the mix;
- per invoice one posted move of the revenue journal (date spread over the
  18 months before `today`, period set) with two lines: the receivable
  debit (party, maturity date) and the revenue credit;
- per payment one posted move of the cash journal: bank debit, receivable
  credit with the party;
- a fully paid invoice gets one reconciliation linking its receivable line
  and the payment line; a partial payment stays unreconciled;
- with `dispute_share`, that share of the open invoices gets a dispute
  (open, on the amount left to pay, opened between the invoice and
  `today`; a quarter of them resolved since) and, with `promise_share`,
  that share of the customers owing something a promise to pay on all
  their invoices (made in the last two weeks, for one to four weeks later:
  open when still to come, kept or broken otherwise); both drawn from a
  random stream of their own, so that the rest of the book does not
  depend on them.  An open dispute pauses the follow-up of its invoice and
  an open promise the customer's (see `Book.open_due_before`).

Every move balances.  Move and reconciliation numbers are ``B<id>`` and
``BR<id>``, outside Tryton's sequences, so that moves posted later never
collide.  The same parameters give the same book.

Command line (the database must not exist)::

    python -m benchmarks.generate -c trytond.conf -d DB --size S
"""
import argparse
import datetime
import os
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

CENT = Decimal('0.01')
TODAY = datetime.date(2026, 6, 30)
# size: (customers, invoices per customer)
SIZES = {
    'XS': (50, 10),
    'S': (1_000, 20),
    'M': (10_000, 20),
    'L': (100_000, 10),
    }
# behaviour: (share of customers, payment delay after maturity in days)
BEHAVIOURS = {
    'punctual': (0.35, (-3, 3)),
    'slightly_late': (0.20, (2, 14)),
    'late': (0.20, (20, 75)),
    'partial': (0.15, (5, 40)),
    'unpaid': (0.10, None),
    }
TERMS = [(0, 0.2), (30, 0.5), (60, 0.3)]
DISPUTE_REASONS = ['price', 'quantity', 'quality', 'not_received', 'duplicate',
    'other']
MONTHS_DAYS = 548  # about 18 months of invoices
CHUNK = 2_000  # customers written per batch


@dataclass
class Parameters:
    customers: int = 1_000
    invoices_per_customer: int = 20
    seed: int = 8
    today: datetime.date = TODAY
    # share of customers per behaviour (normalised)
    behaviours: dict = field(default_factory=lambda: {
            k: v[0] for k, v in BEHAVIOURS.items()})
    # share of the invoices of paying customers left open (not paid yet,
    # or only partly for 'partial' customers)
    open_share: float = 0.5
    # share of the open invoices with a dispute, of the customers owing
    # something with a promise to pay on all their invoices
    dispute_share: float = 0.0
    promise_share: float = 0.0

    @classmethod
    def size(cls, name, **kwargs):
        customers, per_customer = SIZES[name]
        return cls(customers=customers, invoices_per_customer=per_customer,
            **kwargs)


@dataclass
class Book:
    "What the generator wrote, computed on the Python side"
    company: int = None
    parties: int = 0
    invoices: int = 0
    payments: int = 0
    reconciliations: int = 0
    open_lines: int = 0
    # the open receivable debit lines followed up (not paused by an open
    # dispute or promise) per maturity date: {date: count}
    open_maturities: Counter = field(default_factory=Counter)
    # the open lines paused by an open dispute or promise
    paused_lines: int = 0
    disputes: int = 0
    promises: int = 0
    balances: dict = field(default_factory=dict)  # party id: Decimal
    seconds: float = 0

    def open_due_before(self, date):
        """The number of open invoice lines followed up (not paused)
        maturing on or before date"""
        return sum(c for d, c in self.open_maturities.items() if d <= date)


def populate(params):
    """Create the company, its chart and fiscal years, then the book, in the
    current transaction; return the Book"""
    from trytond.modules.ar_followup import demo
    from trytond.transaction import Transaction
    rng = random.Random(params.seed)
    company = demo._company(rng)
    with Transaction().set_context(
            company=company.id, _skip_warnings=True):
        accounts = demo._chart(company)
        demo._fiscal_years(company, params.today)
        demo._configuration()
    return populate_book(company, accounts, params)


def populate_book(company, accounts, params):
    "Write the customers and their receivables with batched inserts"
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    start = time.monotonic()
    pool = Pool()
    Period = pool.get('account.period')
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    periods = {(p.start_date.year, p.start_date.month): p.id
        for p in Period.search([
                ('company', '=', company.id), ('type', '=', 'standard')])}
    writer = Writer(cursor, backend.name)
    ids = {t: writer.next_id(t) for t in [
            'party_party', 'party_address', 'account_move',
            'account_move_line', 'account_move_reconciliation',
            'account_invoice', 'account_invoice_dispute',
            'account_dunning_promise']}
    rng = random.Random(params.seed)
    # the disputes' and promises' own stream
    side = random.Random(params.seed + 1)
    behaviours = list(params.behaviours)
    weights = [params.behaviours[b] for b in behaviours]
    now = datetime.datetime.now().replace(microsecond=0)
    user = transaction.user
    book = Book(company=company.id)
    today = params.today
    receivable = accounts['receivable'].id
    revenue = accounts['revenue'].id
    bank = accounts['bank'].id
    revenue_journal = accounts['revenue_journal'].id
    cash_journal = accounts['cash_journal'].id
    currency = company.currency.id
    writer.start()

    for first in range(0, params.customers, CHUNK):
        rows = defaultdict(list)
        for n in range(first, min(first + CHUNK, params.customers)):
            party = ids['party_party']
            ids['party_party'] += 1
            behaviour, = rng.choices(behaviours, weights)
            term, = rng.choices(
                [t for t, _ in TERMS], [w for _, w in TERMS])
            rows['party_party'].append((party, True, f'BENCH{n}',
                    f'BENCH{n}', n, f"Client {n:06d}", 'business',
                    'active', user, now))
            address = ids['party_address']
            ids['party_address'] += 1
            rows['party_address'].append((address, party, True, True,
                    f"{n % 1000} rue du Client", f'{75001 + n % 20}',
                    "Paris", user, now))
            book.parties += 1
            balance = Decimal(0)
            # the maturities of the customer's open lines not disputed
            followed = []
            # the customer's payments: (date, amount)
            payments = []
            for _ in range(params.invoices_per_customer):
                date = today - datetime.timedelta(
                    days=rng.randrange(MONTHS_DAYS))
                maturity = date + datetime.timedelta(days=term)
                amount = Decimal(rng.randrange(5_000, 500_000)) / 100
                move = ids['account_move']
                ids['account_move'] += 1
                line = ids['account_move_line']
                ids['account_move_line'] += 2
                rows['account_move'].append((move, company.id,
                        revenue_journal, periods[date.year, date.month],
                        date, date, f'B{move}', 'posted',
                        f"Facture client {n:06d}", user, now))
                invoice_line = [line, move, receivable, party, amount,
                    Decimal(0), maturity, None, 'valid', user, now]
                rows['account_move_line'].append(invoice_line)
                rows['account_move_line'].append((line + 1, move,
                        revenue, None, Decimal(0), amount, None, None,
                        'valid', user, now))
                invoice = ids['account_invoice']
                ids['account_invoice'] += 1
                rows['account_invoice'].append((invoice, company.id, 'out',
                        party, address, receivable, currency,
                        revenue_journal, move, f'F{invoice}', f'F{invoice}',
                        invoice, date, 'posted', amount, Decimal(0), amount,
                        user, now))
                book.invoices += 1
                balance += amount

                paid, reconcile = Decimal(0), False
                if behaviour == 'unpaid':
                    pass
                elif rng.random() < params.open_share:
                    if behaviour == 'partial':
                        paid = (amount * Decimal(rng.choice(
                                    ['0.3', '0.5', '0.7']))).quantize(CENT)
                        pay_date = date + datetime.timedelta(
                            days=rng.randrange((today - date).days + 1))
                else:
                    low, high = BEHAVIOURS[behaviour][1]
                    pay_date = max(date, maturity + datetime.timedelta(
                            days=rng.randint(low, high)))
                    if pay_date <= today:
                        paid, reconcile = amount, True
                if paid:
                    pay_move = ids['account_move']
                    ids['account_move'] += 1
                    pay_line = ids['account_move_line']
                    ids['account_move_line'] += 2
                    rows['account_move'].append((pay_move, company.id,
                            cash_journal, periods[
                                pay_date.year, pay_date.month],
                            pay_date, pay_date, f'B{pay_move}', 'posted',
                            f"Règlement client {n:06d}", user, now))
                    reconciliation = None
                    if reconcile:
                        reconciliation = ids['account_move_reconciliation']
                        ids['account_move_reconciliation'] += 1
                        rows['account_move_reconciliation'].append((
                                reconciliation, company.id, pay_date,
                                f'BR{reconciliation}', user, now))
                        invoice_line[7] = reconciliation
                        book.reconciliations += 1
                    rows['account_move_line'].append((pay_line, pay_move,
                            bank, None, paid, Decimal(0), None, None,
                            'valid', user, now))
                    rows['account_move_line'].append((pay_line + 1,
                            pay_move, receivable, party, Decimal(0), paid,
                            None, reconciliation, 'valid', user, now))
                    book.payments += 1
                    payments.append((pay_date, paid))
                    balance -= paid
                if not reconcile:
                    book.open_lines += 1
                    if (params.dispute_share
                            and side.random() < params.dispute_share):
                        dispute = ids['account_invoice_dispute']
                        ids['account_invoice_dispute'] += 1
                        opened = date + datetime.timedelta(
                            days=side.randrange((today - date).days + 1))
                        state, resolved = 'open', None
                        if side.random() < 0.25:
                            state, resolved = 'resolved', opened + (
                                datetime.timedelta(days=side.randrange(
                                        (today - opened).days + 1)))
                        rows['account_invoice_dispute'].append((dispute,
                                company.id, invoice,
                                side.choice(DISPUTE_REASONS), amount - paid,
                                opened, resolved, state, user, now))
                        book.disputes += 1
                        if state == 'open':
                            book.paused_lines += 1
                            continue
                    followed.append(maturity)
            if (followed and params.promise_share
                    and side.random() < params.promise_share):
                promise = ids['account_dunning_promise']
                ids['account_dunning_promise'] += 1
                made_on = today - datetime.timedelta(days=side.randrange(15))
                promised = made_on + datetime.timedelta(
                    days=side.randrange(7, 29))
                amount = (balance / 2).quantize(CENT)
                state = 'open'
                if promised <= today:
                    # due: the check of the promises decided it
                    state = side.choice(['kept', 'broken'])
                if sum(a for d, a in payments if d >= made_on) >= amount:
                    # what the daily job's check of the promises decides
                    state = 'kept'
                rows['account_dunning_promise'].append((promise, company.id,
                        party, made_on, promised, amount, state, user, now))
                book.promises += 1
                if state == 'open':
                    book.paused_lines += len(followed)
                    followed = []
            book.open_maturities.update(followed)
            book.balances[party] = balance
        writer.write('party_party', ['id', 'active', 'code', 'code_alnum',
                'code_digit', 'name', 'customer_type', 'legal_status',
                'create_uid', 'create_date'], rows['party_party'])
        writer.write('party_address', ['id', 'party', 'active', 'invoice',
                'street_unstructured', 'postal_code', 'city', 'create_uid',
                'create_date'], rows['party_address'])
        writer.write('account_move_reconciliation', ['id', 'company',
                'date', 'number', 'create_uid', 'create_date'],
            rows['account_move_reconciliation'])
        writer.write('account_move', ['id', 'company', 'journal', 'period',
                'date', 'post_date', 'number', 'state', 'description',
                'create_uid', 'create_date'], rows['account_move'])
        writer.write('account_move_line', ['id', 'move', 'account', 'party',
                'debit', 'credit', 'maturity_date', 'reconciliation',
                'state', 'create_uid', 'create_date'],
            [tuple(r) for r in rows['account_move_line']])
        writer.write('account_invoice', ['id', 'company', 'type', 'party',
                'invoice_address', 'account', 'currency', 'journal', 'move',
                'number', 'number_alnum', 'number_digit', 'invoice_date',
                'state', 'untaxed_amount_cache', 'tax_amount_cache',
                'total_amount_cache', 'create_uid', 'create_date'],
            rows['account_invoice'])
        writer.write('account_invoice_dispute', ['id', 'company',
                'invoice', 'reason', 'amount', 'opened_on', 'resolved_on',
                'state', 'create_uid', 'create_date'],
            rows['account_invoice_dispute'])
        writer.write('account_dunning_promise', ['id', 'company', 'party',
                'made_on', 'date', 'amount', 'state', 'create_uid',
                'create_date'], rows['account_dunning_promise'])
    writer.finish(ids)
    book.seconds = time.monotonic() - start
    return book


class Writer:
    """Batched inserts with explicit ids

    On PostgreSQL the foreign keys and the non-unique indexes of the tables
    written are dropped for the load and created again at the end, so that
    each key is checked and each index built once, set-wise, instead of row
    by row."""
    TABLES = ['party_party', 'party_address', 'account_move',
        'account_move_line', 'account_move_reconciliation', 'account_invoice',
        'account_invoice_dispute', 'account_dunning_promise']

    def __init__(self, cursor, backend_name):
        self.cursor = cursor
        self.postgresql = backend_name == 'postgresql'
        self.restore = []

    def next_id(self, table):
        self.cursor.execute(f'SELECT MAX(id) FROM "{table}"')
        return (self.cursor.fetchone()[0] or 0) + 1

    def start(self):
        "Drop the foreign keys and plain indexes of the tables written"
        if not self.postgresql:
            return
        tables = [f'"{t}"' for t in self.TABLES]
        self.cursor.execute('SELECT conrelid::regclass::text, conname, '
            'pg_get_constraintdef(oid) FROM pg_constraint '
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            (tables,))
        keys = self.cursor.fetchall()
        self.cursor.execute('SELECT indexrelid::regclass::text, '
            'pg_get_indexdef(indexrelid) FROM pg_index '
            'WHERE indrelid = ANY(%s::regclass[]) '
            'AND NOT indisunique AND NOT indisprimary', (tables,))
        indexes = self.cursor.fetchall()
        for table, name, definition in keys:
            self.cursor.execute(
                f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            self.restore.append(
                f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            self.cursor.execute(f'DROP INDEX {name}')
            self.restore.insert(0, definition)

    def write(self, table, columns, rows):
        if not rows:
            return
        names = ', '.join(f'"{c}"' for c in columns)
        if self.postgresql:
            with self.cursor.copy(
                    f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            params = ', '.join('?' * len(columns))
            self.cursor.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({params})', rows)

    def finish(self, ids):
        "Build the indexes, check the keys and move the sequences"
        for statement in self.restore:
            self.cursor.execute(statement)
        self.restore = []
        for table in ids:
            if self.postgresql:
                self.cursor.execute(
                    f"SELECT setval('\"{table}_id_seq\"', "
                    f'(SELECT MAX(id) FROM "{table}"))')
        self.cursor.execute('ANALYZE')


def check(book, params, sample=20):
    """Return the differences between the book as written and as Tryton
    reads it (an empty list when coherent)"""
    from sql import Literal, Null
    from sql.aggregate import Sum

    from trytond.modules.ar_followup.models.run import DailySelection
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Company = pool.get('company.company')
    Party = pool.get('party.party')
    MoveLine = pool.get('account.move.line')
    cursor = Transaction().connection.cursor()
    company = Company(book.company)
    problems = []
    line = MoveLine.__table__()
    for column, what in [
            (line.move, "unbalanced moves"),
            (line.reconciliation, "unbalanced reconciliations")]:
        cursor.execute(*line.select(column,
                where=column != Null,
                group_by=[column],
                having=Sum(line.debit - line.credit) != Literal(0)))
        if rows := cursor.fetchall():
            problems.append(f"{len(rows)} {what}")
    parties = sorted(book.balances)
    step = max(len(parties) // sample, 1)
    with Transaction().set_context(company=company.id):
        for party in Party.read(parties[::step], ['receivable']):
            expected = book.balances[party['id']]
            if party['receivable'] != expected:
                problems.append(f"party {party['id']}: receivable "
                    f"{party['receivable']} != {expected}")
        selected = DailySelection(company, params.today).count_lines()
    followed = book.open_lines - book.paused_lines
    if selected != followed:
        problems.append(
            f"daily selection: {selected} lines != {followed}")
    return problems


def build(database, params, config_file=None):
    "Create the database, activate ar_followup and write the book"
    from trytond.modules.ar_followup import demo
    from trytond.modules.ar_followup.cli import in_transaction
    demo.create_database(database, config_file=config_file)
    return in_transaction(database, populate, params=params)


def parse_args(args=None):
    parser = argparse.ArgumentParser(prog='benchmarks.generate')
    parser.add_argument('-c', '--config', dest='config',
        default=os.environ.get('TRYTOND_CONFIG'))
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--size', choices=sorted(SIZES), default='S')
    parser.add_argument('--customers', type=int)
    parser.add_argument('--invoices-per-customer', type=int)
    parser.add_argument('--seed', type=int, default=8)
    parser.add_argument('--today', type=datetime.date.fromisoformat,
        default=TODAY)
    parser.add_argument('--open-share', type=float, default=0.5)
    parser.add_argument('--dispute-share', type=float, default=0.0,
        help="share of the open invoices with a dispute")
    parser.add_argument('--promise-share', type=float, default=0.0,
        help="share of the customers owing something with a promise")
    return parser.parse_args(args)


def parameters(options):
    params = Parameters.size(options.size, seed=options.seed,
        today=options.today, open_share=options.open_share,
        dispute_share=options.dispute_share,
        promise_share=options.promise_share)
    if options.customers:
        params.customers = options.customers
    if options.invoices_per_customer:
        params.invoices_per_customer = options.invoices_per_customer
    return params


def main(args=None):
    options = parse_args(args)
    from trytond import config
    if options.config:
        config.update_etc(options.config)
    params = parameters(options)
    book = build(options.database, params, config_file=options.config)
    print(describe(book, params))
    return 0


def describe(book, params):
    text = (f"{book.parties} customers, {book.invoices} invoices, "
        f"{book.payments} payments, {book.reconciliations} reconciled, "
        f"{book.open_lines} open invoice lines "
        f"({book.open_due_before(params.today)} due by {params.today}) "
        f"written in {book.seconds:.1f} s")
    if params.dispute_share or params.promise_share:
        text += (f"; {book.disputes} disputes, {book.promises} promises, "
            f"{book.paused_lines} open lines paused by them")
    return text


if __name__ == '__main__':
    sys.exit(main())
