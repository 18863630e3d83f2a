# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Hostile XML: external entities, entity expansion, network DTDs, deep
nesting, huge and malformed files are refused by rules.safe_xml."""
import os
import tempfile
import unittest

from hypothesis import given, settings
from hypothesis import strategies as st

from trytond.modules.ar_followup.rules import importers, safe_xml

CDAR = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<rsm:CrossDomainAcknowledgementAndResponse '
    b'xmlns:rsm="urn:un:unece:uncefact:data:standard:'
    b'CrossDomainAcknowledgementAndResponse:100">'
    b'<rsm:ExchangedDocument><ram:ID xmlns:ram="urn:ram">F2026-001</ram:ID>'
    b'</rsm:ExchangedDocument>'
    b'</rsm:CrossDomainAcknowledgementAndResponse>')

BILLION_LAUGHS = b'''<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>'''


class SafeXMLTestCase(unittest.TestCase):
    "Test the parsing of untrusted XML"

    def assertRefused(self, data, code, **kwargs):
        with self.assertRaises(safe_xml.XMLFileError) as cm:
            safe_xml.parse_xml(data, **kwargs)
        self.assertEqual(cm.exception.code, code)
        return cm.exception

    def test_valid(self):
        root = safe_xml.parse_xml(CDAR)
        self.assertTrue(root.tag.endswith(
                'CrossDomainAcknowledgementAndResponse'))
        self.assertEqual(root.xpath('string(//*[local-name()="ID"])'),
            'F2026-001')

    def test_parser_configuration(self):
        "The parser resolves no entity, uses no network, keeps the limits"
        with tempfile.NamedTemporaryFile(suffix='.txt') as secret:
            secret.write(b'SECRET-PASSWORD')
            secret.flush()
            data = (f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret.name}">'
                ']><r>&x;</r>').encode()
            from lxml import etree
            root = etree.fromstring(data, safe_xml.parser())
            self.assertNotIn(b'SECRET', etree.tostring(root))

    def test_xxe_file(self):
        "An external entity reading a local file is refused"
        self.assertTrue(os.path.exists('/etc/passwd'))
        self.assertRefused(
            b'<?xml version="1.0"?><!DOCTYPE r ['
            b'<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
            'doctype')

    def test_xxe_network(self):
        "An external DTD or entity on the network is refused"
        self.assertRefused(
            b'<?xml version="1.0"?><!DOCTYPE r SYSTEM '
            b'"http://127.0.0.1:9/evil.dtd"><r/>', 'doctype')
        self.assertRefused(
            b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">%p;]>'
            b'<r/>', 'doctype')

    def test_billion_laughs(self):
        "Entity expansion is refused before any expansion"
        self.assertRefused(BILLION_LAUGHS, 'doctype')

    def test_quadratic_blowup(self):
        "One big entity repeated is refused too"
        data = (b'<!DOCTYPE r [<!ENTITY a "' + b'x' * 50000 + b'">]><r>'
            + b'&a;' * 5000 + b'</r>')
        self.assertRefused(data, 'doctype')

    def test_deep_nesting(self):
        "libxml2's depth limit stays on (huge_tree off)"
        depth = 100000
        data = b'<a>' * depth + b'</a>' * depth
        self.assertRefused(data, 'invalid_xml', max_size=None)

    def test_too_large(self):
        error = self.assertRefused(
            CDAR + b' ' * 100, 'file_too_large', max_size=len(CDAR))
        self.assertEqual(error.max_size, len(CDAR))

    def test_empty_and_malformed(self):
        self.assertRefused(b'', 'empty_file')
        self.assertRefused(b'  \n', 'empty_file')
        error = self.assertRefused(b'<a>\n<b></a>', 'invalid_xml')
        self.assertEqual(error.line, 2)
        self.assertRefused(b'\xff\xfe<\x00a\x00', 'invalid_xml')
        self.assertRefused('<a>é</a>'.encode('cp1252'), 'invalid_xml')

    def test_text_refused(self):
        with self.assertRaises(TypeError):
            safe_xml.parse_xml('<a/>')

    @settings(max_examples=500, deadline=None)
    @given(st.binary(max_size=3000))
    def test_fuzz_bytes(self, data):
        "Any bytes give an element or XMLFileError, nothing else"
        try:
            root = safe_xml.parse_xml(data)
        except safe_xml.XMLFileError as error:
            self.assertIn(error.code,
                {'empty_file', 'invalid_xml', 'doctype'})
        else:
            self.assertIsNone(root.getroottree().docinfo.internalDTD)

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=200), st.sampled_from([
                '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/d.dtd">',
                '<!DOCTYPE r [<!ENTITY e "x">]>',
                ]))
    def test_fuzz_doctype(self, text, doctype):
        "Whatever the content, a document with a DTD is refused"
        from xml.sax.saxutils import escape
        data = f'{doctype}<r>{escape(text)}</r>'.encode('utf-8', 'replace')
        try:
            safe_xml.parse_xml(data)
        except safe_xml.XMLFileError as error:
            self.assertIn(error.code, {'doctype', 'invalid_xml'})
        else:
            self.fail("a DTD was accepted")


class FormulaInjectionTestCase(unittest.TestCase):
    "Text written back to a CSV export is never a formula"

    @settings(max_examples=500, deadline=None)
    @given(st.text(max_size=50))
    def test_csv_safe(self, text):
        safe = importers.csv_safe(text)
        self.assertFalse(safe.startswith(('=', '+', '-', '@', '\t', '\r')))
        self.assertTrue(safe == text or safe == "'" + text)

    def test_payloads(self):
        for payload in ['=cmd|\' /C calc\'!A0', '+1+1', '-2+3',
                '@SUM(A1:A9)', '\t=1', '\r=1',
                '=HYPERLINK("http://evil","x")']:
            self.assertEqual(importers.csv_safe(payload), "'" + payload)
