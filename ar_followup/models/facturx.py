# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Factur-X (EN 16931) invoices carrying the French mentions, validated
against the Factur-X XSD and the FNFE-MPE rules before they leave."""
import os

import facturx
import genshi.template

from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.account_invoice.invoice import InvoiceReport
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.tools import cached_property

from ..exceptions import FacturXError
from ..rules import facturx as profiles
from ..rules import validation
from ..rules.identity import IdentifierError, compact_siren, compact_vat
from .report import ConvertMixin

TEMPLATE = 'FR-EN16931'
loader = genshi.template.TemplateLoader(
    os.path.join(os.path.dirname(os.path.dirname(__file__)), 'template'),
    auto_reload=True)
BUSINESS_PROCESS = {'goods': 'B1', 'services': 'S1', 'mixed': 'M1'}


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    facturx_note_pmt = fields.Text(
        "Recovery Indemnity Note",
        help="The mention of the fixed recovery indemnity, printed on the "
        "invoices (note PMT of the e-invoice).")
    facturx_note_pmd = fields.Text(
        "Late Payment Penalties Note",
        help="The mention of the late-payment penalty rate (note PMD).")
    facturx_note_aab = fields.Text(
        "Discount Terms Note",
        help="The mention of the early-payment discount terms or of their "
        "absence (note AAB).")
    einvoice_rules_folder = fields.Char(
        "E-invoicing Rules Folder",
        help="The folder of the official FNFE-MPE validation artefacts "
        "(with Factur-X/EN16931/2xslt/): every Factur-X invoice is "
        "checked against its EN 16931 and BR-FR rules before it is "
        "attached.")

    @classmethod
    def default_facturx_note_pmt(cls):
        return ("Indemnité forfaitaire pour frais de recouvrement en cas de "
            "retard de paiement : 40 € (art. L441-10 et D441-5 du Code de "
            "commerce).")

    @classmethod
    def default_facturx_note_pmd(cls):
        return ("En cas de retard de paiement, pénalités exigibles dès le "
            "lendemain de l'échéance au taux de la BCE majoré de 10 points "
            "(art. L441-10 du Code de commerce).")

    @classmethod
    def default_facturx_note_aab(cls):
        return "Pas d'escompte pour paiement anticipé."


def _siren(party):
    if party and party.siren:
        try:
            return compact_siren(party.siren.code)
        except IdentifierError:
            return None


class EdocumentInvoice(metaclass=PoolMeta):
    __name__ = 'edocument.uncefact.invoice'

    def _get_template(self, version):
        if version == TEMPLATE:
            return loader.load(
                os.path.join(version, 'CrossIndustryInvoice.xml'))
        return super()._get_template(version)

    @cached_property
    def business_process(self):
        "BT-23: B1 goods, S1 services, M1 mixed"
        category = (self.invoice.operation_category
            or self.invoice.operation_category_from_lines())
        return BUSINESS_PROCESS[category]

    @cached_property
    def guideline(self):
        "BT-24: the Factur-X profile the invoice needs"
        return profiles.GUIDELINES[self.invoice.facturx_profile]

    @cached_property
    def notes(self):
        "BT-21/BT-22: the PMT, PMD and AAB mentions, each once"
        Configuration = Pool().get('account.configuration')
        config = Configuration(1)
        notes = []
        for subject in ['PMT', 'PMD', 'AAB']:
            name = 'facturx_note_' + subject.lower()
            text = getattr(config, name) or getattr(
                Configuration, 'default_' + name)()
            notes.append((subject, text))
        return notes

    @cached_property
    def due_date_type_code(self):
        "BT-8: 5 for VAT on debits (invoice date), 72 for receipts"
        if self.invoice.vat_on_debits:
            return '5'
        if self.business_process == 'S1':
            return '72'

    @cached_property
    def seller_siren(self):
        return _siren(self.seller_trade_party)

    @cached_property
    def buyer_siren(self):
        return self.invoice.customer_siren or _siren(self.buyer_trade_party)

    @cached_property
    def seller_endpoint(self):
        return (self.seller_trade_party.einvoice_routing_address
            or self.seller_siren)

    @cached_property
    def buyer_endpoint(self):
        return (self.invoice.einvoice_routing_address
            or self.buyer_trade_party.einvoice_routing_address
            or self.buyer_siren)

    def _vat(self, identifier):
        if identifier and identifier.type == 'eu_vat':
            try:
                return compact_vat(identifier.code)
            except IdentifierError:
                return None

    @cached_property
    def seller_vat(self):
        return self._vat(self.seller_trade_tax_identifier)

    @cached_property
    def buyer_vat(self):
        return self._vat(self.buyer_trade_tax_identifier)

    @cached_property
    def due_date(self):
        dates = [l.maturity_date for l in self.invoice.lines_to_pay
            if l.maturity_date]
        return min(dates) if dates else None

    @cached_property
    def payment_terms_text(self):
        term = self.invoice.payment_term
        if term:
            return term.description or term.name


class InvoiceEdocumentStart(metaclass=PoolMeta):
    __name__ = 'account.invoice.edocument.start'

    @fields.depends('format')
    def get_templates(self):
        templates = super().get_templates()
        if self.format == 'edocument.uncefact.invoice':
            templates.append((TEMPLATE, "Factur-X EN 16931 (France)"))
        return templates


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'facturx_xml': RPC(instantiate=0, readonly=True),
                'facturx_pdf': RPC(instantiate=0, readonly=True),
                })

    @property
    def facturx_profile(self):
        """The Factur-X profile the VAT breakdown of the invoice needs:
        EN 16931, or EXTENDED (rules.facturx.profile)"""
        return profiles.profile(
            (t.tax.unece_category_code if t.tax else None,
                t.tax.rate if t.tax else None,
                t.tax.legal_notice if t.tax else None)
            for t in self.taxes)

    def facturx_xml(self):
        "Return the validated Factur-X XML of the posted customer invoice"
        pool = Pool()
        Edocument = pool.get('edocument.uncefact.invoice')
        if self.type != 'out' or self.state not in {'posted', 'paid'}:
            raise FacturXError(gettext(
                    'ar_followup.msg_facturx_not_posted',
                    invoice=self.rec_name))
        xml = Edocument(self).render(TEMPLATE)
        self.facturx_check(xml, self.facturx_profile)
        return xml

    @classmethod
    def facturx_check(cls, xml, profile=profiles.EN16931):
        """Raise FacturXError with the rule ids when the XML fails the
        Factur-X XSD of the profile or, when the rules folder is set, a
        fatal assertion of the FNFE-MPE rules of the profile (EN 16931 or
        EXTENDED, and BR-FR)"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        try:
            facturx.xml_check_xsd(xml, flavor='factur-x', level=profile)
        except Exception as exception:
            raise FacturXError(gettext(
                    'ar_followup.msg_facturx_xsd', error=str(exception)))
        folder = Configuration(1).einvoice_rules_folder
        if not folder:
            return
        try:
            paths = validation.rule_paths(folder, profiles.RULES[profile])
        except validation.RulesNotFound as exception:
            raise FacturXError(gettext(
                    'ar_followup.msg_facturx_rules_not_found',
                    path=exception.path))
        failed = validation.fatal_assertions(xml, paths)
        if failed:
            raise FacturXError(gettext(
                    'ar_followup.msg_facturx_rules',
                    rules='\n'.join(f'{i}: {t}' for i, _, t in failed)))

    def facturx_pdf(self, pdf):
        "Return the PDF (bytes) with the validated Factur-X XML embedded"
        return facturx.generate_from_binary(
            pdf, self.facturx_xml(), flavor='factur-x',
            level=self.facturx_profile,
            check_xsd=True)


class FacturXReport(ConvertMixin, InvoiceReport):
    """The customer invoice printed as Factur-X: the invoice report
    converted to PDF, with its validated CII XML embedded as PDF/A-3 and
    kept as an attachment of the invoice (the copy sent stays the same)"""
    __name__ = 'account.invoice.facturx'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Attachment = pool.get('ir.attachment')
        invoice, = Invoice.browse(records)
        name = cls.facturx_filename(invoice)
        attachments = Attachment.search([
                ('resource', '=', str(invoice)),
                ('name', '=', name),
                ], limit=1)
        if attachments:
            attachment, = attachments
            return 'pdf', attachment.data
        # The invoice report without its cache, which keeps the format of
        # the plain invoice report
        format_, content = super(InvoiceReport, cls)._execute(
            records, header, data, action)
        if format_ != 'pdf':
            raise FacturXError(gettext(
                    'ar_followup.msg_facturx_no_pdf',
                    invoice=invoice.rec_name))
        content = invoice.facturx_pdf(content)
        Attachment.create([{
                    'resource': str(invoice),
                    'name': name,
                    'type': 'data',
                    'data': content,
                    }])
        return 'pdf', content

    @classmethod
    def facturx_filename(cls, invoice):
        return 'factur-x-%s.pdf' % invoice.number
