# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The benchmark runner: one line per figure.

    python -m benchmarks.run -c trytond.conf --size S [--rebuild]

The book of the size is generated once into the database
``bench_<size>_<hash>`` (kept as the pristine copy for as long as the
module's files, whose hash ends its name, do not change) and copied for
each run: ``bench_<size>_ours`` for ar_followup's figures,
``bench_<size>_core`` for core account_dunning.
Each figure runs in its own child process started with ``python -O`` (as
in production), so that its peak resident memory is its own.  Each figure
is printed with the floor measured in the same child: one hand-written SQL
query computing the same result.
"""
import argparse
import datetime
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal

from . import credit, generate, reminders

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the daily job split into tasks of the queue: the party-id ranges per run
QUEUE_TASKS = 16


# ---------------------------------------------------------------- children

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


class Floors:
    "The hand-written SQL queries the figures are compared to"

    def __init__(self, cursor, backend_name, company_id, date):
        self.cursor = cursor
        self.backend_name = backend_name
        self.param = '%s' if backend_name == 'postgresql' else '?'
        self.company = int(company_id)
        self.date = date

    def open_lines_sql(self):
        return (
            'FROM "account_move_line" l '
            'JOIN "account_move" m ON l."move" = m."id" '
            'JOIN "account_account" a ON l."account" = a."id" '
            'JOIN "account_account_type" t ON a."type" = t."id" '
            f'WHERE m."company" = {self.company} '
            "AND m.\"state\" = 'posted' AND t.\"receivable\" = TRUE "
            'AND l."reconciliation" IS NULL AND l."party" IS NOT NULL '
            'AND l."maturity_date" IS NOT NULL '
            'AND (l."debit" > 0 OR l."credit" < 0)')

    def level_case(self, levels):
        "CASE giving the firmest level reached, levels mildest first"
        whens = ' '.join(
            f'WHEN l."maturity_date" <= {self.param} THEN {level.id}'
            for level in reversed(levels))
        params = [self.date - datetime.timedelta(days=level.offset_days)
            for level in reversed(levels)]
        return f'CASE {whens} ELSE NULL END', params

    def levels(self, levels):
        "The target level of every open line, counted per level"
        case, params = self.level_case(levels)
        self.cursor.execute(
            f'SELECT lvl, COUNT(*) FROM (SELECT {case} AS lvl '
            f'{self.open_lines_sql()}) s '
            'WHERE lvl IS NOT NULL GROUP BY lvl', params)
        return dict(self.cursor.fetchall())

    def insert_dunnings(self, procedure_id, levels):
        "One INSERT creating every dunning at its target level"
        case, params = self.level_case(levels)
        first = self.date - datetime.timedelta(days=levels[0].offset_days)
        self.cursor.execute(
            'INSERT INTO "account_dunning" ("company", "line", "procedure", '
            '"level", "state", "blocked", "create_uid", "create_date") '
            f'SELECT {self.company}, l."id", {int(procedure_id)}, {case}, '
            "'draft', FALSE, 0, CURRENT_TIMESTAMP "
            f'{self.open_lines_sql()} '
            f'AND l."maturity_date" <= {self.param}', params + [first])
        return self.cursor.rowcount

    def buckets(self, ranges):
        "The open amounts by days past due, one query"
        whens, params = [], []
        for i, (_, first, last) in enumerate(ranges):
            condition = []
            if first is not None:
                condition.append(f'l."maturity_date" >= {self.param}')
                params.append(first)
            if last is not None:
                condition.append(f'l."maturity_date" <= {self.param}')
                params.append(last)
            whens.append(
                f'WHEN {" AND ".join(condition) or "TRUE"} THEN {i}')
        self.cursor.execute(
            f'SELECT b, SUM(amount) FROM (SELECT CASE {" ".join(whens)} '
            'END AS b, l."debit" - l."credit" AS amount '
            'FROM "account_move_line" l '
            'JOIN "account_move" m ON l."move" = m."id" '
            'JOIN "account_account" a ON l."account" = a."id" '
            'JOIN "account_account_type" t ON a."type" = t."id" '
            f'WHERE m."company" = {self.company} '
            "AND m.\"state\" = 'posted' AND t.\"receivable\" = TRUE "
            'AND l."reconciliation" IS NULL '
            'AND l."maturity_date" IS NOT NULL) s GROUP BY b', params)
        return dict(self.cursor.fetchall())

    def kpi_sums(self, start, end, months):
        """Per customer in one query, the inputs of its KPIs: the receivable
        at the end of the period, its part not due, the receivable the day
        before the period, the sales of the period and of each month of the
        count-back history (months: (first, last) pairs), the debits settled
        in the period with their amount-weighted days to pay and days late;
        return the rows"""
        p = self.param
        if self.backend_name == 'postgresql':
            def days(later, earlier):
                return f'({later} - {earlier})'
        else:
            def days(later, earlier):
                return f'(JULIANDAY({later}) - JULIANDAY({earlier}))'
        amount = 'l."debit" - l."credit"'
        open_at = (f'm."date" <= {p} '
            f'AND (l."reconciliation" IS NULL OR r."date" > {p})')
        due = 'COALESCE(l."maturity_date", m."date")'
        sale = 'i."id" IS NOT NULL'
        settled = (f'r."date" >= {p} AND r."date" <= {p} '
            'AND l."debit" > 0')
        columns = [
            f'SUM({amount}) FILTER (WHERE {open_at})',
            f'SUM({amount}) FILTER (WHERE {open_at} AND {due} >= {p})',
            f'SUM({amount}) FILTER (WHERE m."date" < {p} '
            f'AND (l."reconciliation" IS NULL OR r."date" >= {p}))',
            f'SUM({amount}) FILTER (WHERE {sale} '
            f'AND m."date" >= {p} AND m."date" <= {p})',
            ]
        params = [end, end, end, end, end, start, start, start, end]
        for first, last in months:
            columns.append(f'SUM({amount}) FILTER (WHERE {sale} '
                f'AND m."date" >= {p} AND m."date" <= {p})')
            params += [first, last]
        paid_days = days('r."date"', 'm."date"')
        late_days = days('r."date"', due)
        columns += [
            f'SUM(l."debit") FILTER (WHERE {settled})',
            f'SUM(l."debit" * {paid_days}) FILTER (WHERE {settled})',
            f'SUM(l."debit" * {late_days}) FILTER (WHERE {settled} '
            f'AND {late_days} > 0)',
            ]
        params += [start, end] * 3
        self.cursor.execute(
            f'SELECT l."party", {", ".join(columns)} '
            'FROM "account_move_line" l '
            'JOIN "account_move" m ON l."move" = m."id" '
            'JOIN "account_account" a ON l."account" = a."id" '
            'JOIN "account_account_type" t ON a."type" = t."id" '
            'LEFT JOIN "account_move_reconciliation" r '
            'ON l."reconciliation" = r."id" '
            'LEFT JOIN "account_invoice" i '
            'ON i."move" = l."move" AND i."type" = \'out\' '
            f'WHERE m."company" = {self.company} '
            "AND m.\"state\" = 'posted' AND t.\"receivable\" = TRUE "
            f'AND l."party" IS NOT NULL AND m."date" <= {p} '
            'GROUP BY l."party"', params + [end])
        return self.cursor.fetchall()

    def party_followup(self, party_ids):
        "Per party the firmest level, oldest date and amount dunned"
        ids = ', '.join(str(int(i)) for i in party_ids)
        self.cursor.execute(
            'SELECT l."party", MAX(v."offset_days"), MIN(l."maturity_date"), '
            'SUM(l."debit" - l."credit") '
            'FROM "account_dunning" d '
            'JOIN "account_move_line" l ON d."line" = l."id" '
            'JOIN "account_dunning_level" v ON d."level" = v."id" '
            f'WHERE d."company" = {self.company} '
            f'AND l."reconciliation" IS NULL AND l."party" IN ({ids}) '
            'GROUP BY l."party"')
        return len(self.cursor.fetchall())


def time_daily_steps(Run):
    """Time each step the daily job runs after its selection and actions
    (promises, plans, emails, risk scores, KPI snapshots…); return the
    dictionary {step: seconds} they fill"""
    from trytond.pool import Pool
    spent = {}

    def _run_steps(run):
        pool = Pool()
        for model, method in Run._daily_steps:
            start = time.perf_counter()
            getattr(pool.get(model), method)(run)
            name = f"{model.split('.')[-1]}.{method}"
            spent[name] = (spent.get(name, 0)
                + time.perf_counter() - start)
    Run._run_steps = staticmethod(_run_steps)
    return spent


def warm_workers(transaction, pool, worker):
    """Wait until the processes of trytond-worker have loaded the pool, as
    the long-running workers of production have: they all start with the
    first task (fork) and load it before running any, so empty tasks are
    run and the time they took is waited again for the slowest process"""
    Queue = pool.get('ir.queue')
    cursor = transaction.connection.cursor()
    start = time.perf_counter()
    ids = [Queue.push('ar_followup', {
                'model': 'account.dunning.run', 'method': 'advance',
                'user': transaction.user, 'context': {}, 'instances': [],
                'args': [], 'kwargs': {}})
        for _ in range(2)]
    transaction.commit()
    while True:
        cursor.execute('SELECT COUNT(*) FROM ir_queue WHERE id = ANY(%s) '
            'AND finished_at IS NULL', (ids,))
        left, = cursor.fetchone()
        transaction.commit()
        if not left:
            break
        if worker.poll() is not None:
            raise RuntimeError("trytond-worker stopped")
        time.sleep(0.05)
    time.sleep((time.perf_counter() - start) / 2)


def run_queued(transaction, pool, company, date, workers, config_file):
    """Run the daily job split into tasks of the queue and done by workers
    trytond-worker processes; return the seconds and the run"""
    from trytond import config as tconfig
    Configuration = pool.get('account.configuration')
    Party = pool.get('party.party')
    Run = pool.get('account.dunning.run')
    cursor = transaction.connection.cursor()
    party, = Party.search([], order=[('id', 'DESC')], limit=1)
    configuration = Configuration(1)
    configuration.followup_task_size = -(-party.id // QUEUE_TASKS)
    configuration.save()
    transaction.commit()
    tconfig.set('queue', 'worker', 'True')
    command = [sys.executable, '-O',
        os.path.join(os.path.dirname(sys.executable), 'trytond-worker'),
        '-d', transaction.database.name, '-n', str(workers),
        '--name', 'ar_followup', '-t', '1']
    if config_file:
        command[3:3] = ['-c', config_file]
    # trytond-worker stops at once unless its configuration enables it
    # in a session of its own: stopped with the processes of its pool
    worker = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
        env=dict(os.environ, TRYTOND_QUEUE__WORKER='True'),
        start_new_session=True)
    try:
        warm_workers(transaction, pool, worker)
        start = time.perf_counter()
        run, = Run.run_daily(date=date, companies=[company])
        transaction.commit()
        while True:
            cursor.execute('SELECT state FROM account_dunning_run '
                'WHERE id = %s', (run.id,))
            state, = cursor.fetchone()
            transaction.commit()
            if state == 'done':
                break
            if worker.poll() is not None:
                raise RuntimeError("trytond-worker stopped")
            time.sleep(0.05)
        seconds = time.perf_counter() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait()
    return seconds, Run(run.id)


def emails_figure(result, transaction, pool, company, floors):
    """The grouped reminder emails of a sample of customers composed and
    sent to a loopback SMTP server, and their floor, per 1,000"""
    from trytond import config as tconfig
    actions = reminders.pending_actions(pool, company, reminders.EMAILS)
    document = reminders.setup(
        pool, transaction, company, actions, floors.param)
    transaction.commit()
    parties = [a.party.id for a in actions]
    with reminders.SMTPServer() as server:
        tconfig.set('email', 'uri', f'smtp://127.0.0.1:{server.port}')
        tconfig.set('email', 'from', 'relances@bench.example')
        result['floor'] = 'SQL open lines + email.message + smtplib'
        result['floor_seconds'], floor_sent = timed(
            reminders.floor_emails, floors.cursor, company.id, parties,
            document, server.port)
        received = server.messages
        seconds, states = timed(reminders.send_emails,
            pool, transaction.database.name, actions)
        received = server.messages - received
        size = server.bytes
    # per 1,000 customers, extrapolated from the sample
    scale = 1000 / len(actions)
    result.update(seconds=seconds * scale,
        floor_seconds=result['floor_seconds'] * scale,
        info=f"extrapolated from {len(actions)} customers sent in "
        f"{seconds:.1f} s: "
        + ', '.join(f'{n} {s}' for s, n in sorted(states.items()))
        + f", {received} received by the SMTP server "
        f"(floor {floor_sent}), {size / 2 ** 20:.1f} MB in all")


def child(figure, database, date, config_file=None, invoice=None,
        render=True):
    "Measure one figure in this process and print it as JSON"
    if figure.startswith('post_'):
        credit.poster(database, invoice, figure[len('post_'):])
        return
    from trytond import backend
    from trytond.modules.ar_followup import summary
    from trytond.modules.ar_followup.rules import ageing
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Pool(database).init()
    pool = Pool(database)
    result = {'figure': figure, 'load': os.getloadavg()[0]}
    with Transaction().start(database, 0,
            context={'_skip_warnings': True}) as transaction:
        Company = pool.get('company.company')
        Configuration = pool.get('account.configuration')
        Run = pool.get('account.dunning.run')
        Dunning = pool.get('account.dunning')
        Party = pool.get('party.party')
        company, = Company.search([])
        procedure = Configuration(1).get_multivalue(
            'default_dunning_procedure', company=company.id)
        levels = procedure.ordered_levels()
        cursor = transaction.connection.cursor()
        floors = Floors(cursor, backend.name, company.id, date)
        result['rss_base'] = rss_mb()
        with transaction.set_context(company=company.id):
            if figure in {'daily_first', 'daily_second', 'core',
                    'queued1', 'queued2'}:
                result['floor'] = 'SQL target level of each line'
                result['floor_seconds'], counts = timed(
                    floors.levels, levels)
                result['floor_rows'] = sum(counts.values())
            if figure == 'daily_first':
                result['floor2'] = 'one INSERT of all dunnings'
                result['floor2_seconds'], _ = timed(
                    floors.insert_dunnings, procedure.id, levels)
                transaction.rollback()
            if (not render and figure in {
                        'daily_first', 'daily_second', 'queued1',
                        'queued2'}):
                # the actions wait for a confirmation: the daily job
                # plans them but renders and sends nothing
                # (written once: a level written again would make the
                # same-day rerun compute every risk score again)
                Level = pool.get('account.dunning.level')
                levels_ = Level.search([('confirm', '!=', True)])
                if levels_:
                    Level.write(levels_, {'confirm': True})
                    transaction.commit()
            if figure in {'daily_first', 'daily_second'}:
                steps = time_daily_steps(Run)
                seconds, (run,) = timed(
                    Run.run_daily, date=date, companies=[company])
                result.update(seconds=seconds, lines=run.lines_selected,
                    steps=steps,
                    info=f"{run.lines_selected} lines, "
                    f"{run.dunnings_created} created, "
                    f"{run.level_changes} raised, "
                    f"{run.actions_recorded} actions; selection and "
                    f"actions {seconds - sum(steps.values()):.3f} s, "
                    "steps " + ", ".join(f"{n} {t:.3f} s"
                        for n, t in steps.items()))
                transaction.commit()
            elif figure in {'queued1', 'queued2'}:
                workers = int(figure[-1])
                seconds, run = run_queued(transaction, pool, company, date,
                    workers, config_file)
                result.update(seconds=seconds, lines=run.lines_selected,
                    info=f"{run.tasks} tasks, {workers} worker processes, "
                    f"{run.lines_selected} lines, "
                    f"{run.dunnings_created} created, "
                    f"{run.actions_recorded} actions")
            elif figure == 'core':
                seconds, _ = timed(Dunning.generate_dunnings, date)
                count = Dunning.search([], count=True)
                result.update(seconds=seconds, lines=count,
                    info=f"{count} dunnings created at the first level")
                transaction.commit()
            elif figure == 'aged':
                ranges = ageing.maturity_ranges(date)
                result['floor'] = 'SQL buckets in one query'
                result['floor_seconds'], _ = timed(floors.buckets, ranges)
                seconds, buckets = timed(
                    summary.open_amounts_by_bucket, company, date)
                result.update(seconds=seconds,
                    info=f"{len(buckets)} buckets, total "
                    f"{sum(a for _, a in buckets):,.2f}")
            elif figure == 'kpi':
                from trytond.modules.ar_followup.models.receivable_kpi import (
                    ReceivableFigures)
                start = date.replace(day=1)
                result['floor'] = 'SQL KPI inputs per customer in one query'
                months = ReceivableFigures(company.id, start, date).months()
                result['floor_seconds'], rows = timed(
                    floors.kpi_sums, start, date, months)

                def kpi_set():
                    kpis = ReceivableFigures(
                        company.id, start, date).kpis(totals=True)
                    return kpis, kpis.pop(None)
                seconds, (per_party, totals) = timed(kpi_set)
                # the floor computes the same inputs: its sums must agree
                floor_receivable, floor_sales = (
                    sum(Decimal(str(r[i] or 0)) for r in rows)
                    for i in (1, 4))
                agree = (
                    abs(floor_receivable - totals['receivable']) < 0.01
                    and abs(floor_sales - totals['sales']) < 0.01)
                result.update(seconds=seconds,
                    info=f"{len(per_party)} customers and the company, "
                    f"{start} to {date}, receivable "
                    f"{totals['receivable']:,.2f}, sales "
                    f"{totals['sales']:,.2f}, DSO {totals['dso']}, "
                    f"count-back {totals['count_back_dso']}; the floor's "
                    f"{len(rows)} customers, receivable and sales "
                    + ("equal" if agree else
                        f"DIFFER: {floor_receivable:,.2f}, "
                        f"{floor_sales:,.2f}"))
            elif figure == 'emails':
                emails_figure(result, transaction, pool, company, floors)
            elif figure == 'letters':
                actions = reminders.pending_actions(
                    pool, company, reminders.LETTERS)
                result['floor'] = 'LibreOffice conversion of a minimal text'
                result['floor_seconds'], _ = timed(
                    reminders.floor_letters, len(actions))
                seconds, size = timed(
                    reminders.render_letters, pool, actions)
                # per 1,000 letters, extrapolated from the sample
                scale = 1000 / len(actions)
                result.update(seconds=seconds * scale,
                    floor_seconds=result['floor_seconds'] * scale,
                    info=f"extrapolated from {len(actions)} letters "
                    f"rendered in {seconds:.1f} s, "
                    f"{size / len(actions) / 1024:.0f} kB each")
            elif figure == 'credit':
                result['figures'] = credit.credit_figure(
                    transaction, pool, company, date, config_file)
            elif figure == 'party_list':
                ids = [p.id for p in Party.search(
                        [('code', 'like', 'BENCH%')],
                        limit=1000, order=[('id', 'ASC')])]
                result['floor'] = 'SQL follow-up of 1,000 parties'
                result['floor_seconds'], _ = timed(
                    floors.party_followup, ids)

                def read():
                    return Party.read(ids, ['rec_name', 'followup_level',
                            'followup_days_overdue', 'followup_amount'])
                seconds, rows = timed(read)
                with_level = sum(1 for r in rows if r['followup_level'])
                result.update(seconds=seconds, info=f"{len(rows)} parties, "
                    f"{with_level} with a level")
    result['rss'] = rss_mb()
    print(json.dumps(result))


# ------------------------------------------------------------------ parent

def module_hash():
    "A short hash of the module's files, tests left out"
    digest = hashlib.sha256()
    module = os.path.join(ROOT, 'ar_followup')
    for folder, dirs, files in sorted(os.walk(module)):
        dirs[:] = sorted(d for d in dirs
            if d not in {'tests', '__pycache__'})
        for name in sorted(files):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, module).encode())
            with open(path, 'rb') as fp:
                digest.update(fp.read())
    return digest.hexdigest()[:8]


def stale_databases(prefix, keep):
    "Return the benchmark databases of prefix built by other module files"
    from trytond import backend
    from trytond import config as tconfig
    from trytond.transaction import Transaction
    if backend.name == 'sqlite':
        names = [n[:-len('.sqlite')] for n in os.listdir(
                tconfig.get('database', 'path')) if n.endswith('.sqlite')]
    else:
        with Transaction().start(None, 0, close=True) as transaction:
            cursor = transaction.connection.cursor()
            cursor.execute('SELECT datname FROM pg_database')
            names = [n for n, in cursor]
    return [n for n in names if n.startswith(prefix) and n != keep
        and not n.endswith(('_ours', '_core', '_queue', '_credit'))]


def database_path(name):
    from trytond import config
    return os.path.join(config.get('database', 'path'), name + '.sqlite')


def database_exists(name):
    from trytond import backend
    from trytond.transaction import Transaction
    if backend.name == 'sqlite':
        return os.path.exists(database_path(name))
    with Transaction().start(None, 0, close=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(
            'SELECT 1 FROM pg_database WHERE datname = %s', (name,))
        return bool(cursor.fetchone())


def copy_database(source, target):
    from trytond import backend
    from trytond.transaction import Transaction
    if backend.name == 'sqlite':
        drop_database(target)
        shutil.copyfile(database_path(source), database_path(target))
        return
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def drop_database(name):
    from trytond import backend
    from trytond.transaction import Transaction
    if backend.name == 'sqlite':
        # with the journal of a process that did not close it (WAL mode)
        for suffix in ['', '-wal', '-shm']:
            if os.path.exists(database_path(name) + suffix):
                os.remove(database_path(name) + suffix)
        return
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        cursor = transaction.connection.cursor()
        # the processes of a stopped trytond-worker may still be connected
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def spawn(options, *args):
    command = [sys.executable, '-O', '-m', 'benchmarks.run']
    if options.config:
        command += ['-c', options.config]
    command += list(args)
    completed = subprocess.run(command, cwd=ROOT, check=True,
        stdout=subprocess.PIPE, text=True)
    return completed.stdout


def measure(options, figure, database):
    args = ['--child', figure, '-d', database,
        '--date', options.date.isoformat()]
    if not options.render:
        args.append('--no-render')
    output = spawn(options, *args)
    return json.loads(output.strip().splitlines()[-1])


def line(name, result, peer=None):
    text = (f"{name:<44} {result['seconds']:>9.3f} s  "
        f"peak RSS {result['rss']:>6.0f} MB "
        f"(+{result['rss'] - result['rss_base']:.0f})  "
        f"floor {result['floor_seconds']:.3f} s "
        f"x{result['seconds'] / result['floor_seconds']:.1f}")
    if 'floor2_seconds' in result:
        text += (f", insert floor {result['floor2_seconds']:.3f} s "
            f"x{result['seconds'] / result['floor2_seconds']:.1f}")
    if peer:
        text += f"  peer: {peer}"
    text += f"  [{result['info']}; load {result['load']:.2f}]"
    return text


def parent(options):
    from trytond import backend
    from trytond import config as tconfig
    if options.config:
        tconfig.update_etc(options.config)
    size = options.size
    pristine = f'bench_{size.lower()}_{module_hash()}'
    shares = []
    if options.dispute_share or options.promise_share:
        # a book with disputes and promises is another book
        pristine += (f'_d{round(options.dispute_share * 100)}'
            f'p{round(options.promise_share * 100)}')
        shares = ['--dispute-share', str(options.dispute_share),
            '--promise-share', str(options.promise_share)]
    for name in stale_databases(f'bench_{size.lower()}', pristine):
        drop_database(name)
    ours, core = pristine + '_ours', pristine + '_core'
    print(f"== ar_followup benchmark, size {size}, {backend.name}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
        f"python -O, as of {options.date}")
    if options.rebuild:
        drop_database(pristine)
    if not database_exists(pristine):
        start = time.monotonic()
        args = ['-m', 'benchmarks.generate', '-d', pristine,
            '--size', size, '--today', options.date.isoformat(), *shares]
        if options.config:
            args += ['-c', options.config]
        subprocess.run([sys.executable, '-O'] + args, cwd=ROOT, check=True)
        print(f"generated {pristine} in {time.monotonic() - start:.0f} s "
            "(database creation and module activation included)")
    copy_database(pristine, ours)
    results = {}

    def wanted(group):
        return options.only is None or group in options.only
    for figure, name in [
            ('daily_first', "daily job, first run"),
            ('daily_second', "daily job, same-day second run"),
            ('aged', "aged balance, all customers"),
            ('party_list', "party list, follow-up fields, 1,000"),
            ('kpi', "KPI set, one month, customers + company"),
            ]:
        if not wanted(figure.split('_')[0]):
            continue
        results[figure] = result = measure(options, figure, ours)
        print(line(name, result), flush=True)
    if not wanted('queue'):
        pass
    elif backend.name == 'postgresql' and options.queue:
        for workers in [1, 2]:
            queued = f'{pristine}_queue'
            copy_database(pristine, queued)
            results[f'queued{workers}'] = result = measure(
                options, f'queued{workers}', queued)
            drop_database(queued)
            peer = None
            if workers == 2:
                ratio = (results['queued1']['seconds']
                    / result['seconds'])
                peer = f"{ratio:.2f}x the throughput of 1 worker"
            print(line(f"daily job, first run, queue, {workers} worker(s)",
                    result, peer=peer), flush=True)
    elif options.queue:
        print(f"{'daily job split into queue tasks':<44} not measured "
            "(needs PostgreSQL: trytond-worker processes share the "
            "database)")
    for figure, name in [
            ('emails', "reminder emails sent, per 1,000 (est.)"),
            ('letters', "reminder letters as PDF, per 1,000 (est.)"),
            ]:
        if not wanted(figure):
            continue
        results[figure] = result = measure(options, figure, ours)
        print(line(name, result), flush=True)
    if not wanted('credit'):
        pass
    elif backend.name == 'postgresql':
        # on a copy of the book before the daily job: the job puts every
        # customer of the book at a level that holds his credit
        credit_db = f'{pristine}_credit'
        copy_database(pristine, credit_db)
        results['credit'] = result = measure(options, 'credit', credit_db)
        drop_database(credit_db)
        figures = result['figures']
        for suffix, name in [
                ('', "credit-limit checks, 8 concurrent postings"),
                ('_move', "same, posted as moves (no invoice number)"),
                ('_check', "same, the credit checks alone (no posting)"),
                ]:
            result = dict(result, seconds=figures[f'ours{suffix}_seconds'],
                floor_seconds=figures[f'sequential_seconds{suffix}'],
                info=f"{credit.POSTINGS} customers with a credit limit; "
                "transactions started again on a lock refused: ours "
                f"{figures[f'ours{suffix}_retries']}, core "
                f"{figures[f'core{suffix}_retries']}, sequential "
                f"{figures[f'sequential_retries{suffix}']}")
            core_seconds = figures[f'core{suffix}_seconds']
            print(line(name, result, peer=f"ours "
                    f"{core_seconds / result['seconds']:.2f}x core's "
                    f"throughput (core {core_seconds:.3f} s)"), flush=True)
    else:
        print(f"{'credit-limit checks, 8 concurrent postings':<44} "
            "not measured (SQLite serialises writers)")
    if options.core and wanted('core'):
        copy_database(pristine, core)
        results['core'] = result = measure(options, 'core', core)
        peer = None
        if 'daily_first' in results:
            first = results['daily_first']
            # the selection and actions: the first run without the daily
            # steps of the other features (risk scores, KPI snapshot…)
            selection = first['seconds'] - sum(first['steps'].values())
            peer = (f"ours {result['seconds'] / selection:.1f}x faster "
                f"than core on the selection and actions, "
                f"{result['seconds'] / first['seconds']:.1f}x on the "
                "whole first run")
        print(line("core generate_dunnings, first run", result,
                peer=peer), flush=True)
        drop_database(core)
    first = results.get('daily_first')
    if first:
        print(f"{'per-line cost, daily first run':<44} "
            f"{first['seconds'] / first['lines'] * 1e6:>9.1f} us/line  "
            f"[{first['lines']} open lines]")
    if 'core' in results:
        result = results['core']
        print(f"{'per-line cost, core generate_dunnings':<44} "
            f"{result['seconds'] / result['lines'] * 1e6:>9.1f} us/line  "
            f"[{result['lines']} dunnings]")
    if options.output:
        with open(options.output, 'w') as fp:
            json.dump({'size': size, 'backend': backend.name,
                    'results': results}, fp, indent=1)
    drop_database(ours)


def parse_args(args=None):
    parser = argparse.ArgumentParser(prog='benchmarks.run')
    parser.add_argument('-c', '--config', dest='config',
        default=os.environ.get('TRYTOND_CONFIG'))
    parser.add_argument('--size', choices=sorted(generate.SIZES),
        default='S')
    parser.add_argument('--date', type=datetime.date.fromisoformat,
        default=generate.TODAY)
    parser.add_argument('--rebuild', action='store_true',
        help="generate the book again")
    parser.add_argument('--dispute-share', type=float, default=0.0,
        help="the book's share of open invoices with a dispute")
    parser.add_argument('--promise-share', type=float, default=0.0,
        help="the book's share of the customers owing something with a "
        "promise to pay")
    parser.add_argument('--no-core', dest='core', action='store_false',
        help="skip core account_dunning's peer figure")
    parser.add_argument('--no-queue', dest='queue', action='store_false',
        help="skip the daily job split into queue tasks")
    parser.add_argument('--no-render', dest='render', action='store_false',
        help="daily job figures without the letters and emails of the "
        "actions (every level waits for a confirmation in the copy): "
        "rendering and sending are a figure of their own")
    parser.add_argument('--only', type=lambda v: set(v.split(',')),
        help="the figures to measure, comma separated, among daily (first "
        "run and rerun), aged, party, kpi, queue, emails and letters (both "
        "take the actions of daily), credit, core")
    parser.add_argument('--output', help="write the results as JSON")
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('-d', '--database', help=argparse.SUPPRESS)
    parser.add_argument('--invoice', type=int, help=argparse.SUPPRESS)
    return parser.parse_args(args)


def main(args=None):
    options = parse_args(args)
    if options.child:
        from trytond import config as tconfig
        if options.config:
            tconfig.update_etc(options.config)
        child(options.child, options.database, options.date,
            options.config, invoice=options.invoice, render=options.render)
    else:
        parent(options)
    return 0


if __name__ == '__main__':
    sys.exit(main())
