# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Payment-behaviour score (0-100) and risk class of the customers, per
company.

The inputs are aggregated in SQL for a chunk of customers at once (a
handful of grouped queries), the score is computed by
:func:`rules.scoring.compute_score` and the results are stored in
``party.party.risk`` (one record per customer and company), by the daily
follow-up job and by the *Compute Risk Score* button of the party.  The
risk class picks, through the *Risk Policies*, the follow-up procedure of
the customer and a payment-terms advice shown on the party and on the
draft customer invoice."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Column, Literal, Null, NullsFirst, Union
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from ..exceptions import RiskScoreConfigurationError
from ..rules.scoring import (
    Instalment, PaymentBehaviour, RiskThresholds, ScoringError, Weights,
    compute_score, measure_payments)
from .party import company_result, id_chunks, id_condition
from .run import analyze, insert_rows

RISK_CLASSES = [
    (None, ""),
    ('low', "Low"),
    ('medium', "Medium"),
    ('high', "High"),
    ('critical', "Critical"),
    ]
ADVICES = [
    (None, ""),
    ('standard', "Standard Terms"),
    ('shorter_terms', "Shorter Payment Terms"),
    ('deposit', "Deposit Required"),
    ('prepayment', "Prepayment Only"),
    ]
WEIGHTS = [
    'days_late', 'trend', 'late_share', 'disputes', 'broken_promises',
    'followup_level', 'external_grade']


def _date(value):
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value


def _weight(name, string, help=None):
    return fields.Numeric(
        string, digits=(16, 2), required=True,
        domain=[('risk_weight_' + name, '>=', 0)], help=help)


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    risk_weight_days_late = _weight(
        'days_late', "Weight of Days Late",
        help="Points lost by a customer paying 60 days late or more on "
        "average (weighted by amount).")
    risk_weight_trend = _weight(
        'trend', "Weight of Trend",
        help="Points lost when the recent invoices are paid much later "
        "than the long-run average (not more than the days-late weight).")
    risk_weight_late_share = _weight(
        'late_share', "Weight of Late Invoices",
        help="Points lost when every invoice is paid late.")
    risk_weight_disputes = _weight(
        'disputes', "Weight of Disputes",
        help="Points lost with 3 open disputes or more, or half of the "
        "open receivable disputed.")
    risk_weight_broken_promises = _weight(
        'broken_promises', "Weight of Broken Promises",
        help="Points lost with 3 broken promises to pay or more.")
    risk_weight_followup_level = _weight(
        'followup_level', "Weight of Follow-up Level",
        help="Points lost at the last level of the follow-up procedure.")
    risk_weight_external_grade = _weight(
        'external_grade', "Weight of External Grade",
        help="Points lost with an external grade of 0 (the insurer's "
        "grade on the credit insurance).")
    risk_threshold_low = fields.Numeric(
        "Low Risk From", digits=(16, 2), required=True,
        help="The minimum score of a low-risk customer.")
    risk_threshold_medium = fields.Numeric(
        "Medium Risk From", digits=(16, 2), required=True)
    risk_threshold_high = fields.Numeric(
        "High Risk From", digits=(16, 2), required=True,
        help="Below this score the customer is a critical risk.")
    risk_history_months = fields.Integer(
        "Score History (Months)", required=True,
        domain=[('risk_history_months', '>', 0)],
        help="The months of invoices and promises the score considers.")
    risk_recent_invoices = fields.Integer(
        "Recent Invoices", required=True,
        domain=[('risk_recent_invoices', '>', 0)],
        help="How many of the last invoices make the recent trend.")

    @classmethod
    def default_risk_weight_days_late(cls):
        return Decimal(Weights.days_late)

    @classmethod
    def default_risk_weight_trend(cls):
        return Decimal(Weights.trend)

    @classmethod
    def default_risk_weight_late_share(cls):
        return Decimal(Weights.late_share)

    @classmethod
    def default_risk_weight_disputes(cls):
        return Decimal(Weights.disputes)

    @classmethod
    def default_risk_weight_broken_promises(cls):
        return Decimal(Weights.broken_promises)

    @classmethod
    def default_risk_weight_followup_level(cls):
        return Decimal(Weights.followup_level)

    @classmethod
    def default_risk_weight_external_grade(cls):
        return Decimal(Weights.external_grade)

    @classmethod
    def default_risk_threshold_low(cls):
        return Decimal(RiskThresholds.low)

    @classmethod
    def default_risk_threshold_medium(cls):
        return Decimal(RiskThresholds.medium)

    @classmethod
    def default_risk_threshold_high(cls):
        return Decimal(RiskThresholds.high)

    @classmethod
    def default_risk_history_months(cls):
        return 24

    @classmethod
    def default_risk_recent_invoices(cls):
        return 5

    @property
    def risk_weights(self):
        return Weights(**{n: getattr(self, 'risk_weight_' + n)
                for n in WEIGHTS})

    @property
    def risk_thresholds(self):
        return RiskThresholds(
            low=self.risk_threshold_low,
            medium=self.risk_threshold_medium,
            high=self.risk_threshold_high)

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for configuration in configurations:
            try:
                configuration.risk_weights
                configuration.risk_thresholds
            except ScoringError as error:
                raise RiskScoreConfigurationError(gettext(
                        'ar_followup.msg_risk_configuration_' + error.code,
                        **error.values)) from error


class RiskPolicy(ModelSQL, ModelView):
    "What a risk class implies for the customers of a company"
    __name__ = 'party.risk_policy'

    company = fields.Many2One('company.company', "Company", required=True)
    risk_class = fields.Selection(
        RISK_CLASSES[1:], "Risk Class", required=True, sort=False)
    dunning_procedure = fields.Many2One(
        'account.dunning.procedure', "Follow-up Procedure",
        ondelete='RESTRICT',
        help="The follow-up procedure given to the customers of the class "
        "when their score is computed (empty: left unchanged).")
    advice = fields.Selection(
        ADVICES, "Payment Terms Advice", sort=False,
        help="The terms advised for the customers of the class, shown on "
        "the party and on the draft invoices.")
    advice_note = fields.Char(
        "Advice Note", translate=True,
        help="A word for the salespeople, e.g. \"30 % deposit\".")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_class_unique', Unique(t, t.company, t.risk_class),
                'ar_followup.msg_risk_policy_unique'),
            ]
        cls._order.insert(0, ('company', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def policies(cls, company_id):
        "Return {risk class: policy} of the company"
        return {p.risk_class: p
            for p in cls.search([('company', '=', company_id)])}


class PartyRisk(ModelSQL, ModelView):
    "The last computed score of a customer for a company"
    __name__ = 'party.party.risk'

    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE',
        readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    score = fields.Numeric("Score", digits=(16, 2), readonly=True)
    risk_class = fields.Selection(
        RISK_CLASSES, "Risk Class", readonly=True, sort=False)
    computed_on = fields.Date("Computed On", readonly=True)
    explanation = fields.Text("Explanation", readonly=True)
    outdated = fields.Boolean(
        "Outdated", readonly=True,
        help="A record the score was computed from was deleted since: "
        "the next daily job computes it again.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('party_company_unique', Unique(t, t.party, t.company),
                'ar_followup.msg_party_risk_unique'),
            ]

    @classmethod
    def store(cls, company_id, scores):
        """Create or update the scores of the company, scores being
        {party_id: {field name: value}} with the same fields for all.

        Written in SQL (the fields are read-only and checked by the
        computation): a daily job scores every customer."""
        if not scores:
            return
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        user = transaction.user
        names = sorted(next(iter(scores.values())))
        fields_ = [Column(table, n) for n in names]
        # the parameters of the update in order: the values, the user, the id
        update, _ = tuple(table.update(
                fields_ + [table.write_uid, table.write_date],
                [None] * len(names) + [user, CurrentTimestamp()],
                where=table.id == 0))
        columns = [table.party, table.company, table.create_uid] + fields_
        for sub_ids in grouped_slice(sorted(scores), backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            cursor.execute(*table.select(table.party, table.id,
                    where=(table.company == company_id)
                    & table.party.in_(sub_ids)))
            existing = dict(cursor)
            if existing:
                cursor.executemany(update, [
                        [scores[p][n] for n in names] + [user, i]
                        for p, i in existing.items()])
            insert_rows(table, columns, [
                    [p, company_id, user] + [scores[p][n] for n in names]
                    for p in sub_ids if p not in existing],
                extra=[(table.create_date, CurrentTimestamp())])
        # the same-day rerun's query is planned on these statistics
        analyze(cls, len(scores))

    @classmethod
    def outdate(cls, party_ids):
        "Mark the scores of the parties (all companies) to compute again"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(
                sorted(party_ids), backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.update([table.outdated], [Literal(True)],
                    where=fields.SQL_OPERATORS['in'](
                        table.party, list(sub_ids))))

    @classmethod
    def up_to_date(cls, company_id, date, parties=None):
        """Return the ids of the parties whose score of the company was
        computed on date and none of whose inputs was created or written
        since, found by one query (after the time of the day's oldest
        score); of the range parties (first id, last id excluded) unless
        None.

        The inputs are the party, its move lines (and their moves and
        reconciliations), dunnings, disputes, promises to pay and credit
        insurances; the configuration, risk policies and follow-up
        procedures and levels count for every party.  A deleted input marks
        the score outdated (:meth:`outdate`).  The times compared are those
        of the transactions that wrote the records: a change committed by a
        transaction that started before the score's computation and ended
        after it is only seen by the next day's first run."""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Move = pool.get('account.move')
        Reconciliation = pool.get('account.move.reconciliation')
        Dunning = pool.get('account.dunning')
        Dispute = pool.get('account.invoice.dispute')
        Invoice = pool.get('account.invoice')
        Promise = pool.get('account.dunning.promise')
        Insurance = pool.get('party.credit_insurance')
        Party = pool.get('party.party')
        Configuration = pool.get('account.configuration')
        Policy = pool.get('party.risk_policy')
        Procedure = pool.get('account.dunning.procedure')
        Level = pool.get('account.dunning.level')
        cursor = Transaction().connection.cursor()

        def changed(table):
            return Coalesce(table.write_date, table.create_date)

        def scores():
            risk = cls.__table__()
            where = (risk.company == company_id) & (risk.computed_on == date)
            if parties is not None:
                where &= (risk.party >= parties[0]) & (risk.party < parties[1])
            return risk, where
        risk, today = scores()
        # the oldest score of the day bounds the changes to look for: read
        # first, so that the changes are found through the indexes of the
        # creation and write dates (ScoreChanges; the dunnings are read)
        oldest, where = scores()
        cursor.execute(*oldest.select(Min(changed(oldest)), where=where))
        oldest, = cursor.fetchone()
        if oldest is None:
            return set()

        def since(table, party, from_=None, where=None):
            "The parties of the scores computed before a change of table"
            risk, today = scores()
            # written or created after the oldest score: the condition of
            # the indexes, true for every change newer than a score
            condition = today & ((table.write_date > oldest)
                | (table.create_date > oldest))
            if where is not None:
                condition &= where
            return (from_ or table).join(risk,
                condition=party == risk.party).select(risk.party,
                where=condition & (changed(table) > changed(risk)))

        line, move, reconciliation = (MoveLine.__table__(),
            Move.__table__(), Reconciliation.__table__())
        dunning, dispute, invoice = (Dunning.__table__(),
            Dispute.__table__(), Invoice.__table__())
        promise, insurance, party = (Promise.__table__(),
            Insurance.__table__(), Party.__table__())
        queries = [
            since(line, line.party),
            since(move, line.party,
                from_=move.join(line, condition=line.move == move.id),
                where=move.company == company_id),
            since(reconciliation, line.party, from_=reconciliation.join(
                    line, condition=line.reconciliation == reconciliation.id)),
            since(dunning, line.party,
                from_=dunning.join(line, condition=dunning.line == line.id),
                where=dunning.company == company_id),
            since(dispute, invoice.party,
                from_=dispute.join(invoice,
                    condition=dispute.invoice == invoice.id),
                where=dispute.company == company_id),
            since(promise, promise.party, where=promise.company == company_id),
            since(insurance, insurance.party,
                where=insurance.company == company_id),
            since(party, party.id),
            ]
        # the settings of the score count for every party
        for Model in [Configuration, Policy, Procedure, Level]:
            table = Model.__table__()
            settings, today_ = scores()
            queries.append(settings.select(settings.party,
                    where=today_ & (changed(settings) < table.select(
                            Max(changed(table))))))
        cursor.execute(*risk.select(risk.party,
                where=today
                & (Coalesce(risk.outdated, Literal(False)) == Literal(False))
                & ~risk.party.in_(Union(*queries))))
        return {p for p, in cursor}


class ScoreChanges:
    """The creation and write dates of the records are indexed: a same-day
    rerun finds the few changed since the day's scores (PartyRisk.up_to_date)
    without reading the table"""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.create_date, Index.Range())),
                Index(t, (t.write_date, Index.Range())),
                })


class ScoreInput:
    "Deleting the record marks the score of its customer outdated"
    __slots__ = ()

    @classmethod
    def delete(cls, records):
        PartyRisk = Pool().get('party.party.risk')
        parties = {p.id for p in map(cls._risk_party, records) if p}
        super().delete(records)
        PartyRisk.outdate(parties)


class CreditInsurance(ScoreInput, ScoreChanges, metaclass=PoolMeta):
    __name__ = 'party.credit_insurance'

    external_grade = fields.Integer(
        "External Grade",
        domain=['OR',
            ('external_grade', '=', None),
            [('external_grade', '>=', 0), ('external_grade', '<=', 100)],
            ],
        help="The insurer's grade of the customer, from 0 (worst) to 100 "
        "(best), used by the payment-behaviour score.")

    def _risk_party(self):
        return self.party


class MoveLine(ScoreChanges, metaclass=PoolMeta):
    __name__ = 'account.move.line'


class Move(ScoreChanges, metaclass=PoolMeta):
    __name__ = 'account.move'


class Reconciliation(ScoreChanges, metaclass=PoolMeta):
    __name__ = 'account.move.reconciliation'


class Party(ScoreChanges, metaclass=PoolMeta):
    __name__ = 'party.party'

    risks = fields.One2Many(
        'party.party.risk', 'party', "Risk Scores", readonly=True)
    risk_score = fields.Function(fields.Numeric(
            "Score", digits=(16, 2),
            help="The payment-behaviour score from 0 (worst) to 100 "
            "(best) in the current company."),
        'get_risk', searcher='search_risk')
    risk_class = fields.Function(fields.Selection(
            RISK_CLASSES, "Risk Class", sort=False,
            help="The risk class of the score in the current company."),
        'get_risk', searcher='search_risk')
    risk_computed_on = fields.Function(fields.Date(
            "Score Computed On"), 'get_risk')
    risk_explanation = fields.Function(fields.Text(
            "Score Explanation",
            help="The points lost by each factor of the score."),
        'get_risk')
    payment_terms_advice = fields.Function(fields.Selection(
            ADVICES, "Payment Terms Advice", sort=False,
            help="The terms advised by the risk policy of the class."),
        'get_risk')
    payment_terms_advice_note = fields.Function(fields.Char(
            "Advice Note"), 'get_risk')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'compute_risk_score': {},
                })

    @classmethod
    def get_risk(cls, parties, names):
        pool = Pool()
        PartyRisk = pool.get('party.party.risk')
        Policy = pool.get('party.risk_policy')
        result, company = company_result(parties, names)
        if not company:
            return result
        company_id = company.id
        policies = Policy.policies(company_id)
        risks = {}
        for sub_ids in grouped_slice(
                [p.id for p in parties], backend.MAX_QUERY_PARAMS):
            for risk in PartyRisk.search([
                        ('company', '=', company_id),
                        ('party', 'in', list(sub_ids)),
                        ]):
                risks[risk.party.id] = risk
        for party_id, risk in risks.items():
            policy = policies.get(risk.risk_class)
            values = {
                'risk_score': risk.score,
                'risk_class': risk.risk_class,
                'risk_computed_on': risk.computed_on,
                'risk_explanation': risk.explanation,
                'payment_terms_advice': policy.advice if policy else None,
                'payment_terms_advice_note': (
                    policy.advice_note if policy else None),
                }
            for name in names:
                result[name][party_id] = values[name]
        return result

    @classmethod
    def search_risk(cls, name, clause):
        column = {'risk_score': 'score', 'risk_class': 'risk_class'}[name]
        _, operator, value = clause[:3]
        return [('risks', 'where', [
                    ('company', '=',
                        Transaction().context.get('company', -1)),
                    (column, operator, value),
                    ])]

    @classmethod
    @ModelView.button
    def compute_risk_score(cls, parties):
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        company_id = Transaction().context.get('company')
        if company_id:
            cls.compute_risk(
                Company(company_id), [p.id for p in parties], Date.today())

    @classmethod
    def compute_risk_run(cls, run, parties=None):
        """Daily step: score every customer with receivables in the
        company, but those already scored on the run's date whose inputs
        did not change since

        parties is the range (first id, last id excluded) of the customers
        to score, None for all (a task of a run split into tasks)."""
        PartyRisk = Pool().get('party.party.risk')
        up_to_date = PartyRisk.up_to_date(run.company.id, run.date, parties)
        cls.compute_risk(run.company,
            cls._risk_party_ids(
                run.company, run.date, parties, exclude=up_to_date),
            run.date)

    @classmethod
    def risk_buckets(cls, company, date, size):
        """Return the buckets of size party ids holding customers the risk
        step scores (a run split into tasks)"""
        return sorted({p // size
                for p in cls._risk_party_ids(company, date)})

    @classmethod
    def _risk_start(cls, date):
        Configuration = Pool().get('account.configuration')
        months = Configuration(1).risk_history_months
        return date - relativedelta(months=months)

    @classmethod
    def _risk_party_ids(
            cls, company, date, parties=None, exclude=frozenset()):
        """Return the customers holding receivable lines open or paid in
        the history window, of the range parties (first id, last id
        excluded) unless None, but those of exclude

        When the other parties fit in one query's parameters (a same-day
        rerun excludes the customers already scored), only their lines are
        read, through the index of the lines' party."""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        party = cls.__table__()
        cursor = Transaction().connection.cursor()
        party_ids = None
        if exclude:
            in_range = Literal(True)
            if parties is not None:
                in_range = (party.id >= parties[0]) & (party.id < parties[1])
            cursor.execute(*party.select(party.id, where=in_range))
            others = [p for p, in cursor if p not in exclude]
            if len(others) <= backend.MAX_QUERY_PARAMS:
                party_ids = others
        line, move, from_, where = MoveLine.receivable_query(company.id)
        if parties is not None:
            where &= (line.party >= parties[0]) & (line.party < parties[1])
        where &= ((line.party != Null)
            & ((line.reconciliation == Null)
                | (move.date >= cls._risk_start(date))))
        result = []
        for ids in id_chunks(party_ids):
            cursor.execute(*from_.select(line.party,
                    where=where & id_condition(line.party, ids),
                    group_by=[line.party]))
            result.extend(p for p, in cursor if p not in exclude)
        return result

    @classmethod
    def risk_behaviours(cls, company, party_ids, date):
        """Return {party_id: rules.scoring.PaymentBehaviour} as of date,
        by one grouped query per input: filtered on the parties when they
        fit in one list of parameters, over the company otherwise (the
        other parties' rows are then left out here)"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        recent = Configuration(1).risk_recent_invoices
        start = cls._risk_start(date)
        party_ids = list(party_ids)
        ids = party_ids
        if len(party_ids) > backend.MAX_QUERY_PARAMS:
            ids = None
        payments = cls._risk_payments(
            company, ids, start, date, recent, set(party_ids))
        disputes = cls._risk_disputes(company, ids)
        promises = cls._risk_broken_promises(company, ids, start)
        followup = cls._risk_followup_levels(company, ids)
        grades = cls._risk_grades(company, ids)
        # the debit lines open, overdue and not due, as the exposure sums
        open_receivables = {p: e.open_receivable
            for p, e in cls.receivable_positions(
                company, ids, include_draft=False).items()}
        statuses = cls._risk_legal_statuses(ids)
        no_payment = measure_payments([], date, recent=recent)
        behaviours = {}
        for party_id in party_ids:
            avg, recent_days, count, late = payments.get(
                party_id, no_payment)
            n_disputes, disputed = disputes.get(party_id, (0, 0))
            level, levels = followup.get(party_id, (0, 0))
            behaviours[party_id] = PaymentBehaviour(
                avg_days_late=avg,
                recent_days_late=recent_days,
                invoice_count=count,
                late_invoice_count=late,
                open_disputes=n_disputes,
                disputed_amount=disputed,
                open_receivable=open_receivables.get(party_id, 0),
                broken_promises=promises.get(party_id, 0),
                followup_level=level,
                followup_levels=levels,
                external_grade=grades.get(party_id),
                legal_status=statuses[party_id])
        return behaviours

    @classmethod
    def _risk_payments(cls, company, party_ids, start, date, recent, keep):
        """Return {party_id: rules.scoring.measure_payments(…)} of the
        parties of keep, from their receivable debit lines open or paid
        since start grouped by due and payment dates, measured party by
        party as the rows come (party_ids None: every party)"""
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        Reconciliation = pool.get('account.move.reconciliation')
        cursor = Transaction().connection.cursor()
        line, move, from_, where = MoveLine.receivable_query(company.id)
        reconciliation = Reconciliation.__table__()
        due = Coalesce(line.maturity_date, move.date)
        cursor.execute(*from_.join(reconciliation, 'LEFT',
                condition=line.reconciliation == reconciliation.id
                ).select(
                line.party, due, reconciliation.date,
                Sum(line.debit), Count(line.id),
                # arithmetic: SQLite may store the Numeric columns as text
                where=where
                & ((line.debit - line.credit) > 0)
                & id_condition(line.party, party_ids)
                & ((line.reconciliation == Null)
                    | (reconciliation.date >= start)),
                group_by=[line.party, due, reconciliation.date],
                order_by=[line.party, due,
                    NullsFirst(reconciliation.date)]))
        result = {}
        party, instalments = None, []
        for party_id, due_date, paid_on, amount, count in cursor:
            if party_id != party:
                if party in keep:
                    result[party] = measure_payments(
                        instalments, date, recent=recent)
                party, instalments = party_id, []
            instalments.append(Instalment(
                    due_date=_date(due_date),
                    amount=float(amount or 0),
                    paid_on=_date(paid_on),
                    count=count))
        if party in keep:
            result[party] = measure_payments(
                instalments, date, recent=recent)
        return result

    @classmethod
    def _risk_legal_statuses(cls, party_ids):
        "Return {party_id: legal status}"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id, table.legal_status,
                where=id_condition(table.id, party_ids)))
        return {p: s or 'active' for p, s in cursor}

    @classmethod
    def _risk_disputes(cls, company, party_ids):
        "Return {party_id: (open disputes, disputed amount)}"
        pool = Pool()
        Dispute = pool.get('account.invoice.dispute')
        Invoice = pool.get('account.invoice')
        cursor = Transaction().connection.cursor()
        dispute = Dispute.__table__()
        invoice = Invoice.__table__()
        cursor.execute(*dispute.join(invoice,
                condition=dispute.invoice == invoice.id).select(
                invoice.party, Count(dispute.id), Sum(dispute.amount),
                where=(dispute.company == company.id)
                & (dispute.state == 'open')
                & id_condition(invoice.party, party_ids),
                group_by=[invoice.party]))
        return {p: (n, float(a or 0)) for p, n, a in cursor}

    @classmethod
    def _risk_broken_promises(cls, company, party_ids, start):
        "Return {party_id: promises broken since start}"
        pool = Pool()
        Promise = pool.get('account.dunning.promise')
        cursor = Transaction().connection.cursor()
        promise = Promise.__table__()
        cursor.execute(*promise.select(
                promise.party, Count(promise.id),
                where=(promise.company == company.id)
                & (promise.state == 'broken')
                & (promise.made_on >= start)
                & id_condition(promise.party, party_ids),
                group_by=[promise.party]))
        return dict(cursor)

    @classmethod
    def _risk_followup_levels(cls, company, party_ids):
        """Return {party_id: (rank of the firmest level reached, number of
        levels of its procedure)}"""
        pool = Pool()
        Dunning = pool.get('account.dunning')
        Level = pool.get('account.dunning.level')
        highest = Dunning.highest_levels(company.id, 'party', party_ids)
        ranks = {}
        for level in Level.browse(list({l for l, _, _ in highest.values()})):
            ordered = level.procedure.ordered_levels()
            ranks[level.id] = (ordered.index(level) + 1, len(ordered))
        return {p: ranks[l] for p, (l, _, _) in highest.items()}

    @classmethod
    def _risk_grades(cls, company, party_ids):
        "Return {party_id: external grade} of the credit insurances"
        Insurance = Pool().get('party.credit_insurance')
        domain = [
            ('company', '=', company.id),
            ('external_grade', '!=', None),
            ]
        if party_ids is not None:
            domain.append(('party', 'in', party_ids))
        return {i.party.id: i.external_grade
            for i in Insurance.search(domain)}

    @classmethod
    def compute_risk(cls, company, party_ids, date):
        """Compute and store the score and class of the parties for the
        company, and give them the procedure of their class' policy"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        PartyRisk = pool.get('party.party.risk')
        Policy = pool.get('party.risk_policy')
        config = Configuration(1)
        weights = config.risk_weights
        thresholds = config.risk_thresholds
        policies = Policy.policies(company.id)
        texts = cls._risk_texts()
        by_class = defaultdict(list)
        scores = {}
        cent = Decimal('0.01')
        for party_id, behaviour in cls.risk_behaviours(
                company, party_ids, date).items():
            result = compute_score(behaviour, weights, thresholds=thresholds)
            scores[party_id] = {
                'score': Decimal(str(result.score)).quantize(cent),
                'risk_class': result.risk_class,
                'computed_on': date,
                'explanation': cls._risk_explanation(result, texts),
                'outdated': False,
                }
            by_class[result.risk_class].append(party_id)
        PartyRisk.store(company.id, scores)
        cls._apply_risk_procedures(by_class, policies)

    @classmethod
    def _risk_explanation(cls, result, texts=None):
        """Return the text giving the points lost by each factor; texts are
        the messages in the user's language (:meth:`_risk_texts`)"""
        if texts is None:
            texts = cls._risk_texts()
        lines = [texts[c.factor] % {'points': c.points,
                'value': '-' if c.value is None else round(c.value, 2)}
            for c in result.contributions]
        if result.cap is not None:
            lines.append(texts[None] % {
                    'cap': result.cap, 'score': result.uncapped_score})
        return '\n'.join(lines)

    @classmethod
    def _risk_texts(cls):
        """Return {factor: message} of the explanations in the user's
        language, the cap's message under None, to format once per
        customer"""
        texts = {n: gettext('ar_followup.msg_risk_factor_' + n)
            for n in WEIGHTS}
        texts[None] = gettext('ar_followup.msg_risk_capped')
        return texts

    @classmethod
    def _apply_risk_procedures(cls, by_class, policies):
        "Give the parties of each class the procedure of its policy"
        for risk_class, ids in by_class.items():
            policy = policies.get(risk_class)
            if not policy or not policy.dunning_procedure:
                continue
            procedure = policy.dunning_procedure
            for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
                parties = [p for p in cls.browse(list(sub_ids))
                    if p.dunning_procedure != procedure]
                if parties:
                    cls.write(parties, {'dunning_procedure': procedure.id})


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    payment_terms_advice = fields.Function(fields.Selection(
            ADVICES, "Payment Terms Advice", sort=False,
            help="The terms advised for the customer by the risk policy "
            "of his class."),
        'get_payment_terms_advice')
    payment_terms_advice_note = fields.Function(fields.Char(
            "Advice Note"), 'get_payment_terms_advice')

    @classmethod
    def get_payment_terms_advice(cls, invoices, names):
        pool = Pool()
        Party = pool.get('party.party')
        result = {n: {i.id: None for i in invoices} for n in names}
        by_company = defaultdict(list)
        for invoice in invoices:
            if invoice.type == 'out' and invoice.party:
                by_company[invoice.company.id].append(invoice)
        for company_id, company_invoices in by_company.items():
            with Transaction().set_context(company=company_id):
                parties = Party.browse(
                    list({i.party.id for i in company_invoices}))
                values = Party.get_risk(parties, names)
            for invoice in company_invoices:
                for name in names:
                    result[name][invoice.id] = values[name][invoice.party.id]
        return result


class Dispute(ScoreInput, ScoreChanges, metaclass=PoolMeta):
    __name__ = 'account.invoice.dispute'

    def _risk_party(self):
        return self.invoice.party if self.invoice else None


class Promise(ScoreInput, ScoreChanges, metaclass=PoolMeta):
    __name__ = 'account.dunning.promise'

    def _risk_party(self):
        return self.party


class Dunning(ScoreInput, metaclass=PoolMeta):
    """The dates of the dunnings are not indexed: the daily job creates
    them by the hundred thousand in one statement, which the two indexes
    slowed by a fifth on the L benchmark book, while reading the whole
    table takes a tenth of a second there."""
    __name__ = 'account.dunning'

    def _risk_party(self):
        return self.line.party if self.line else None


class Run(metaclass=PoolMeta):
    __name__ = 'account.dunning.run'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        step = ('party.party', 'compute_risk_run')
        cls._daily_steps.append(step)
        # the dunnings raised by the promises broken and the penalty
        # invoices of the actions processed are inputs of the score
        cls._daily_step_needs[step] = [
            ('account.dunning.promise', 'check_run'),
            ('account.dunning.action', 'plan_run'),
            ]
        cls._daily_steps_per_bucket[step] = 'risk_buckets'

