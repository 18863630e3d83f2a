# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.

# the routes of the customer portal
from . import routes  # noqa: E402,F401
