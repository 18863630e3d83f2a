# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The e-invoicing platform (PA) of the company: sending the Factur-X
invoices, receiving the lifecycle statuses, looking up the customers'
routing addresses in the directory.  The connectors are registered in
:mod:`..rules.platform`."""
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access

from ..exceptions import EInvoicePlatformError, EInvoiceStatusImportError
from ..rules import platform as rules
from ..rules.identity import IdentifierError, compact_siren


def _connectors():
    return [(None, "")] + sorted(
        (n, c.label or n) for n, c in rules.CONNECTORS.items())


class Platform(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'account.einvoice.platform'
    __string__ = "E-invoicing Platform"

    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True)
    connector = fields.Selection(
        'get_connectors', "Connector", required=True,
        help="The protocol used to talk to the platform.")
    flow_url = fields.Char(
        "Flow Service URL", required=True,
        help="The base URL of the Flow Service of the platform, e.g. "
        "https://api.flow.example.com/flow-service.")
    directory_url = fields.Char(
        "Directory Service URL",
        help="The base URL of the Directory Service, e.g. "
        "https://api.directory.example.com/directory-service.")
    token = fields.Char(
        "Access Token", strip=False,
        help="The bearer token (JWT) the platform gave the company.")
    statuses_updated_after = fields.Char(
        "Statuses Received Until", readonly=True,
        help="The update time of the last status flow received: the next "
        "reception asks for the later ones.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'receive_statuses': {
                    'invisible': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_connector(cls):
        return 'xp_z12_013'

    @classmethod
    def get_connectors(cls):
        return _connectors()

    @classmethod
    def get(cls, company):
        "Return the active platform of the company or raise"
        with without_check_access():
            platforms = cls.search([('company', '=', int(company))], limit=1)
        if not platforms:
            raise EInvoicePlatformError(gettext(
                    'ar_followup.msg_platform_missing'))
        return platforms[0]

    def client(self):
        "Return the connector of the platform"
        return rules.connector(self.connector,
            flow_url=self.flow_url, directory_url=self.directory_url,
            token=self.token)

    def call(self, method, *args):
        """Call the method of the connector; raise its failure as a
        translated EInvoicePlatformError"""
        with without_check_access():
            client = self.client()
        try:
            return getattr(client, method)(*args)
        except rules.PlatformError as error:
            raise EInvoicePlatformError(gettext(
                    'ar_followup.msg_platform_' + error.code,
                    platform=self.rec_name, **error.values)) from error

    @classmethod
    @ModelView.button
    def receive_statuses(cls, platforms):
        """Import the lifecycle statuses the platforms received since the
        last time: all the flows or none"""
        pool = Pool()
        Status = pool.get('account.invoice.lifecycle_status')
        result = []
        for platform in platforms:
            flows = platform.call(
                'status_flows', platform.statuses_updated_after)
            created = duplicates = 0
            for flow in flows:
                data = platform.call('download', flow)
                try:
                    counts = Status.import_file(
                        platform.company, data, source='platform')
                except EInvoiceStatusImportError as error:
                    raise EInvoicePlatformError(gettext(
                            'ar_followup.msg_platform_status_flow',
                            platform=platform.rec_name, flow=flow.id,
                            error=error.message)) from error
                created += counts[0]
                duplicates += counts[1]
            if flows:
                platform.statuses_updated_after = max(
                    f.updated_at for f in flows) or None
            result.append((created, duplicates))
        cls.save(platforms)
        return result

    @classmethod
    def receive_all_statuses(cls):
        "Receive the statuses of every active platform (scheduler)"
        cls.receive_statuses(cls.search([]))


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    einvoice_flow = fields.Char(
        "Platform Flow", readonly=True,
        states={
            'invisible': ~Eval('einvoice_flow'),
            },
        help="The identifier of the flow under which the platform "
        "received the invoice.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._check_modify_exclude |= {'einvoice_flow'}
        cls._buttons.update({
                'einvoice_send': {
                    'invisible': (
                        (Eval('type') != 'out')
                        | ~Eval('state').in_(['posted', 'paid'])
                        | Bool(Eval('einvoice_flow'))),
                    'depends': ['type', 'state', 'einvoice_flow'],
                    },
                })

    @classmethod
    def copy(cls, invoices, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('einvoice_flow', None)
        return super().copy(invoices, default=default)

    @classmethod
    @ModelView.button
    def einvoice_send(cls, invoices):
        """Send the Factur-X of the invoices to the company's platform and
        keep the flow id; an invoice already sent is not sent again.

        The Factur-X are all built (and validated) before the first is
        sent.  A failure of the platform rolls back the flow ids recorded
        in the call: the invoice number is the tracking id, by which the
        platform refuses an invoice sent twice."""
        pool = Pool()
        Platform = pool.get('account.einvoice.platform')
        Report = pool.get('account.invoice.facturx', type='report')
        to_send = []
        for invoice in invoices:
            if invoice.einvoice_flow:
                continue
            platform = Platform.get(invoice.company)
            _, pdf, _, _ = Report.execute([invoice.id], {})
            to_send.append((invoice, platform, bytes(pdf)))
        for invoice, platform, pdf in to_send:
            invoice.einvoice_flow = platform.call('send_invoice',
                Report.facturx_filename(invoice), pdf, invoice.number,
                'B2G' if invoice.party.customer_type == 'public' else 'B2B')
        cls.save([i for i, _, _ in to_send])


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'einvoice_lookup': {},
                })

    @classmethod
    @ModelView.button
    def einvoice_lookup(cls, parties):
        """Set the e-invoicing address of the parties from the directory
        of the company's platform"""
        pool = Pool()
        Platform = pool.get('account.einvoice.platform')
        platform = Platform.get(Transaction().context.get('company') or -1)
        for party in parties:
            try:
                siren = compact_siren(party.siren.code if party.siren
                    else None)
            except IdentifierError:
                raise EInvoicePlatformError(gettext(
                        'ar_followup.msg_platform_no_siren',
                        party=party.rec_name))
            found = platform.call('routing_address', siren)
            if not found:
                raise EInvoicePlatformError(gettext(
                        'ar_followup.msg_platform_not_in_directory',
                        party=party.rec_name, siren=siren))
            party.einvoice_routing_address = found[0]
        cls.save(parties)

