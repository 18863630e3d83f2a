# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Credit hold of the sales (with the sale_credit_limit module): confirming
a sale is refused like posting an invoice, beyond the customer's credit
limit or while he sits at a follow-up level that blocks credit, unless a
credit manager overrides it (recorded with who, when and why)."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .credit_hold import check_credit_hold_amounts, record_credit_override


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    def check_credit_limit(self, amount, company, origin=None):
        """Hold the sale (sale_credit_limit calls this when confirming it)
        with the rules of the invoices: exposure + amount over the limit
        or a level that blocks credit, per-customer lock, no warning to
        skip; a sale with a credit override passes"""
        if getattr(origin, '__name__', None) != 'sale.sale':
            return super().check_credit_limit(
                amount, company, origin=origin)
        Override = Pool().get('account.invoice.credit_override')
        with without_check_access():
            if Override.search([('sale', '=', origin.id)], limit=1):
                return
        check_credit_hold_amounts(company, {self: amount}, document='sale')


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'override_credit_hold': {
                    'invisible': ~Eval('state').in_(['draft', 'quotation']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button_action('ar_followup.wizard_sale_credit_override')
    def override_credit_hold(cls, sales):
        pass


class CreditOverride(metaclass=PoolMeta):
    __name__ = 'account.invoice.credit_override'

    sale = fields.Many2One(
        'sale.sale', "Sale", readonly=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.invoice.required = False
        cls.invoice.states = {
            'required': ~Eval('sale'),
            }
        cls.invoice.depends = {'sale'}
        # the access through the invoice would hide the sales' overrides;
        # the model access (accountants, credit managers) still applies
        cls.__access__.discard('invoice')


class CreditOverrideStart(metaclass=PoolMeta):
    __name__ = 'account.invoice.credit_override.start'

    sale = fields.Many2One(
        'sale.sale', "Sale", readonly=True,
        states={
            'invisible': ~Eval('sale'),
            })


class SaleCreditOverride(Wizard):
    "Confirm a sale despite the credit hold of the customer"
    __name__ = 'sale.sale.override_credit_hold'

    start = StateView('account.invoice.credit_override.start',
        'ar_followup.credit_override_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Override and Confirm", 'override', 'tryton-ok',
                default=True),
            ])
    override = StateTransition()

    def default_start(self, fields):
        return {
            'sale': self.record.id,
            'party': (self.record.invoice_party or self.record.party).id,
            }

    def transition_override(self):
        Sale = Pool().get('sale.sale')
        sale = self.record
        record_credit_override(
            {'sale': sale.id}, sale.company,
            sale.invoice_party or sale.party, sale.credit_limit_amount,
            self.start.reason,
            gettext('ar_followup.msg_sale_credit_override_not_allowed',
                sale=sale.rec_name))
        if sale.state == 'draft':
            Sale.quote([sale])
        Sale.confirm([sale])
        return 'end'
