# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Command line of ar_followup.

    ar-followup -c trytond.conf -d DB run [--date YYYY-MM-DD]
    ar-followup -c trytond.conf -d DB demo [--date YYYY-MM-DD] [--mail-dir DIR]
    ar-followup -c trytond.conf -d DB summary [--date YYYY-MM-DD]
"""
import argparse
import datetime
import os
import sys


def parse_args(args=None):
    parser = argparse.ArgumentParser(prog='ar-followup')
    parser.add_argument('-c', '--config', dest='config',
        default=os.environ.get('TRYTOND_CONFIG'),
        help="the trytond configuration file")
    parser.add_argument('-d', '--database', dest='database', required=True)
    parser.add_argument('--date', type=datetime.date.fromisoformat,
        help="the date as of which to work (default: today)")
    subparsers = parser.add_subparsers(dest='command', required=True)
    subparsers.add_parser('run', help="run the daily follow-up job")
    demo = subparsers.add_parser('demo',
        help="create the database with the demo company, run the daily "
        "follow-up and print the summary")
    demo.add_argument('--password', default='admin',
        help="the password of the admin user")
    demo.add_argument('--mail-dir',
        help="deliver the follow-up emails of the demo run to an SMTP "
        "server on loopback that stores them in this Maildir folder")
    subparsers.add_parser('summary', help="print the follow-up summary")
    return parser.parse_args(args)


def main(args=None):
    options = parse_args(args)
    from trytond import config
    if options.config:
        config.update_etc(options.config)
    if options.command == 'demo':
        from .demo import build
        build(options.database, today=options.date,
            password=options.password, config_file=options.config,
            mail_dir=options.mail_dir)
        if options.mail_dir:
            delivered = os.listdir(os.path.join(options.mail_dir, 'new'))
            print(f"{len(delivered)} follow-up emails delivered to "
                f"{options.mail_dir}")
    else:
        from trytond.pool import Pool
        Pool(options.database).init()
    if options.command == 'run':
        in_transaction(options.database, run, date=options.date)
    in_transaction(options.database, print_summary, date=options.date)
    return 0


def in_transaction(database, func, **kwargs):
    """Call func in a transaction of the root user and commit, starting
    again when the transaction asks for a lock; then run the tasks it
    queued (when no trytond-worker is configured), as Tryton's dispatcher
    and scheduler do"""
    from trytond.transaction import Transaction, TransactionError
    from trytond.worker import run_task
    extras = {}
    while True:
        with Transaction().start(database, 0,
                context={'_skip_warnings': True}, **extras) as transaction:
            try:
                result = func(**kwargs)
            except TransactionError as exception:
                transaction.rollback()
                transaction.tasks.clear()
                exception.fix(extras)
                continue
            transaction.commit()
        while transaction.tasks:
            run_task(database, transaction.tasks.pop())
        return result


def run(date=None):
    from trytond.pool import Pool
    Run = Pool().get('account.dunning.run')
    for run in Run.run_daily(date=date):
        print(
            f"Follow-up of {run.company.rec_name} as of {run.date}: "
            f"{run.lines_selected} open lines, "
            f"{run.dunnings_created} dunnings created, "
            f"{run.level_changes} level changes, "
            f"{run.actions_recorded} customers escalated "
            f"in {run.duration:.2f} s")


def print_summary(date=None):
    from trytond.pool import Pool

    from .summary import summary
    Company = Pool().get('company.company')
    for company in Company.search([]):
        print(summary(company, date))


if __name__ == '__main__':
    sys.exit(main())
