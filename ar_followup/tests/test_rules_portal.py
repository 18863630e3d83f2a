# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the rules of the customer portal: tokens, form tokens, rate
limits, answers and uploads."""
import datetime as dt
import hashlib
import unittest
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from trytond.modules.ar_followup.rules import portal

PROPERTIES = settings(max_examples=200, deadline=None)
TODAY = dt.date(2026, 11, 23)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class TokenTestCase(unittest.TestCase):

    def test_new_token(self):
        tokens = {portal.new_token() for _ in range(100)}
        self.assertEqual(len(tokens), 100)
        for token in tokens:
            self.assertTrue(portal.valid_token(token))

    def test_digest(self):
        self.assertEqual(portal.token_digest('A' * 43),
            hashlib.sha256(b'A' * 43).hexdigest())

    def test_invalid_tokens(self):
        for token in ['', None, 'A' * 42, 'A' * 44, 'A' * 42 + '/',
                'A' * 42 + '=', '../' + 'A' * 40, 'A' * 42 + '\u00e9']:
            self.assertFalse(portal.valid_token(token), token)

    @PROPERTIES
    @given(st.integers(min_value=1, max_value=10 ** 9),
        st.text(alphabet='abcdefghijklmnopqrstuvwxyz-_0123456789',
            min_size=16, max_size=32))
    def test_csrf_round_trip(self, access_id, nonce):
        key = portal.token_digest(portal.new_token())
        token = portal.csrf_token(key, access_id, nonce)
        self.assertTrue(portal.check_csrf(key, access_id, nonce, token))
        # another access, another browser or another link: refused
        self.assertFalse(portal.check_csrf(key, access_id + 1, nonce, token))
        self.assertFalse(
            portal.check_csrf(key, access_id, nonce + 'x', token))
        other_key = portal.token_digest(portal.new_token())
        self.assertFalse(
            portal.check_csrf(other_key, access_id, nonce, token))

    def test_csrf_missing(self):
        key = portal.token_digest('A' * 43)
        token = portal.csrf_token(key, 1, 'n' * 16)
        self.assertFalse(portal.check_csrf(key, 1, '', token))
        self.assertFalse(portal.check_csrf(key, 1, 'n' * 16, ''))
        self.assertFalse(portal.check_csrf(key, 1, 'n' * 16, '\u00e9'))
        self.assertFalse(portal.check_csrf(key, 1, '\u00e9', token))


class SlidingWindowTestCase(unittest.TestCase):

    def test_limit_then_slide(self):
        clock = Clock()
        window = portal.SlidingWindow(3, 60, clock=clock)
        self.assertEqual([window.hit('a') for _ in range(4)],
            [True, True, True, False])
        # another key has its own count
        self.assertTrue(window.hit('b'))
        clock.now += 59
        self.assertFalse(window.hit('a'))
        clock.now += 1
        self.assertTrue(window.hit('a'))

    @PROPERTIES
    @given(st.integers(min_value=1, max_value=20),
        st.lists(st.floats(min_value=0, max_value=5), max_size=60))
    def test_never_over_limit(self, limit, steps):
        "Over any period, no more hits than the limit are accepted"
        clock = Clock()
        window = portal.SlidingWindow(limit, 10, clock=clock)
        accepted = []
        for step in steps:
            clock.now += step
            if window.hit('k'):
                accepted.append(clock.now)
        for time in accepted:
            self.assertLessEqual(
                len([t for t in accepted if time - 10 < t <= time]), limit)


class AnswerTestCase(unittest.TestCase):

    def test_parse_amount(self):
        self.assertEqual(portal.parse_amount('500'), Decimal('500'))
        self.assertEqual(portal.parse_amount('1 234,50'), Decimal('1234.50'))
        self.assertEqual(
            portal.parse_amount('1\u202f234.5'), Decimal('1234.5'))
        for text in ['', None, '0', '-5', '12.345', '1e3', 'NaN', 'abc',
                '1.2.3', '10' * 10]:
            self.assertIsNone(portal.parse_amount(text), text)

    def test_parse_date(self):
        self.assertEqual(portal.parse_date('2026-12-01'),
            dt.date(2026, 12, 1))
        for text in ['', None, '2026-02-30', '01/12/2026', '2026-1-1',
                '2026-12-01T00:00']:
            self.assertIsNone(portal.parse_date(text), text)

    def test_check_promise(self):
        def check(days, amount, owed='500', max_days=30, min_amount='50'):
            return portal.check_promise(TODAY,
                TODAY + dt.timedelta(days=days), Decimal(amount),
                Decimal(owed), max_days=max_days,
                min_amount=Decimal(min_amount) if min_amount else None)
        self.assertIsNone(check(10, '200'))
        self.assertIsNone(check(0, '50'))
        self.assertIsNone(check(30, '500'))
        self.assertEqual(check(-1, '200'), 'date_past')
        self.assertEqual(check(31, '200'), 'date_late')
        self.assertIsNone(check(365, '200', max_days=None))
        self.assertEqual(check(10, '49.99'), 'amount_low')
        # all that is owed, even under the minimum
        self.assertIsNone(check(10, '30', owed='30'))
        self.assertEqual(check(10, '500.01'), 'amount_high')
        self.assertIsNone(check(10, '1', min_amount=None))

    def test_sniff_upload(self):
        self.assertEqual(portal.sniff_upload(b'%PDF-1.7\n...', 100), 'pdf')
        self.assertEqual(
            portal.sniff_upload(b'\x89PNG\r\n\x1a\n....', 100), 'png')
        self.assertEqual(portal.sniff_upload(b'\xff\xd8\xff\xe0..', 100),
            'jpg')
        for content, error in [
                (b'', 'size'),
                (b'%PDF-' + b'0' * 100, 'size'),
                (b'MZ\x90\x00', 'type'),
                (b'<svg onload="alert(1)"/>', 'type'),
                (b'GIF89a', 'type'),
                ]:
            with self.assertRaises(ValueError) as cm:
                portal.sniff_upload(content, 100)
            self.assertEqual(str(cm.exception), error)


class QRTestCase(unittest.TestCase):

    def test_qr_png(self):
        import struct
        url = ('https://erp.example.com/demo/ar_followup/portal/'
            + portal.new_token())
        png = portal.qr_png(url, scale=8)
        self.assertTrue(png.startswith(b'\x89PNG\r\n\x1a\n'))
        width, height = struct.unpack('>II', png[16:24])
        self.assertEqual(width, height)
        # a square of modules of 8 pixels, version 6 (41 modules) or more
        # for a link of ~100 characters, with a border of 2 modules
        self.assertEqual(width % 8, 0)
        self.assertGreaterEqual(width // 8, 41 + 4)
