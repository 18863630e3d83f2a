# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import lifecycle statuses or claim late-payment penalties in a process of
its own, for the fault and concurrency scenario
(tests/scenario_ar_followup_import_faults.rst).

    python -m trytond.modules.ar_followup.tests.import_worker DB \\
        statuses FILE [--at POINT --fault kill|wait --signal-dir DIR]
    python -m trytond.modules.ar_followup.tests.import_worker DB \\
        claim DATE [--at POINT ...]

POINT is ``middle`` (the status records or the claim invoices created, not
yet the rest) or ``commit`` (everything done, before the commit); ``kill``
and ``wait`` are those of job_worker.  The result is printed as JSON on
the last line: [created, duplicates] of the import, the ids of the claim
invoices.
"""
import argparse
import datetime
import json
import sys

from .job_worker import after


def parse_args(args=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('database')
    parser.add_argument('operation', choices=['statuses', 'claim'])
    parser.add_argument('argument')
    parser.add_argument('--at', choices=['middle', 'commit'])
    parser.add_argument('--fault', choices=['kill', 'wait'], default='kill')
    parser.add_argument('--signal-dir')
    return parser.parse_args(args)


def main(args=None):
    options = parse_args(args)
    from trytond.pool import Pool
    Pool.start()
    pool = Pool(options.database)
    pool.init()
    Status = pool.get('account.invoice.lifecycle_status')
    Invoice = pool.get('account.invoice')
    if options.operation == 'statuses':
        if options.at == 'middle':
            after(Status, 'create', options)
        elif options.at == 'commit':
            after(Status, 'import_file', options)
    else:
        if options.at == 'middle':
            after(Invoice, 'update_taxes', options)
        elif options.at == 'commit':
            after(Invoice, 'claim_penalties', options)

    from trytond.modules.ar_followup.cli import in_transaction

    def statuses(path):
        Company = Pool().get('company.company')
        company, = Company.search([])
        with open(path, 'rb') as file:
            return Status.import_file(company, file.read())

    def claim(date):
        invoices = Invoice.search([
                ('type', '=', 'out'),
                ('state', '=', 'posted'),
                ], order=[('id', 'ASC')])
        return [c.id for c in Invoice.claim_penalties(invoices, date)]

    if options.operation == 'statuses':
        result = in_transaction(options.database, statuses,
            path=options.argument)
    else:
        result = in_transaction(options.database, claim,
            date=datetime.date.fromisoformat(options.argument))
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
