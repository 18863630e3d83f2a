# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The credit-limit figure: customer invoices of different customers
posted at the same time, each in a process and a transaction of its own,
with ar_followup's credit hold (it locks the customer's row) and with core
account_credit_limit's check (it locks the whole move line table)."""
import json
import os
import subprocess
import sys
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# the customers whose invoices are posted at the same time
POSTINGS = 8


def credit_setup(pool, company, date, sets):
    """Give the first POSTINGS customers of the book an address and
    a credit limit and a draft invoice dated date each per set; return
    {set: [invoice ids]} (committed by the caller)"""
    Account = pool.get('account.account')
    Address = pool.get('party.address')
    CreditLimit = pool.get('party.party.credit_limit_amount')
    Invoice = pool.get('account.invoice')
    Journal = pool.get('account.journal')
    Party = pool.get('party.party')
    parties = Party.search([('code', 'like', 'BENCH%')],
        order=[('id', 'ASC')], limit=POSTINGS)
    Address.create([{'party': p.id} for p in parties if not p.addresses])
    CreditLimit.create([{
                'company': company.id, 'party': p.id,
                'credit_limit_amount': Decimal('1000000000'),
                } for p in parties])
    receivable, = Account.search([('code', '=', '4111')], limit=1)
    revenue, = Account.search([('code', '=', '706')], limit=1)
    journal, = Journal.search([('type', '=', 'revenue')], limit=1)
    invoices = {}
    for name in sets:
        records = Invoice.create([{
                    'type': 'out',
                    'company': company.id,
                    'journal': journal.id,
                    'currency': company.currency.id,
                    'party': p.id,
                    'invoice_address': Party(p.id).addresses[0].id,
                    'invoice_date': date,
                    'account': receivable.id,
                    'lines': [('create', [{
                                    'type': 'line',
                                    'description': "Benchmark",
                                    'quantity': 1,
                                    'unit_price': Decimal('100.00'),
                                    'account': revenue.id,
                                    }])],
                    } for p in parties])
        invoices[name] = [i.id for i in records]
    return invoices


def post_invoice(pool, database, invoice_id, mode):
    """Post the draft invoice in a transaction of its own as Tryton's
    dispatcher runs a request, checking first the credit limit the core way
    when mode is 'core' (account_credit_limit locks the whole move line
    table): a lock asked for during the transaction starts it again with the
    lock taken at its start, a lock not granted (NOWAIT) starts it again
    after 0.02 s × the attempts; return the number of attempts started
    again.  The print task the posting queues is left to the queue (a
    trytond-worker in production)."""
    from trytond import backend
    from trytond.transaction import Transaction, TransactionError
    Invoice = pool.get('account.invoice')
    retries = count = 0
    extras = {}
    while True:
        if count:
            time.sleep(0.02 * count)
        try:
            with Transaction(new=True).start(database, 0,
                    context={'_skip_warnings': True},
                    **extras) as transaction:
                try:
                    invoice = Invoice(invoice_id)
                    with transaction.set_context(
                            company=invoice.company.id):
                        if mode == 'core':
                            invoice.party.check_credit_limit(
                                invoice.total_amount, invoice.company,
                                origin=str(invoice))
                        Invoice.post([invoice])
                    transaction.commit()
                    return retries
                finally:
                    transaction.tasks.clear()
        except TransactionError as exception:
            # the transaction is rolled back when leaving its block
            exception.fix(extras)
        except backend.DatabaseOperationalError:
            count += 1
        retries += 1


def post_concurrently(database, invoice_ids, mode, config_file):
    """Post each invoice in a process of its own, all started together once
    the processes are loaded; return the seconds and the retries"""
    processes = []
    for invoice_id in invoice_ids:
        command = [sys.executable, '-O', '-m', 'benchmarks.run',
            '--child', f'post_{mode}', '-d', database,
            '--invoice', str(invoice_id)]
        if config_file:
            command[4:4] = ['-c', config_file]
        processes.append(subprocess.Popen(command, cwd=ROOT, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE))
    for process in processes:
        if process.stdout.readline().strip() != 'ready':
            raise RuntimeError("a posting process did not start")
    start = time.perf_counter()
    for process in processes:
        process.stdin.write('go\n')
        process.stdin.flush()
    retries = 0
    for process in processes:
        output, _ = process.communicate()
        if process.returncode:
            raise RuntimeError("a posting process failed")
        retries += json.loads(output.strip().splitlines()[-1])['retries']
    return time.perf_counter() - start, retries


def poster(database, invoice_id, mode):
    "The posting process of post_concurrently"
    from trytond.pool import Pool
    Pool(database).init()
    pool = Pool(database)
    print('ready', flush=True)
    sys.stdin.readline()
    retries = post_invoice(pool, database, invoice_id, mode)
    print(json.dumps({'retries': retries}), flush=True)


def credit_figure(transaction, pool, company, date, config_file):
    """Measure 8 postings of 8 customers' invoices: ours one after the
    other, ours at the same time, core's check at the same time"""
    database = transaction.database.name
    invoices = credit_setup(pool, company, date,
        ['sequential', 'concurrent', 'core'])
    transaction.commit()
    start = time.perf_counter()
    sequential_retries = sum(post_invoice(pool, database, i, 'ours')
        for i in invoices['sequential'])
    sequential = time.perf_counter() - start
    concurrent, retries = post_concurrently(
        database, invoices['concurrent'], 'ours', config_file)
    core, core_retries = post_concurrently(
        database, invoices['core'], 'core', config_file)
    return {
        'seconds': concurrent, 'floor_seconds': sequential,
        'core_seconds': core, 'retries': retries,
        'core_retries': core_retries,
        'sequential_retries': sequential_retries,
        }
