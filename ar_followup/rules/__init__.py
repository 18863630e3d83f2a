# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Pure business rules of the receivables follow-up.

Nothing in this package touches the database or imports Tryton: the models
fetch data set-wise, call these functions and write the results back.
"""
