# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The outgoing 212 *Encaissée*: a French B2B service invoice with VAT on
receipts tells, once paid, the amount collected per VAT rate."""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.transaction import Transaction

from ..rules import lifecycle as rules
from ..rules.ereporting import split_by_rate
from ..rules.identity import compact_siren


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def paid(cls, invoices):
        super().paid(invoices)
        cls.einvoice_issue_collected(invoices)

    @classmethod
    def einvoice_issue_collected(cls, invoices):
        """Create the 212 status (source *Issued*) of the paid invoices
        that must report their collection and have none yet"""
        pool = Pool()
        Status = pool.get('account.invoice.lifecycle_status')
        statuses = []
        for invoice in invoices:
            if (invoice.state == 'paid'
                    and invoice.einvoice_collected_due
                    and not any(s.code in rules.CLOSING
                        and s.source == 'issued'
                        for s in invoice.lifecycle_statuses)):
                statuses.append(invoice._einvoice_collected_status())
        Status.save(statuses)
        return statuses

    @property
    def einvoice_collected_due(self):
        "The collection of the invoice is reported (212) to the platform"
        return bool(self.einvoice_required
            and self.operation_category == 'services'
            and not self.vat_on_debits
            and self.einvoice_vat_totals)

    @property
    def einvoice_vat_totals(self):
        "The amounts including VAT of the invoice per VAT rate in percent"
        totals = {}
        for tax in self.taxes:
            if tax.tax and tax.tax.type == 'percentage':
                rate = (tax.tax.rate * 100).quantize(Decimal('0.01'))
                totals[rate] = totals.get(rate, 0) + tax.base + tax.amount
        return totals

    @property
    def einvoice_vat_rate(self):
        "The VAT rate in percent when the invoice has a single one"
        rates = list(self.einvoice_vat_totals)
        if len(rates) == 1:
            return rates[0]

    def einvoice_collected_amounts(self, amount):
        """Return the (amount, VAT rate) collected per rate, the highest
        rate first, of the amount collected on the invoice: split in
        proportion of the invoice's amounts including VAT per rate"""
        shares = split_by_rate(amount, self.einvoice_vat_totals)
        return sorted(((a, r) for r, a in shares.items()),
            key=lambda s: s[1], reverse=True)

    @property
    def einvoice_collection_date(self):
        "The date the last installment was settled"
        dates = [l.reconciliation.date for l in self.lines_to_pay
            if l.reconciliation]
        if dates:
            return max(dates)
        with Transaction().set_context(company=self.company.id):
            return Pool().get('ir.date').today()

    def _einvoice_collected_status(self):
        pool = Pool()
        Status = pool.get('account.invoice.lifecycle_status')
        return Status(
            invoice=self,
            code='212',
            date=self.einvoice_collection_date,
            amount=self.total_amount,
            vat_rate=self.einvoice_vat_rate,
            source='issued')


class LifecycleStatus(metaclass=PoolMeta):
    __name__ = 'account.invoice.lifecycle_status'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'issued_cdar': RPC(instantiate=0, readonly=True),
                })

    def issued_cdar(self, message_id):
        """Return the CDAR message (bytes) of the status issued by the
        company, ready for its platform: from the seller to the buyer"""
        invoice = self.invoice
        company = invoice.company.party
        seller = rules.CdarParty(
            compact_siren(company.siren.code), 'SE', company.name)
        buyer = rules.CdarParty(
            compact_siren(invoice.customer_siren), 'BY', invoice.party.name)
        status = dict(
            invoice=invoice.number,
            invoice_date=invoice.invoice_date,
            seller=seller,
            code=self.code,
            date=self.date,
            reason_code=self.reason_code,
            reason=self.reason)
        if self.code in rules.CLOSING and self.amount is not None:
            status['amounts'] = invoice.einvoice_collected_amounts(
                self.amount)
        return rules.build_cdar(message_id, dt.datetime.now(), seller, buyer,
            [status], recipient_uri=invoice.einvoice_routing_address
            or invoice.party.einvoice_routing_address)
