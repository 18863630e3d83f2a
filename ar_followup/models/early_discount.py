# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The early-payment discount (escompte) granted on a customer invoice.

The payment term states the discount rate and the days after the invoice
date within which a payment earns it (rules.terms).  When the customer has
paid the invoice less the discount by the deadline, *Grant Early Discount*
reconciles the invoice with its payments and posts the discount with the
write-off method of the configuration; a payment after the deadline is
refused.
"""

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.ar_followup.exceptions import EarlyDiscountError
from trytond.modules.ar_followup.rules import terms
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

early_discount_writeoff = fields.Many2One(
    'account.move.reconcile.write_off', "Early Discount Method",
    domain=[
        ('company', '=', Eval('context', {}).get('company', -1)),
        ],
    help="The write-off method (journal and expense account) posting the "
    "early-payment discounts granted.")


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    early_discount_writeoff = fields.MultiValue(early_discount_writeoff)

    @classmethod
    def multivalue_model(cls, field):
        if field == 'early_discount_writeoff':
            return Pool().get('account.configuration.late_penalty')
        return super().multivalue_model(field)


class ConfigurationLatePenalty(metaclass=PoolMeta):
    __name__ = 'account.configuration.late_penalty'

    early_discount_writeoff = early_discount_writeoff


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'grant_early_discount': {
                    'invisible': ((Eval('type') != 'out')
                        | (Eval('state') != 'posted')),
                    'depends': ['type', 'state'],
                    },
                })

    @classmethod
    @ModelView.button
    def grant_early_discount(cls, invoices):
        """Post the early-payment discount of ``invoices`` paid in time and
        reconcile them with their payments"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        MoveLine = pool.get('account.move.line')
        config = Configuration(1)
        for invoice in invoices:
            date, discount = invoice._early_discount()
            method = config.get_multivalue(
                'early_discount_writeoff', company=invoice.company.id)
            if not method:
                raise EarlyDiscountError(gettext(
                        'ar_followup.msg_early_discount_no_method'))
            lines = [l for l in invoice.lines_to_pay if not l.reconciliation]
            lines += [l for l in invoice.payment_lines
                if not l.reconciliation]
            MoveLine.reconcile(lines, date=date, writeoff=method,
                description=gettext(
                    'ar_followup.msg_early_discount_description',
                    invoice=invoice.rec_name))
        cls.process(invoices)

    def _early_discount(self):
        """Return the (payment date, discount) of the invoice or raise
        EarlyDiscountError"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        term = self.payment_term
        if (self.type != 'out' or self.state != 'posted'
                or not term or not term.early_discount_rate):
            raise EarlyDiscountError(gettext(
                    'ar_followup.msg_early_discount_none',
                    invoice=self.rec_name))
        payments = self._penalty_payments()
        if not payments:
            raise EarlyDiscountError(gettext(
                    'ar_followup.msg_early_discount_unpaid',
                    invoice=self.rec_name))
        date = max(d for d, _ in payments)
        deadline = terms.discount_deadline(
            self.invoice_date, term.early_discount_days or 0)
        discount = term.early_discount(
            self.total_amount, self.invoice_date, date,
            digits=self.currency.digits)
        if not discount:
            raise EarlyDiscountError(gettext(
                    'ar_followup.msg_early_discount_late',
                    invoice=self.rec_name, date=lang.strftime(date),
                    deadline=lang.strftime(deadline)))
        if self.amount_to_pay != discount:
            raise EarlyDiscountError(gettext(
                    'ar_followup.msg_early_discount_amount',
                    invoice=self.rec_name,
                    amount=lang.currency(self.amount_to_pay, self.currency),
                    discount=lang.currency(discount, self.currency)))
        return date, discount
