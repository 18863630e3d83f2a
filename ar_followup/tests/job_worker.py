# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the daily follow-up job in a process of its own, the way the command
line does, for the reliability tests (tests/test_reliability_job.py).

    python -m trytond.modules.ar_followup.tests.job_worker DB DATE \\
        [--at POINT --fault kill|wait --signal-dir DIR]

POINT is where the job stops: ``selection`` (the open lines counted),
``creation`` (the dunnings of the first procedure created), ``actions``
(the follow-up actions recorded) or ``commit`` (the run saved, before the
commit).  ``kill`` ends the process there with SIGKILL, as a crash would;
``wait`` creates ``DIR/reached`` and waits for ``DIR/go``.  The figures of
the runs are printed as JSON on the last line.
"""
import argparse
import datetime
import json
import os
import signal
import sys
import time


def parse_args(args=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('database')
    parser.add_argument('date', type=datetime.date.fromisoformat)
    parser.add_argument('--at', choices=[
            'selection', 'creation', 'actions', 'commit'])
    parser.add_argument('--fault', choices=['kill', 'wait'], default='kill')
    parser.add_argument('--signal-dir')
    return parser.parse_args(args)


def fault(options):
    if options.fault == 'kill':
        os.kill(os.getpid(), signal.SIGKILL)
    reached = os.path.join(options.signal_dir, 'reached')
    go = os.path.join(options.signal_dir, 'go')
    with open(reached, 'w'):
        pass
    deadline = time.monotonic() + 120
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            raise RuntimeError("nobody released the worker")
        time.sleep(0.05)


def after(cls, name, options, once=True):
    "Call fault(options) after cls.name, the first time only"
    # a plain function: bound to the instance for the methods of
    # DailySelection, called on the class for the class methods of the pool
    method = getattr(cls, name)
    state = {'done': False}

    def wrapper(*args, **kwargs):
        result = method(*args, **kwargs)
        if not (once and state['done']):
            state['done'] = True
            fault(options)
        return result
    setattr(cls, name, wrapper)


def main(args=None):
    options = parse_args(args)
    from trytond.pool import Pool
    Pool.start()
    pool = Pool(options.database)
    pool.init()

    from trytond.modules.ar_followup.cli import in_transaction
    from trytond.modules.ar_followup.models import run as run_module
    if options.at == 'selection':
        after(run_module.DailySelection, 'pending', options)
    elif options.at == 'creation':
        after(run_module.DailySelection, 'create_dunnings', options)
    elif options.at == 'actions':
        after(pool.get('account.dunning.action'), 'record', options)
    elif options.at == 'commit':
        after(pool.get('account.dunning.run'), '_run', options)

    def job(date):
        Run = Pool().get('account.dunning.run')
        return [{
                'company': r.company.id,
                'dunnings_created': r.dunnings_created,
                'level_changes': r.level_changes,
                'actions_recorded': r.actions_recorded,
                } for r in Run.run_daily(date=date)]
    print(json.dumps(in_transaction(options.database, job,
                date=options.date)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
