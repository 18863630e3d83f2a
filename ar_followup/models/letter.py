# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed follow-up letters: one per customer action.

A level with *Print on Letter* renders, when its action is processed, one
PDF letter per customer with the statement of what is due (one section per
currency) in the customer's language; a level with *Formal Notice* words it
as a formal notice (mise en demeure) to be sent by registered letter.  The
letter is stored as an attachment of the action, ready to print and kept for
the litigation file."""
from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.company import CompanyReport
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .report import ConvertMixin


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    letters = fields.One2Many(
        'ir.attachment', 'resource', "Letters", readonly=True,
        filter=[('type', '=', 'data')],
        help="The letters printed for the action.")

    @classmethod
    def _process_print_on_letter(cls, actions):
        "Render the letter of each action and attach it to the action"
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Letter = pool.get('account.dunning.action.letter', type='report')
        attachments = []
        for action in actions:
            language = action.party.lang.code if action.party.lang else None
            with Transaction().set_context(language=language):
                ext, content, _, _ = Letter.execute([action.id], {})
            attachments.append(Attachment(
                    resource=action,
                    name='%s.%s' % (gettext(
                            'ar_followup.msg_followup_letter_name',
                            party=action.party.rec_name,
                            date=action.date.isoformat()), ext),
                    type='data',
                    data=content))
        Attachment.save(attachments)


class Letter(ConvertMixin, CompanyReport):
    __name__ = 'account.dunning.action.letter'

    @classmethod
    def execute(cls, ids, data):
        with Transaction().set_context(address_with_party=True):
            return super().execute(ids, data)
