# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Lifecycle statuses of the French e-invoicing reform (no database).

The codes 200 to 213 (DGFiP external specifications v3.2, table 8) are
read from ``data/einvoice_lifecycle_status_fr.csv`` shipped with the
module.  What they mean for the follow-up:

* 207 *En litige* and 208 *Suspendue* pause the reminders;
* 210 *Refusée* and 213 *Rejetée* stop them and call for a credit note;
* 211 *Paiement transmis* announces a payment;
* 212 *Encaissée* closes the follow-up;
* 206 *Approuvée partiellement* leaves a disputed part.

A status may carry amounts (CDAR ``SpecifiedDocumentCharacteristic``):
the amount collected per VAT rate for 212 (``MEN``, one per rate) and
the part not approved including VAT for 206 and 207 (``MNATTC``, or the
approved part ``MAPTTC`` from which the model deduces it).
:func:`dispute_reason` maps the reason codes to the reasons of a
dispute.

The *current* status of an invoice is the latest one by date (the
highest code on the same date): statuses may arrive out of order.

Two readers return ``(rows, errors)`` like :mod:`.importers`, rows being
:class:`StatusRow` and errors ``(line_number, code, args)``:

* :func:`parse_status_csv`: columns ``invoice`` (number), ``code``,
  ``date`` (YYYY-MM-DD), optional ``reason_code``, ``reason``,
  ``amount``, ``vat_rate``; delimiter ``;`` or ``,``;
* :func:`parse_cdar`: CDAR D22B (CrossDomainAcknowledgementAndResponse)
  messages, one row per ``ReferenceReferencedDocument``; the line number
  is the line of that element.  The XML parser resolves no entity,
  loads no DTD, never uses the network and refuses huge trees; a
  document type declaration rejects the file.

Both reject the whole file with :class:`.importers.ImportFileError`
(``not_xml`` and ``not_cdar`` for XML).  :func:`build_cdar` writes the
message of one or more statuses (the outgoing 212 and the tests).
"""
import csv
import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from .importers import (
    DEFAULT_MAX_ERRORS, DEFAULT_MAX_SIZE, ImportFileError, _CellError,
    _date, _parse, _text, parse_decimal)

__all__ = [
    'CLOSING', 'CREDIT_NOTE', 'DISPUTED_PART', 'DISPUTE_OPENING',
    'PAUSING', 'PAYMENT_SENT', 'STATUSES', 'Status', 'StatusRow',
    'build_cdar', 'current_status', 'dispute_reason', 'parse_cdar',
    'parse_status_csv', 'safe_parser',
    ]

DATA = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), 'data',
    'einvoice_lifecycle_status_fr.csv')


@dataclass(frozen=True)
class Status:
    code: str
    label_fr: str
    label_en: str
    mandatory: bool
    reason_required: bool


def _load():
    with open(DATA, encoding='utf-8', newline='') as fp:
        return {r['code']: Status(
                code=r['code'], label_fr=r['label_fr'],
                label_en=r['label_en'],
                mandatory=r['mandatory_to_tax_authority'] == 'yes',
                reason_required=r['reason_code_required'] == 'yes')
            for r in csv.DictReader(fp)}


STATUSES = _load()
PAUSING = frozenset({'207', '208', '210', '212', '213'})
CREDIT_NOTE = frozenset({'210', '213'})
PAYMENT_SENT = frozenset({'211'})
CLOSING = frozenset({'212'})
DISPUTED_PART = frozenset({'206'})
DISPUTE_OPENING = frozenset({'207'})
# The reason codes of 207 (BR-FR-CDV-CL-09) as the reasons of a dispute
DISPUTE_REASONS = {
    'PU_ERR': 'price',
    'REM_ERR': 'price',
    'QTE_ERR': 'quantity',
    'QUALITE_ERR': 'quality',
    'LIVR_INCOMP': 'not_received',
    'DOUBLON': 'duplicate',
    'DOUBLE_FACT': 'duplicate',
    }


def dispute_reason(reason_code):
    "Return the reason of the dispute opened by a status of reason code"
    return DISPUTE_REASONS.get((reason_code or '').strip().upper(), 'other')


@dataclass(frozen=True)
class StatusRow:
    "A lifecycle status of an invoice read from a file"
    line: int
    invoice: str
    code: str
    date: dt.date
    reason_code: str = ''
    reason: str = ''
    amount: Decimal = None
    vat_rate: Decimal = None
    approved_amount: Decimal = None


def current_status(statuses):
    """Return the current code among (code, date) pairs: the latest by
    date, the highest code on the same date; None when empty"""
    statuses = list(statuses)
    if not statuses:
        return None
    return max(statuses, key=lambda s: (s[1], int(s[0])))[0]


def _check(row):
    status = STATUSES.get(row['code'])
    if status is None:
        raise _CellError('unknown_status', column='code', value=row['code'])
    if status.reason_required and not row['reason_code']:
        raise _CellError('missing_reason_code', status=row['code'])
    return StatusRow(**row)


def _decimal(cells, index, column):
    value = _text(cells, index, column, required=False)
    if not value.strip():
        return None
    result = parse_decimal(value)
    if result is None:
        raise _CellError('invalid_amount', column=column, value=value)
    return result


CSV_COLUMNS = ('invoice', 'code', 'date')
CSV_OPTIONAL = ('reason_code', 'reason', 'amount', 'vat_rate')


def _csv_row(line, cells, index):
    return _check({
            'line': line,
            'invoice': _text(cells, index, 'invoice').strip(),
            'code': _text(cells, index, 'code').strip(),
            'date': _date(cells, index, 'date'),
            'reason_code': _text(
                cells, index, 'reason_code', required=False).strip(),
            'reason': _text(cells, index, 'reason', required=False),
            'amount': _decimal(cells, index, 'amount'),
            'vat_rate': _decimal(cells, index, 'vat_rate'),
            })


def parse_status_csv(
        data, max_size=DEFAULT_MAX_SIZE, max_errors=DEFAULT_MAX_ERRORS):
    """Parse a CSV of lifecycle statuses (bytes or binary stream).

    Error codes: those of :mod:`.importers` plus unknown_status,
    missing_reason_code, invalid_amount."""
    return _parse(data, None, CSV_COLUMNS, CSV_OPTIONAL, max_size,
        max_errors, _csv_row)


NS = {
    'rsm': 'urn:un:unece:uncefact:data:standard:'
    'CrossDomainAcknowledgementAndResponse:100',
    'ram': 'urn:un:unece:uncefact:data:standard:'
    'ReusableAggregateBusinessInformationEntity:100',
    'udt': 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
    'qdt': 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
    }
GUIDELINE = 'urn.cpro.gouv.fr:1p0:CDV:invoice'


def safe_parser():
    "Return an XML parser that resolves nothing and reads no network"
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False,
        load_dtd=False, dtd_validation=False)


def parse_xml(data, max_size=DEFAULT_MAX_SIZE):
    "Parse XML bytes safely or raise ImportFileError('not_xml')"
    if max_size is not None and len(data) > max_size:
        raise ImportFileError('file_too_large', max_size=max_size)
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exception:
        raise ImportFileError('not_xml', error=str(exception))
    if root.getroottree().docinfo.doctype:
        raise ImportFileError('not_xml', error='DOCTYPE')
    return root


def _datetime(element, path):
    text = element.findtext(path, namespaces=NS)
    if not text:
        return None
    text = text.strip()
    try:
        return dt.datetime.strptime(text[:8], '%Y%m%d').date()
    except ValueError:
        return None


def parse_cdar(data, max_size=DEFAULT_MAX_SIZE,
        max_errors=DEFAULT_MAX_ERRORS):
    """Parse a CDAR D22B status message (bytes).

    Error codes: missing_value, invalid_date, unknown_status,
    missing_reason_code, invalid_amount."""
    root = parse_xml(data, max_size)
    if etree.QName(root).localname != 'CrossDomainAcknowledgementAndResponse':
        raise ImportFileError('not_cdar')
    rows, errors = [], []
    for document in root.iterfind('rsm:AcknowledgementDocument', NS):
        ack_date = _datetime(document, 'ram:IssueDateTime/udt:DateTimeString')
        for ref in document.iterfind('ram:ReferenceReferencedDocument', NS):
            line = ref.sourceline
            try:
                rows.append(_cdar_row(line, ref, ack_date))
            except _CellError as exception:
                errors.append((line, exception.code, exception.args_))
                if max_errors is not None and len(errors) > max_errors:
                    raise ImportFileError(
                        'too_many_errors', max_errors=max_errors)
    if not rows and not errors:
        raise ImportFileError('empty_file')
    return rows, errors


def _cdar_row(line, ref, ack_date):
    invoice = (ref.findtext('ram:IssuerAssignedID', '', NS) or '').strip()
    if not invoice:
        raise _CellError('missing_value', column='IssuerAssignedID')
    code = (ref.findtext('ram:ProcessConditionCode', '', NS) or '').strip()
    if not code:
        raise _CellError('missing_value', column='ProcessConditionCode')
    status = ref.find('ram:SpecifiedDocumentStatus', NS)
    date = ack_date
    reason_code = reason = ''
    amount = vat_rate = approved = None
    if status is not None:
        date = _datetime(
            status, 'ram:ReferenceDateTime/udt:DateTimeString') or date
        reason_code = (status.findtext('ram:ReasonCode', '', NS)
            or '').strip()
        reason = (status.findtext('ram:Reason', '', NS) or '').strip()
        amounts = _characteristics(status)
        if amounts.get('MEN'):
            amount = sum(a for a, _ in amounts['MEN'])
            rates = {r for _, r in amounts['MEN']}
            vat_rate = rates.pop() if len(rates) == 1 else None
        elif amounts.get('MNATTC'):
            amount = sum(a for a, _ in amounts['MNATTC'])
        if amounts.get('MAPTTC'):
            approved = sum(a for a, _ in amounts['MAPTTC'])
    if date is None:
        raise _CellError('invalid_date', column='IssueDateTime', value='')
    return _check({
            'line': line, 'invoice': invoice, 'code': code, 'date': date,
            'reason_code': reason_code, 'reason': reason,
            'amount': amount, 'vat_rate': vat_rate,
            'approved_amount': approved,
            })


# The characteristics read: those carrying a rate must give it
CHARACTERISTICS = {'MEN': True, 'MNATTC': False, 'MAPTTC': False}


def _characteristics(status):
    "Return {type code: [(amount, rate)]} of the status's amounts"
    result = {}
    for characteristic in status.iterfind(
            'ram:SpecifiedDocumentCharacteristic', NS):
        code = (characteristic.findtext('ram:TypeCode', '', NS)
            or '').strip()
        if code not in CHARACTERISTICS:
            continue
        raw_amount = characteristic.findtext('ram:ValueAmount', '', NS)
        raw_rate = characteristic.findtext('ram:ValuePercent', '', NS)
        amount = parse_decimal(raw_amount or '')
        rate = parse_decimal(raw_rate or '')
        if amount is None or (CHARACTERISTICS[code] and rate is None):
            raise _CellError('invalid_amount', column='ValueAmount',
                value=raw_amount or '')
        result.setdefault(code, []).append((amount, rate))
    return result


@dataclass(frozen=True)
class CdarParty:
    """A party of a status message: its identifier (a SIREN, scheme 0002,
    or a platform number, scheme 0238) and role (SE, BY, WK...)"""
    siren: str
    role: str
    name: str = ''
    scheme: str = '0002'


def _sub(parent, tag, text=None, **attrib):
    prefix, name = tag.split(':')
    element = etree.SubElement(parent, f'{{{NS[prefix]}}}{name}', attrib)
    if text is not None:
        element.text = str(text)
    return element


def _party(parent, tag, party, uri=None):
    element = _sub(parent, tag)
    _sub(element, 'ram:GlobalID', party.siren, schemeID=party.scheme)
    if party.name:
        _sub(element, 'ram:Name', party.name)
    _sub(element, 'ram:RoleCode', party.role)
    if uri:
        communication = _sub(element, 'ram:URIUniversalCommunication')
        _sub(communication, 'ram:URIID', uri, schemeID='0225')
    return element


def _date_time(parent, tag, value, prefix='udt'):
    element = _sub(parent, tag)
    if isinstance(value, dt.datetime):
        _sub(element, f'{prefix}:DateTimeString',
            value.strftime('%Y%m%d%H%M%S'), format='204')
    else:
        _sub(element, f'{prefix}:DateTimeString',
            value.strftime('%Y%m%d'), format='102')


def _status_characteristics(status):
    amounts = status.get('amounts')
    if amounts is None and status.get('amount') is not None:
        amounts = [(status['amount'], status['vat_rate'])]
    for amount, rate in amounts or []:
        yield 'MEN', amount, rate
    yield from status.get('characteristics', [])


def build_cdar(message_id, issued, sender, recipient, statuses,
        recipient_uri=None, issuer=None):
    """Return the bytes of a CDAR D22B message of lifecycle statuses.

    ``sender`` (the platform sending it), ``issuer`` (the party whose
    status it is, the sender by default) and ``recipient`` are
    :class:`CdarParty`; ``statuses`` are
    dicts with ``invoice`` (number), ``invoice_date``, ``seller``
    (:class:`CdarParty`), ``code``, ``date`` and optionally
    ``reason_code``, ``reason``, ``amount`` and ``vat_rate`` (both for
    212, the amount collected and its VAT rate), ``amounts`` (for 212,
    the ``(amount, vat_rate)`` collected per rate, one ``MEN`` each) and
    ``characteristics`` (other ``(type code, amount, percent or None)``,
    e.g. ``MNATTC`` for the part of a 206 not approved)."""
    root = etree.Element(
        f'{{{NS["rsm"]}}}CrossDomainAcknowledgementAndResponse', nsmap=NS)
    context = _sub(root, 'rsm:ExchangedDocumentContext')
    for parameter, value in [
            ('BusinessProcessSpecifiedDocumentContextParameter',
                'REGULATED'),
            ('GuidelineSpecifiedDocumentContextParameter', GUIDELINE)]:
        _sub(_sub(context, 'ram:' + parameter), 'ram:ID', value)
    document = _sub(root, 'rsm:ExchangedDocument')
    _sub(document, 'ram:ID', message_id)
    _date_time(document, 'ram:IssueDateTime', issued)
    _party(document, 'ram:SenderTradeParty', sender)
    _party(document, 'ram:IssuerTradeParty', issuer or sender)
    _party(document, 'ram:RecipientTradeParty', recipient,
        uri=recipient_uri or recipient.siren)
    for status in statuses:
        ack = _sub(root, 'rsm:AcknowledgementDocument')
        _sub(ack, 'ram:TypeCode', '23')
        _date_time(ack, 'ram:IssueDateTime', status['date'])
        ref = _sub(ack, 'ram:ReferenceReferencedDocument')
        _sub(ref, 'ram:IssuerAssignedID', status['invoice'])
        _sub(ref, 'ram:TypeCode', status.get('type_code', '380'))
        _date_time(ref, 'ram:FormattedIssueDateTime',
            status['invoice_date'], prefix='qdt')
        _sub(ref, 'ram:ProcessConditionCode', status['code'])
        _party(ref, 'ram:IssuerTradeParty', status['seller'])
        doc_status = _sub(ref, 'ram:SpecifiedDocumentStatus')
        if status.get('reason_code'):
            _sub(doc_status, 'ram:ReasonCode', status['reason_code'])
        if status.get('reason'):
            _sub(doc_status, 'ram:Reason', status['reason'])
        _sub(doc_status, 'ram:SequenceNumeric', 1)
        for type_code, amount, percent in _status_characteristics(status):
            characteristic = _sub(
                doc_status, 'ram:SpecifiedDocumentCharacteristic')
            _sub(characteristic, 'ram:TypeCode', type_code)
            _sub(characteristic, 'ram:ValueAmount', amount)
            if percent is not None:
                _sub(characteristic, 'ram:ValuePercent', percent)
    return etree.tostring(
        root, xml_declaration=True, encoding='UTF-8', pretty_print=True)
