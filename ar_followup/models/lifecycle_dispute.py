# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the lifecycle statuses do to the disputes and the credit notes of
the customer invoices: 207 *En litige* opens a dispute, 206 *Approuvée
partiellement* shows the disputed part, 210 / 213 ask for a credit note
and 212 *Encaissée* resolves the disputes the statuses opened."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from ..rules import lifecycle as rules


class LifecycleStatus(metaclass=PoolMeta):
    __name__ = 'account.invoice.lifecycle_status'

    approved_amount = fields.Numeric(
        "Amount Approved", digits=(16, 2),
        states={'invisible': Eval('code') != '206'},
        help="For 206: the part of the invoice the customer approved, "
        "including VAT, when the platform gave it.")

    @classmethod
    def create(cls, vlist):
        records = super().create(vlist)
        cls.einvoice_follow(records)
        return records

    @classmethod
    def einvoice_follow(cls, statuses):
        """Open a dispute for each invoice a new 207 leaves disputed
        (unless it has an open one) and resolve the disputes opened by
        statuses once the invoice is collected (212)"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Dispute = pool.get('account.invoice.dispute')
        invoices = Invoice.browse(list({s.invoice.id for s in statuses}))
        by_invoice = {}
        for status in statuses:
            by_invoice.setdefault(status.invoice.id, []).append(status)
        to_open, to_resolve = [], []
        for invoice in invoices:
            if invoice.einvoice_status in rules.DISPUTE_OPENING:
                status = max(
                    (s for s in by_invoice[invoice.id]
                        if s.code == invoice.einvoice_status),
                    key=lambda s: s.date, default=None)
                if (status and invoice.state in {'posted', 'paid'}
                        and not invoice.disputed):
                    to_open.append(status._einvoice_dispute())
            elif invoice.einvoice_status in rules.CLOSING:
                to_resolve.extend(d for d in invoice.disputes
                    if d.state == 'open' and d.lifecycle_status)
        Dispute.save(to_open)
        if to_resolve:
            Dispute.write(to_resolve, {
                    'resolution': gettext(
                        'ar_followup.msg_dispute_resolved_collected'),
                    })
            Dispute.resolve(to_resolve)

    def _einvoice_dispute(self):
        "Return the dispute (unsaved) the status opens"
        Dispute = Pool().get('account.invoice.dispute')
        invoice = self.invoice
        return Dispute(
            company=invoice.company,
            invoice=invoice,
            lifecycle_status=self,
            reason=rules.dispute_reason(self.reason_code),
            amount=self.amount or invoice.amount_to_pay
            or invoice.total_amount,
            opened_on=self.date,
            description='\n'.join(filter(None, [
                        f'{self.code} {self.reason_code or ""}'.strip(),
                        self.reason])))

    @property
    def disputed_amount(self):
        "The part of the invoice disputed by this 206 or 207 status"
        if self.code not in rules.DISPUTED_PART | rules.DISPUTE_OPENING:
            return None
        if self.amount is not None:
            return self.amount
        if self.approved_amount is not None:
            return max(self.invoice.total_amount - self.approved_amount,
                Decimal(0))
        if self.code in rules.DISPUTE_OPENING:
            return self.invoice.total_amount


class Dispute(metaclass=PoolMeta):
    __name__ = 'account.invoice.dispute'

    lifecycle_status = fields.Many2One(
        'account.invoice.lifecycle_status', "Lifecycle Status",
        readonly=True, ondelete='SET NULL',
        states={'invisible': ~Eval('lifecycle_status')},
        help="The status received from the e-invoicing platform that "
        "opened the dispute.")


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    einvoice_disputed_amount = fields.Function(Monetary(
            "Disputed Amount", currency='currency', digits='currency',
            states={'invisible': ~Eval('einvoice_disputed')},
            help="The part of the invoice the customer disputes (207) or "
            "did not approve (206), including VAT."),
        'get_einvoice_disputed_amount')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'einvoice_credit': {
                    'invisible': ~Eval('einvoice_credit_note_needed'),
                    'depends': ['einvoice_credit_note_needed'],
                    },
                })

    def get_einvoice_disputed_amount(self, name):
        if not self.einvoice_disputed:
            return None
        statuses = [s for s in self.lifecycle_statuses
            if s.code == self.einvoice_status]
        if statuses:
            return max(statuses, key=lambda s: s.date).disputed_amount

    @classmethod
    @ModelView.button_action('account_invoice.credit')
    def einvoice_credit(cls, invoices):
        "Open the credit wizard on the invoices refused or rejected"
        pass
