# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The mandatory data of the French e-invoicing reform on customer
invoices (CGI ann. II 242 nonies A) and the check done when posting."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from ..exceptions import EInvoiceMandatoryError
from ..rules.identity import IdentifierError, compact_siren
from .lifecycle import LIFECYCLE_STATUSES

OPERATION_CATEGORIES = [
    (None, ""),
    ('goods', "Goods"),
    ('services', "Services"),
    ('mixed', "Mixed"),
    ]


def is_french(party, address=None):
    "Tell if the party is French: by its address, else by its SIREN"
    if address and address.country:
        return address.country.code == 'FR'
    return bool(party.siren)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    einvoice_routing_address = fields.Char(
        "E-invoicing Address",
        help="The routing address of the customer in the directory of the "
        "e-invoicing reform (SIREN, SIREN_SIRET or SIREN_suffix) at which "
        "his approved platform receives his invoices.")
    einvoice_platform = fields.Char(
        "E-invoicing Platform",
        help="The approved platform (PA) that receives the invoices of the "
        "customer, as named in the directory.")


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    _einvoice_states = {
        'invisible': Eval('type') != 'out',
        'readonly': Eval('state') != 'draft',
        }

    customer_siren = fields.Char(
        "Customer SIREN", size=9, states=_einvoice_states,
        help="The SIREN of the customer, mandatory on invoices to French "
        "businesses and public bodies (taken from the party).")
    operation_category = fields.Selection(
        OPERATION_CATEGORIES, "Operation Category",
        states=_einvoice_states,
        help="Whether the invoice bills goods, services or both "
        "(defaulted from the types of the products).")
    vat_on_debits = fields.Boolean(
        "VAT on Debits", states=_einvoice_states,
        help="The supplier opted for paying the VAT on debits (invoicing) "
        "instead of receipts: the invoice must say so.")
    delivery_address = fields.Many2One(
        'party.address', "Delivery Address", ondelete='RESTRICT',
        states=_einvoice_states,
        domain=[('party', '=', Eval('party', -1))],
        help="The address of delivery when it differs from the invoice "
        "address.")
    einvoice_routing_address = fields.Char(
        "E-invoicing Address", states=_einvoice_states,
        help="The directory routing address of the customer to which the "
        "invoice is sent (taken from the party).")
    einvoice_status = fields.Selection(
        [(None, "")] + LIFECYCLE_STATUSES, "E-invoicing Status",
        readonly=True, sort=False,
        states={
            'invisible': Eval('type') != 'out',
            },
        help="The latest lifecycle status received from the platforms.")
    einvoice_required = fields.Function(fields.Boolean(
            "E-invoicing Required",
            states={'invisible': True},
            help="The invoice falls under the French e-invoicing reform: "
            "a French company invoicing a French business or public "
            "body."),
        'get_einvoice_required')
    einvoice_missing = fields.Function(fields.Char(
            "E-invoicing Missing Data",
            states={
                'invisible': ~Eval('einvoice_missing'),
                },
            help="The data the reform requires that the invoice lacks."),
        'get_einvoice_missing', searcher='search_einvoice_missing')

    del _einvoice_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._check_modify_exclude |= {'einvoice_status'}

    @fields.depends('party', 'type', methods=['_einvoice_party_values'])
    def on_change_party(self):
        super().on_change_party()
        if self.type == 'out':
            for name, value in self._einvoice_party_values().items():
                setattr(self, name, value)

    @fields.depends('party')
    def _einvoice_party_values(self):
        values = {'customer_siren': None, 'einvoice_routing_address': None}
        if self.party:
            if self.party.siren:
                try:
                    values['customer_siren'] = compact_siren(
                        self.party.siren.code)
                except IdentifierError:
                    pass
            values['einvoice_routing_address'] = (
                self.party.einvoice_routing_address)
        return values

    @fields.depends('lines', 'operation_category')
    def on_change_lines(self):
        try:
            super().on_change_lines()
        except AttributeError:
            pass
        self.operation_category = self.operation_category_from_lines()

    @fields.depends('lines')
    def operation_category_from_lines(self):
        "Return the category the products of the lines call for"
        kinds = set()
        for line in self.lines or []:
            product = getattr(line, 'product', None)
            if getattr(line, 'type', 'line') != 'line' or not product:
                continue
            kinds.add('services' if product.type == 'service' else 'goods')
        if len(kinds) > 1:
            return 'mixed'
        return kinds.pop() if kinds else 'services'

    def get_einvoice_required(self, name):
        company_party = self.company.party
        return (self.type == 'out'
            and is_french(
                company_party, company_party.address_get('invoice'))
            and self.party.customer_type in {'business', 'public'}
            and is_french(self.party, self.invoice_address))

    def get_einvoice_missing(self, name):
        return ', '.join(self._einvoice_missing_labels()) or None

    @classmethod
    def search_einvoice_missing(cls, name, clause):
        # The checks span the company and customer identities: evaluate
        # them on the open customer invoices, not on the whole history.
        _, operator, value = clause[:3]
        invoices = cls.search([
                ('type', '=', 'out'),
                ('state', 'in', ['draft', 'validated']),
                ])
        ids = [i.id for i in invoices if i.einvoice_missing]
        if (operator == '!=') == (value is None):
            return [('id', 'in', ids)]
        return [('id', 'not in', ids)]

    def _einvoice_missing_fields(self):
        "Return the names of the fields the reform requires that are unset"
        if not self.einvoice_required:
            return []
        missing = []
        siren = self.customer_siren or self._einvoice_party_values()[
            'customer_siren']
        try:
            compact_siren(siren)
        except IdentifierError:
            missing.append('customer_siren')
        if not (self.einvoice_routing_address
                or self.party.einvoice_routing_address):
            missing.append('einvoice_routing_address')
        if not self.company.party.siren:
            missing.append('company_siren')
        return missing

    def _einvoice_missing_labels(self):
        missing = self._einvoice_missing_fields()
        labels = self.fields_get(
            [n for n in missing if n in self._fields])
        result = []
        for name in missing:
            if name in labels:
                result.append(labels[name]['string'])
            else:
                result.append(gettext('ar_followup.msg_einvoice_' + name))
        return result

    def _einvoice_set_defaults(self):
        "Fill the reform's fields the invoice can take from its data"
        if self.type != 'out':
            return
        for name, value in self._einvoice_party_values().items():
            if not getattr(self, name) and value:
                setattr(self, name, value)
        if not self.operation_category:
            self.operation_category = self.operation_category_from_lines()

    @classmethod
    def check_einvoice_mandatory(cls, invoices):
        "Raise when a French B2B invoice lacks what the reform requires"
        for invoice in invoices:
            labels = invoice._einvoice_missing_labels()
            if labels:
                raise EInvoiceMandatoryError(gettext(
                        'ar_followup.msg_einvoice_mandatory_missing',
                        invoice=invoice.rec_name,
                        party=invoice.party.rec_name,
                        missing=', '.join(labels)))

    @classmethod
    def _post(cls, invoices):
        for invoice in invoices:
            invoice._einvoice_set_defaults()
        cls.check_einvoice_mandatory(invoices)
        cls.save(invoices)
        super()._post(invoices)

    @classmethod
    def copy(cls, invoices, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('einvoice_status', None)
        return super().copy(invoices, default=default)
