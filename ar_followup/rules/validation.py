# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Validation of e-invoicing XML against the official FNFE-MPE artefacts
(no database).

The rule sets are XSLT 2 stylesheets compiled from the schematrons; they
run with Saxon-HE (``saxonche``).  :func:`failed_assertions` returns the
``(rule id, flag, text)`` of every ``svrl:failed-assert``;
:func:`fatal_assertions` keeps the fatal ones.  :func:`check_xsd`
validates against an XSD with the safe parser of :mod:`.lifecycle`.

The FNFE folder holds ``Factur-X/EN16931/2xslt/FACTUR-X_EN16931.xslt``,
``Factur-X/EN16931/2xslt/BR-FR-Flux2-Schematron-CII.xslt``,
``CDAR/2xslt/BR-FR-CDV-Schematron-CDAR.xslt`` and the XSDs.
"""
import functools
import os

from lxml import etree

from . import facturx
from .lifecycle import safe_parser

SVRL = '{http://purl.oclc.org/dsdl/svrl}'

FACTURX_RULES = facturx.RULES[facturx.EN16931]
CDAR_RULES = (
    os.path.join('CDAR', '2xslt', 'BR-FR-CDV-Schematron-CDAR.xslt'),
    )
CDAR_XSD = os.path.join('CDAR', '1xsd-CDAR_D22B_uncoupled',
    'CrossDomainAcknowledgementAndResponse_100pD22B.xsd')


class RulesNotFound(ValueError):
    "The FNFE folder lacks a rule set (attribute ``path``)"

    def __init__(self, path):
        super().__init__(path)
        self.path = path


def rule_paths(folder, rules):
    "Return the absolute paths of the rules or raise RulesNotFound"
    paths = [os.path.join(folder or '', r) for r in rules]
    for path in paths:
        if not folder or not os.path.isfile(path):
            raise RulesNotFound(path)
    return paths


@functools.lru_cache(maxsize=1)
def _processor():
    from saxonche import PySaxonProcessor
    return PySaxonProcessor(license=False)


@functools.lru_cache(maxsize=16)
def _executable(path, mtime):
    return _processor().new_xslt30_processor().compile_stylesheet(
        stylesheet_file=path)


def failed_assertions(xml, stylesheets):
    "Return the (id, flag, text) of the failed assertions of all the rules"
    processor = _processor()
    node = processor.parse_xml(xml_text=xml.decode('utf-8'))
    result = []
    for path in stylesheets:
        executable = _executable(path, os.path.getmtime(path))
        svrl = executable.transform_to_string(xdm_node=node)
        root = etree.fromstring(svrl.encode('utf-8'), parser=safe_parser())
        for failed in root.iter(SVRL + 'failed-assert'):
            text = ' '.join(''.join(failed.itertext()).split())
            result.append((failed.get('id'), failed.get('flag'), text))
    return result


def fatal_assertions(xml, stylesheets):
    "Return the failed assertions flagged fatal (or without flag)"
    return [a for a in failed_assertions(xml, stylesheets)
        if a[1] in {None, 'fatal', 'error'}]


def check_xsd(xml, xsd_path):
    "Return the list of the XSD errors of the XML (empty when valid)"
    schema = etree.XMLSchema(etree.parse(xsd_path, parser=safe_parser()))
    document = etree.fromstring(xml, parser=safe_parser())
    if schema.validate(document):
        return []
    return [f'{e.line}: {e.message}' for e in schema.error_log]
