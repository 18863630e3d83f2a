# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from sql import Literal, Null, Union
from sql.aggregate import Min

from trytond import backend
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    followup_level = fields.Function(fields.Many2One(
            'account.dunning.level', "Follow-up Level",
            states={
                'invisible': Eval('type') != 'out',
                },
            help="The firmest level reached by the dunnings of the unpaid "
            "installments of the invoice."),
        'get_followup')
    days_overdue = fields.Function(fields.Integer(
            "Days Overdue",
            states={
                'invisible': Eval('type') != 'out',
                },
            help="The days since the oldest unpaid due date."),
        'get_followup')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Class methods returning a query of the ids of the invoices whose
        # follow-up is paused (a dispute, a promise to pay, a lifecycle
        # status...): the daily job leaves their lines where they are.
        cls._followup_pauses = []

    @classmethod
    def followup_paused_query(cls):
        "Return a query of the ids of the invoices paused, or None"
        queries = [getattr(cls, name)() for name in cls._followup_pauses]
        if not queries:
            return None
        query = queries[0]
        for other in queries[1:]:
            query = Union(query, other, all_=True)
        return query

    @classmethod
    def get_followup(cls, invoices, names):
        pool = Pool()
        Dunning = pool.get('account.dunning')
        Date = pool.get('ir.date')
        result = {n: {i.id: None for i in invoices} for n in names}
        ids = [i.id for i in invoices if i.type == 'out' and i.move]
        if not ids:
            return result
        if 'days_overdue' in names:
            today = Date.today()
            for invoice_id, maturity_date in cls._oldest_unpaid(ids):
                if isinstance(maturity_date, str):
                    maturity_date = datetime.date.fromisoformat(
                        maturity_date)
                result['days_overdue'][invoice_id] = max(
                    (today - maturity_date).days, 0)
        if 'followup_level' in names:
            by_company = {}
            for invoice in invoices:
                if invoice.id in ids:
                    by_company.setdefault(
                        invoice.company.id, []).append(invoice.id)
            for company_id, company_ids in by_company.items():
                levels = Dunning.highest_levels(
                    company_id, 'invoice', company_ids)
                for invoice_id, (level, _, _) in levels.items():
                    result['followup_level'][invoice_id] = level
        return result

    @classmethod
    def _oldest_unpaid(cls, ids):
        "Yield the oldest maturity date of the unpaid lines per invoice"
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        invoice = cls.__table__()
        line = MoveLine.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*invoice.join(line, condition=(
                        (line.move == invoice.move)
                        & (line.account == invoice.account))
                    ).select(invoice.id, Min(line.maturity_date),
                    where=fields.SQL_OPERATORS['in'](invoice.id, sub_ids)
                    & (line.reconciliation == Null)
                    & (line.maturity_date != Null)
                    & ((line.debit > 0) | (line.credit < 0))
                    & (invoice.state == Literal('posted')),
                    group_by=[invoice.id]))
            yield from cursor
