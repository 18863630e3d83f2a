# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import of external company data (legal form, NAF code, creation date,
ceased companies) for the customers, matched by SIREN, from one of the
providers registered in :mod:`rules.company_data` (the INSEE SIRENE file
for now)."""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..rules.company_data import PROVIDERS, get_provider, legal_changes
from ..rules.importers import ImportFileError
from .import_file import raise_import_file_error, rejected_line_message

LEGAL_FIELDS = [
    'legal_form', 'naf_code', 'legal_creation_date', 'legal_status']


def provider_selection():
    "Return the selection of the registered providers"
    result = []
    for code, provider in sorted(PROVIDERS.items()):
        if provider.message:
            string = gettext(provider.message)
        else:
            string = provider.string or code
        result.append((code, string))
    return result


class ImportCompanyDataStart(ModelView):
    __name__ = 'party.company_data.import.start'

    provider = fields.Selection(
        'get_providers', "Source", required=True,
        help="Where the legal data come from.")
    needs_file = fields.Function(
        fields.Boolean("Needs File"), 'on_change_with_needs_file')
    file = fields.Binary(
        "File", filename='filename',
        states={
            'required': Bool(Eval('needs_file')),
            'invisible': ~Eval('needs_file'),
            },
        help="The StockUniteLegale CSV file of INSEE (or an extract with "
        "the same columns).")
    filename = fields.Char("File Name", readonly=True)

    @classmethod
    def get_providers(cls):
        return provider_selection()

    @classmethod
    def default_provider(cls):
        return 'sirene_file'

    @fields.depends('provider')
    def on_change_with_needs_file(self, name=None):
        provider = PROVIDERS.get(self.provider)
        return bool(provider and provider.needs_file)


class ImportCompanyDataPreview(ModelView):
    __name__ = 'party.company_data.import.preview'

    report = fields.Text("Report", readonly=True)
    valid = fields.Integer("Customers to Update", readonly=True)


class ImportCompanyData(Wizard):
    "Update the legal data of the customers: preview, then confirm"
    __name__ = 'party.company_data.import'

    start = StateView('party.company_data.import.start',
        'ar_followup.company_data_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'preview', 'tryton-forward', default=True),
            ])
    preview = StateView('party.company_data.import.preview',
        'ar_followup.company_data_import_preview_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Update Customers", 'import_', 'tryton-ok',
                default=True, states={
                    'readonly': ~Eval('valid'),
                    }),
            ])
    import_ = StateTransition()

    def _customers(self):
        "Return {SIREN: [party]} of the parties with an active SIREN"
        Identifier = Pool().get('party.identifier')
        customers = defaultdict(list)
        for identifier in Identifier.search([
                    ('type', '=', 'fr_siren'),
                    ('party.active', '=', True),
                    ]):
            customers[identifier.code_compact].append(identifier.party)
        return customers

    def _plan(self):
        """Return (report lines, [(parties, values)]); raise the user
        error of a refused file before anything is written"""
        customers = self._customers()
        provider = get_provider(self.start.provider)
        try:
            rows, errors = provider.fetch(
                set(customers), data=self.start.file)
        except ImportFileError as error:
            raise_import_file_error(error, self.start.filename or '')
        messages = {line: rejected_line_message(line, code, args)
            for line, code, args in errors}
        plan = []
        found = {args['siren'] for _, _, args in errors if 'siren' in args}
        for row in rows:
            found.add(row.siren)
            changed = []
            for party in customers[row.siren]:
                values = legal_changes(
                    {f: getattr(party, f) for f in LEGAL_FIELDS}, row)
                if values:
                    plan.append(([party], values))
                    changed.append(values)
            if not changed:
                key = 'unchanged'
            elif any(v.get('legal_status') == 'ceased' for v in changed):
                key = 'ceased'
            else:
                key = 'updated'
            messages[row.line] = gettext(
                'ar_followup.msg_company_data_line_' + key,
                line=row.line, siren=row.siren,
                parties=', '.join(p.rec_name for p in customers[row.siren]))
        report = [messages[line] for line in sorted(messages)]
        for siren in sorted(set(customers) - found):
            report.append(gettext(
                    'ar_followup.msg_company_data_not_found', siren=siren,
                    parties=', '.join(p.rec_name for p in customers[siren])))
        return report, plan

    def default_preview(self, fields):
        report, plan = self._plan()
        return {
            'report': '\n'.join(report),
            'valid': len(plan),
            }

    def transition_import_(self):
        Party = Pool().get('party.party')
        _, plan = self._plan()
        to_write = [x for parties, values in plan for x in (parties, values)]
        if to_write:
            Party.write(*to_write)
        return 'end'
