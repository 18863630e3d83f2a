# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
from decimal import Decimal

from sql import Null
from sql.aggregate import Min, Sum

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from ..exceptions import LevelValidationError
from .party import id_chunks, id_condition


class Level(metaclass=PoolMeta):
    __name__ = 'account.dunning.level'

    name = fields.Char(
        "Name", translate=True,
        help="The name of the level as shown to collectors.")
    offset_days = fields.Integer(
        "Offset (days)", required=True,
        help="The number of days after the due date from which the level "
        "applies (negative: before the due date).")
    blocks_credit = fields.Boolean(
        "Credit Hold",
        help="Check to block new invoices of customers at this level.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.overdue.readonly = True
        cls.overdue.help = "Computed from the offset in days."

    @classmethod
    def default_offset_days(cls):
        return 0

    @classmethod
    def default_blocks_credit(cls):
        return False

    @fields.depends('offset_days')
    def on_change_with_overdue(self):
        if self.offset_days is not None:
            return datetime.timedelta(days=self.offset_days)

    def get_rec_name(self, name):
        if self.name:
            return self.name
        return super().get_rec_name(name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('name',) + tuple(clause[1:])]

    @classmethod
    def _sync_overdue(cls, values):
        values = values.copy()
        if values.get('offset_days') is not None:
            values['overdue'] = datetime.timedelta(days=values['offset_days'])
        return values

    @classmethod
    def create(cls, vlist):
        return super().create([cls._sync_overdue(v) for v in vlist])

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        for levels, values in zip(actions, actions):
            args.extend((levels, cls._sync_overdue(values)))
        super().write(*args)

    def test(self, line, date):
        return (date - line.maturity_date).days >= self.offset_days

    @classmethod
    def validate_fields(cls, levels, field_names):
        super().validate_fields(levels, field_names)
        if field_names & {'offset_days', 'procedure'}:
            cls.check_offset_unique(levels)

    @classmethod
    def check_offset_unique(cls, levels):
        "The offset orders the levels: two levels may not share it"
        for level in levels:
            others = [l for l in level.procedure.levels
                if l != level and l.offset_days == level.offset_days]
            if others:
                raise LevelValidationError(gettext(
                        'ar_followup.msg_level_offset_unique',
                        level=level.rec_name, other=others[0].rec_name,
                        procedure=level.procedure.rec_name,
                        offset=level.offset_days))


class Procedure(metaclass=PoolMeta):
    __name__ = 'account.dunning.procedure'

    def ordered_levels(self):
        "Return the levels from the mildest to the firmest"
        return sorted(self.levels, key=lambda l: (l.offset_days, l.id))



class Dunning(metaclass=PoolMeta):
    __name__ = 'account.dunning'

    @classmethod
    def _active_query(cls, company_id):
        "Return the tables and the condition of the open dunnings"
        pool = Pool()
        MoveLine = pool.get('account.move.line')
        dunning = cls.__table__()
        line = MoveLine.__table__()
        from_ = dunning.join(line, condition=dunning.line == line.id)
        where = ((dunning.company == company_id)
            & (line.reconciliation == Null))
        return dunning, line, from_, where

    @classmethod
    def highest_levels(cls, company_id, key, ids):
        """Return per record the firmest level of its open dunnings and the
        oldest maturity date of the dunned lines.

        key is 'party' or 'invoice'; the result is a dictionary
        {id: (level_id, maturity_date, amount)} computed by one query per
        chunk of ids (ids None: every record, by one query)."""
        pool = Pool()
        Level = pool.get('account.dunning.level')
        Invoice = pool.get('account.invoice')
        cursor = Transaction().connection.cursor()
        dunning, line, from_, where = cls._active_query(company_id)
        if key == 'invoice':
            invoice = Invoice.__table__()
            from_ = from_.join(invoice, condition=(
                    (invoice.move == line.move)
                    & (invoice.account == line.account)))
            column = invoice.id
        else:
            column = line.party
        offsets = {l.id: l.offset_days for l in Level.search([])}
        result = {}
        for sub_ids in id_chunks(ids):
            cursor.execute(*from_.select(
                    column, dunning.level,
                    Min(line.maturity_date), Sum(line.debit - line.credit),
                    where=where & (column != Null)
                    & id_condition(column, sub_ids),
                    group_by=[column, dunning.level]))
            for record_id, level_id, maturity_date, amount in cursor:
                if not isinstance(amount, Decimal):
                    amount = Decimal(str(amount))
                if isinstance(maturity_date, str):
                    maturity_date = datetime.date.fromisoformat(
                        maturity_date)
                if record_id in result:
                    old_level, old_date, old_amount = result[record_id]
                    if offsets[old_level] > offsets[level_id]:
                        level_id = old_level
                    maturity_date = min(old_date, maturity_date)
                    amount += old_amount
                result[record_id] = (level_id, maturity_date, amount)
        return result
