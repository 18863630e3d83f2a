# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The customer statement of account (relevé de compte).

For a customer and a period: the balance brought forward (the receivable
lines dated before the period), the movements of the period with their
running balance (invoices, credit notes, payments, other entries), the
closing balance, the items still open at the end of the period with their
days past due (overdue ones marked) and the late-payment penalties accrued
on the invoices still open.  Two SQL queries per customer; the open items
as of the end date follow :class:`.aged_balance.OpenReceivables`.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from .aged_balance import OpenReceivables, _decimal
from .communication import attach_report
from .report import ConvertMixin


@dataclass
class StatementLine:
    "A movement of the statement"
    date: dt.date
    kind: str
    number: str
    description: str
    maturity_date: dt.date
    debit: Decimal
    credit: Decimal
    balance: Decimal = Decimal(0)


@dataclass
class OpenItem:
    "A receivable line still open at the end of the statement"
    date: dt.date
    number: str
    maturity_date: dt.date
    amount: Decimal
    days_late: int

    @property
    def overdue(self):
        return self.days_late > 0


@dataclass
class Statement:
    "The statement of account of a customer for a period"
    party: object
    company: object
    from_date: dt.date
    to_date: dt.date
    opening_balance: Decimal = Decimal(0)
    lines: list = field(default_factory=list)
    open_items: list = field(default_factory=list)
    late_interest: Decimal = Decimal(0)
    recovery_indemnity: Decimal = Decimal(0)

    @property
    def currency(self):
        return self.company.currency

    @property
    def closing_balance(self):
        return self.opening_balance + sum(
            (l.debit - l.credit for l in self.lines), Decimal(0))

    @property
    def overdue_amount(self):
        return sum(
            (i.amount for i in self.open_items if i.overdue), Decimal(0))

    @property
    def penalties(self):
        return self.late_interest + self.recovery_indemnity


def default_period(today):
    "The three months ending today"
    return today + relativedelta(months=-3, days=1), today


class StatementBuilder:
    "Build the statements of a company's customers"

    def __init__(self, company, from_date, to_date):
        pool = Pool()
        self.company = company
        self.from_date = from_date
        self.to_date = to_date
        self.cursor = Transaction().connection.cursor()
        MoveLine = pool.get('account.move.line')
        Invoice = pool.get('account.invoice')
        self.line, self.move, self.receivable_from, self.receivable_where = (
            MoveLine.receivable_query(company.id))
        self.invoice = Invoice.__table__()

    def receivable_lines(self, party):
        "Return the join and the condition of the party's receivable lines"
        from_ = self.receivable_from.join(self.invoice, 'LEFT',
            condition=self.invoice.move == self.move.id)
        where = self.receivable_where & (self.line.party == party.id)
        return from_, where

    def build(self, party):
        statement = Statement(
            party=party, company=self.company,
            from_date=self.from_date, to_date=self.to_date)
        line, move, invoice = self.line, self.move, self.invoice
        from_, where = self.receivable_lines(party)
        self.cursor.execute(*from_.select(
                Sum(line.debit - line.credit),
                where=where & (move.date < self.from_date)))
        statement.opening_balance = _decimal(self.cursor.fetchone()[0])

        self.cursor.execute(*from_.select(
                move.date, invoice.type, invoice.number, invoice.reference,
                line.description, move.description,
                Coalesce(line.maturity_date, move.date),
                line.debit, line.credit,
                where=where & (move.date >= self.from_date)
                & (move.date <= self.to_date),
                order_by=[move.date.asc, line.id.asc]))
        balance = statement.opening_balance
        for (date, invoice_type, number, reference, line_description,
                move_description, maturity_date, debit, credit
                ) in self.cursor:
            debit, credit = _decimal(debit), _decimal(credit)
            balance += debit - credit
            statement.lines.append(StatementLine(
                    date=_date(date),
                    kind=self.kind(invoice_type, debit, credit),
                    number=number or '',
                    description=(reference or line_description
                        or move_description or ''),
                    maturity_date=_date(maturity_date),
                    debit=debit, credit=credit, balance=balance))

        receivables = OpenReceivables(self.company.id, self.to_date)
        open_invoice = Pool().get('account.invoice').__table__()
        self.cursor.execute(*receivables.from_
            .join(open_invoice, 'LEFT',
                condition=open_invoice.move == receivables.move.id)
            .select(receivables.move.date, open_invoice.number,
                receivables.maturity_date, receivables.amount,
                open_invoice.id,
                where=receivables.where
                & (receivables.line.party == party.id),
                order_by=[receivables.maturity_date.asc,
                    receivables.line.id.asc]))
        invoice_ids = set()
        for date, number, maturity_date, amount, invoice_id in self.cursor:
            maturity_date = _date(maturity_date)
            statement.open_items.append(OpenItem(
                    date=_date(date), number=number or '',
                    maturity_date=maturity_date, amount=_decimal(amount),
                    days_late=max((self.to_date - maturity_date).days, 0)))
            if invoice_id is not None and maturity_date < self.to_date:
                invoice_ids.add(invoice_id)
        self.penalties(statement, invoice_ids)
        return statement

    def penalties(self, statement, invoice_ids):
        """Add the penalties accrued on the overdue invoices at the end date
        and not claimed nor waived yet (a claimed penalty is on the
        statement as the penalty invoice), as the reminders state them"""
        Invoice = Pool().get('account.invoice')
        accrued = Invoice.accrued_penalties(sorted(invoice_ids), self.to_date)
        for penalty in accrued.values():
            statement.late_interest += penalty.late_interest
            statement.recovery_indemnity += penalty.indemnity

    @staticmethod
    def kind(invoice_type, debit, credit):
        if invoice_type == 'out':
            return 'invoice' if debit >= credit else 'credit_note'
        if credit > debit:
            return 'payment'
        return 'other'


def _date(value):
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return value


class StatementReport(ConvertMixin, Report):
    __name__ = 'ar_followup.party.statement'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        context = super().get_context(records, header, data)
        company = Company(
            data.get('company') or Transaction().context.get('company'))
        from_date, to_date = default_period(Date.today())
        from_date = _date(data.get('from_date') or from_date)
        to_date = _date(data.get('to_date') or to_date)
        builder = StatementBuilder(company, from_date, to_date)
        context['company'] = company
        context['statements'] = [builder.build(p) for p in records]
        return context


class StatementStart(ModelView):
    __name__ = 'ar_followup.party.statement.start'
    __string__ = "Print Statement of Account"

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date(
        "From Date", required=True,
        domain=[('from_date', '<=', Eval('to_date'))],
        help="The balance brought forward is the balance the day before.")
    to_date = fields.Date(
        "To Date", required=True,
        domain=[('to_date', '>=', Eval('from_date'))],
        help="The open items and penalties are those of this date.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_from_date(cls):
        return default_period(Pool().get('ir.date').today())[0]

    @classmethod
    def default_to_date(cls):
        return Pool().get('ir.date').today()


class StatementPrint(Wizard):
    __name__ = 'ar_followup.party.statement.print'
    start = StateView('ar_followup.party.statement.start',
        'ar_followup.statement_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('ar_followup.party.statement')

    def do_print_(self, action):
        return action, {
            'ids': [r.id for r in self.records],
            'model': 'party.party',
            'company': self.start.company.id,
            'from_date': self.start.from_date.isoformat(),
            'to_date': self.start.to_date.isoformat(),
            }


class Communication(metaclass=PoolMeta):
    __name__ = 'account.dunning.email'

    def attach_invoices(self, msg):
        """Attach also the customer's statement of account of the three
        months ending on the date of the action"""
        super().attach_invoices(msg)
        self.attach_statement(msg)

    def attach_statement(self, msg):
        "Attach the PDF statement of account of the customer"
        StatementReport = Pool().get(
            'ar_followup.party.statement', type='report')
        from_date, to_date = default_period(self.action.date)
        ext, content, _, name = StatementReport.execute([self.party.id], {
                'model': 'party.party',
                'company': self.company.id,
                'from_date': from_date.isoformat(),
                'to_date': to_date.isoformat(),
                })
        attach_report(msg, ext, content, name)
