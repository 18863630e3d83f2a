# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The translated message of a file refused by an importer.

The parsers of ``rules/importers.py`` (CSV) and ``rules/safe_xml.py``
(XML) refuse a whole file with a code; an import wizard calls
:func:`raise_import_file_error` before writing anything, so that a refused
file leaves the database unchanged."""
from trytond.i18n import gettext

from ..exceptions import ImportFileUserError
from ..rules.importers import ImportFileError
from ..rules.safe_xml import XMLFileError

CODES = {
    'file_too_large', 'not_utf8', 'empty_file', 'missing_columns',
    'duplicate_columns', 'too_many_errors', 'doctype', 'invalid_xml',
    }


def import_file_message(error, filename=''):
    "Return the translated message of an ImportFileError or XMLFileError"
    assert isinstance(error, (ImportFileError, XMLFileError)), error
    assert error.code in CODES, error.code
    values = {k: (', '.join(v) if isinstance(v, (list, tuple)) else v)
        for k, v in error.values.items()}
    return gettext(
        f'ar_followup.msg_import_{error.code}', filename=filename, **values)


def raise_import_file_error(error, filename=''):
    "Raise the user error of a refused file"
    raise ImportFileUserError(
        import_file_message(error, filename=filename)) from error


def rejected_line_message(line, code, args):
    """Return the translated report line of a line rejected by a parser
    (error code of rules/importers.py) or by the wizard"""
    return gettext('ar_followup.msg_import_line_rejected',
        line=line, error=gettext(
            'ar_followup.msg_import_error_' + code, **args))
