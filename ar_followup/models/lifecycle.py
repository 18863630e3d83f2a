# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The lifecycle statuses of the customer invoices received from the
e-invoicing platforms and what they do to the follow-up."""
from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If, In
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from ..exceptions import EInvoiceStatusImportError
from ..rules import lifecycle as rules
from ..rules.importers import ImportFileError
from .run import serialise

LIFECYCLE_STATUSES = [
    (s.code, f'{s.code} {s.label_en}') for s in rules.STATUSES.values()]
MAX_REPORTED_ERRORS = 20


class LifecycleStatus(ModelSQL, ModelView):
    "E-invoicing Lifecycle Status"
    __name__ = 'account.invoice.lifecycle_status'

    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'out')])
    code = fields.Selection(
        LIFECYCLE_STATUSES, "Status", required=True, sort=False,
        help="The lifecycle status code of the reform (200 to 213).")
    date = fields.Date("Date", required=True)
    reason_code = fields.Char(
        "Reason Code",
        help="The reason code of the status (mandatory for 206, 207, 208, "
        "210 and 213).")
    reason = fields.Text("Reason")
    amount = fields.Numeric(
        "Amount", digits=(16, 2),
        states={'invisible': ~Eval('code').in_(['206', '207', '212'])},
        help="For 212: the amount collected including VAT; for 206 and "
        "207: the amount disputed (not approved) including VAT.")
    vat_rate = fields.Numeric(
        "VAT Rate", digits=(16, 2),
        states={'invisible': Eval('code') != '212'},
        help="For 212: the VAT rate in percent of the amount collected "
        "(empty when the invoice has several rates).")
    source = fields.Selection([
            ('platform', "Platform"),
            ('file', "File"),
            ('issued', "Issued"),
            ('manual', "Manual"),
            ], "Source", required=True,
        help="Where the status comes from: a platform connector, an "
        "imported file, the supplier itself (issued) or a user.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('invoice_code_date_unique',
                Unique(t, t.invoice, t.code, t.date),
                'ar_followup.msg_lifecycle_status_unique'),
            ]
        cls._sql_indexes.add(Index(t,
                (t.invoice, Index.Range()), (t.date, Index.Range())))
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def default_source(cls):
        return 'manual'

    @classmethod
    def create(cls, vlist):
        records = super().create(vlist)
        cls.update_current({r.invoice for r in records})
        return records

    @classmethod
    def write(cls, *args):
        super().write(*args)
        records = sum(args[::2], [])
        cls.update_current({r.invoice for r in records})

    @classmethod
    def delete(cls, records):
        invoices = {r.invoice for r in records}
        super().delete(records)
        cls.update_current(invoices)

    @classmethod
    def update_current(cls, invoices):
        "Store on the invoices their current status"
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoices = Invoice.browse(list(invoices))
        by_code = {}
        for invoice in invoices:
            code = rules.current_status(
                (s.code, s.date) for s in invoice.lifecycle_statuses)
            if code != invoice.einvoice_status:
                by_code.setdefault(code, []).append(invoice)
        for code, records in by_code.items():
            Invoice.write(records, {'einvoice_status': code})

    @classmethod
    def import_file(cls, company, data, source='file'):
        """Import the statuses of a CSV or CDAR file (bytes) for the
        customer invoices of the company: all or nothing.

        Return (created, duplicates).  Raise EInvoiceStatusImportError
        naming every rejected line when one is wrong."""
        try:
            if data.lstrip()[:1] == b'<':
                rows, errors = rules.parse_cdar(data)
            else:
                rows, errors = rules.parse_status_csv(data)
        except ImportFileError as exception:
            raise EInvoiceStatusImportError(gettext(
                    'ar_followup.msg_lifecycle_import_file',
                    error=gettext(
                        'ar_followup.msg_lifecycle_import_' + exception.code,
                        **_text_values(exception.values))))
        return cls.import_rows(company, rows, errors, source)

    @classmethod
    def import_rows(cls, company, rows, errors=(), source='platform'):
        """Import parsed rows (:class:`rules.lifecycle.StatusRow`); the
        entry point of the platform connectors.  Idempotent: a status
        already known for the invoice and date is skipped."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        # two imports of the same company run one after the other, the
        # second one seeing the statuses of the first
        serialise(f'{cls.__name__},{int(company)}')
        errors = list(errors)
        numbers = {r.invoice for r in rows}
        invoices = {i.number: i for i in Invoice.search([
                    ('company', '=', int(company)),
                    ('type', '=', 'out'),
                    ('number', 'in', list(numbers)),
                    ])} if numbers else {}
        for row in rows:
            if row.invoice not in invoices:
                errors.append((row.line, 'unknown_invoice',
                        {'invoice': row.invoice}))
        if errors:
            errors.sort(key=lambda e: e[0])
            lines = [gettext('ar_followup.msg_lifecycle_import_line',
                    line=line,
                    error=gettext(
                        'ar_followup.msg_lifecycle_import_' + code,
                        **_text_values(args)))
                for line, code, args in errors[:MAX_REPORTED_ERRORS]]
            raise EInvoiceStatusImportError(gettext(
                    'ar_followup.msg_lifecycle_import_lines',
                    count=len(errors), lines='\n'.join(lines)))
        known = {(s.invoice.id, s.code, s.date) for s in cls.search([
                    ('invoice', 'in', [i.id for i in invoices.values()]),
                    ])}
        to_create = []
        for row in rows:
            invoice = invoices[row.invoice]
            key = (invoice.id, row.code, row.date)
            if key in known:
                continue
            known.add(key)
            to_create.append({
                    'invoice': invoice.id,
                    'code': row.code,
                    'date': row.date,
                    'reason_code': row.reason_code or None,
                    'reason': row.reason or None,
                    'amount': row.amount,
                    'vat_rate': row.vat_rate,
                    'approved_amount': row.approved_amount,
                    'source': source,
                    })
        cls.create(to_create)
        return len(to_create), len(rows) - len(to_create)


def _text_values(values):
    return {k: ', '.join(v) if isinstance(v, tuple) else v
        for k, v in values.items()}


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    lifecycle_statuses = fields.One2Many(
        'account.invoice.lifecycle_status', 'invoice', "Lifecycle Statuses",
        readonly=True,
        states={
            'invisible': Eval('type') != 'out',
            },
        help="The lifecycle statuses received from the platforms.")
    einvoice_credit_note_needed = fields.Function(fields.Boolean(
            "Credit Note Needed",
            states={'invisible': ~Eval('einvoice_credit_note_needed')},
            help="The customer refused or the platform rejected the "
            "invoice: the follow-up stops and a credit note is due (until "
            "the invoice is settled by it)."),
        'get_einvoice_flag', searcher='search_einvoice_flag')
    einvoice_payment_expected = fields.Function(fields.Boolean(
            "Payment Expected",
            states={'invisible': ~Eval('einvoice_payment_expected')},
            help="The customer reported the payment as sent."),
        'get_einvoice_flag', searcher='search_einvoice_flag')
    einvoice_disputed = fields.Function(fields.Boolean(
            "Disputed",
            states={'invisible': ~Eval('einvoice_disputed')},
            help="The customer disputes the invoice (207) or approved only "
            "a part of it (206): a dispute can be opened from it."),
        'get_einvoice_flag', searcher='search_einvoice_flag')

    _einvoice_flags = {
        'einvoice_credit_note_needed': rules.CREDIT_NOTE,
        'einvoice_payment_expected': rules.PAYMENT_SENT,
        'einvoice_disputed': rules.DISPUTED_PART | {'207'},
        }

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._followup_pauses.append('einvoice_paused_query')

    @classmethod
    def einvoice_paused_query(cls):
        "The invoices whose lifecycle status pauses or ends the follow-up"
        invoice = cls.__table__()
        return invoice.select(invoice.id,
            where=(invoice.einvoice_status != Null)
            & invoice.einvoice_status.in_(sorted(rules.PAUSING)))

    @classmethod
    def view_attributes(cls):
        status = Eval('einvoice_status')
        return super().view_attributes() + [
            ('/tree/field[@name="einvoice_status"]', 'visual',
                If(In(status, sorted(rules.CREDIT_NOTE)), 'danger',
                    If(In(status, sorted(rules.PAUSING - rules.CLOSING)),
                        'warning',
                        If(In(status, sorted(rules.CLOSING)),
                            'success', '')))),
            ]

    # a refused or rejected invoice needs its credit note while it is open
    _einvoice_flag_states = {
        'einvoice_credit_note_needed': ['posted'],
        }

    def get_einvoice_flag(self, name):
        states = self._einvoice_flag_states.get(name)
        return (self.einvoice_status in self._einvoice_flags[name]
            and (states is None or self.state in states))

    @classmethod
    def search_einvoice_flag(cls, name, clause):
        _, operator, value = clause[:3]
        codes = sorted(cls._einvoice_flags[name])
        states = cls._einvoice_flag_states.get(name)
        if (operator == '=') == bool(value):
            domain = [('einvoice_status', 'in', codes)]
            if states is not None:
                domain.append(('state', 'in', states))
            return domain
        domain = ['OR',
            ('einvoice_status', '=', None),
            ('einvoice_status', 'not in', codes),
            ]
        if states is not None:
            domain.append(('state', 'not in', states))
        return domain

    @classmethod
    def copy(cls, invoices, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lifecycle_statuses', None)
        return super().copy(invoices, default=default)


class ImportStatusStart(ModelView):
    "Import Lifecycle Statuses"
    __name__ = 'account.invoice.lifecycle_status.import.start'

    file = fields.Binary(
        "File", required=True, filename='filename',
        help="A CDAR D22B status message (XML) or a CSV with the columns "
        "invoice, code, date and optionally reason_code, reason, amount "
        "(collected for 212, disputed for 206 and 207), vat_rate.")
    filename = fields.Char("File Name")


class ImportStatusDone(ModelView):
    "Import Lifecycle Statuses"
    __name__ = 'account.invoice.lifecycle_status.import.done'

    created = fields.Integer("Statuses Created", readonly=True)
    duplicates = fields.Integer(
        "Already Known", readonly=True,
        help="The statuses of the file already recorded, left as they "
        "were.")


class ImportStatus(Wizard):
    "Import Lifecycle Statuses"
    __name__ = 'account.invoice.lifecycle_status.import'

    start = StateView('account.invoice.lifecycle_status.import.start',
        'ar_followup.lifecycle_status_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView('account.invoice.lifecycle_status.import.done',
        'ar_followup.lifecycle_status_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        pool = Pool()
        Status = pool.get('account.invoice.lifecycle_status')
        company = Transaction().context.get('company')
        self.done.created, self.done.duplicates = Status.import_file(
            company, bytes(self.start.file))
        return 'done'

    def default_done(self, fields):
        return {
            'created': self.done.created,
            'duplicates': self.done.duplicates,
            }
