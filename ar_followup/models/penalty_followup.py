# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The late-payment penalties in the follow-up: shown on the reminders and
claimed by a level action.

The grouped email and the letter of an action show the penalties accrued
by the invoices of its statement (Action.penalties).  A level with *Claim
Penalties* creates, when its action is processed (by the daily job or on
the collector's confirmation), the penalty invoice of those invoices with
Invoice.claim_penalties, which never claims a period twice.
"""
import logging
from collections import namedtuple
from decimal import Decimal

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

logger = logging.getLogger(__name__)

ReminderPenalties = namedtuple('ReminderPenalties', [
        'date', 'currency', 'rows', 'late_interest', 'indemnity',
        'missing_rate'])
ReminderPenalties.__doc__ = (
    "The penalties shown on a reminder as of date, in the company "
    "currency: rows are (invoice, late interest, indemnity) of the invoices "
    "of the statement with something accrued; missing_rate is the first "
    "MissingRateError met or None.")


class Level(metaclass=PoolMeta):
    __name__ = 'account.dunning.level'

    claim_penalties = fields.Boolean(
        "Claim Penalties",
        help="Check to create, when the action is processed, the penalty "
        "invoice claiming the late interest and the EUR 40 indemnities of "
        "the invoices followed up (never twice for the same period).")

    @classmethod
    def default_claim_penalties(cls):
        return False


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    penalties_claimed = fields.One2Many(
        'account.invoice.penalty', 'action', "Penalties Claimed",
        readonly=True,
        help="The penalties claimed when the action was processed.")

    def _statement_invoices(self):
        return [invoice
            for _, rows, _, _ in self.statement()
            for invoice, *_ in rows]

    def penalties(self, date=None):
        """Return the ReminderPenalties of the invoices of the statement as
        of ``date`` (the date of the action by default), or None when
        nothing has accrued (consumers, invoices not yet late)

        The penalties the action itself claimed are included: the reminder
        states them whether it is rendered before or after the claim."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        date = date or self.date
        invoices = self._statement_invoices()
        accrued = Invoice.accrued_penalties(invoices, date)
        for penalty in self.penalties_claimed:
            if penalty.invoice.id in accrued and not penalty.waived:
                late_interest, indemnity, missing = accrued[
                    penalty.invoice.id]
                accrued[penalty.invoice.id] = (
                    late_interest + penalty.late_interest,
                    indemnity + penalty.indemnity, missing)
        rows, missing_rate = [], None
        for invoice in invoices:
            late_interest, indemnity, missing = accrued[invoice.id]
            if not late_interest and not indemnity:
                continue
            rows.append((invoice, late_interest, indemnity))
            missing_rate = missing_rate or missing
        if not rows:
            return None
        return ReminderPenalties(
            date, self.company.currency, rows,
            sum((r[1] for r in rows), Decimal(0)),
            sum((r[2] for r in rows), Decimal(0)),
            missing_rate)

    @classmethod
    def _process_claim_penalties(cls, actions):
        """Create the penalty invoice of the invoices of each action up to
        its date

        An invoice whose rate of a half-year is missing from the tables is
        left to a claim by hand, which warns the user."""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Penalty = pool.get('account.invoice.penalty')
        for action in actions:
            invoices = action._statement_invoices()
            accrued = Invoice.accrued_penalties(invoices, action.date)
            missing = [i for i in invoices if accrued[i.id].missing_rate]
            if missing:
                logger.info(
                    "penalties of %s not claimed by action %s: rate missing",
                    ', '.join(i.rec_name for i in missing), action.id)
            # the level's action is the collector's (or the daily job's)
            with without_check_access():
                claims = Invoice.claim_penalties(
                    [i for i in invoices if i not in missing], action.date)
                Penalty.write(
                    [p for c in claims for p in c.penalty_claims],
                    {'action': action.id})


class InvoicePenalty(metaclass=PoolMeta):
    __name__ = 'account.invoice.penalty'

    action = fields.Many2One(
        'account.dunning.action', "Follow-up Action", readonly=True,
        ondelete='SET NULL',
        help="The follow-up action whose level claimed the penalties.")
