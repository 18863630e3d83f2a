# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Collector portfolios.

Each customer may be assigned to a collector (a user).  The record rules
of ``views/portfolio.xml`` limit a collector to the dunnings, follow-up
actions and late-payment penalties of the customers of his portfolio; the
credit managers and the account administrators see everything, a
salesperson reads those of his customers (``models/salesperson.py``) and
writes nothing.  The rules compare with the
``user_id`` that this module adds to the evaluation context of the rules.
"""
from sql import Null

from trytond import backend
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_cache_key(cls, model_names):
        # The portfolio rules depend on the user, not only on his groups
        return (*super()._get_cache_key(model_names), Transaction().user)

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        context['user_id'] = Transaction().user
        return context


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    followup_collector = fields.Many2One(
        'res.user', "Collector", ondelete='RESTRICT',
        help="The user who follows up the receivables of the customer: a "
        "collector sees only the follow-up of his customers.")

    @classmethod
    def get_followup(cls, parties, names):
        "Hide the follow-up of the customers the user may not read"
        result = super().get_followup(parties, names)
        hidden = cls._followup_hidden([p.id for p in parties])
        for name, values in result.items():
            if name == 'followup_currency':
                continue
            for party_id in hidden:
                values[party_id] = None
        return result

    @classmethod
    def _followup_hidden(cls, party_ids):
        """Return the ids of the parties whose dunnings the record rules of
        the user hide"""
        pool = Pool()
        Rule = pool.get('ir.rule')
        Dunning = pool.get('account.dunning')
        MoveLine = pool.get('account.move.line')
        transaction = Transaction()
        # The getters run without access check: apply the rules of any
        # user but root
        if transaction.user == 0 or not party_ids:
            return set()
        with transaction.set_context(_check_access=True):
            domain = Rule.domain_get('account.dunning', mode='read')
        if not domain:
            return set()
        line = MoveLine.__table__()
        dunning = Dunning.__table__()
        with transaction.set_user(0):
            readable = Dunning.search(domain, order=[], query=True)
        cursor = transaction.connection.cursor()
        visible = set()
        for sub_ids in grouped_slice(party_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*dunning.join(line,
                    condition=dunning.line == line.id
                    ).select(line.party,
                    where=dunning.id.in_(readable)
                    & (line.party != Null)
                    & fields.SQL_OPERATORS['in'](line.party, list(sub_ids)),
                    group_by=[line.party]))
            visible.update(p for p, in cursor)
        return set(party_ids) - visible


class PortfolioMixin:
    """The collector of the customer of a record, for the record rules.

    The rules compare this non-dotted field: Tryton's export evaluates the
    rules in Python and deems true any dotted path."""
    __slots__ = ()
    _portfolio_party_path = None

    followup_collector = fields.Function(fields.Many2One(
            'res.user', "Collector",
            help="The collector of the customer."),
        'get_followup_collector', searcher='search_followup_collector')

    def _portfolio_party(self):
        "Return the customer of the record"
        record = self
        for step in self._portfolio_party_path.split('.'):
            record = getattr(record, step, None)
            if record is None:
                return None
        return record

    def get_followup_collector(self, name):
        party = self._portfolio_party()
        return party.followup_collector if party else None

    @classmethod
    def search_followup_collector(cls, name, clause):
        return [(cls._portfolio_party_path + '.followup_collector',)
            + tuple(clause[1:])]


class Dunning(PortfolioMixin, metaclass=PoolMeta):
    __name__ = 'account.dunning'
    _portfolio_party_path = 'line.party'


class Action(PortfolioMixin, metaclass=PoolMeta):
    __name__ = 'account.dunning.action'
    _portfolio_party_path = 'party'


class InvoicePenalty(PortfolioMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.penalty'
    _portfolio_party_path = 'invoice.party'


class Promise(PortfolioMixin, metaclass=PoolMeta):
    __name__ = 'account.dunning.promise'
    _portfolio_party_path = 'party'


class Dispute(PortfolioMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.dispute'
    _portfolio_party_path = 'invoice.party'
