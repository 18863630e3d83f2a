# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Credit insurance of the customers: the insurer's decision (insured
limit, coverage, expiry) per company, the uncovered exposure, and the
import of the insurer's decisions file."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..exceptions import FileImportError
from ..rules.credit import uncovered_exposure
from ..rules.importers import ImportFileError, parse_insurer_decisions
from .import_file import rejected_line_message
from .party import company_result


class CreditInsurance(ModelSQL, ModelView):
    __name__ = 'party.credit_insurance'

    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    company = fields.Many2One('company.company', "Company", required=True)
    insurer = fields.Char("Insurer", required=True)
    policy = fields.Char("Policy")
    insured_limit = Monetary(
        "Insured Limit", currency='currency', digits='currency',
        required=True,
        help="The amount the insurer agreed to cover for the customer "
        "(0: cover refused or withdrawn).")
    coverage_percent = fields.Numeric(
        "Coverage (%)", digits=(16, 2), required=True,
        domain=[
            ('coverage_percent', '>=', 0),
            ('coverage_percent', '<=', 100),
            ],
        help="The share of a loss the insurer indemnifies.")
    decision_date = fields.Date("Decision Date", required=True)
    expiry_date = fields.Date(
        "Expiry Date",
        domain=['OR',
            ('expiry_date', '=', None),
            ('expiry_date', '>=', Eval('decision_date', None)),
            ])
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('party_company_unique', Unique(t, t.party, t.company),
                'ar_followup.msg_credit_insurance_unique'),
            ]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    credit_insurances = fields.One2Many(
        'party.credit_insurance', 'party', "Credit Insurance",
        help="The decisions of the credit insurers on the customer.")
    insured_limit = fields.Function(Monetary(
            "Insured Limit", currency='exposure_currency',
            digits='exposure_currency',
            help="The insured limit agreed by the credit insurer."),
        'get_insurance', searcher='search_insurance')
    insurance_expiry = fields.Function(fields.Date(
            "Insurance Expiry",
            help="The date the insurer's decision ends."),
        'get_insurance', searcher='search_insurance')
    uncovered_exposure = fields.Function(Monetary(
            "Uncovered Exposure", currency='exposure_currency',
            digits='exposure_currency',
            help="The exposure above the insured limit (the whole "
            "exposure without insurance)."),
        'get_insurance')

    @classmethod
    def get_insurance(cls, parties, names):
        pool = Pool()
        Insurance = pool.get('party.credit_insurance')
        result, company = company_result(parties, names)
        if not company:
            return result
        insurances = {i.party.id: i for i in Insurance.search([
                    ('company', '=', company.id),
                    ('party', 'in', [p.id for p in parties]),
                    ])}
        if 'uncovered_exposure' in names:
            exposures = cls.get_exposure(parties, ['exposure'])['exposure']
        for party in parties:
            insurance = insurances.get(party.id)
            if 'insured_limit' in names and insurance:
                result['insured_limit'][party.id] = insurance.insured_limit
            if 'insurance_expiry' in names and insurance:
                result['insurance_expiry'][party.id] = insurance.expiry_date
            if 'uncovered_exposure' in names:
                result['uncovered_exposure'][party.id] = (
                    company.currency.round(uncovered_exposure(
                            exposures[party.id],
                            insurance.insured_limit if insurance else None)))
        return result


    @classmethod
    def search_insurance(cls, name, clause):
        column = {
            'insured_limit': 'insured_limit',
            'insurance_expiry': 'expiry_date',
            }[name]
        _, operator, value = clause[:3]
        return [('credit_insurances', 'where', [
                    ('company', '=',
                        Transaction().context.get('company', -1)),
                    (column, operator, value),
                    ])]


class ImportInsurerStart(ModelView):
    __name__ = 'party.credit_insurance.import.start'

    file = fields.Binary(
        "File", required=True,
        help="The insurer decisions CSV file (UTF-8), see the README for "
        "its columns.")


class ImportInsurerPreview(ModelView):
    __name__ = 'party.credit_insurance.import.preview'

    report = fields.Text("Report", readonly=True)
    valid = fields.Integer("Valid Lines", readonly=True)


class ImportInsurer(Wizard):
    "Import the insurer decisions: preview line by line, then confirm"
    __name__ = 'party.credit_insurance.import'

    start = StateView('party.credit_insurance.import.start',
        'ar_followup.credit_insurance_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'preview', 'tryton-forward', default=True),
            ])
    preview = StateView('party.credit_insurance.import.preview',
        'ar_followup.credit_insurance_import_preview_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import Valid Lines", 'import_', 'tryton-ok',
                default=True, states={
                    'readonly': ~Eval('valid'),
                    }),
            ])
    import_ = StateTransition()

    def _plan(self):
        """Return (report lines, values to write per party id) of the
        file; raise FileImportError when the whole file is rejected"""
        pool = Pool()
        Company = pool.get('company.company')
        Identifier = pool.get('party.identifier')
        Insurance = pool.get('party.credit_insurance')
        company = Company(Transaction().context['company'])
        try:
            rows, errors = parse_insurer_decisions(self.start.file)
        except ImportFileError as error:
            raise FileImportError(gettext(
                    'ar_followup.msg_import_file_' + error.code,
                    **{k: ', '.join(v) if isinstance(v, tuple) else v
                        for k, v in error.values.items()}))
        sirens = {r.siren for r in rows}
        parties = {}
        for identifier in Identifier.search([
                    ('type', '=', 'fr_siren'),
                    ('code_compact', 'in', list(sirens)),
                    ]):
            parties[identifier.code_compact] = identifier.party.id
        existing = {i.party.id for i in Insurance.search([
                    ('company', '=', company.id),
                    ('party', 'in', list(parties.values())),
                    ])}
        messages = {line: rejected_line_message(line, code, args)
            for line, code, args in errors}
        plan = {}
        for row in rows:
            party_id = parties.get(row.siren)
            if party_id is None:
                messages[row.line] = rejected_line_message(
                    row.line, 'unknown_siren', {'siren': row.siren})
                continue
            if row.currency != company.currency.code:
                messages[row.line] = rejected_line_message(
                    row.line, 'currency', {'currency': row.currency})
                continue
            plan[party_id] = {
                'insurer': row.insurer,
                'policy': row.policy or None,
                'insured_limit': company.currency.round(row.insured_limit),
                'coverage_percent': row.coverage_percent.quantize(
                    Decimal('0.01')),
                'decision_date': row.decision_date,
                'expiry_date': row.expiry_date,
                }
            action = 'updated' if party_id in existing else 'imported'
            messages[row.line] = gettext(
                'ar_followup.msg_import_line_' + action,
                line=row.line, siren=row.siren)
        report = [messages[line] for line in sorted(messages)]
        return report, plan, existing, company

    def default_preview(self, fields):
        report, plan, _, _ = self._plan()
        return {
            'report': '\n'.join(report),
            'valid': len(plan),
            }

    def transition_import_(self):
        pool = Pool()
        Insurance = pool.get('party.credit_insurance')
        _, plan, existing, company = self._plan()
        to_write = []
        if existing:
            for insurance in Insurance.search([
                        ('company', '=', company.id),
                        ('party', 'in', list(existing)),
                        ]):
                if insurance.party.id in plan:
                    to_write.extend(
                        ([insurance], plan.pop(insurance.party.id)))
        if to_write:
            Insurance.write(*to_write)
        Insurance.create([{
                    'party': party_id, 'company': company.id, **values}
                for party_id, values in plan.items()])
        return 'end'
