# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal, Null

from trytond.pool import Pool, PoolMeta


class MoveLine(metaclass=PoolMeta):
    __name__ = 'account.move.line'

    @classmethod
    def receivable_query(cls, company_id):
        """Return the move line table, the move table, the tables joined and
        the condition of the company's posted receivable lines"""
        pool = Pool()
        Move = pool.get('account.move')
        Account = pool.get('account.account')
        AccountType = pool.get('account.account.type')
        line = cls.__table__()
        move = Move.__table__()
        account = Account.__table__()
        type_ = AccountType.__table__()
        from_ = (line
            .join(move, condition=line.move == move.id)
            .join(account, condition=line.account == account.id)
            .join(type_, condition=account.type == type_.id))
        where = ((move.company == company_id)
            & (move.state == 'posted')
            & (type_.receivable == Literal(True)))
        return line, move, from_, where

    @classmethod
    def open_receivable_query(cls, company_id):
        """Return the move line table, the tables joined and the condition
        of the company's open receivable lines (posted, not reconciled)"""
        line, _, from_, where = cls.receivable_query(company_id)
        return line, from_, where & (line.reconciliation == Null)
