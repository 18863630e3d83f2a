# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('account.dunning.run|run_daily', "Run Daily Follow-up"))
        cls.method.selection.append(
            ('account.einvoice.platform|receive_all_statuses',
                "Receive E-invoicing Statuses"))
