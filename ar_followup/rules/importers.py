# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Parsing and validation cores of the CSV importers (no database).

Both parsers take the file as ``bytes`` or as a binary stream, read it
line by line (the file is never held in memory as a whole) and return
``(rows, errors)``:

* ``rows``: the valid lines, as dataclasses carrying their ``line``
  number;
* ``errors``: ``(line_number, code, message_args)`` tuples for the
  rejected lines (``message_args`` is a dict for the translated
  message).  A rejected line never produces a row.

The whole file is rejected with :class:`ImportFileError` when it is over
the size limit (``max_size``, default 50 MB, None for no limit), is not
valid UTF-8, is empty, lacks a required column, has a duplicated column
or has more than ``max_errors`` rejected lines.

Encoding: UTF-8 only, with or without BOM.  Other encodings (cp1252,
latin-1 exports of spreadsheets) are rejected with ``not_utf8`` rather
than guessed: cp1252 decodes almost any bytes and would silently garble
names.  Re-save the file as "CSV UTF-8".

Cells are never evaluated: a cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is kept as raw text.  Use
:func:`csv_safe` on any text written back to a CSV or spreadsheet export
(formula-injection defence).  Text cells are only stripped of the spaces
around them; a cell containing a NUL character is rejected.

Insurer decisions file
----------------------

One line per credit-insurance decision, delimiter ``;`` or ``,`` (the
header decides: ``;`` if it contains one, else ``,``), columns in any
order, header names case-insensitive, other columns ignored:

=================  ========  ============================================
Column             Required  Content
=================  ========  ============================================
siren              yes       SIREN of the customer (9 digits, spaces
                             allowed, checked with python-stdnum)
insurer            yes       insurer name
policy             no        policy number
insured_limit      yes       agreed amount, >= 0 (0 = cover refused or
                             withdrawn); decimal separator ``.`` or ``,``,
                             spaces allowed between thousands, at most
                             15 integer and 6 decimal digits
currency           yes       ISO 4217 code, 3 letters (e.g. EUR)
decision_date      yes       YYYY-MM-DD
expiry_date        no        YYYY-MM-DD, not before decision_date
coverage_percent   yes       share of the loss indemnified, 0 to 100
=================  ========  ============================================

All the columns must be present in the header; "required" is about the
cell values.  Several lines for the same SIREN are all returned (the
caller decides which decision applies).

SIRENE file (INSEE StockUniteLegale)
------------------------------------

Comma-separated, header with (among many ignored columns) ``siren``,
``denominationUniteLegale``, ``categorieJuridiqueUniteLegale``,
``activitePrincipaleUniteLegale``, ``etatAdministratifUniteLegale``
('A' active, 'C' ceased), ``dateCreationUniteLegale`` (YYYY-MM-DD or
empty) and optionally ``nomUniteLegale`` and ``prenom1UniteLegale`` used
as the name of individuals when the denomination is empty.

Only the lines whose SIREN is in ``sirens`` (the company's customers) are
validated and returned; the other lines are skipped after reading their
SIREN, except structural errors (wrong number of cells, unreadable CSV)
which are always reported.  The national stock file is several GB: pass
``max_size=None`` (or a suitable limit) when importing it.
"""
import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum.fr import siren as fr_siren

from . import RuleError
from .identity import IdentifierError, compact_siren

__all__ = [
    'DEFAULT_MAX_ERRORS',
    'DEFAULT_MAX_SIZE',
    'INSURER_COLUMNS',
    'INSURER_REQUIRED',
    'SIRENE_COLUMNS',
    'ImportFileError',
    'InsurerDecision',
    'LegalUnit',
    'csv_safe',
    'parse_date',
    'parse_decimal',
    'parse_insurer_decisions',
    'parse_sirene',
    ]

DEFAULT_MAX_SIZE = 50 * 1024 * 1024
DEFAULT_MAX_ERRORS = 1000

INSURER_COLUMNS = (
    'siren', 'insurer', 'policy', 'insured_limit', 'currency',
    'decision_date', 'expiry_date', 'coverage_percent')
INSURER_REQUIRED = (
    'siren', 'insurer', 'insured_limit', 'currency', 'decision_date',
    'coverage_percent')
SIRENE_COLUMNS = (
    'siren', 'denominationUniteLegale', 'categorieJuridiqueUniteLegale',
    'activitePrincipaleUniteLegale', 'etatAdministratifUniteLegale',
    'dateCreationUniteLegale')
SIRENE_OPTIONAL = ('nomUniteLegale', 'prenom1UniteLegale')

_FORMULA_PREFIXES = ('=', '+', '-', '@', '\t', '\r')
_DECIMAL_RE = re.compile(r'[0-9]{1,15}(?:[.,][0-9]{1,6})?', re.ASCII)
_DATE_RE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}', re.ASCII)
_CURRENCY_RE = re.compile(r'[A-Z]{3}', re.ASCII)
_LEGAL_FORM_RE = re.compile(r'[0-9]{4}', re.ASCII)
# NAF rev. 2 (62.01Z), rev. 1 (74.1A), NAF 1993 (741A) and NAP (7401)
_ACTIVITY_RE = re.compile(r'[0-9]{2}\.?[0-9]{1,2}[0-9A-Z]?', re.ASCII)
_SPACES = str.maketrans('', '', ' \u00a0\u202f')


class ImportFileError(RuleError):
    """The whole file is rejected.

    ``code`` is one of:

    * ``file_too_large`` (attribute ``max_size``),
    * ``not_utf8``,
    * ``empty_file``,
    * ``missing_columns`` (``columns``: tuple of the missing names),
    * ``duplicate_columns`` (``columns``),
    * ``too_many_errors`` (``max_errors``).
    """


class _CellError(Exception):
    def __init__(self, code, **args):
        super().__init__(code)
        self.code = code
        self.args_ = args


@dataclass(frozen=True)
class InsurerDecision:
    "A valid line of the insurer decisions file"
    line: int
    siren: str
    insurer: str
    policy: str
    insured_limit: Decimal
    currency: str
    decision_date: date
    expiry_date: date | None
    coverage_percent: Decimal


@dataclass(frozen=True)
class LegalUnit:
    "A valid line of the SIRENE StockUniteLegale file"
    line: int
    siren: str
    name: str
    legal_form: str  # categorieJuridiqueUniteLegale, 4 digits or ''
    activity: str  # activitePrincipaleUniteLegale (NAF code) or ''
    active: bool  # etatAdministratifUniteLegale == 'A'
    creation_date: date | None


def csv_safe(value):
    """Return value prefixed with a quote (') if it begins with a
    character that spreadsheets evaluate (=, +, -, @, tab, CR), for
    exports.  Non-string values are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def parse_decimal(text):
    """Return the non-negative Decimal of text ('.' or ',' as decimal
    separator, spaces between thousands) or None if invalid."""
    text = text.strip().translate(_SPACES)
    if not _DECIMAL_RE.fullmatch(text):
        return None
    return Decimal(text.replace(',', '.'))


def parse_date(text):
    "Return the date of an ISO YYYY-MM-DD text or None if invalid"
    text = text.strip()
    if not _DATE_RE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


class _LimitedRaw(io.RawIOBase):
    "Raw reader over a binary stream that rejects more than max_size bytes"

    def __init__(self, stream, max_size):
        self._stream = stream
        self._max_size = max_size
        self._count = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        size = len(buffer)
        if self._max_size is not None:
            # read one byte more than allowed to detect the overflow
            size = min(size, self._max_size - self._count + 1)
        data = self._stream.read(max(size, 1))
        n = len(data)
        self._count += n
        if self._max_size is not None and self._count > self._max_size:
            raise ImportFileError('file_too_large', max_size=self._max_size)
        buffer[:n] = data
        return n


def _text_stream(data, max_size):
    if isinstance(data, (bytes, bytearray, memoryview)):
        if max_size is not None and len(data) > max_size:
            raise ImportFileError('file_too_large', max_size=max_size)
        data = io.BytesIO(data)
    raw = _LimitedRaw(data, max_size)
    return io.TextIOWrapper(
        io.BufferedReader(raw), encoding='utf-8-sig', errors='strict',
        newline='')


def _records(text, delimiter):
    """Yield (line_number, cells or None) for each non-empty record after
    the header (line 1); cells is None when the CSV itself is malformed."""
    reader = csv.reader(text, delimiter=delimiter)
    line = 2
    while True:
        start = line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = None
        line = reader.line_num + 2
        if cells == []:
            continue
        yield start, cells


def _header(lines, delimiter=None):
    "Return (delimiter, column names) from the first line"
    try:
        first = next(lines)
    except StopIteration:
        raise ImportFileError('empty_file')
    if not first.strip():
        raise ImportFileError('empty_file')
    if delimiter is None:
        delimiter = ';' if ';' in first else ','
    try:
        names = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        names = []
    return delimiter, [n.strip() for n in names]


def _column_index(names, columns, optional=()):
    lowered = [n.lower() for n in names]
    duplicates = tuple(sorted({n for n in lowered if lowered.count(n) > 1}))
    if duplicates:
        raise ImportFileError('duplicate_columns', columns=duplicates)
    missing = tuple(c for c in columns if c.lower() not in lowered)
    if missing:
        raise ImportFileError('missing_columns', columns=missing)
    return {c: lowered.index(c.lower())
        for c in columns + tuple(optional) if c.lower() in lowered}


def _parse(data, delimiter, columns, optional, max_size, max_errors,
        parse_row):
    rows, errors = [], []

    def error(line, code, args):
        errors.append((line, code, args))
        if max_errors is not None and len(errors) > max_errors:
            raise ImportFileError('too_many_errors', max_errors=max_errors)

    text = _text_stream(data, max_size)
    try:
        delimiter, names = _header(text, delimiter)
        index = _column_index(names, columns, optional)
        for line, cells in _records(text, delimiter):
            if cells is None:
                error(line, 'malformed_line', {})
                continue
            if len(cells) != len(names):
                error(line, 'wrong_column_count', {
                        'expected': len(names), 'found': len(cells)})
                continue
            try:
                row = parse_row(line, cells, index)
            except _CellError as exception:
                error(line, exception.code, exception.args_)
                continue
            if row is not None:
                rows.append(row)
    except UnicodeDecodeError:
        raise ImportFileError('not_utf8')
    finally:
        text.close()
    return rows, errors


def _text(cells, index, column, required=True):
    value = cells[index[column]] if column in index else ''
    if '\x00' in value:
        raise _CellError('invalid_character', column=column)
    value = value.strip(' ')
    if required and not value.strip():
        raise _CellError('missing_value', column=column)
    return value


def _siren(cells, index):
    value = _text(cells, index, 'siren')
    try:
        return compact_siren(value)
    except IdentifierError:
        raise _CellError('invalid_siren', column='siren', value=value)


def _date(cells, index, column, required=True):
    value = _text(cells, index, column, required=required)
    if not value.strip():
        return None
    result = parse_date(value)
    if result is None:
        raise _CellError('invalid_date', column=column, value=value)
    return result


def _insurer_row(line, cells, index):
    siren = _siren(cells, index)
    insurer = _text(cells, index, 'insurer')
    policy = _text(cells, index, 'policy', required=False)
    raw_limit = _text(cells, index, 'insured_limit')
    insured_limit = parse_decimal(raw_limit)
    if insured_limit is None:
        raise _CellError(
            'invalid_amount', column='insured_limit', value=raw_limit)
    currency = _text(cells, index, 'currency').strip()
    if not _CURRENCY_RE.fullmatch(currency):
        raise _CellError(
            'invalid_currency', column='currency', value=currency)
    decision_date = _date(cells, index, 'decision_date')
    expiry_date = _date(cells, index, 'expiry_date', required=False)
    if expiry_date is not None and expiry_date < decision_date:
        raise _CellError('expiry_before_decision',
            decision_date=decision_date, expiry_date=expiry_date)
    raw_coverage = _text(cells, index, 'coverage_percent')
    coverage = parse_decimal(raw_coverage)
    if coverage is None or coverage > 100:
        raise _CellError('invalid_coverage',
            column='coverage_percent', value=raw_coverage)
    return InsurerDecision(
        line=line, siren=siren, insurer=insurer, policy=policy,
        insured_limit=insured_limit, currency=currency,
        decision_date=decision_date, expiry_date=expiry_date,
        coverage_percent=coverage)


def parse_insurer_decisions(
        data, max_size=DEFAULT_MAX_SIZE, max_errors=DEFAULT_MAX_ERRORS):
    """Parse the insurer decisions CSV (bytes or binary stream).

    Return (rows, errors): rows are :class:`InsurerDecision`; error codes
    are malformed_line, wrong_column_count, missing_value,
    invalid_character, invalid_siren, invalid_amount, invalid_currency,
    invalid_date, expiry_before_decision, invalid_coverage.
    Raise :class:`ImportFileError` to reject the whole file.
    """
    return _parse(data, None, INSURER_COLUMNS, (), max_size, max_errors,
        _insurer_row)


def _normalize_sirens(sirens):
    if sirens is None:
        return None
    result = set()
    for value in sirens:
        try:
            result.add(fr_siren.compact(value))
        except (TypeError, AttributeError):
            continue
    return result


def parse_sirene(
        data, sirens, max_size=DEFAULT_MAX_SIZE,
        max_errors=DEFAULT_MAX_ERRORS):
    """Parse the INSEE StockUniteLegale CSV (bytes or binary stream).

    sirens: the SIRENs to return (the company's customers); None returns
        every line (only for small extracts: the rows are kept in memory).

    Return (rows, errors): rows are :class:`LegalUnit`; error codes are
    malformed_line, wrong_column_count, missing_value, invalid_character,
    invalid_siren, invalid_state, invalid_legal_form, invalid_activity,
    invalid_date; the arguments of a line rejected after its SIREN was
    read include it (``siren``).
    Raise :class:`ImportFileError` to reject the whole file.
    """
    wanted = _normalize_sirens(sirens)

    def parse_row(line, cells, index):
        if wanted is not None:
            raw = cells[index['siren']]
            if fr_siren.compact(raw) not in wanted:
                return None
        siren = _siren(cells, index)
        try:
            return legal_unit(line, siren, cells, index)
        except _CellError as error:
            # tells the caller which company the rejected line was about
            error.args_['siren'] = siren
            raise

    def legal_unit(line, siren, cells, index):
        name = _text(cells, index, 'denominationUniteLegale', False)
        if not name:
            name = ' '.join(filter(None, (
                        _text(cells, index, 'prenom1UniteLegale', False),
                        _text(cells, index, 'nomUniteLegale', False))))
        legal_form = _text(
            cells, index, 'categorieJuridiqueUniteLegale', False)
        if legal_form and not _LEGAL_FORM_RE.fullmatch(legal_form):
            raise _CellError('invalid_legal_form',
                column='categorieJuridiqueUniteLegale', value=legal_form)
        activity = _text(
            cells, index, 'activitePrincipaleUniteLegale', False)
        if activity and not _ACTIVITY_RE.fullmatch(activity):
            raise _CellError('invalid_activity',
                column='activitePrincipaleUniteLegale', value=activity)
        state = _text(cells, index, 'etatAdministratifUniteLegale')
        if state not in {'A', 'C'}:
            raise _CellError('invalid_state',
                column='etatAdministratifUniteLegale', value=state)
        creation_date = _date(
            cells, index, 'dateCreationUniteLegale', required=False)
        return LegalUnit(
            line=line, siren=siren, name=name, legal_form=legal_form,
            activity=activity, active=state == 'A',
            creation_date=creation_date)

    return _parse(data, ',', SIRENE_COLUMNS, SIRENE_OPTIONAL, max_size,
        max_errors, parse_row)
