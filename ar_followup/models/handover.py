# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Handover of a customer's receivables to a collection agency or to the
credit insurer.

At a level with *Handover*, processing the action records a handover with
the file of the invoices still due (from the statement re-checked just
before), attaches its export (CSV, one line per invoice, with the
customer's identity) and pauses the follow-up of these invoices while the
handover is open.  Closing the handover (recovered, returned) resumes it."""
import csv
import io

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from ..rules.importers import csv_safe

KINDS = [
    ('agency', "Collection Agency"),
    ('insurer', "Credit Insurer"),
    ]


class Level(metaclass=PoolMeta):
    __name__ = 'account.dunning.level'

    handover_kind = fields.Selection(
        KINDS, "Hand Over To",
        states={
            'invisible': ~Eval('handover', False),
            'required': Eval('handover', False),
            })
    handover_party = fields.Many2One(
        'party.party', "Collection Agency or Insurer",
        states={
            'invisible': ~Eval('handover', False),
            },
        help="The party the receivables are handed over to.")

    @classmethod
    def default_handover_kind(cls):
        return 'agency'


class Handover(Workflow, ModelSQL, ModelView):
    __name__ = 'account.dunning.handover'
    __string__ = "Handover"

    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    action = fields.Many2One(
        'account.dunning.action', "Action", readonly=True,
        ondelete='SET NULL')
    kind = fields.Selection(KINDS, "Handed Over To", required=True,
        readonly=True)
    agency = fields.Many2One(
        'party.party', "Collection Agency or Insurer", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    date = fields.Date("Date", required=True, readonly=True)
    lines = fields.One2Many(
        'account.dunning.handover.line', 'handover', "Invoices",
        readonly=True)
    closed_on = fields.Date(
        "Closed On", readonly=True,
        states={
            'invisible': Eval('state') != 'closed',
            })
    state = fields.Selection([
            ('open', "Handed Over"),
            ('closed', "Closed"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        cls._transitions |= {
            ('open', 'closed'),
            }
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    def get_rec_name(self, name):
        return '%s @ %s' % (self.party.rec_name, self.date)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, handovers):
        "Close the handover: the follow-up of its invoices resumes"
        Date = Pool().get('ir.date')
        cls.write(handovers, {'closed_on': Date.today()})

    def export(self):
        "Return the file of the invoices as CSV text"
        siren = getattr(self.party, 'siren', None)
        output = io.StringIO()
        writer = csv.writer(output, delimiter=';')
        writer.writerow(
            gettext('ar_followup.msg_handover_export_header').split(';'))
        for line in self.lines:
            invoice = line.invoice
            writer.writerow([csv_safe(v) for v in [
                        self.party.rec_name,
                        siren.code if siren else '',
                        invoice.number,
                        invoice.invoice_date.isoformat(),
                        line.maturity_date.isoformat(),
                        line.currency.code,
                        str(invoice.total_amount),
                        str(line.amount),
                        ]])
        return output.getvalue()

    @classmethod
    def create_from_actions(cls, actions):
        """Record the handover of each action with the invoices still due
        and attach its export"""
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        handovers = []
        for action in actions:
            if action.handovers:
                continue
            lines = []
            for currency, rows, _, _ in action.statement():
                for invoice, amount, _, due in rows:
                    lines.append({
                            'invoice': invoice.id,
                            'currency': currency.id,
                            'amount': amount,
                            'maturity_date': due,
                            })
            handovers.append({
                    'company': action.company.id,
                    'party': action.party.id,
                    'action': action.id,
                    'kind': action.level.handover_kind or 'agency',
                    'agency': (action.level.handover_party.id
                        if action.level.handover_party else None),
                    'date': action.planned_date or action.date,
                    'lines': [('create', lines)],
                    })
        handovers = cls.create(handovers)
        attachments = []
        for handover in handovers:
            language = (handover.party.lang.code
                if handover.party.lang else None)
            with Transaction().set_context(language=language):
                name = gettext('ar_followup.msg_handover_export_name',
                    party=handover.party.rec_name,
                    date=handover.date.isoformat())
                content = handover.export()
            attachments.append(Attachment(
                    resource=handover, name=name + '.csv', type='data',
                    data=content.encode('utf-8')))
        Attachment.save(attachments)
        return handovers


class HandoverLine(ModelSQL, ModelView):
    __name__ = 'account.dunning.handover.line'
    __string__ = "Handover Invoice"

    handover = fields.Many2One(
        'account.dunning.handover', "Handover", required=True,
        ondelete='CASCADE', readonly=True)
    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, readonly=True)
    currency = fields.Many2One(
        'currency.currency', "Currency", required=True, readonly=True)
    amount = Monetary(
        "Amount Due", currency='currency', digits='currency',
        readonly=True, help="What remained due when handed over.")
    maturity_date = fields.Date("Due Date", readonly=True)


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    handovers = fields.One2Many(
        'account.dunning.handover', 'action', "Handovers", readonly=True)

    @classmethod
    def _process_handover(cls, actions):
        Pool().get('account.dunning.handover').create_from_actions(actions)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    followup_handover = fields.Function(fields.Many2One(
            'account.dunning.handover', "Handed Over",
            help="The open handover of the customer's receivables to a "
            "collection agency or to the credit insurer."),
        'get_followup_handover')

    @classmethod
    def get_followup_handover(cls, parties, name):
        Handover = Pool().get('account.dunning.handover')
        result = {p.id: None for p in parties}
        for handover in Handover.search([
                    ('party', 'in', [p.id for p in parties]),
                    ('state', '=', 'open'),
                    ], order=[('date', 'ASC')]):
            result[handover.party.id] = handover.id
        return result


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._followup_pauses.append('_followup_paused_by_handover')

    @classmethod
    def _followup_paused_by_handover(cls):
        "Return a query of the ids of the invoices in an open handover"
        pool = Pool()
        Handover = pool.get('account.dunning.handover')
        Line = pool.get('account.dunning.handover.line')
        handover = Handover.__table__()
        line = Line.__table__()
        return line.join(handover, condition=line.handover == handover.id
            ).select(line.invoice, where=handover.state == 'open')
