# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The follow-up history of a customer: one timeline of his follow-up
actions (with their channels), call outcomes, promises to pay, disputes and
handovers, on screen (*Follow-up History*, from the party) and printed for
a litigation file (in the customer's language)."""
from sql import Literal, Null, Union
from sql.operators import Concat

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction

from .portfolio import PortfolioMixin
from .report import ConvertMixin
from .salesperson import SalespersonMixin

# the number of kinds of events, to give each one a unique id
_KINDS = 7


def _selection_string(record, name):
    "The text of the value of the selection field in the user's language"
    selection = record.fields_get([name])[name]['selection']
    return dict(selection).get(getattr(record, name), '')


class History(PortfolioMixin, SalespersonMixin, ModelSQL, ModelView):
    __name__ = 'ar_followup.party.history'
    __string__ = "Follow-up History"
    _portfolio_party_path = 'party'

    company = fields.Many2One('company.company', "Company", readonly=True)
    party = fields.Many2One(
        'party.party', "Party", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    date = fields.Date("Date", readonly=True)
    kind = fields.Selection([
            ('action', "Follow-up Action"),
            ('outcome', "Call Outcome"),
            ('promise', "Promise to Pay"),
            ('dispute', "Dispute Opened"),
            ('dispute_resolved', "Dispute Resolved"),
            ('handover', "Handover"),
            ('handover_closed', "Handover Closed"),
            ], "Event", readonly=True, sort=False)
    kind_string = kind.translated('kind')
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')
    resource = fields.Reference(
        "Record", selection=[
            ('account.dunning.action', "Follow-up Action"),
            ('account.dunning.promise', "Promise to Pay"),
            ('account.invoice.dispute', "Dispute"),
            ('account.dunning.handover', "Handover"),
            ], readonly=True)
    description = fields.Function(
        fields.Char("Description"), 'get_description')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('date', 'ASC'), ('create_date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Action = pool.get('account.dunning.action')
        Promise = pool.get('account.dunning.promise')
        Dispute = pool.get('account.invoice.dispute')
        Invoice = pool.get('account.invoice')
        Handover = pool.get('account.dunning.handover')
        action = Action.__table__()
        outcome = Action.__table__()
        promise = Promise.__table__()
        dispute = Dispute.__table__()
        resolved = Dispute.__table__()
        invoice = Invoice.__table__()
        invoice2 = Invoice.__table__()
        handover = Handover.__table__()
        closed = Handover.__table__()

        def select(table, index, kind, model, date, amount, from_=None,
                party=None, where=None):
            from_ = from_ if from_ is not None else table
            condition = date != Null
            if where is not None:
                condition &= where
            return from_.select(
                (table.id * _KINDS + index).as_('id'),
                table.create_uid.as_('create_uid'),
                table.create_date.as_('create_date'),
                table.write_uid.as_('write_uid'),
                table.write_date.as_('write_date'),
                table.company.as_('company'),
                (party if party is not None else table.party).as_('party'),
                date.as_('date'),
                Literal(kind).as_('kind'),
                amount.as_('amount'),
                Concat(model + ',', table.id).as_('resource'),
                where=condition)

        queries = [
            select(action, 0, 'action', 'account.dunning.action',
                action.date, action.amount),
            select(outcome, 1, 'outcome', 'account.dunning.action',
                outcome.outcome_date, Literal(None)),
            select(promise, 2, 'promise', 'account.dunning.promise',
                promise.made_on, promise.amount),
            select(dispute, 3, 'dispute', 'account.invoice.dispute',
                dispute.opened_on, dispute.amount,
                from_=dispute.join(invoice,
                    condition=dispute.invoice == invoice.id),
                party=invoice.party),
            select(resolved, 4, 'dispute_resolved',
                'account.invoice.dispute', resolved.resolved_on,
                resolved.amount,
                from_=resolved.join(invoice2,
                    condition=resolved.invoice == invoice2.id),
                party=invoice2.party),
            select(handover, 5, 'handover', 'account.dunning.handover',
                handover.date, Literal(None)),
            select(closed, 6, 'handover_closed', 'account.dunning.handover',
                closed.closed_on, Literal(None)),
            ]
        return Union(*queries, all_=True)

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    def get_description(self, name):
        "A sentence in the user's language saying what happened"
        record = self.resource
        if record is None:
            return ''
        if self.kind == 'action':
            channels = [
                Pool().get('account.dunning.level').fields_get(
                    [c])[c]['string']
                for c in record.level.channels]
            return gettext('ar_followup.msg_history_action',
                level=record.level.rec_name,
                state=_selection_string(record, 'state'),
                channels=', '.join(channels) or '-')
        elif self.kind == 'outcome':
            return gettext('ar_followup.msg_history_outcome',
                outcome=_selection_string(record, 'outcome'),
                user=record.outcome_user.rec_name
                if record.outcome_user else '',
                note=record.outcome_note or '')
        elif self.kind == 'promise':
            return gettext('ar_followup.msg_history_promise',
                date=record.date, state=_selection_string(record, 'state'),
                invoice=record.invoice.rec_name if record.invoice else '-')
        elif self.kind in {'dispute', 'dispute_resolved'}:
            return gettext('ar_followup.msg_history_dispute',
                invoice=record.invoice.rec_name,
                reason=record.reason_string,
                text=(record.resolution if self.kind == 'dispute_resolved'
                    else record.description) or '')
        else:
            return gettext('ar_followup.msg_history_handover',
                kind=_selection_string(record, 'kind'),
                agency=record.agency.rec_name if record.agency else '-',
                invoices=len(record.lines))


class HistoryReport(ConvertMixin, Report):
    __name__ = 'ar_followup.party.history'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        History = pool.get('ar_followup.party.history')
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        company_id = Transaction().context.get('company')
        context['company'] = Company(company_id) if company_id else None
        histories = {}
        for party in records:
            language = party.lang.code if party.lang else None
            with Transaction().set_context(language=language):
                histories[party.id] = History.search([
                        ('party', '=', party.id),
                        ('company', '=', company_id),
                        ])
        context['histories'] = histories
        context['today'] = pool.get('ir.date').today()
        return context
