# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Disputes (litiges) on customer invoices.

An open dispute pauses the follow-up of its invoice only; its resolution
resumes it."""
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class Dispute(Workflow, ModelSQL, ModelView):
    __name__ = 'account.invoice.dispute'
    __string__ = "Dispute"

    _states = {
        'readonly': Eval('state') != 'open',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, ondelete='CASCADE',
        domain=[
            ('type', '=', 'out'),
            ('state', 'in', ['posted', 'paid']),
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    party = fields.Function(fields.Many2One(
            'party.party', "Party",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_party', searcher='search_party')
    reason = fields.Selection([
            ('price', "Price"),
            ('quantity', "Quantity"),
            ('quality', "Quality"),
            ('not_received', "Not Received"),
            ('duplicate', "Duplicate"),
            ('other', "Other"),
            ], "Reason", required=True, states=_states)
    reason_string = reason.translated('reason')
    reason_label = fields.Function(fields.Char("Reason"), 'get_reason_label')
    description = fields.Text("Description", states=_states)
    owner = fields.Many2One(
        'res.user', "Owner", states=_states,
        help="The user in charge of resolving the dispute.")
    amount = Monetary(
        "Disputed Amount", currency='currency', digits='currency',
        required=True, states=_states,
        domain=[('amount', '>', 0)])
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    opened_on = fields.Date("Opened On", required=True, states=_states)
    resolved_on = fields.Date(
        "Resolved On", readonly=True,
        states={
            'invisible': Eval('state') != 'resolved',
            })
    resolution = fields.Text(
        "Resolution",
        states={
            'readonly': Eval('state') != 'open',
            })
    state = fields.Selection([
            ('open', "Open"),
            ('resolved', "Resolved"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('opened_on', 'DESC'))
        cls._transitions |= {
            ('open', 'resolved'),
            ('resolved', 'open'),
            }
        cls._buttons.update({
                'resolve': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_reason(cls):
        return 'other'

    @classmethod
    def default_opened_on(cls):
        return Pool().get('ir.date').today()

    @fields.depends('invoice', '_parent_invoice.party')
    def on_change_with_party(self, name=None):
        return self.invoice.party if self.invoice else None

    @classmethod
    def search_party(cls, name, clause):
        return [('invoice.party' + clause[0][len(name):],)
            + tuple(clause[1:])]

    @fields.depends('invoice', '_parent_invoice.currency')
    def on_change_with_currency(self, name=None):
        return self.invoice.currency if self.invoice else None

    @fields.depends('invoice', 'amount', '_parent_invoice.amount_to_pay',
        '_parent_invoice.total_amount')
    def on_change_invoice(self):
        if self.invoice and not self.amount:
            self.amount = (
                self.invoice.amount_to_pay or self.invoice.total_amount)

    def get_rec_name(self, name):
        return '%s (%s)' % (self.invoice.rec_name, self.reason_string)

    def get_reason_label(self, name):
        return self.reason_string

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, disputes):
        Date = Pool().get('ir.date')
        cls.write(disputes, {'resolved_on': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, disputes):
        cls.write(disputes, {'resolved_on': None})


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    disputes = fields.One2Many(
        'account.invoice.dispute', 'invoice', "Disputes",
        states={
            'invisible': Eval('type') != 'out',
            })
    disputed = fields.Function(fields.Boolean(
            "Disputed",
            states={
                'invisible': Eval('type') != 'out',
                },
            help="An open dispute pauses the follow-up of the invoice."),
        'get_disputed', searcher='search_disputed')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._followup_pauses.append('_followup_paused_by_dispute')

    @classmethod
    def _followup_paused_by_dispute(cls):
        "Return a query of the ids of the invoices with an open dispute"
        Dispute = Pool().get('account.invoice.dispute')
        dispute = Dispute.__table__()
        return dispute.select(dispute.invoice,
            where=dispute.state == 'open')

    @classmethod
    def get_disputed(cls, invoices, name):
        Dispute = Pool().get('account.invoice.dispute')
        disputes = Dispute.search([
                ('invoice', 'in', [i.id for i in invoices]),
                ('state', '=', 'open'),
                ])
        disputed = {d.invoice.id for d in disputes}
        return {i.id: i.id in disputed for i in invoices}

    @classmethod
    def search_disputed(cls, name, clause):
        _, operator, value = clause
        positive = (operator == '=') == bool(value)
        return [('disputes', 'where' if positive else 'not where',
                [('state', '=', 'open')])]
