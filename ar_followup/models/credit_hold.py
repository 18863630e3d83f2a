# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Credit hold: the posting of a customer invoice is refused beyond the
customer's credit limit or while he sits at a follow-up level that blocks
credit, unless a credit manager overrides it (recorded with who, when and
why)."""
import datetime
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..exceptions import CreditHoldError, FollowupAuditError


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'override_credit_hold': {
                    'invisible': ((Eval('type') != 'out')
                        | ~Eval('state').in_(['draft', 'validated'])),
                    'depends': ['type', 'state'],
                    },
                })

    @classmethod
    @ModelView.button_action('ar_followup.wizard_credit_override')
    def override_credit_hold(cls, invoices):
        pass

    @classmethod
    def _post(cls, invoices):
        cls.check_credit_hold(invoices)
        super()._post(invoices)

    @classmethod
    def check_credit_hold(cls, invoices):
        """Raise CreditHoldError if an invoice would put its customer over
        his credit limit or is issued while he sits at a level that blocks
        credit, unless the invoice has a credit override"""
        pool = Pool()
        Currency = pool.get('currency.currency')
        Override = pool.get('account.invoice.credit_override')
        invoices = [i for i in invoices
            if i.type == 'out' and i.state != 'posted'
            and i.total_amount > 0]
        if not invoices:
            return
        with without_check_access():
            overridden = {o.invoice.id for o in Override.search([
                        ('invoice', 'in', [i.id for i in invoices]),
                        ])}
        by_company = defaultdict(lambda: defaultdict(Decimal))
        for invoice in invoices:
            if invoice.id in overridden:
                continue
            with Transaction().set_context(date=invoice.currency_date):
                amount = Currency.compute(
                    invoice.currency, invoice.total_amount,
                    invoice.company.currency)
            by_company[invoice.company][invoice.party] += amount
        for company, amounts in by_company.items():
            check_credit_hold_amounts(company, amounts)


def check_credit_hold_amounts(company, amounts, document='invoice'):
    """Raise CreditHoldError if one of the parties of amounts ({party:
    amount in the company currency}) sits at a level that blocks credit
    or would go over his credit limit with the amount; the rows of the
    parties are locked first, so that two documents of the same customer
    are checked one after the other.  document ('invoice' or 'sale')
    picks the messages."""
    pool = Pool()
    Party = pool.get('party.party')
    Dunning = pool.get('account.dunning')
    Lang = pool.get('ir.lang')
    Level = pool.get('account.dunning.level')
    prefix = 'ar_followup.msg_%scredit_hold_' % (
        '' if document == 'invoice' else document + '_')
    lang = Lang.get()
    parties = sorted(amounts, key=lambda p: p.id)
    # Serialise the postings of a customer, not of every customer
    Party.lock(parties)
    ids = [p.id for p in parties]
    levels = Dunning.highest_levels(company.id, 'party', ids)
    positions = Party.receivable_positions(
        company, ids, include_draft=False)
    limits = Party.credit_limits(company, ids)
    for party in parties:
        if party.id in levels:
            level = Level(levels[party.id][0])
            if level.blocks_credit:
                raise CreditHoldError(gettext(prefix + 'level',
                        party=party.rec_name, level=level.rec_name))
        limit = limits.get(party.id)
        if limit is None:
            continue
        position = positions.get(party.id)
        exposure = position.exposure if position else Decimal(0)
        if exposure + amounts[party] > limit:
            raise CreditHoldError(gettext(prefix + 'limit',
                    party=party.rec_name,
                    amount=lang.currency(amounts[party], company.currency),
                    exposure=lang.currency(exposure, company.currency),
                    limit=lang.currency(limit, company.currency)))


class CreditOverride(ModelSQL, ModelView):
    __name__ = 'account.invoice.credit_override'

    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, readonly=True,
        ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    user = fields.Many2One(
        'res.user', "User", required=True, readonly=True,
        help="The credit manager who allowed the posting.")
    date = fields.DateTime("Date", required=True, readonly=True)
    reason = fields.Text("Reason", required=True, readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True,
        help="The total of the invoice in the company currency.")
    exposure = Monetary(
        "Exposure", currency='currency', digits='currency', readonly=True,
        help="The customer's exposure before the invoice.")
    credit_limit = Monetary(
        "Credit Limit", currency='currency', digits='currency',
        readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('invoice')
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def write(cls, *args):
        "An override is an audit record: never rewritten (whoever asks)"
        actions = iter(args)
        for overrides, values in zip(actions, actions):
            if overrides and values:
                overrides[0]._raise_audit()
        super().write(*args)

    @classmethod
    def delete(cls, overrides):
        "An override is an audit record: never deleted"
        if overrides:
            overrides[0]._raise_audit()
        super().delete(overrides)

    def _raise_audit(self):
        raise FollowupAuditError(gettext(
                'ar_followup.msg_credit_override_audit',
                invoice=self.invoice.rec_name, user=self.user.rec_name))

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None


class CreditOverrideStart(ModelView):
    __name__ = 'account.invoice.credit_override.start'

    invoice = fields.Many2One('account.invoice', "Invoice", readonly=True,
        states={
            'invisible': ~Eval('invoice'),
            })
    party = fields.Many2One('party.party', "Party", readonly=True)
    reason = fields.Text(
        "Reason", required=True,
        help="Why the invoice may be posted despite the credit hold.")


class CreditOverrideWizard(Wizard):
    __name__ = 'account.invoice.override_credit_hold'

    start = StateView('account.invoice.credit_override.start',
        'ar_followup.credit_override_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Override and Post", 'override', 'tryton-ok',
                default=True),
            ])
    override = StateTransition()

    def default_start(self, fields):
        return {
            'invoice': self.record.id,
            'party': self.record.party.id,
            }

    def transition_override(self):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Currency = pool.get('currency.currency')
        invoice = self.record
        company = invoice.company
        with Transaction().set_context(date=invoice.currency_date):
            amount = Currency.compute(
                invoice.currency, invoice.total_amount, company.currency)
        record_credit_override(
            {'invoice': invoice.id}, company, invoice.party, amount,
            self.start.reason,
            gettext('ar_followup.msg_credit_override_not_allowed',
                invoice=invoice.rec_name))
        Invoice.post([invoice])
        return 'end'


def record_credit_override(document, company, party, amount, reason,
        refused):
    """Record the override of the credit hold of the document ({'invoice':
    id} or {'sale': id}) with the customer's exposure and limit at that
    time, or raise CreditHoldError(refused) if the user is not a credit
    manager"""
    pool = Pool()
    Override = pool.get('account.invoice.credit_override')
    Party = pool.get('party.party')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    group_id = ModelData.get_id('ar_followup', 'group_credit_manager')
    transaction = Transaction()
    if transaction.user and group_id not in User.get_groups():
        raise CreditHoldError(refused)
    position = Party.receivable_positions(
        company, [party.id], include_draft=False).get(party.id)
    limit = Party.credit_limits(company, [party.id])[party.id]
    with without_check_access():
        Override.create([{
                    **document,
                    'party': party.id,
                    'company': company.id,
                    'user': transaction.user,
                    'date': datetime.datetime.now(),
                    'reason': reason,
                    'amount': company.currency.round(amount),
                    'exposure': company.currency.round(
                        position.exposure if position else Decimal(0)),
                    'credit_limit': (company.currency.round(limit)
                        if limit is not None else None),
                    }])
