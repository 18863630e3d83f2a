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
    """Give the first POSTINGS customers of the book not held by their
    follow-up level an address and
    a credit limit and a draft invoice dated date each per set; return
    {set: [invoice ids]} (committed by the caller)"""
    Account = pool.get('account.account')
    Address = pool.get('party.address')
    CreditLimit = pool.get('party.party.credit_limit_amount')
    Invoice = pool.get('account.invoice')
    Journal = pool.get('account.journal')
    Party = pool.get('party.party')
    Dunning = pool.get('account.dunning')
    Level = pool.get('account.dunning.level')
    # customers not held by their follow-up level (the run may have put
    # them at one that blocks credit)
    blocking = {l.id for l in Level.search([('blocks_credit', '=', True)])}
    candidates = Party.search([('code', 'like', 'BENCH%')],
        order=[('id', 'ASC')])
    levels = Dunning.highest_levels(
        company.id, 'party', [p.id for p in candidates])
    parties = [p for p in candidates
        if levels.get(p.id, (None,))[0] not in blocking][:POSTINGS]
    if len(parties) < POSTINGS:
        raise RuntimeError("too few customers not held by their level")
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


def post_invoice(pool, database, invoice_id, mode, commit=True):
    """Post the draft invoice in a transaction of its own as Tryton's
    dispatcher runs a request, checking first the credit limit the core way
    when mode is 'core' (account_credit_limit locks the whole move line
    table): a lock asked for during the transaction starts it again with the
    lock taken at its start, a lock not granted (NOWAIT) starts it again
    after 0.02 s × the attempts; return the number of attempts started
    again.  The print task the posting queues is left to the queue (a
    trytond-worker in production)."""
    from trytond import backend
    from trytond.modules.ar_followup.models.credit_hold import (
        check_credit_hold_amounts)
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
                        if mode.startswith('core'):
                            invoice.party.check_credit_limit(
                                invoice.total_amount, invoice.company,
                                origin=str(invoice))
                        if mode.endswith('_move'):
                            post_move(pool, invoice, mode)
                        elif mode == 'ours_check':
                            check_credit_hold_amounts(invoice.company,
                                {invoice.party: invoice.total_amount})
                        elif not mode.endswith('_check'):
                            Invoice.post([invoice])
                    if commit:
                        transaction.commit()
                    else:
                        transaction.rollback()
                    return retries
                finally:
                    transaction.tasks.clear()
        except TransactionError as exception:
            # the transaction is rolled back when leaving its block
            exception.fix(extras)
        except backend.DatabaseOperationalError:
            count += 1
        retries += 1


def post_move(pool, invoice, mode):
    """Check the credit hold of the invoice's customer for its total (ours)
    then post the invoice's amount as a move, without the invoice and its
    strictly sequential number"""
    from trytond.modules.ar_followup.models.credit_hold import (
        check_credit_hold_amounts)
    Move = pool.get('account.move')
    Period = pool.get('account.period')
    if mode == 'ours_move':
        check_credit_hold_amounts(
            invoice.company, {invoice.party: invoice.total_amount})
    line = invoice.lines[0]
    move = Move(journal=invoice.journal, date=invoice.invoice_date,
        period=Period.find(invoice.company, date=invoice.invoice_date),
        company=invoice.company, lines=[{
                'account': invoice.account.id, 'party': invoice.party.id,
                'debit': invoice.total_amount, 'credit': 0,
                'maturity_date': invoice.invoice_date,
                }, {
                'account': line.account.id,
                'debit': 0, 'credit': invoice.total_amount,
                }])
    move.save()
    Move.post([move])


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
    end = start
    for process in processes:
        output, _ = process.communicate()
        if process.returncode:
            raise RuntimeError("a posting process failed")
        report = json.loads(output.strip().splitlines()[-1])
        retries += report['retries']
        # the monotonic clock is the system's: the time of the last commit,
        # not of the processes' exit
        end = max(end, report['end'])
    return end - start, retries


def poster(database, invoice_id, mode):
    "The posting process of post_concurrently"
    from trytond.pool import Pool
    Pool(database).init()
    pool = Pool(database)
    # warm the caches as a running server's are: the same posting once,
    # rolled back
    post_invoice(pool, database, invoice_id, mode, commit=False)
    print('ready', flush=True)
    sys.stdin.readline()
    retries = post_invoice(pool, database, invoice_id, mode)
    print(json.dumps({'retries': retries, 'end': time.perf_counter()}),
        flush=True)


def credit_figure(transaction, pool, company, date, config_file):
    """Measure 8 postings of 8 customers' invoices: ours one after the
    other, ours at the same time, with core's check at the same time; and
    the same with the invoices' amounts posted as moves (no invoice
    number: the invoice sequence is strict, locked until the commit); and
    the credit checks alone, each committed without posting (what the
    check itself serialises)"""
    database = transaction.database.name
    modes = ['ours', 'core', 'ours_move', 'core_move',
        'ours_check', 'core_check']
    invoices = credit_setup(pool, company, date,
        modes + ['sequential', 'sequential_move', 'sequential_check'])
    transaction.commit()
    result = {}
    for suffix in ['', '_move', '_check']:
        # warmed as the concurrent processes are
        post_invoice(pool, database, invoices['sequential' + suffix][0],
            'ours' + suffix, commit=False)
        start = time.perf_counter()
        result['sequential_retries' + suffix] = sum(
            post_invoice(pool, database, i, 'ours' + suffix)
            for i in invoices['sequential' + suffix])
        result['sequential_seconds' + suffix] = (
            time.perf_counter() - start)
    for mode in modes:
        result[mode + '_seconds'], result[mode + '_retries'] = (
            post_concurrently(
                database, invoices[mode], mode, config_file))
    return result
