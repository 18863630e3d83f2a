# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The payment e-reporting export: the amounts collected per day and VAT
rate on the services with VAT on receipts that are not e-invoiced."""
from decimal import Decimal

from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..rules import ereporting


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'einvoice_payment_report': RPC(readonly=True),
                })

    @classmethod
    def einvoice_payment_report(cls, company, start_date, end_date):
        """Return the CSV (bytes) of the payments collected from start to
        end dates by the company on its customer invoices of services
        with VAT on receipts that are not e-invoiced"""
        pool = Pool()
        Company = pool.get('company.company')
        company = Company(company)
        invoices = cls.search([
                ('company', '=', company.id),
                ('type', '=', 'out'),
                ('state', 'in', ['posted', 'paid']),
                ('operation_category', '=', 'services'),
                ('vat_on_debits', '!=', True),
                ('invoice_date', '<=', end_date),
                ])
        payments = []
        for invoice in invoices:
            if invoice.einvoice_required:
                # reported by the lifecycle status 212
                continue
            payments.extend(invoice._einvoice_payments(start_date, end_date))
        return ereporting.payments_csv(
            ereporting.payment_totals(payments), company.currency.code)

    def _einvoice_payments(self, start_date, end_date):
        "Yield the (date, amount, {rate: total}) of the payments"
        lines = {l for l in self.payment_lines}
        lines.update(self.reconciliation_lines)
        totals = self.einvoice_vat_totals
        if not totals:
            totals = {Decimal('0.00'): self.total_amount}
        for line in lines:
            origin = line.move.origin
            # the lines of another invoice (a credit note) are no payment
            credit_note = (origin and origin.__name__ == self.__name__
                and origin.id != self.id)
            if start_date <= line.date <= end_date and not credit_note:
                yield line.date, line.credit - line.debit, totals


class PaymentReportStart(ModelView):
    "Payment E-reporting"
    __name__ = 'account.invoice.einvoice_payment_report.start'

    start_date = fields.Date("Start Date", required=True,
        domain=[('start_date', '<=', Eval('end_date', None))])
    end_date = fields.Date("End Date", required=True,
        domain=[('end_date', '>=', Eval('start_date', None))])


class PaymentReportResult(ModelView):
    "Payment E-reporting"
    __name__ = 'account.invoice.einvoice_payment_report.result'

    file = fields.Binary("File", readonly=True, filename='filename',
        help="The amounts collected per day and VAT rate (CSV).")
    filename = fields.Char("File Name", readonly=True)


class PaymentReport(Wizard):
    "Payment E-reporting"
    __name__ = 'account.invoice.einvoice_payment_report'

    start = StateView('account.invoice.einvoice_payment_report.start',
        'ar_followup.ereporting_payment_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-ok', default=True),
            ])
    export = StateTransition()
    result = StateView('account.invoice.einvoice_payment_report.result',
        'ar_followup.ereporting_payment_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_export(self):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        self.result.file = Invoice.einvoice_payment_report(
            Transaction().context.get('company'),
            self.start.start_date, self.start.end_date)
        self.result.filename = 'e-reporting-payments-%s-%s.csv' % (
            self.start.start_date.isoformat(),
            self.start.end_date.isoformat())
        return 'result'

    def default_result(self, fields):
        return {
            'file': self.result.file,
            'filename': self.result.filename,
            }
