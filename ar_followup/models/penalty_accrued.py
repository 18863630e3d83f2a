# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The late-payment penalties accrued by a set of customer invoices as of a
date, for the documents that show them (reminders, statements).

The amounts are those a claim on that date would ask (see penalty.py): the
late interest of the days not yet claimed or waived and the recovery
indemnity when not yet claimed.  The reminders (grouped email, letter) show
them for the invoices of their statement (Action.penalties).
"""
from collections import namedtuple
from decimal import Decimal

from trytond.model import ModelStorage
from trytond.modules.ar_followup.rules import interest
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC

AccruedPenalty = namedtuple(
    'AccruedPenalty', ['late_interest', 'indemnity', 'missing_rate'])
AccruedPenalty.__doc__ = (
    "The late interest and recovery indemnity accrued by an invoice; "
    "missing_rate is the rules.interest.MissingRateError of a half-year "
    "whose rate is not in the tables (the last rate known was used) or "
    "None.")

ReminderPenalties = namedtuple('ReminderPenalties', [
        'date', 'currency', 'rows', 'late_interest', 'indemnity',
        'missing_rate'])
ReminderPenalties.__doc__ = (
    "The penalties shown on a reminder as of date, in the company "
    "currency: rows are (invoice, late interest, indemnity) of the invoices "
    "of the statement with something accrued; missing_rate is the first "
    "MissingRateError met or None.")


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'accrued_penalties': RPC(readonly=True),
                })

    @classmethod
    def accrued_penalties(cls, invoices, date):
        """Return {invoice id: AccruedPenalty} of ``invoices`` (records or
        ids) as of ``date``

        Every invoice gets an entry: zero amounts for supplier, draft or
        penalty invoices, consumers, and periods already claimed or waived.
        A missing rate does not raise: the last rate known is used and
        ``missing_rate`` is set.
        """
        invoices = cls.browse([
                i.id if isinstance(i, ModelStorage) else i
                for i in invoices])
        result = {}
        for invoice in invoices:
            zero = invoice.company.currency.round(Decimal(0))
            accrued = AccruedPenalty(zero, zero, None)
            if invoice._penalty_applies():
                accrued = invoice._accrued_penalty(date) or accrued
            result[invoice.id] = accrued
        return result

    def _accrued_penalty(self, date):
        "Return the AccruedPenalty as of ``date`` or None when nothing is"
        last, indemnity_claimed = self._penalty_claimed()
        if last and last >= date:
            return None
        missing_rate = None
        try:
            late_interest, indemnity = self._penalties(date, last)
        except interest.MissingRateError as error:
            missing_rate = error
            late_interest, indemnity = self._penalties(
                date, last, strict=False)
        if indemnity_claimed:
            indemnity = self.company.currency.round(Decimal(0))
        return AccruedPenalty(late_interest, indemnity, missing_rate)


class Action(metaclass=PoolMeta):
    __name__ = 'account.dunning.action'

    def penalties(self, date=None):
        """Return the ReminderPenalties accrued as of ``date`` (the date of
        the action by default) by the invoices of the statement, or None
        when nothing has accrued (consumers, invoices not yet late)"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        date = date or self.date
        invoices = [invoice
            for _, rows, _, _ in self.statement()
            for invoice, *_ in rows]
        accrued = Invoice.accrued_penalties(invoices, date)
        currency = self.company.currency
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
            date, currency, rows,
            sum((r[1] for r in rows), Decimal(0)),
            sum((r[2] for r in rows), Decimal(0)),
            missing_rate)
