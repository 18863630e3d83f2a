# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The late-payment penalties accrued by a set of customer invoices as of a
date, for the documents that show them (reminders, statements).

The amounts are those a claim on that date would ask (see penalty.py): the
late interest of the days not yet claimed or waived and the recovery
indemnity when not yet claimed.  The reminders (grouped email, letter) show
them for the invoices of their statement (penalty_followup.py).
"""
from collections import namedtuple
from decimal import Decimal

from trytond.model import ModelStorage
from trytond.modules.ar_followup.rules import interest
from trytond.pool import PoolMeta
from trytond.rpc import RPC

AccruedPenalty = namedtuple(
    'AccruedPenalty', ['late_interest', 'indemnity', 'missing_rate'])
AccruedPenalty.__doc__ = (
    "The late interest and recovery indemnity accrued by an invoice; "
    "missing_rate is the rules.interest.MissingRateError of a half-year "
    "whose rate is not in the tables (the last rate known was used) or "
    "None.")


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

