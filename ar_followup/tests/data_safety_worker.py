# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fill a database with follow-up data, or print the fingerprint of that
data, for the module-update test (tests/test_data_safety.py).

    python -m trytond.modules.ar_followup.tests.data_safety_worker \\
        create|fingerprint DB
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))

TABLES = [
    'party_party', 'account_move', 'account_move_line',
    'account_move_reconciliation', 'account_dunning',
    'account_dunning_action', 'account_dunning_run',
    'account_dunning_level', 'account_dunning_procedure',
    'account_penalty_ecb_rate', 'account_penalty_legal_rate',
    'res_user', 'ir_rule_group',
    ]


def create():
    "Create a book, portfolios and edit the shipped data, run the job"
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from benchmarks import generate
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    User = pool.get('res.user')
    Level = pool.get('account.dunning.level')
    Run = pool.get('account.dunning.run')
    Company = pool.get('company.company')
    params = generate.Parameters(customers=20, invoices_per_customer=4)
    book = generate.populate(params)
    collector = User(name="Collector", login='collector')
    collector.save()
    parties = Party.search([], order=[('id', 'ASC')])
    Party.write(parties[::2], {
            'followup_collector': collector.id,
            'customer_type': 'public',
            })
    # the administrator renames a shipped level (loaded noupdate)
    level, = Level.search([('offset_days', '=', 30)])
    level.name = "Mise en demeure"
    level.save()
    Run.run_daily(date=params.today, companies=[Company(book.company)])


def fingerprint():
    "Return the data that a module update must keep"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Party = pool.get('party.party')
    Level = pool.get('account.dunning.level')
    cursor = Transaction().connection.cursor()
    counts = {}
    for table in TABLES:
        cursor.execute(f'SELECT COUNT(id) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    cursor.execute('SELECT line, level, state FROM account_dunning '
        'ORDER BY line')
    dunnings = [list(r) for r in cursor]
    cursor.execute('SELECT party, level, date, amount FROM '
        'account_dunning_action ORDER BY party, level')
    actions = [[p, l, str(d), str(a)] for p, l, d, a in cursor]
    return {
        'counts': counts,
        'dunnings': dunnings,
        'actions': actions,
        'parties': [[p.id, p.name, p.customer_type, p.legal_status,
                p.followup_collector.id if p.followup_collector else None]
            for p in Party.search([], order=[('id', 'ASC')])],
        'levels': [[l.id, l.name, l.offset_days, l.blocks_credit]
            for l in Level.search([], order=[('id', 'ASC')])],
        }


def main(args=None):
    command, database = (args or sys.argv[1:])[:2]
    from trytond.modules.ar_followup.cli import in_transaction
    from trytond.pool import Pool
    Pool.start()
    Pool(database).init()
    if command == 'create':
        in_transaction(database, create)
    else:
        print(json.dumps(in_transaction(database, fingerprint)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
