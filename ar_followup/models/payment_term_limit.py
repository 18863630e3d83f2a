# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The legal maximum payment term of the customer invoices (L441-10 I).

Posting a customer invoice whose last due date exceeds the maximum of the
method configured (60 days, or 45 days end of month computed either way)
or the sector limit raises a user warning (rules.terms).
"""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.ar_followup.exceptions import PaymentTermLimitWarning
from trytond.modules.ar_followup.rules import terms
from trytond.pool import Pool, PoolMeta

TERM_METHODS = [
    (terms.DAYS_60, "60 Days from the Invoice Date"),
    (terms.DAYS_45_EOM_A, "45 Days then End of Month"),
    (terms.DAYS_45_EOM_B, "End of Month then 45 Days"),
    ]

legal_term_method = fields.Selection(
    TERM_METHODS, "Maximum Payment Term",
    help="How the legal maximum payment term is computed (L441-10 I of "
    "the French commercial code).")
legal_term_sector_days = fields.Integer(
    "Sector Maximum (Days)",
    domain=['OR',
        ('legal_term_sector_days', '=', None),
        ('legal_term_sector_days', '>', 0),
        ],
    help="The maximum payment term of the sector in days from the invoice "
    "date, replacing the general maximum (e.g. 30 for transport).")


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    legal_term_method = fields.MultiValue(legal_term_method)
    legal_term_sector_days = fields.MultiValue(legal_term_sector_days)

    @classmethod
    def multivalue_model(cls, field):
        if field in {'legal_term_method', 'legal_term_sector_days'}:
            return Pool().get('account.configuration.late_penalty')
        return super().multivalue_model(field)

    @classmethod
    def default_legal_term_method(cls, **pattern):
        return terms.DAYS_60


class ConfigurationLatePenalty(metaclass=PoolMeta):
    __name__ = 'account.configuration.late_penalty'

    legal_term_method = legal_term_method
    legal_term_sector_days = legal_term_sector_days

    @classmethod
    def default_legal_term_method(cls):
        return terms.DAYS_60


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def post(cls, invoices):
        cls._check_legal_term(invoices)
        super().post(invoices)

    @classmethod
    def _check_legal_term(cls, invoices):
        pool = Pool()
        Configuration = pool.get('account.configuration')
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        Warning = pool.get('res.user.warning')
        config = Configuration(1)
        lang = Lang.get()
        for invoice in invoices:
            if (invoice.type != 'out' or invoice.state != 'draft'
                    or not invoice.payment_term):
                continue
            pattern = {'company': invoice.company.id}
            invoice_date = invoice.invoice_date or Date.today()
            due_dates = [d for d, _ in invoice.payment_term.compute(
                    invoice.total_amount, invoice.currency,
                    invoice.payment_term_date or invoice_date)]
            if not due_dates:
                continue
            violations = terms.exceeds_legal_term(
                invoice_date, max(due_dates),
                methods=[config.get_multivalue(
                        'legal_term_method', **pattern) or terms.DAYS_60],
                sector_max_days=config.get_multivalue(
                    'legal_term_sector_days', **pattern))
            if not violations:
                continue
            violation = violations[0]
            warning_name = Warning.format('legal_term', [invoice])
            if Warning.check(warning_name):
                raise PaymentTermLimitWarning(warning_name, gettext(
                        'ar_followup.msg_payment_term_exceeds_legal',
                        invoice=invoice.rec_name,
                        due_date=lang.strftime(violation.due_date),
                        max_due_date=lang.strftime(violation.max_due_date),
                        days=violation.excess_days))
