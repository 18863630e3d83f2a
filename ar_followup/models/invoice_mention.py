# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The mentions L441-9 of the commercial code requires on a customer
invoice: due date, early-payment discount terms or "no discount", the
late-payment penalty rate and the EUR 40 recovery indemnity.

They are computed in the language of the transaction, so the invoice
report (reports/invoice.fodt, account_invoice's template with a block of
mentions) prints them in the language of the customer.
"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.ar_followup.rules import interest, terms
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .penalty_clause import late_rate_resolver


class PaymentTerm(metaclass=PoolMeta):
    __name__ = 'account.invoice.payment_term'

    early_discount_rate = fields.Numeric(
        "Early-Payment Discount (%)", digits=(16, 2),
        domain=['OR',
            ('early_discount_rate', '=', None),
            [
                ('early_discount_rate', '>', 0),
                ('early_discount_rate', '<', 100),
                ],
            ],
        help="The discount (escompte) granted on the amount due incl. VAT "
        "when the customer pays within the discount deadline; empty means "
        "no discount, as printed on the invoice.")
    early_discount_days = fields.Integer(
        "Discount Deadline (Days)",
        domain=['OR',
            ('early_discount_days', '=', None),
            ('early_discount_days', '>=', 0),
            ],
        states={
            'invisible': ~Eval('early_discount_rate'),
            'required': Bool(Eval('early_discount_rate')),
            },
        help="The days after the invoice date within which the payment "
        "earns the early-payment discount.")

    late_penalty_clause = fields.Function(fields.Text(
            "Late-Payment Clause",
            help="The late-payment penalties of the company printed with "
            "this term on the invoices to business customers (as of "
            "today); a customer's own late rate (party, Accounting tab) "
            "replaces the rate."),
        'get_late_penalty_clause')

    def get_late_penalty_clause(self, name):
        pool = Pool()
        Company = pool.get('company.company')
        Date = pool.get('ir.date')
        company_id = Transaction().context.get('company')
        if not company_id:
            return None
        return '\n'.join(late_penalty_mentions(
                None, Company(company_id), Date.today()))

    def early_discount(self, amount, invoice_date, payment_date, digits=2):
        "Return the early-payment discount earned by ``payment_date``"
        if not self.early_discount_rate:
            return Decimal(0)
        return terms.early_payment_discount(
            amount, self.early_discount_rate, invoice_date,
            self.early_discount_days or 0, payment_date, digits=digits)


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    legal_mentions = fields.Function(fields.Text(
            "Legal Mentions",
            states={
                'invisible': Eval('type') != 'out',
                },
            help="The payment mentions printed on the invoice (article "
            "L441-9 of the French commercial code): due date, early-payment "
            "discount, late-payment penalty rate and recovery indemnity."),
        'get_legal_mentions')

    def get_legal_mentions(self, name):
        if self.type != 'out':
            return None
        return '\n'.join(self._legal_mentions())

    def _mention_date(self):
        return self.invoice_date or Pool().get('ir.date').today()

    def _mention_due_dates(self):
        "Return the sorted due dates of the invoice"
        if self.lines_to_pay:
            dates = {line.maturity_date or line.date
                for line in self.lines_to_pay}
        elif self.payment_term:
            dates = {d for d, _ in self.payment_term.compute(
                    self.total_amount or Decimal(0), self.currency,
                    self.payment_term_date or self._mention_date())}
        else:
            dates = {terms.default_due_date(self._mention_date())}
        return sorted(dates)

    def _legal_mentions(self):
        "Yield the mentions L441-9 in the language of the transaction"
        pool = Pool()
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        invoice_date = self._mention_date()
        yield gettext('ar_followup.msg_mention_due_date',
            dates=', '.join(
                lang.strftime(d) for d in self._mention_due_dates()))
        term = self.payment_term
        if term and term.early_discount_rate:
            yield gettext('ar_followup.msg_mention_discount',
                rate=lang.format('%.2f', term.early_discount_rate),
                date=lang.strftime(terms.discount_deadline(
                        invoice_date, term.early_discount_days or 0)))
        else:
            yield gettext('ar_followup.msg_mention_no_discount')
        if self.party.customer_type == 'consumer':
            # L441-9 and L441-10 II apply between professionals only
            return
        yield from late_penalty_mentions(
            self.party, self.company, invoice_date)


def late_penalty_mentions(party, company, date):
    """Yield, in the language of the transaction, the mentions of the late
    rate of ``party`` (the clause of ``company`` when None) as of ``date``
    and of the EUR 40 recovery indemnity"""
    lang = Pool().get('ir.lang').get()
    rate, _ = late_rate_resolver(party, company, strict=False)
    if callable(rate):
        try:
            rate = rate(date)
        except interest.MissingRateError:
            rate = None
        if rate is None:
            yield gettext('ar_followup.msg_mention_legal_rate_unknown')
        else:
            yield gettext('ar_followup.msg_mention_legal_rate',
                rate=lang.format('%.2f', rate))
    else:
        yield gettext('ar_followup.msg_mention_contractual_rate',
            rate=lang.format('%.2f', rate))
    yield gettext('ar_followup.msg_mention_indemnity',
        amount=lang.currency(interest.RECOVERY_INDEMNITY, company.currency))
