# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The salesperson of a customer.

The party's *Salesperson* (a user) is notified through Tryton's
notifications when an action of a level with *Alert Salesperson* is
processed, and reads (only reads) the follow-up of his customers: the record
rules of ``views/portfolio.xml`` compare this field with the user."""
import json

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    followup_salesperson = fields.Many2One(
        'res.user', "Salesperson", ondelete='RESTRICT',
        help="The user who sells to the customer: he is alerted by the "
        "levels with Alert Salesperson and reads the customer's "
        "follow-up.")


class SalespersonMixin:
    """The salesperson of the customer of a record, for the record rules
    (on the models of PortfolioMixin, whose path to the party it follows)"""
    __slots__ = ()

    followup_salesperson = fields.Function(fields.Many2One(
            'res.user', "Salesperson",
            help="The salesperson of the customer."),
        'get_followup_salesperson', searcher='search_followup_salesperson')

    def get_followup_salesperson(self, name):
        party = self._portfolio_party()
        return party.followup_salesperson if party else None

    @classmethod
    def search_followup_salesperson(cls, name, clause):
        return [(cls._portfolio_party_path + '.followup_salesperson',)
            + tuple(clause[1:])]


class Dunning(SalespersonMixin, metaclass=PoolMeta):
    __name__ = 'account.dunning'


class Action(SalespersonMixin, metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    @classmethod
    def _process_alert_salesperson(cls, actions):
        "Notify the salesperson of each customer"
        pool = Pool()
        Notification = pool.get('res.notification')
        Lang = pool.get('ir.lang')
        notifications = []
        for action in actions:
            user = action.party.followup_salesperson
            if not user:
                continue
            lang = Lang.get(user.language.code if user.language else None)
            with Transaction().set_context(language=lang.code):
                notifications.append(Notification(
                        user=user,
                        label=gettext('ar_followup.msg_salesperson_alert',
                            party=action.party.rec_name,
                            level=action.level.rec_name),
                        description=gettext(
                            'ar_followup.msg_salesperson_alert_description',
                            amount=lang.currency(
                                action.amount, action.currency),
                            days=action.days_overdue or 0),
                        icon='tryton-notification',
                        model=cls.__name__,
                        records=json.dumps([action.id])))
        Notification.save(notifications)


class InvoicePenalty(SalespersonMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.penalty'


class Promise(SalespersonMixin, metaclass=PoolMeta):
    __name__ = 'account.dunning.promise'


class Dispute(SalespersonMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.dispute'
