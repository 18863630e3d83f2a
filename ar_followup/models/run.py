# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The daily follow-up job.

One run per company and date: it selects the open receivable lines in SQL,
creates or raises their dunnings level by level with set-based statements,
and records per customer one follow-up action at the customer's firmest
level.  Running it again the same day finds nothing to change.
"""
import datetime
import time
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from sql import Literal, Null, Select
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.functions import CurrentTimestamp
from sql.operators import Exists

from trytond import backend
from trytond.ir.cron import str2bigint
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, TransactionError
from trytond.wizard import (
    Button, StateAction, StateView, Wizard)

from .party import id_condition


# Rows written by a statement of the run above which the statistics of the
# table are refreshed (PostgreSQL), so that the planner of the following
# statements does not take a table filled by the run for the empty one it
# was (a nested loop over it per line would make the run quadratic)
ANALYZE_ROWS = 1000


def analyze(Model, rows):
    "Refresh the planner statistics of Model's table after rows were written"
    if backend.name == 'postgresql' and rows >= ANALYZE_ROWS:
        cursor = Transaction().connection.cursor()
        cursor.execute(f'ANALYZE "{Model._table}"')


def insert_rows(table, columns, rows, extra=()):
    """Insert rows, lists of the values of columns, by one statement run
    with each row's parameters (pipelined by psycopg): a statement of many
    rows would cost more to convert than to run.

    extra are (column, SQL expression) pairs given to every row."""
    if not rows:
        return
    extra = list(extra)
    query, _ = tuple(table.insert(columns + [c for c, _ in extra],
            [[0] * len(columns) + [e for _, e in extra]]))
    Transaction().connection.cursor().executemany(query, rows)


class RunLockedError(TransactionError):
    "Another transaction holding the lock committed while this one waited"


def serialise(key):
    """Hold the advisory lock named key until the end of the transaction
    (PostgreSQL; SQLite serialises every writing transaction anyway)

    When another transaction holds it, wait for its end then raise
    RunLockedError: the snapshot of this transaction predates the other
    one's commit, the caller must start again in a new transaction (Tryton's
    dispatcher, scheduler and queue do)."""
    transaction = Transaction()
    database = transaction.database
    cursor = transaction.connection.cursor()
    lock_id = str2bigint(key)
    cursor.execute(*Select([database.lock_id(lock_id)]))
    if not cursor.fetchone()[0]:
        cursor.execute(*Select([database.lock_id(lock_id, timeout=True)]))
        raise RunLockedError(key)


@contextmanager
def restarted_on_conflict(key):
    """Start the transaction again at once when it updates a row another
    transaction updated and committed after its snapshot (PostgreSQL's
    serialisation failure): raise RunLockedError instead, which Tryton's
    queue retries at once and without counting it as one of the
    database's retries (after which it would postpone the task)."""
    try:
        yield
    except backend.DatabaseOperationalError as exception:
        if getattr(exception, 'sqlstate', None) != '40001':
            raise
        raise RunLockedError(key) from exception


class Run(ModelSQL, ModelView):
    __name__ = 'account.dunning.run'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    date = fields.Date("Date", required=True, readonly=True,
        help="The date as of which the follow-up was computed.")
    duration = fields.Float(
        "Duration (s)", readonly=True, digits=(16, 3))
    lines_selected = fields.Integer(
        "Lines Selected", readonly=True,
        help="The open receivable lines in the scope of a procedure.")
    dunnings_created = fields.Integer("Dunnings Created", readonly=True)
    level_changes = fields.Integer(
        "Level Changes", readonly=True,
        help="How many times an existing dunning moved to a firmer level.")
    actions_recorded = fields.Integer(
        "Actions Recorded", readonly=True,
        help="The customers who got a follow-up action at a new level.")
    actions = fields.One2Many(
        'account.dunning.action', 'run', "Actions", readonly=True)
    state = fields.Selection([
            ('running', "Running"),
            ('done', "Done"),
            ], "State", readonly=True, sort=False,
        help="A run split into tasks stays running until its last task "
        "is done.")
    tasks = fields.Integer(
        "Tasks", readonly=True,
        help="The tasks of the queue the run was split into: the "
        "selection's and the daily steps' (0 when it ran in one "
        "transaction).")
    tasks_done = fields.Integer("Tasks Done", readonly=True)
    bucket_size = fields.Integer(
        "Bucket Size", readonly=True,
        help="The range of party ids of each task of a run split into "
        "tasks of the queue.")
    task_list = fields.One2Many(
        'account.dunning.run.task', 'run', "Task List", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        cls._order.insert(1, ('id', 'DESC'))
        # The steps run after the selection, in this order: (model name,
        # class method called with the run)
        cls._daily_steps = []
        # When the run is split into tasks of the queue, each step is a task
        # started once the steps it needs are done: {step: [steps]}; a step
        # left out needs every step registered before it.  The selection's
        # tasks are always done before the first step starts.
        cls._daily_step_needs = {}
        # The steps split into one task per bucket of customers: {step:
        # name of the model's class method returning the buckets of size
        # party ids the step works on for (company, date, size)}; the step
        # is then called with parties=(first id, last id excluded)
        cls._daily_steps_per_bucket = {}

    @classmethod
    def default_state(cls):
        return 'done'

    @classmethod
    def default_tasks(cls):
        return 0

    @classmethod
    def default_tasks_done(cls):
        return 0

    @classmethod
    def run_daily(cls, date=None, companies=None):
        "Run the follow-up of every company (cron entry point)"
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        if companies is None:
            companies = Company.search([])
        runs = []
        for company in companies:
            with Transaction().set_context(company=company.id):
                company_date = date or Date.today()
                runs.append(cls._run(company, company_date))
        return runs

    @classmethod
    def lock_company(cls, company, bucket=None, step=None):
        """Serialise the runs of a company (or one task of them: a bucket of
        its customers, a daily step or a bucket of a step) until the end of
        the transaction

        When another run holds the lock, wait for its end then raise
        RunLockedError: the snapshot of this transaction predates the other
        run's commit, the caller must start again in a new transaction."""
        key = f'{cls.__name__},{company.id}'
        if step is not None:
            key += f',{step}'
        if bucket is not None:
            key += f',{bucket}'
        serialise(key)

    @classmethod
    def task_size(cls, company):
        "Return the customers per task of the company, 0 for no split"
        Configuration = Pool().get('account.configuration')
        return Configuration(1).followup_task_size or 0

    @classmethod
    def _run(cls, company, date):
        start = time.monotonic()
        cls.lock_company(company)
        size = cls.task_size(company)
        if size:
            return cls._dispatch(company, date, size)
        counts = DailySelection(company, date).execute()
        run, = cls.create([{
                    'company': company.id,
                    'date': date,
                    'duration': 0,
                    **{k: v for k, v in counts.items() if k != 'actions'},
                    }])
        Action = Pool().get('account.dunning.action')
        Action.record(company, date, run, counts['actions'])
        cls._run_steps(run)
        run.duration = round(time.monotonic() - start, 3)
        run.save()
        return run

    @classmethod
    def _run_steps(cls, run):
        pool = Pool()
        for model, method in cls._daily_steps:
            getattr(pool.get(model), method)(run)

    @classmethod
    def _daily_stages(cls):
        """Return the daily steps in stages, lists of the steps that need
        only steps of the stages before theirs (:attr:`_daily_step_needs`)"""
        stages = {}
        for i, step in enumerate(cls._daily_steps):
            needs = cls._daily_step_needs.get(step, cls._daily_steps[:i])
            stages[step] = max(
                (stages[n] for n in needs if n in stages), default=0) + 1
        return [[s for s in cls._daily_steps if stages[s] == k]
            for k in sorted(set(stages.values()))]

    @classmethod
    def _dispatch(cls, company, date, size):
        """Create the run and its tasks, then queue the selection's: one
        task per bucket of customers.

        The buckets are the ranges [k × size, (k + 1) × size) of party ids
        holding open lines, so that two dispatches of the same day make the
        same buckets and their tasks serialise on the same locks.  Each
        daily step is a task of its own (or one per bucket of the customers
        it works on), queued once the selection's tasks and the steps it
        needs are done (:meth:`advance`)."""
        pool = Pool()
        Task = pool.get('account.dunning.run.task')
        buckets = DailySelection(company, date).buckets(size)
        run, = cls.create([{
                    'company': company.id,
                    'date': date,
                    'duration': 0,
                    'lines_selected': 0,
                    'dunnings_created': 0,
                    'level_changes': 0,
                    'actions_recorded': 0,
                    'state': 'running',
                    'tasks': 0,
                    'tasks_done': 0,
                    'bucket_size': size,
                    }])
        tasks = [{'run': run.id, 'stage': 0, 'bucket': b} for b in buckets]
        for stage, steps in enumerate(cls._daily_stages(), 1):
            for model, method in steps:
                split = cls._daily_steps_per_bucket.get((model, method))
                step_buckets = [None]
                if split:
                    step_buckets = getattr(pool.get(model), split)(
                        company, date, size)
                tasks.extend({
                        'run': run.id,
                        'stage': stage,
                        'step': f'{model}|{method}',
                        'bucket': b,
                        } for b in step_buckets)
        Task.create(tasks)
        run.tasks = len(tasks)
        run.save()
        cls._advance(run)
        return cls(run.id)

    @classmethod
    def _queue_task(cls, run, task):
        """Queue the task of the run

        It is expected now: the workers pull the tasks without an expected
        time first, the advances, so that a stage over starts the next at
        once, then these in the order they were queued."""
        with Transaction().set_context(queue_name='ar_followup',
                queue_expected_at=datetime.timedelta(0)):
            if task.step:
                cls.__queue__.run_step(
                    [run], task.step, task.bucket, run.bucket_size)
            else:
                cls.__queue__.run_bucket([run], task.bucket, run.bucket_size)

    @classmethod
    def _task_done(cls, run, counts=None, **key):
        """Mark the task of the run done with its counts, unless done
        already (the work of a task run again finds nothing left to do:
        the first run's counts stay), and queue the run's advance"""
        Task = Pool().get('account.dunning.run.task')
        tasks = Task.search([
                ('run', '=', run.id),
                ('state', '!=', 'done'),
                *((k, '=', v) for k, v in key.items()),
                ])
        if tasks:
            Task.write(tasks, {'state': 'done', **(counts or {})})
        with Transaction().set_context(queue_name='ar_followup'):
            cls.__queue__.advance([run])

    @classmethod
    def run_bucket(cls, runs, bucket, size):
        """Run the follow-up of the customers of one bucket (queue task).

        The task writes its figures on its own task record and queues the
        run's advance (:meth:`advance`).  A task that fails is rolled back
        as a whole and can run again: the selection finds only what is left
        to do."""
        Action = Pool().get('account.dunning.action')
        for record in runs:
            company = record.company
            with Transaction().set_context(company=company.id):
                cls.lock_company(company, bucket)
                first, last = bucket * size, (bucket + 1) * size
                counts = DailySelection(
                    company, record.date, parties=(first, last)).execute()
                Action.record(company, record.date, record, counts['actions'])
                cls._task_done(record, {
                        k: v for k, v in counts.items() if k != 'actions'},
                    stage=0, bucket=bucket)

    @classmethod
    def run_step(cls, runs, step, bucket=None, size=None):
        """Run one daily step of the run, or of one bucket of its customers
        (queue task), then queue the run's advance.

        The steps find on a second call only what is left to do."""
        pool = Pool()
        model, method = step.split('|')
        for record in runs:
            company = record.company
            with Transaction().set_context(company=company.id), \
                    restarted_on_conflict(step):
                cls.lock_company(company, bucket, step=step)
                function = getattr(pool.get(model), method)
                if bucket is None:
                    function(record)
                else:
                    function(record,
                        parties=(bucket * size, (bucket + 1) * size))
                cls._task_done(record, step=step, bucket=bucket)

    @classmethod
    def advance(cls, runs):
        """Queue the next tasks of each run whose tasks queued are all done,
        or mark the run done after its last task (queue task)

        The advances of a run are serialised on its lock and recompute
        everything from the task records: running one again changes
        nothing."""
        for run in runs:
            key = f'{cls.__name__},run,{run.id}'
            # the lock is taken after the snapshot of the transaction: an
            # advance committed in between makes the update of the run fail
            with Transaction().set_context(company=run.company.id), \
                    restarted_on_conflict(key):
                serialise(key)
                cls._advance(run)

    @classmethod
    def _advance(cls, run):
        pool = Pool()
        Task = pool.get('account.dunning.run.task')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        tasks = Task.search([('run', '=', run.id)],
            order=[('stage', 'ASC'), ('id', 'ASC')])
        pending = [t for t in tasks if t.state != 'done']
        steps = [t for t in tasks if t.stage > 0]
        columns = [table.tasks_done]
        values = [len(tasks) - len(pending)]
        waiting = []
        if pending:
            stage = pending[0].stage
            waiting = [t for t in pending
                if t.stage == stage and t.state == 'waiting']
        if (waiting and steps and stage == steps[0].stage) or (not pending
                and not steps):
            # the selection is over: its figures, once (the steps may add
            # to them, as the promises' escalations do)
            selection = [t for t in tasks if t.stage == 0]
            for name in ['lines_selected', 'dunnings_created',
                    'level_changes', 'actions_recorded']:
                columns.append(getattr(table, name))
                values.append(sum(getattr(t, name) or 0 for t in selection))
        if not pending:
            cursor.execute(*table.select(
                    table.create_date, where=table.id == run.id))
            created, = cursor.fetchone()
            if isinstance(created, str):
                created = datetime.datetime.fromisoformat(created)
            duration = (datetime.datetime.now(datetime.timezone.utc)
                .replace(tzinfo=None) - created).total_seconds()
            columns += [table.state, table.duration]
            values += ['done', round(duration, 3)]
        cursor.execute(*table.update(columns, values,
                where=table.id == run.id))
        if waiting:
            Task.write(waiting, {'state': 'queued'})
            for task in waiting:
                cls._queue_task(run, task)


class RunTask(ModelSQL, ModelView):
    __name__ = 'account.dunning.run.task'

    run = fields.Many2One(
        'account.dunning.run', "Run", required=True, readonly=True,
        ondelete='CASCADE')
    stage = fields.Integer(
        "Stage", required=True, readonly=True,
        help="The tasks of a stage start once those of the stages before "
        "are done; stage 0 is the selection.")
    step = fields.Char(
        "Step", readonly=True,
        help="The model and class method of the daily step, "
        "empty for the selection.")
    bucket = fields.Integer(
        "Bucket", readonly=True,
        help="The range of party ids of the task, in task sizes from 0.")
    state = fields.Selection([
            ('waiting', "Waiting"),
            ('queued', "Queued"),
            ('done', "Done"),
            ], "State", required=True, readonly=True, sort=False)
    lines_selected = fields.Integer("Lines Selected", readonly=True)
    dunnings_created = fields.Integer("Dunnings Created", readonly=True)
    level_changes = fields.Integer("Level Changes", readonly=True)
    actions_recorded = fields.Integer("Actions Recorded", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('stage', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_state(cls):
        return 'waiting'


class DailySelection:
    "The set-based selection of one company's follow-up for one date"

    def __init__(self, company, date, parties=None):
        self.company = company
        self.date = date
        # the half-open range of party ids to work on, None for all
        self.parties = parties
        pool = Pool()
        self.Dunning = pool.get('account.dunning')
        self.cursor = Transaction().connection.cursor()
        self.user = Transaction().user

    def default_procedure(self):
        pool = Pool()
        Configuration = pool.get('account.configuration')
        procedure = Configuration(1).get_multivalue(
            'default_dunning_procedure', company=self.company.id)
        return procedure.id if procedure else None

    def open_lines(self):
        """Return the open receivable lines of the company as tables, the
        condition and the expression of their procedure"""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        PartyProcedure = pool.get('party.party.dunning_procedure')
        party_procedure = PartyProcedure.__table__()
        line, from_, where = MoveLine.open_receivable_query(self.company.id)
        from_ = from_.join(party_procedure, 'LEFT',
            condition=party_procedure.party == line.party)
        where &= ((line.party != Null)
            & (line.maturity_date != Null)
            & ((line.debit > 0) | (line.credit < 0)))
        where &= ~line.move.in_(self.paused_moves())
        where &= self.party_condition(line)
        # A party without a value of its own follows the default procedure;
        # an explicit empty value excludes it from the follow-up.
        default = self.default_procedure()
        procedure = Case(
            (party_procedure.id == Null,
                Literal(default) if default is not None else Null),
            else_=party_procedure.dunning_procedure)
        return line, from_, where, procedure

    def party_condition(self, line):
        "Return the condition on the party of the lines"
        if self.parties is None:
            return Literal(True)
        first, last = self.parties
        return (line.party >= first) & (line.party < last)

    def buckets(self, size):
        "Return the buckets of size party ids that hold open lines"
        line, from_, where, procedure = self.open_lines()
        bucket = line.party / size
        # DISTINCT, not GROUP BY: PostgreSQL does not match the parameter
        # of the select list with the one of a GROUP BY clause
        self.cursor.execute(*from_.select(bucket,
                where=where & (procedure != Null), distinct=True))
        return sorted(int(b) for b, in self.cursor)

    def paused_moves(self):
        "Return a query of the moves of the invoices whose follow-up pauses"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoice = Invoice.__table__()
        paused = Invoice.followup_paused_query()
        if paused is None:
            return invoice.select(invoice.move, where=Literal(False))
        return invoice.select(invoice.move,
            where=invoice.id.in_(paused) & (invoice.move != Null))

    def procedures(self):
        pool = Pool()
        Procedure = pool.get('account.dunning.procedure')
        return Procedure.search([])

    def execute(self):
        procedures = [(p, p.ordered_levels()) for p in self.procedures()]
        pending = self.pending(procedures)
        counts = {
            'lines_selected': pending['lines'],
            'dunnings_created': 0,
            'level_changes': 0,
            }
        for procedure, levels in procedures:
            if pending['raise', procedure.id]:
                counts['level_changes'] += self.raise_levels(
                    procedure, levels)
        creating = [(p, l) for p, l in procedures if pending['new', p.id]]
        # The actions count the dunnings about to be created as new: these
        # are created processed at once, instead of created then updated.
        counts['actions'] = self.escalations([
                self.new_dunnings(procedure, levels)
                for procedure, levels in creating])
        for procedure, levels in creating:
            counts['dunnings_created'] += self.create_dunnings(
                procedure, levels)
        analyze(self.Dunning,
            counts['level_changes'] + counts['dunnings_created'])
        counts['actions_recorded'] = len(counts['actions'])
        return counts

    def cutoff(self, level):
        "The latest maturity date of the lines the level applies to"
        return self.date - datetime.timedelta(days=level.offset_days)

    def pending(self, procedures):
        """Return what the run has to do, found by one pass over the open
        lines joined to their dunning: the count of the lines selected
        ('lines') and per procedure whether a dunning must be raised
        (('raise', id)) and whether a line needs a new dunning (('new',
        id)), by the conditions of raise_levels and new_dunnings

        A same-day rerun finds nothing to do and runs no other statement
        over the open lines."""
        existing = self.Dunning.__table__()
        line, from_, where, procedure = self.open_lines()
        from_ = from_.join(existing, 'LEFT',
            condition=existing.line == line.id)
        keys, columns = ['lines'], [Count(Case((procedure != Null, line.id)))]
        for record, levels in procedures:
            if len(levels) >= 2:
                keys.append(('raise', record.id))
                columns.append(Count(Case((
                                self.raise_condition(
                                    existing, line, record, levels),
                                line.id))))
            if levels:
                keys.append(('new', record.id))
                columns.append(Count(Case((
                                (existing.id == Null)
                                & (procedure == record.id)
                                & (line.maturity_date
                                    <= self.cutoff(levels[0])),
                                line.id))))
        self.cursor.execute(*from_.select(*columns, where=where))
        pending = defaultdict(int, zip(keys, self.cursor.fetchone()))
        return pending

    def count_lines(self):
        "Return the count of the open lines in the scope of a procedure"
        return self.pending([])['lines']

    def target_level(self, line, levels):
        "Return the expression of the firmest level the line reached"
        return Case(*((line.maturity_date <= self.cutoff(l), l.id)
                for l in reversed(levels)))

    def rank(self, level, levels):
        "Return the expression of the rank of level among levels"
        return Case(*((level == l.id, i) for i, l in enumerate(levels)))

    def raise_condition(self, dunning, line, procedure, levels):
        """Return the condition of the dunning of the procedure on line to
        move to the firmest level its line reached"""
        return ((dunning.company == self.company.id)
            & (dunning.procedure == procedure.id)
            & (dunning.blocked == Literal(False))
            & (line.maturity_date <= self.cutoff(levels[1]))
            & (self.rank(dunning.level, levels)
                < self.rank(self.target_level(line, levels), levels)))

    def raise_levels(self, procedure, levels):
        """Move the existing dunnings to the firmest level their line
        reached, in one statement: only those below it change"""
        if len(levels) < 2:
            return 0
        dunning = self.Dunning.__table__()
        line, from_, where, _ = self.open_lines()
        target = from_.select(line.id.as_('line'),
            self.target_level(line, levels).as_('level'),
            where=where & (line.maturity_date <= self.cutoff(levels[1])))
        self.cursor.execute(*dunning.update(
                [dunning.level, dunning.state, dunning.date,
                    dunning.write_uid, dunning.write_date],
                [target.level, 'draft', Null, self.user, CurrentTimestamp()],
                from_=[target],
                where=(dunning.line == target.line)
                & (dunning.company == self.company.id)
                & (dunning.procedure == procedure.id)
                & (dunning.blocked == Literal(False))
                & (self.rank(dunning.level, levels)
                    < self.rank(target.level, levels))))
        return self.cursor.rowcount

    def new_dunnings(self, procedure, levels):
        """Return the open lines of the procedure without a dunning that
        reached its first level as tables, condition and level expression"""
        existing = self.Dunning.__table__()
        line, from_, where, line_procedure = self.open_lines()
        where &= ((line_procedure == procedure.id)
            & (line.maturity_date <= self.cutoff(levels[0])))
        # On the first run there is nothing to exclude: the anti-join on the
        # table being filled would be planned as a scan of it per line.
        self.cursor.execute(*existing.select(Literal(1),
                where=existing.company == self.company.id, limit=1))
        if self.cursor.fetchone():
            where &= ~Exists(existing.select(existing.id,
                    where=existing.line == line.id))
        return line, from_, where, self.target_level(line, levels)

    def create_dunnings(self, procedure, levels):
        """Create the dunnings of the lines without one, directly at the
        firmest level they reached, in one statement

        Their customers get a follow-up action in the run (see
        escalations), so they are created processed, as of the run date."""
        if not levels:
            return 0
        dunning = self.Dunning.__table__()
        line, from_, where, level = self.new_dunnings(procedure, levels)
        query = from_.select(
            Literal(self.company.id), line.id, Literal(procedure.id),
            level, Literal('waiting'), Literal(self.date), Literal(False),
            Literal(self.user), CurrentTimestamp(),
            where=where)
        self.cursor.execute(*dunning.insert(
                [dunning.company, dunning.line, dunning.procedure,
                    dunning.level, dunning.state, dunning.date,
                    dunning.blocked, dunning.create_uid, dunning.create_date],
                query))
        return self.cursor.rowcount

    def escalations(self, new_dunnings=()):
        """Return per customer who has dunnings at a new level the values of
        its follow-up action: the firmest level of its open dunnings, the
        amount and number of lines dunned and the oldest maturity date

        The dunnings in draft are the new ones, with those of new_dunnings,
        queries of the dunnings about to be created.  The open dunnings are
        grouped for the customers with a new one only when they fit in one
        query's parameters, for every customer otherwise; none when no
        customer has a new one (a same-day rerun)."""
        pool = Pool()
        Level = pool.get('account.dunning.level')
        offsets = {l.id: l.offset_days for l in Level.search([])}
        dunning, line, from_, where = self.Dunning._active_query(
            self.company.id)
        where &= ((dunning.blocked == Literal(False))
            & ~line.move.in_(self.paused_moves())
            & self.party_condition(line))
        new_rows = []
        for new_line, new_from, new_where, level in new_dunnings:
            # grouped in a sub-query: PostgreSQL does not match the
            # parameters of the level with those of a GROUP BY clause
            new = new_from.select(new_line.party.as_('party'),
                level.as_('level'),
                (new_line.debit - new_line.credit).as_('amount'),
                new_line.maturity_date.as_('maturity_date'),
                where=new_where)
            self.cursor.execute(*new.select(new.party, new.level,
                    Count(Literal(1)), Count(Literal(1)),
                    Sum(new.amount), Min(new.maturity_date),
                    group_by=[new.party, new.level]))
            new_rows.extend(self.cursor)
        self.cursor.execute(*from_.select(line.party,
                where=where & (dunning.state == 'draft'),
                group_by=[line.party]))
        escalated = {p for p, in self.cursor} | {r[0] for r in new_rows}
        rows = []
        if escalated:
            if len(escalated) <= backend.MAX_QUERY_PARAMS:
                where &= id_condition(line.party, sorted(escalated))
            self.cursor.execute(*from_.select(
                    line.party, dunning.level,
                    Count(dunning.id),
                    Sum(Case((dunning.state == 'draft', 1), else_=0)),
                    Sum(line.debit - line.credit),
                    Min(line.maturity_date),
                    where=where,
                    group_by=[line.party, dunning.level]))
            rows.extend(self.cursor)
        parties = defaultdict(lambda: {
                'level': None, 'line_count': 0, 'new': 0,
                'amount': Decimal(0), 'maturity_date': None})
        for party, level, count, new, amount, maturity_date in (
                rows + new_rows):
            values = parties[party]
            if (values['level'] is None
                    or offsets[level] > offsets[values['level']]):
                values['level'] = level
            values['line_count'] += count
            values['new'] += new
            if not isinstance(amount, Decimal):
                # SQLite sums floats: back to the currency's digits
                amount = self.company.currency.round(Decimal(str(amount)))
            values['amount'] += amount
            if isinstance(maturity_date, str):
                maturity_date = datetime.date.fromisoformat(maturity_date)
            if (values['maturity_date'] is None
                    or maturity_date < values['maturity_date']):
                values['maturity_date'] = maturity_date
        return {p: v for p, v in parties.items() if v['new']}


class Action(ModelSQL, ModelView):
    __name__ = 'account.dunning.action'

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    level = fields.Many2One(
        'account.dunning.level', "Level", required=True, readonly=True,
        help="The firmest level reached by the customer's open dunnings.")
    date = fields.Date("Date", required=True, readonly=True)
    run = fields.Many2One(
        'account.dunning.run', "Run", readonly=True, ondelete='SET NULL')
    amount = Monetary(
        "Amount Dunned", currency='currency', digits='currency',
        readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    line_count = fields.Integer("Lines", readonly=True)
    maturity_date = fields.Date(
        "Oldest Maturity Date", readonly=True)
    days_overdue = fields.Function(
        fields.Integer("Days Overdue"), 'get_days_overdue')
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        cls._order.insert(1, ('id', 'DESC'))

    @classmethod
    def default_state(cls):
        return 'pending'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_days_overdue(self, name):
        if self.maturity_date:
            return (self.date - self.maturity_date).days

    @classmethod
    def record(cls, company, date, run, escalations):
        """Record the follow-up actions of the escalated customers and mark
        their dunnings as processed.

        The actions are written by one statement run for each, then the
        draft dunnings of the customers who got an action in the run, but
        those of paused invoices, are marked as processed in one
        statement."""
        Dunning = Pool().get('account.dunning')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        columns = [table.company, table.party, table.level, table.date,
            table.run, table.amount, table.line_count, table.maturity_date,
            table.state, table.create_uid]
        parties = sorted(escalations)
        insert_rows(table, columns, [[
                    company.id, party, escalations[party]['level'], date,
                    run.id, escalations[party]['amount'],
                    escalations[party]['line_count'],
                    escalations[party]['maturity_date'], 'pending', user]
                for party in parties],
            extra=[(table.create_date, CurrentTimestamp())])
        if not parties:
            return
        analyze(cls, len(parties))
        action = cls.__table__()
        dunning = Dunning.__table__()
        _, line, from_, where = Dunning._active_query(company.id)
        paused = DailySelection(company, date).paused_moves()
        cursor.execute(*dunning.update(
                [dunning.state, dunning.date,
                    dunning.write_uid, dunning.write_date],
                ['waiting', date, user, CurrentTimestamp()],
                where=(dunning.company == company.id)
                & (dunning.state == 'draft')
                & (dunning.blocked == Literal(False))
                & dunning.line.in_(from_.select(line.id,
                        where=where
                        & ~line.move.in_(paused)
                        & line.party.in_(action.select(action.party,
                                where=(action.run == run.id)
                                & (action.date == date)))))))


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    followup_task_size = fields.Integer(
        "Follow-up Task Size",
        domain=['OR',
            ('followup_task_size', '=', None),
            ('followup_task_size', '>=', 0),
            ],
        help="Split the daily follow-up into tasks of the queue, each for "
        "a range of this many party ids, run by the trytond-worker "
        "processes sharing the database.\n"
        "Leave empty to run it in one transaction.")


class RunStart(ModelView):
    __name__ = 'account.dunning.run.start'

    date = fields.Date(
        "Date", required=True,
        help="Run the follow-up as of this date.")

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()


class RunFollowup(Wizard):
    __name__ = 'account.dunning.run.wizard'

    start = StateView('account.dunning.run.start',
        'ar_followup.dunning_run_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Run", 'run', 'tryton-ok', default=True),
            ])
    run = StateAction('ar_followup.act_dunning_run_form')

    def do_run(self, action):
        pool = Pool()
        Run = pool.get('account.dunning.run')
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        companies = Company.browse([company_id]) if company_id else None
        runs = Run.run_daily(date=self.start.date, companies=companies)
        return action, {'res_id': [r.id for r in runs]}
