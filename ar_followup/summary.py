# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The follow-up summary printed by the command line, computed from the
database: customers per level, open amounts by age and the last run."""
from collections import Counter
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from .models.aged_balance import OpenReceivables, default_bounds
from .rules import ageing


def open_amounts_by_bucket(company, date):
    """Return [(label, amount)] of the receivables open as of date by days
    past due, with the buckets of the aged balance"""
    bounds = default_bounds()
    *buckets, disputed, _ = OpenReceivables(company.id, date).totals(bounds)
    labels = ageing.bucket_labels(bounds)
    return list(zip(labels, buckets)) + [("Disputed", disputed)]


def summary(company, date=None):
    pool = Pool()
    Date = pool.get('ir.date')
    Dunning = pool.get('account.dunning')
    Party = pool.get('party.party')
    Run = pool.get('account.dunning.run')
    Action = pool.get('account.dunning.action')
    with Transaction().set_context(company=company.id):
        if date is None:
            date = Date.today()
        parties = Party.search([])
        levels = Dunning.highest_levels(
            company.id, 'party', [p.id for p in parties])
        per_level = Counter(level for level, _, _ in levels.values())
        Level = pool.get('account.dunning.level')
        lines = [f"== {company.rec_name} as of {date} =="]
        lines.append("Customers per follow-up level:")
        for level in sorted(Level.browse(list(per_level)),
                key=lambda l: l.offset_days):
            lines.append(
                f"  {level.rec_name:<28} {per_level[level.id]:>5}")
        lines.append(
            f"  {'(no open dunning)':<28} {len(parties) - len(levels):>5}")
        lines.append("Open receivables by days past due:")
        total = Decimal(0)
        for label, amount in open_amounts_by_bucket(company, date):
            total += amount
            lines.append(f"  {label:<28} {amount:>14,.2f}")
        lines.append(f"  {'Total':<28} {total:>14,.2f}")
        runs = Run.search([('company', '=', company.id)], limit=1)
        if runs:
            run, = runs
            lines.append(
                f"Last run on {run.date}: {run.lines_selected} open lines, "
                f"{run.dunnings_created} dunnings created, "
                f"{run.level_changes} level changes, "
                f"{run.actions_recorded} customers escalated.")
            actions = Action.search([('run', '=', run.id)])
            for level, count in sorted(Counter(
                        a.level for a in actions).items(),
                    key=lambda i: i[0].offset_days):
                lines.append(f"  {level.rec_name:<28} {count:>5} actions")
    return '\n'.join(lines)
