# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The rules of the customer portal, free of any database: the link tokens,
the form tokens (CSRF), the rate limits, the check of the answers a customer
gives (promise to pay, payment already made) and of the files he uploads.

A link token is 32 random bytes (``secrets.token_urlsafe``): only its
SHA-256 is stored, so that a copy of the database gives no working link.
The form token is an HMAC of the access and of a random nonce kept in a
cookie of the browser (double submit): a page of another site can neither
read it nor forge it."""
import datetime as dt
import hashlib
import io
import hmac
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from decimal import Decimal, InvalidOperation

__all__ = [
    'TOKEN_PATTERN',
    'UPLOAD_TYPES',
    'SlidingWindow',
    'check_csrf',
    'check_promise',
    'csrf_token',
    'new_nonce',
    'new_token',
    'parse_amount',
    'parse_date',
    'qr_png',
    'sniff_upload',
    'token_digest',
    'valid_token',
    ]

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64
TOKEN_PATTERN = re.compile(r'[A-Za-z0-9_-]{43}')
# the signatures of the files a customer may upload, by extension
UPLOAD_TYPES = {
    'pdf': (b'%PDF-',),
    'png': (b'\x89PNG\r\n\x1a\n',),
    'jpg': (b'\xff\xd8\xff',),
    }
UPLOAD_MIMETYPES = {
    'pdf': 'application/pdf',
    'png': 'image/png',
    'jpg': 'image/jpeg',
    }


def new_token():
    "Return a new link token: 32 random bytes, URL-safe"
    return secrets.token_urlsafe(32)


def new_nonce():
    "Return a new random nonce for the form tokens of a browser"
    return secrets.token_urlsafe(16)


def valid_token(token):
    "Tell whether token has the shape of a link token"
    return bool(token) and TOKEN_PATTERN.fullmatch(token) is not None


def token_digest(token):
    "Return the SHA-256 (hexadecimal) of the link token, the one stored"
    return hashlib.sha256(token.encode('ascii')).hexdigest()


def csrf_token(key, access_id, nonce):
    """Return the form token of the access for the browser holding nonce,
    signed with key (the digest of the link token, known to the server
    only)"""
    message = f'{access_id}:{nonce}'.encode('ascii')
    return hmac.new(key.encode('ascii'), message, hashlib.sha256).hexdigest()


def check_csrf(key, access_id, nonce, token):
    "Tell in constant time whether token is the form token of the nonce"
    if not nonce or not token:
        return False
    try:
        expected = csrf_token(key, access_id, nonce)
    except UnicodeError:
        return False
    return hmac.compare_digest(
        expected.encode('ascii'), str(token).encode('utf-8'))


class SlidingWindow:
    """Count the hits of each key over the last period seconds: a hit over
    limit is refused.  In memory, per server process (each process of a
    server with several workers counts its own hits)."""

    def __init__(self, limit, period, clock=time.monotonic):
        self.limit = limit
        self.period = period
        self.clock = clock
        self._hits = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key):
        "Record a hit of key; return False when it is over the limit"
        now = self.clock()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.period:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            # forget the keys that stay quiet, to bound the memory
            if len(self._hits) > 10000:
                for other in [k for k, v in self._hits.items()
                        if not v or v[-1] <= now - self.period]:
                    del self._hits[other]
            return True

    def clear(self):
        with self._lock:
            self._hits.clear()


def parse_amount(text, digits=2):
    """Return the positive amount written in text (a comma or a dot as
    decimal separator, spaces as thousands separators), None when it is not
    one with at most digits decimals"""
    if not text:
        return None
    text = re.sub(r'[\s\u00a0\u202f]', '', str(text)).replace(',', '.')
    if not re.fullmatch(r'\d{1,12}(\.\d+)?', text):
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if amount <= 0 or -amount.as_tuple().exponent > digits:
        return None
    return amount


def parse_date(text):
    "Return the date of the ISO text (YYYY-MM-DD), None when it is not one"
    if not text or not re.fullmatch(r'\d{4}-\d{2}-\d{2}', str(text)):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def check_promise(today, date, amount, owed, max_days=None, min_amount=None):
    """Return why the promise to pay amount on date is refused, None when it
    is accepted: 'date_past' (before today), 'date_late' (more than
    max_days after today), 'amount_low' (under min_amount, unless it is all
    that is owed) or 'amount_high' (more than owed)"""
    if date < today:
        return 'date_past'
    if max_days is not None and date > today + dt.timedelta(days=max_days):
        return 'date_late'
    if amount > owed:
        return 'amount_high'
    if min_amount is not None and amount < min_amount and amount < owed:
        return 'amount_low'
    return None


def sniff_upload(content, max_size):
    """Return the extension of the uploaded content (pdf, png, jpg) found
    from its first bytes, whatever its name says; raise ValueError 'size'
    when it is empty or larger than max_size bytes, 'type' when it is none
    of those"""
    if not content or len(content) > max_size:
        raise ValueError('size')
    for extension, signatures in UPLOAD_TYPES.items():
        if any(content.startswith(s) for s in signatures):
            return extension
    raise ValueError('type')


def qr_png(url, scale=8):
    """Return the QR code of url as a PNG image (error correction M, for a
    printed letter)"""
    import segno
    buffer = io.BytesIO()
    segno.make(url, error='m', micro=False).save(
        buffer, kind='png', scale=scale, border=2)
    return buffer.getvalue()
