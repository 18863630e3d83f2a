# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Parsing of the XML files received from outside (no database).

Every XML document that comes from a customer, a platform or an insurer is
parsed with :func:`parse_xml` and never with a bare ``lxml.etree``
parser:

* external entities are not resolved and the network is never reached
  (``resolve_entities=False``, ``no_network=True``, ``load_dtd=False``):
  no XXE file disclosure nor server-side request;
* any document type declaration is refused (``doctype``, found in the
  bytes before parsing, or in the parsed document): the business
  messages (UN/CEFACT CDAR, UBL, Factur-X CII) never carry one, and
  without a DTD no entity can be declared, hence no billion-laughs
  expansion;
* libxml2's limits on depth and text size stay on (``huge_tree=False``)
  and the file is refused over ``max_size`` bytes (default 10 MB) before
  parsing.

Errors are :class:`XMLFileError` with the codes ``file_too_large``
(``max_size``), ``empty_file``, ``doctype`` and ``invalid_xml``
(``line``, ``detail``).
"""
from lxml import etree

from . import RuleError

MAX_SIZE = 10 * 1024 * 1024
# A document type declaration in the encodings lxml detects by itself
_DOCTYPE_MARKERS = tuple(
    '<!DOCTYPE'.encode(e) for e in ['utf-8', 'utf-16-le', 'utf-16-be'])


class XMLFileError(RuleError):
    "The XML file is refused as a whole"


def parser():
    "Return a new lxml parser configured for untrusted input"
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False,
        dtd_validation=False, huge_tree=False, remove_pis=True,
        collect_ids=False)


def parse_xml(data, max_size=MAX_SIZE):
    "Return the root element of data (bytes) or raise XMLFileError"
    if not isinstance(data, bytes):
        raise TypeError("data must be bytes")
    if max_size is not None and len(data) > max_size:
        raise XMLFileError('file_too_large', max_size=max_size)
    if not data.strip():
        raise XMLFileError('empty_file')
    if any(marker in data for marker in _DOCTYPE_MARKERS):
        raise XMLFileError('doctype')
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exception:
        raise XMLFileError('invalid_xml',
            line=exception.lineno or 0, detail=exception.msg or '') \
            from exception
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XMLFileError('doctype')
    return root
