# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Reports converted by LibreOffice get a converted document or an error.

Tryton's `Report.convert` returns the template format (an ODT where a PDF
was asked) when LibreOffice fails, and the retry of Tryton 8.0 calls
LibreOffice with an exhausted argument list (an IndexError) when a first
conversion produced no file, which happens when another LibreOffice
process holds the user profile.  The follow-up prints letters in bulk,
sometimes beside other conversions: each attempt here is one call of
Tryton's conversion, retried with a growing pause, and a conversion that
never succeeds raises a clear error instead of sending a wrong file."""
import time

from trytond.i18n import gettext
from trytond.pool import PoolMeta
from trytond.report.report import FORMAT2EXT

from ..exceptions import ReportConversionError

RETRY_PAUSE = 0.5  # seconds, doubled at each attempt


class ConvertMixin:
    __slots__ = ()

    @classmethod
    def convert(cls, report, data, timeout=5 * 60, retry=5):
        output_format = report.extension or report.template_extension
        expected = {output_format, FORMAT2EXT.get(output_format)}
        for attempt in range(retry + 1):
            if attempt:
                time.sleep(RETRY_PAUSE * 2 ** (attempt - 1))
            oext, content = super().convert(
                report, data, timeout=timeout, retry=0)
            if oext in expected:
                return oext, content
        raise ReportConversionError(gettext(
                'ar_followup.msg_report_conversion_failed',
                report=report.rec_name, format=output_format))


class InvoiceReport(ConvertMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice'
