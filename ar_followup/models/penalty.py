# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Late interest and recovery indemnity of the customer invoices, their
claim by a penalty invoice (debit note) or their waiver.

The amounts come from rules.interest: simple interest on the amount due
including VAT of each installment, reduced by the payments from the day
after each of them, rounded to the currency per installment; EUR 40 per
late invoice to business customers not under collective proceedings.
Each claim or waiver is recorded per invoice and period
(account.invoice.penalty) so that a period is never claimed twice.
"""
import datetime
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.ar_followup.exceptions import (
    FollowupAuditError, PenaltyClaimError)
from trytond.modules.ar_followup.rules import interest
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .penalty_clause import late_rate_resolver
from .penalty_rate import warn_missing_rate
from .run import serialise

_ONE_DAY = datetime.timedelta(days=1)


def allocate_payments(installments, payments):
    """Return the payments of each installment, oldest installment first

    ``installments`` is a list of (due date, amount) sorted by due date,
    ``payments`` a list of (date, amount): each payment pays the oldest
    installment still open first; what exceeds all of them is ignored.
    """
    remaining = [amount for _, amount in installments]
    allocated = [[] for _ in installments]
    for day, paid in sorted(payments, key=lambda p: p[0]):
        for i, open_amount in enumerate(remaining):
            if paid <= 0:
                break
            taken = min(paid, open_amount)
            if taken > 0:
                allocated[i].append((day, taken))
                remaining[i] -= taken
                paid -= taken
    return allocated


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    late_interest = fields.Function(Monetary(
            "Late Interest", currency='penalty_currency',
            digits='penalty_currency',
            states={
                'invisible': Eval('type') != 'out',
                },
            help="The late-payment interest accrued as of today on the "
            "installments paid or still unpaid after their due date "
            "(empty when a rate of the period is missing)."),
        'get_penalties')
    recovery_indemnity = fields.Function(Monetary(
            "Recovery Indemnity", currency='penalty_currency',
            digits='penalty_currency',
            states={
                'invisible': Eval('type') != 'out',
                },
            help="The fixed indemnity for recovery costs (EUR 40) due by a "
            "business customer for a late invoice."),
        'get_penalties')
    penalty_currency = fields.Function(fields.Many2One(
            'currency.currency', "Penalty Currency"),
        'on_change_with_penalty_currency')
    penalties = fields.One2Many(
        'account.invoice.penalty', 'invoice', "Penalties", readonly=True,
        states={
            'invisible': Eval('type') != 'out',
            },
        help="The late-payment penalties claimed or waived, by period.")
    penalty_claims = fields.One2Many(
        'account.invoice.penalty', 'claim_invoice', "Penalties Claimed",
        readonly=True,
        states={
            'invisible': ~Eval('penalty_claims'),
            },
        help="The penalties this invoice claims.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'claim_penalties_wizard': {
                    'invisible': ((Eval('type') != 'out')
                        | ~Eval('state').in_(['posted', 'paid'])),
                    'depends': ['type', 'state'],
                    },
                'waive_penalties_wizard': {
                    'invisible': ((Eval('type') != 'out')
                        | ~Eval('state').in_(['posted', 'paid'])),
                    'depends': ['type', 'state'],
                    },
                })

    @classmethod
    @ModelView.button_action('ar_followup.wizard_penalty_claim')
    def claim_penalties_wizard(cls, invoices):
        pass

    @classmethod
    @ModelView.button_action('ar_followup.wizard_penalty_waive')
    def waive_penalties_wizard(cls, invoices):
        pass

    @fields.depends('company')
    def on_change_with_penalty_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def get_penalties(cls, invoices, names):
        pool = Pool()
        Date = pool.get('ir.date')
        result = {n: {i.id: None for i in invoices} for n in names}
        date = Transaction().context.get('penalty_date') or Date.today()
        for invoice in invoices:
            if not invoice._penalty_applies():
                continue
            try:
                amounts = invoice._penalties(date)
            except interest.MissingRateError:
                amounts = None, invoice._indemnity(date)
            for name, value in zip(
                    ['late_interest', 'recovery_indemnity'], amounts):
                if name in result:
                    result[name][invoice.id] = value
        return result

    def _penalty_applies(self):
        return (self.type == 'out'
            and self.state in {'posted', 'paid'}
            and not self.penalty_claims)

    def _penalty_payments(self):
        "Return the (date, amount) of the payments of the invoice"
        to_pay = {line.id for line in self.lines_to_pay}
        payment_lines = {line for line in self.payment_lines}
        for line in self.lines_to_pay:
            if line.reconciliation:
                payment_lines.update(
                    other for other in line.reconciliation.lines
                    if other.id not in to_pay)
        payments = []
        for line in payment_lines:
            amount = line.credit - line.debit
            if amount > 0:
                payments.append((line.date, amount))
        return payments

    def _penalty_installments(self):
        "Return the (due date, amount, payments) of the installments"
        installments = sorted(
            (line.maturity_date or line.date, line.debit - line.credit)
            for line in self.lines_to_pay
            if line.debit - line.credit > 0)
        payments = allocate_payments(installments, self._penalty_payments())
        return [(due, amount, paid)
            for (due, amount), paid in zip(installments, payments)]

    def _late_interest(self, after, until, rate, mode):
        "Return the late interest from the day after ``after`` to ``until``"
        total = Decimal(0)
        if self.party.customer_type == 'consumer':
            # L441-10 applies between professionals only
            return self.company.currency.round(total)
        digits = self.company.currency.digits
        for due, amount, payments in self._penalty_installments():
            start = max(due, after) if after else due
            if start >= until:
                continue
            if mode == interest.FREEZE and callable(rate):
                # the rate of the first day late, even for a later period
                slice_rate = rate(due + _ONE_DAY)
            else:
                slice_rate = rate
            total += interest.late_interest_on_balance(
                amount, start, payments, until, slice_rate, mode=mode,
                digits=digits).amount
        return self.company.currency.round(total)

    def _is_late(self, date):
        "Tell whether an installment was paid or is unpaid after its due date"
        return any(
            interest.late_interest_on_balance(
                amount, due, payments, date, Decimal(0)).days
            for due, amount, payments in self._penalty_installments())

    def _indemnity(self, date):
        return self.company.currency.round(interest.recovery_indemnity(
                self._is_late(date), self.party.customer_type == 'business',
                self.party.legal_status == 'collective_proceedings'))

    def _penalties(self, date, after=None, strict=True):
        """Return the (late interest, recovery indemnity) as of ``date``
        for the days after ``after``"""
        rate, mode = late_rate_resolver(self.party, self.company, strict)
        return (
            self._late_interest(after, date, rate, mode),
            self._indemnity(date))

    def _penalty_claimed(self):
        "Return the last day claimed or waived and if the indemnity was"
        last, indemnity = None, False
        for penalty in self.penalties:
            if penalty.state == 'cancelled':
                continue
            last = max(last, penalty.end_date) if last else penalty.end_date
            indemnity |= bool(penalty.indemnity)
        return last, indemnity

    @classmethod
    def _penalty_records(cls, invoices, date):
        "Return the unsaved penalties of ``invoices`` up to ``date``"
        pool = Pool()
        Penalty = pool.get('account.invoice.penalty')
        penalties = []
        for invoice in invoices:
            if not invoice._penalty_applies():
                continue
            accrued = invoice._accrued_penalty(date)
            if accrued is None:
                continue
            late_interest, indemnity, missing_rate = accrued
            if missing_rate:
                warn_missing_rate(missing_rate, [invoice])
            if not late_interest and not indemnity:
                continue
            last, _ = invoice._penalty_claimed()
            first_due = min(
                (due for due, _, _ in invoice._penalty_installments()),
                default=date)
            penalties.append(Penalty(
                    invoice=invoice,
                    start_date=(last or first_due) + _ONE_DAY,
                    end_date=date,
                    late_interest=late_interest,
                    indemnity=indemnity))
        return penalties

    @classmethod
    def _penalty_serialise(cls, invoices):
        """Claim or waive the penalties of a company one transaction at a
        time: the second one sees what the first one claimed"""
        for company in sorted({i.company.id for i in invoices}):
            serialise(f'account.invoice.penalty,{company}')

    @classmethod
    def claim_penalties(cls, invoices, date, additional_costs=None,
            additional_costs_note=None):
        """Create and return one draft penalty invoice per customer claiming
        the late interest and indemnities of ``invoices`` up to ``date``

        ``additional_costs`` are the recovery costs justified beyond the
        fixed indemnity (L441-10 II), claimed with their
        ``additional_costs_note`` from the one customer of ``invoices``."""
        pool = Pool()
        Penalty = pool.get('account.invoice.penalty')
        cls._penalty_serialise(invoices)
        by_party = defaultdict(list)
        for penalty in cls._penalty_records(invoices, date):
            key = (penalty.invoice.company, penalty.invoice.party)
            by_party[key].append(penalty)
        if additional_costs:
            cls._add_recovery_costs(
                by_party, additional_costs, additional_costs_note)
        claims = []
        for (company, party), penalties in by_party.items():
            claim = cls._penalty_claim_invoice(company, party, date)
            lines = []
            for penalty in penalties:
                lines.extend(penalty._claim_lines(claim))
            claim.lines = lines
            claims.append(claim)
            for penalty in penalties:
                penalty.claim_invoice = claim
        cls.save(claims)
        cls.update_taxes(claims)
        Penalty.save([p for ps in by_party.values() for p in ps])
        return claims

    @staticmethod
    def _add_recovery_costs(by_party, amount, note):
        "Set the additional recovery costs on the first penalty claimed"
        if amount < 0 or not (note or '').strip():
            raise PenaltyClaimError(gettext(
                    'ar_followup.msg_penalty_costs_note'))
        if len(by_party) != 1:
            raise PenaltyClaimError(gettext(
                    'ar_followup.msg_penalty_costs_one_customer'))
        (_, party), penalties = next(iter(by_party.items()))
        if party.customer_type != 'business':
            raise PenaltyClaimError(gettext(
                    'ar_followup.msg_penalty_costs_business',
                    party=party.rec_name))
        penalty = penalties[0]
        penalty.additional_costs = penalty.invoice.company.currency.round(
            amount)
        penalty.additional_costs_note = note.strip()

    @classmethod
    def _penalty_claim_invoice(cls, company, party, date):
        pool = Pool()
        Journal = pool.get('account.journal')
        journal, = Journal.search([('type', '=', 'revenue')], limit=1)
        with Transaction().set_context(company=company.id):
            account = party.account_receivable_used
        if not account:
            raise PenaltyClaimError(gettext(
                    'ar_followup.msg_penalty_no_receivable',
                    party=party.rec_name))
        return cls(
            type='out',
            company=company,
            currency=company.currency,
            party=party,
            invoice_address=party.address_get(type='invoice'),
            invoice_date=date,
            journal=journal,
            account=account,
            payment_term=party.customer_payment_term,
            description=gettext('ar_followup.msg_penalty_claim_description'),
            )

    @classmethod
    def waive_penalties(cls, invoices, date, reason):
        """Record the waiver of the penalties of ``invoices`` up to ``date``
        and return the penalty records"""
        pool = Pool()
        Penalty = pool.get('account.invoice.penalty')
        cls._penalty_serialise(invoices)
        penalties = cls._penalty_records(invoices, date)
        user = Transaction().user
        for penalty in penalties:
            penalty.waived = True
            penalty.waiver_reason = reason
            penalty.waived_by = user
            penalty.waived_on = date
        Penalty.save(penalties)
        return penalties


class InvoicePenalty(ModelSQL, ModelView):
    "Invoice Late-Payment Penalty"
    __name__ = 'account.invoice.penalty'

    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, readonly=True,
        ondelete='CASCADE', domain=[('type', '=', 'out')])
    party = fields.Function(fields.Many2One(
            'party.party', "Party"), 'on_change_with_party',
        searcher='search_party')
    start_date = fields.Date("Start Date", required=True, readonly=True,
        help="The first day late covered.")
    end_date = fields.Date("End Date", required=True, readonly=True,
        help="The last day late covered: a later claim starts the day "
        "after.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    late_interest = Monetary(
        "Late Interest", currency='currency', digits='currency',
        required=True, readonly=True)
    indemnity = Monetary(
        "Recovery Indemnity", currency='currency', digits='currency',
        required=True, readonly=True)
    additional_costs = Monetary(
        "Additional Recovery Costs", currency='currency', digits='currency',
        readonly=True,
        states={
            'invisible': ~Eval('additional_costs'),
            },
        help="The recovery costs justified beyond the fixed indemnity "
        "(article L441-10 of the French commercial code).")
    additional_costs_note = fields.Text(
        "Justification", readonly=True,
        states={
            'invisible': ~Eval('additional_costs'),
            },
        help="What justifies the additional recovery costs.")
    claim_invoice = fields.Many2One(
        'account.invoice', "Claim Invoice", readonly=True,
        ondelete='CASCADE',
        states={
            'invisible': Eval('waived', False),
            },
        help="The penalty invoice claiming these amounts.")
    waived = fields.Boolean("Waived", readonly=True)
    waiver_reason = fields.Text(
        "Waiver Reason", readonly=True,
        states={
            'invisible': ~Eval('waived', False),
            })
    waived_by = fields.Many2One(
        'res.user', "Waived By", readonly=True,
        states={
            'invisible': ~Eval('waived', False),
            })
    waived_on = fields.Date(
        "Waived On", readonly=True,
        states={
            'invisible': ~Eval('waived', False),
            })
    state = fields.Function(fields.Selection([
                ('claimed', "Claimed"),
                ('waived', "Waived"),
                ('cancelled', "Cancelled"),
                ], "State"), 'get_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('end_date', 'DESC'))

    # the links that are not part of the claim or waiver recorded
    _audit_writable = {'action'}

    @classmethod
    def write(cls, *args):
        "A penalty is the record of a claim or a waiver: never rewritten"
        actions = iter(args)
        for penalties, values in zip(actions, actions):
            if penalties and set(values) - cls._audit_writable:
                penalty = penalties[0]
                raise FollowupAuditError(gettext(
                        'ar_followup.msg_penalty_audit_readonly',
                        **penalty._audit_values()))
        super().write(*args)

    @classmethod
    def delete(cls, penalties):
        "Only the penalties of a claim invoice still in draft go away"
        for penalty in penalties:
            if (penalty.waived or not penalty.claim_invoice
                    or penalty.claim_invoice.state != 'draft'):
                raise FollowupAuditError(gettext(
                        'ar_followup.msg_penalty_audit_delete',
                        **penalty._audit_values()))
        super().delete(penalties)

    def _audit_values(self):
        lang = Pool().get('ir.lang').get()
        return {
            'invoice': self.invoice.rec_name,
            'start': lang.strftime(self.start_date),
            'end': lang.strftime(self.end_date),
            }

    @fields.depends('invoice', '_parent_invoice.party')
    def on_change_with_party(self, name=None):
        return self.invoice.party if self.invoice else None

    @classmethod
    def search_party(cls, name, clause):
        return [('invoice.' + clause[0],) + tuple(clause[1:])]

    @fields.depends('invoice', '_parent_invoice.company')
    def on_change_with_currency(self, name=None):
        return self.invoice.company.currency if self.invoice else None

    def get_state(self, name):
        if self.waived:
            return 'waived'
        if self.claim_invoice and self.claim_invoice.state == 'cancelled':
            return 'cancelled'
        return 'claimed'

    def _claim_lines(self, claim):
        "Return the lines of the penalty invoice ``claim`` for this record"
        pool = Pool()
        Configuration = pool.get('account.configuration')
        Line = pool.get('account.invoice.line')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        config = Configuration(1)
        company = self.invoice.company
        lines = []
        # the unsaved records of a claim have no additional costs unless set
        additional_costs = getattr(self, 'additional_costs', None)
        note = getattr(self, 'additional_costs_note', None) or ''
        for amount, field, message in [
                (self.late_interest, 'penalty_interest_account',
                    'msg_penalty_interest_line'),
                (self.indemnity, 'penalty_indemnity_account',
                    'msg_penalty_indemnity_line'),
                (additional_costs, 'penalty_indemnity_account',
                    'msg_penalty_costs_line'),
                ]:
            if not amount:
                continue
            account = config.get_multivalue(field, company=company.id)
            if not account:
                raise PenaltyClaimError(gettext(
                        'ar_followup.msg_penalty_no_account',
                        field=Configuration.__names__(field)['field']))
            lines.append(Line(
                    invoice=claim,
                    type='line',
                    company=company,
                    currency=company.currency,
                    account=account,
                    quantity=1,
                    unit_price=amount,
                    taxes=[],
                    description=gettext(
                        'ar_followup.' + message,
                        invoice=self.invoice.rec_name,
                        start=lang.strftime(self.start_date),
                        end=lang.strftime(self.end_date),
                        note=note)))
        return lines


class PenaltyClaimStart(ModelView):
    "Claim Penalties"
    __name__ = 'account.invoice.penalty.claim.start'

    date = fields.Date(
        "Date", required=True,
        help="The last day late claimed and the date of the penalty "
        "invoice.")
    additional_costs = fields.Numeric(
        "Additional Recovery Costs", digits=(16, 2),
        domain=['OR',
            ('additional_costs', '=', None),
            ('additional_costs', '>=', 0),
            ],
        help="The recovery costs justified beyond the fixed indemnity of "
        "EUR 40 (article L441-10), added to the claim of one business "
        "customer.")
    additional_costs_note = fields.Text(
        "Justification",
        states={
            'invisible': ~Eval('additional_costs'),
            'required': Bool(Eval('additional_costs')),
            },
        help="What justifies the additional costs (for example the fees "
        "of a collection agency or a bailiff), printed on the claim.")


class _PenaltyWizard:
    "The start date of today and the opening of the records made"

    def default_start(self, fields):
        return {'date': Pool().get('ir.date').today()}

    @staticmethod
    def _open(action, records):
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', [r.id for r in records])])
        return action, {}


class PenaltyClaim(_PenaltyWizard, Wizard):
    __name__ = 'account.invoice.penalty.claim'

    start = StateView(
        'account.invoice.penalty.claim.start',
        'ar_followup.penalty_claim_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Claim", 'claim', 'tryton-ok', default=True),
            ])
    claim = StateAction('account_invoice.act_invoice_out_form')

    def do_claim(self, action):
        claims = self.model.claim_penalties(
            self.records, self.start.date,
            additional_costs=self.start.additional_costs,
            additional_costs_note=self.start.additional_costs_note)
        action['domains'] = []
        return self._open(action, claims)


class PenaltyWaiveStart(ModelView):
    "Waive Penalties"
    __name__ = 'account.invoice.penalty.waive.start'

    date = fields.Date(
        "Date", required=True, help="The last day late waived.")
    reason = fields.Text("Reason", required=True)


class PenaltyWaive(_PenaltyWizard, Wizard):
    __name__ = 'account.invoice.penalty.waive'

    start = StateView(
        'account.invoice.penalty.waive.start',
        'ar_followup.penalty_waive_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Waive", 'waive', 'tryton-ok', default=True),
            ])
    waive = StateAction('ar_followup.act_invoice_penalty_form')

    def do_waive(self, action):
        return self._open(action, self.model.waive_penalties(
                self.records, self.start.date, self.start.reason))
