# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The limitation date (prescription) of the customer invoices.

Each posted customer invoice stores the last day its claim can be acted
upon (rules.limitation): 5 years from the start for a business or a public
body, 2 years for a consumer, the start being the earliest due date (or
the invoice date, as configured).  The interruptions recorded on the
invoice (acknowledgment of the debt, court claim, payment order served,
enforcement, judgment) restart the period; a formal notice is recorded but
does not interrupt.  The daily job flags the open invoices whose
limitation date is within the alert days of the configuration.
"""
import datetime

from sql import Literal, Null
from sql.conditionals import Case

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.ar_followup.rules import limitation
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

LIMITATION_EVENT_KINDS = [
    (limitation.ACKNOWLEDGMENT, "Acknowledgment of the Debt"),
    (limitation.COURT_CLAIM, "Court Claim"),
    (limitation.PAYMENT_ORDER_SERVED, "Payment Order Served"),
    (limitation.ENFORCEMENT, "Enforcement Measure"),
    (limitation.JUDGMENT, "Judgment"),
    (limitation.FORMAL_NOTICE, "Formal Notice (No Interruption)"),
    ]
LIMITATION_STARTS = [
    ('due_date', "Due Date"),
    ('invoice_date', "Invoice Date"),
    ]


class Configuration(metaclass=PoolMeta):
    __name__ = 'account.configuration'

    limitation_start = fields.Selection(
        LIMITATION_STARTS, "Limitation Start",
        help="The date from which the limitation period of a customer "
        "invoice runs: its earliest due date or its date.")
    limitation_alert_days = fields.Integer(
        "Limitation Alert (Days)",
        domain=['OR',
            ('limitation_alert_days', '=', None),
            ('limitation_alert_days', '>=', 0),
            ],
        help="The daily job flags the open customer invoices whose "
        "limitation date is within these days.")

    @classmethod
    def default_limitation_start(cls):
        return 'due_date'

    @classmethod
    def default_limitation_alert_days(cls):
        return 90


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    limitation_date = fields.Date(
        "Limitation Date", readonly=True,
        states={
            'invisible': Eval('type') != 'out',
            },
        help="The last day the claim can be acted upon: 5 years from the "
        "due date for a business (2 years for a consumer), restarted by "
        "each interruption recorded.")
    limitation_alert = fields.Boolean(
        "Limitation Alert", readonly=True,
        states={
            'invisible': Eval('type') != 'out',
            },
        help="Set by the daily job when the invoice is open and its "
        "limitation date is near.")
    limitation_events = fields.One2Many(
        'account.invoice.limitation_event', 'invoice', "Limitation Events",
        states={
            'invisible': Eval('type') != 'out',
            'readonly': ~Eval('state').in_(['posted', 'paid']),
            },
        help="The acts that interrupt the limitation period (a formal "
        "notice is recorded but does not interrupt it).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._check_modify_exclude |= {
            'limitation_date', 'limitation_alert', 'limitation_events'}

    @classmethod
    def default_limitation_alert(cls):
        return False

    @classmethod
    def copy(cls, invoices, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('limitation_date', None)
        default.setdefault('limitation_alert', False)
        default.setdefault('limitation_events', None)
        return super().copy(invoices, default=default)

    @classmethod
    def post(cls, invoices):
        super().post(invoices)
        cls.set_limitation_date(invoices)

    def _limitation_start(self, start_type):
        if start_type == 'invoice_date':
            return self.invoice_date
        dates = [line.maturity_date or line.date
            for line in self.lines_to_pay]
        return min(dates, default=self.invoice_date)

    def compute_limitation_date(self, start_type='due_date'):
        "Return the limitation date of the invoice (rules.limitation)"
        if self.type != 'out' or not self.move:
            return None
        start = self._limitation_start(start_type)
        years = limitation.limitation_years(
            self.party.customer_type != 'consumer')
        return limitation.limitation_date(start, years, [
                (e.date, e.kind) for e in self.limitation_events])

    @classmethod
    def set_limitation_date(cls, invoices):
        "Store the limitation date of the customer ``invoices``"
        pool = Pool()
        Configuration = pool.get('account.configuration')
        start_type = Configuration(1).limitation_start or 'due_date'
        to_write = {}
        for invoice in cls.browse(invoices):
            date = invoice.compute_limitation_date(start_type)
            if date != invoice.limitation_date:
                to_write.setdefault(date, []).append(invoice)
        if to_write:
            cls.write(*[x for date, records in to_write.items()
                    for x in (records, {'limitation_date': date})])

    @classmethod
    def flag_limitation(cls, run):
        """Flag the open customer invoices of the company of ``run`` whose
        limitation date is within the alert days (daily job step)"""
        pool = Pool()
        Configuration = pool.get('account.configuration')
        days = Configuration(1).limitation_alert_days
        if days is None:
            days = Configuration.default_limitation_alert_days()
        limit = run.date + datetime.timedelta(days=days)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        alert = ((table.state == Literal('posted'))
            & (table.limitation_date != Null)
            & (table.limitation_date <= limit))
        cursor.execute(*table.update(
                [table.limitation_alert],
                [Case((alert, Literal(True)), else_=Literal(False))],
                where=(table.company == run.company.id)
                & (table.type == Literal('out'))
                & ((table.limitation_alert == Literal(True)) | alert)))
        cursor.execute(*table.select(table.id,
                where=(table.company == run.company.id)
                & (table.type == Literal('out'))
                & (table.limitation_alert == Literal(True))))
        run.__class__.write([run], {
                'limitation_alerts': len(cursor.fetchall()),
                })


class Run(metaclass=PoolMeta):
    __name__ = 'account.dunning.run'

    limitation_alerts = fields.Integer(
        "Limitation Alerts", readonly=True,
        help="The open customer invoices whose limitation date is within "
        "the alert days of the configuration.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        step = ('account.invoice', 'flag_limitation')
        cls._daily_steps.append(step)
        # after the penalty invoices of the actions processed by the plans
        cls._daily_step_needs[step] = [('account.dunning.action', 'plan_run')]


class LimitationEvent(ModelSQL, ModelView):
    "Invoice Limitation Event"
    __name__ = 'account.invoice.limitation_event'

    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'out')])
    date = fields.Date(
        "Date", required=True,
        help="The date of the act: the acknowledgment, the service of the "
        "claim or order, the end of the proceedings or the judgment.")
    kind = fields.Selection(
        LIMITATION_EVENT_KINDS, "Kind", required=True,
        help="Each kind but the formal notice restarts the limitation "
        "period from its date; a judgment makes it 10 years.")
    interrupts = fields.Function(fields.Boolean(
            "Interrupts",
            help="Whether the act interrupts the limitation period."),
        'on_change_with_interrupts')
    description = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('invoice')
        cls._order.insert(0, ('date', 'ASC'))

    @fields.depends('kind')
    def on_change_with_interrupts(self, name=None):
        return self.kind in limitation.INTERRUPTING_KINDS

    @classmethod
    def on_modification(cls, mode, events, field_names=None):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        super().on_modification(mode, events, field_names=field_names)
        if mode != 'delete':
            Invoice.set_limitation_date({e.invoice for e in events})

    @classmethod
    def on_delete(cls, events):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        callback = super().on_delete(events)
        invoices = {e.invoice for e in events}
        if invoices:
            callback.append(
                lambda: Invoice.set_limitation_date(
                    Invoice.browse([i.id for i in invoices])))
        return callback
