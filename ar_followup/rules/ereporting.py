# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Payment e-reporting of the French e-invoicing reform (no database).

A supplier paying the VAT on receipts for services reports the amounts it
collects on the operations that are not e-invoiced (consumers, foreign
customers): per day and VAT rate.  A payment of an invoice with several
rates is split among them in proportion of the invoice's amount including
VAT per rate (:func:`split_by_rate`); :func:`payment_totals` adds them up
per day and rate and :func:`payments_csv` writes the export."""
import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal('0.01')
CSV_COLUMNS = ('date', 'vat_rate', 'amount', 'currency')


def split_by_rate(amount, totals):
    """Return {rate: share} of the payment amount split in proportion of
    totals ({rate: invoice amount including VAT}); the shares are rounded
    to the cent and add up to amount, the rounding left on the largest
    total"""
    if not totals:
        return {}
    whole = sum(totals.values())
    rates = sorted(totals, key=lambda r: (totals[r], r))
    if not whole:
        return {rates[-1]: amount}
    shares = {}
    for rate in rates[:-1]:
        shares[rate] = (amount * totals[rate] / whole).quantize(
            CENT, rounding=ROUND_HALF_UP)
    shares[rates[-1]] = amount - sum(shares.values())
    return shares


def payment_totals(payments):
    """Return the sorted (date, rate, amount) of the payments added up per
    day and rate; payments are (date, amount, {rate: invoice total})"""
    result = defaultdict(Decimal)
    for date, amount, totals in payments:
        for rate, share in split_by_rate(amount, totals).items():
            result[date, rate] += share
    return [(d, r, a) for (d, r), a in sorted(result.items()) if a]


def payments_csv(totals, currency):
    "Return the CSV (bytes, UTF-8, ';') of the totals in the currency code"
    output = io.StringIO()
    writer = csv.writer(output, delimiter=';', lineterminator='\n')
    writer.writerow(CSV_COLUMNS)
    for date, rate, amount in totals:
        writer.writerow([date.isoformat(), format(rate, 'f'),
                format(amount, 'f'), currency])
    return output.getvalue().encode('utf-8')
