# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The early-payment discount (escompte) granted on a customer invoice.

The payment term states the discount rate and the days after the invoice
date within which a payment earns it (rules.terms).  When a payment is
added to the invoice (pay wizard, statement line) and leaves exactly the
discount to pay by the deadline, the discount is granted at once; *Grant
Early Discount* does the same by hand and tells why it refuses (paid late,
another balance).  Granting posts, dated on the last payment, in the
journal of the *Early Discount Method* of the configuration:

- credit the receivable: the discount incl. VAT;
- debit each VAT account of the invoice: its VAT reduced pro rata
  (discount / total incl. VAT of the VAT amount, with a tax line reducing
  the VAT collected and its base);
- debit the method's debit account (discounts granted): the rest;

and reconciles the invoice with its payments and this line.
"""

from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.ar_followup.exceptions import EarlyDiscountError
from trytond.modules.ar_followup.rules import terms
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

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
    def add_payment_lines(cls, payments):
        super().add_payment_lines(payments)
        if not Transaction().context.get('_early_discount_after_pay'):
            cls.apply_early_discounts([i.id for i in payments])

    @classmethod
    def apply_early_discounts(cls, invoices):
        """Grant the early-payment discount of the ``invoices`` (records or
        ids) paid in time less the discount; leave the others open"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        config = Configuration(1)
        to_grant = []
        for invoice in cls.browse(invoices):
            if (invoice.type != 'out' or invoice.state != 'posted'
                    or not invoice.payment_term
                    or not invoice.payment_term.early_discount_rate
                    or not config.get_multivalue('early_discount_writeoff',
                        company=invoice.company.id)):
                continue
            try:
                invoice._early_discount()
            except EarlyDiscountError:
                # paid late or not the discount left: nothing is granted
                continue
            to_grant.append(invoice)
        if to_grant:
            cls.grant_early_discount(to_grant)

    @classmethod
    @ModelView.button
    def grant_early_discount(cls, invoices):
        """Post the early-payment discount of ``invoices`` paid in time,
        reducing their VAT pro rata, and reconcile them with their
        payments"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        Move = pool.get('account.move')
        MoveLine = pool.get('account.move.line')
        config = Configuration(1)
        to_reconcile = []
        moves = []
        for invoice in invoices:
            date, discount = invoice._early_discount()
            method = config.get_multivalue(
                'early_discount_writeoff', company=invoice.company.id)
            if not method:
                raise EarlyDiscountError(gettext(
                        'ar_followup.msg_early_discount_no_method'))
            move = invoice._early_discount_move(date, discount, method)
            moves.append(move)
            lines = [l for l in invoice.lines_to_pay if not l.reconciliation]
            lines += [l for l in invoice.payment_lines
                if not l.reconciliation]
            to_reconcile.append((invoice.account, lines, move))
        Move.save(moves)
        Move.post(moves)
        for account, lines, move in to_reconcile:
            lines += [l for l in move.lines if l.account == account]
            MoveLine.reconcile(lines)
        cls.process(invoices)

    def _early_discount_move(self, date, discount, method):
        "Return the move granting ``discount`` with the VAT reduced pro rata"
        pool = Pool()
        Move = pool.get('account.move')
        Line = pool.get('account.move.line')
        Period = pool.get('account.period')
        TaxLine = pool.get('account.tax.line')
        if self.currency != self.company.currency:
            raise EarlyDiscountError(gettext(
                    'ar_followup.msg_early_discount_currency',
                    invoice=self.rec_name))
        net, parts = terms.discount_vat_split(
            discount, self.total_amount,
            [(tax, tax.base, tax.amount) for tax in self.taxes],
            digits=self.currency.digits)
        description = gettext(
            'ar_followup.msg_early_discount_description',
            invoice=self.rec_name)
        lines = [Line(
                account=self.account, party=self.party,
                debit=Decimal(0), credit=discount, description=description)]
        base_lines = []
        for tax, base, vat in parts:
            if vat:
                lines.append(Line(
                        account=tax.account, debit=vat, credit=Decimal(0),
                        description=description,
                        party=(self.party if tax.account.party_required
                            else None),
                        tax_lines=[TaxLine(
                                amount=-vat, type='tax', tax=tax.tax)]
                        if tax.tax else []))
            if base and tax.tax:
                base_lines.append(TaxLine(
                        amount=-base, type='base', tax=tax.tax))
        if net or base_lines:
            account = method.debit_account
            lines.append(Line(
                    account=account, debit=net, credit=Decimal(0),
                    description=description,
                    party=self.party if account.party_required else None,
                    tax_lines=base_lines))
        return Move(
            journal=method.journal, company=self.company, date=date,
            period=Period.find(self.company, date=date),
            origin=self, description=description, lines=lines)

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


class PayInvoice(metaclass=PoolMeta):
    __name__ = 'account.invoice.pay'

    def transition_pay(self):
        # the wizard reconciles a write-off or an overpayment itself after
        # adding the payment: the discount is granted after it
        with Transaction().set_context(_early_discount_after_pay=True):
            state = super().transition_pay()
        self.model.apply_early_discounts([self.record.id])
        return state
