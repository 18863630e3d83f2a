# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Connectors to the e-invoicing platforms (no database).

A connector sends the Factur-X invoices of the company to its approved
platform (PA), receives the lifecycle statuses of its customer invoices
(CDAR messages) and looks up the routing address of a customer in the
directory.  :class:`Connector` is the interface; :func:`register` adds an
implementation under a name that the platform records of the module
offer (:data:`CONNECTORS`); :func:`connector` builds one.

:class:`AfnorConnector` (``xp_z12_013``) talks HTTP to the services of
the standard XP Z12-013 (OpenAPI 1.3.0, ``../shared/reference/fnfe/
docs/``):

* Flow Service: ``POST /v1/flows`` (multipart ``flowInfo`` JSON +
  ``file``) submits a flow; ``POST /v1/flows/search`` selects the flows
  by criteria (``flowType`` ``CustomerInvoiceLC``, ``flowDirection``
  ``In``, ``updatedAfter``, cursor pagination); ``GET
  /v1/flows/{flowId}?docType=Original`` downloads a file;
* Directory Service: ``POST /v1/directory-line/search`` with the filter
  ``siren`` (``strict``) returns the directory lines; the *Enabled* line
  of the legal unit without SIRET nor suffix is preferred.

Authentication: the bearer token (JWT) of the platform.  Every failure
raises :class:`PlatformError` with the codes ``unreachable``
(``url``, ``detail``), ``http`` (``status``, ``error_code``,
``message``) and ``bad_response`` (``detail``).
"""
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

from . import RuleError

__all__ = [
    'AfnorConnector', 'CONNECTORS', 'Connector', 'Flow', 'PlatformError',
    'connector', 'register',
    ]

TIMEOUT = 30
MAX_RESPONSE = 100 * 1024 * 1024
CONNECTORS = {}


class PlatformError(RuleError):
    "The platform refused the request or could not be reached"


@dataclass(frozen=True)
class Flow:
    "A flow of the platform: its id, type and last update"
    id: str
    type: str = ''
    updated_at: str = ''


def register(name):
    "Class decorator registering a connector under name"
    def decorator(cls):
        CONNECTORS[name] = cls
        cls.name = name
        return cls
    return decorator


def connector(name, **settings):
    "Return the connector registered as name built with the settings"
    return CONNECTORS[name](**settings)


class Connector:
    """The interface of a platform connector.

    ``settings``: ``flow_url`` and ``directory_url`` (the base URLs of the
    services), ``token`` (the credentials) and ``timeout`` in seconds."""
    name = None
    label = ''

    def __init__(self, flow_url, directory_url=None, token=None,
            timeout=TIMEOUT):
        self.flow_url = (flow_url or '').rstrip('/')
        self.directory_url = (directory_url or '').rstrip('/')
        self.token = token
        self.timeout = timeout

    def send_invoice(self, filename, data, tracking_id,
            processing_rule='B2B'):
        "Submit the Factur-X PDF (bytes); return the flow id"
        raise NotImplementedError

    def status_flows(self, updated_after=None):
        """Return the flows of lifecycle statuses of the customer invoices
        received after the date-time (ISO string), oldest first"""
        raise NotImplementedError

    def download(self, flow):
        "Return the file (bytes) of the flow as sent by its emitter"
        raise NotImplementedError

    def routing_address(self, siren):
        """Return (addressing identifier, platform type) of the enabled
        directory line of the SIREN, or None"""
        raise NotImplementedError


@register('xp_z12_013')
class AfnorConnector(Connector):
    "XP Z12-013 Flow and Directory Services over HTTP"
    label = "XP Z12-013 (HTTP)"
    page_size = 100

    def _request(self, method, url, body=None, content_type=None,
            accept='application/json'):
        headers = {
            'Accept': accept,
            'Request-Id': str(uuid.uuid4()),
            }
        if self.token:
            headers['Authorization'] = 'Bearer ' + self.token
        if content_type:
            headers['Content-Type'] = content_type
        request = urllib.request.Request(
            url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(
                    request, timeout=self.timeout) as response:
                return response.read(MAX_RESPONSE)
        except urllib.error.HTTPError as error:
            raise _http_error(error) from error
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise PlatformError('unreachable', url=url,
                detail=str(getattr(error, 'reason', error))) from error

    def _json(self, method, url, payload=None):
        body = None
        if payload is not None:
            body = json.dumps(payload).encode('utf-8')
        return _loads(self._request(method, url, body,
                'application/json' if body is not None else None))

    def send_invoice(self, filename, data, tracking_id,
            processing_rule='B2B'):
        info = {
            'trackingId': tracking_id,
            'name': filename,
            'processingRule': processing_rule,
            'flowSyntax': 'Factur-X',
            'flowProfile': 'CIUS',
            }
        body, content_type = multipart([
                ('flowInfo', None, 'application/json',
                    json.dumps(info).encode('utf-8')),
                ('file', filename, 'application/pdf', data),
                ])
        result = _loads(self._request(
                'POST', self.flow_url + '/v1/flows', body, content_type))
        if not isinstance(result, dict) or not result.get('flowId'):
            raise PlatformError('bad_response', detail='flowId')
        return result['flowId']

    def status_flows(self, updated_after=None):
        where = {
            'flowType': ['CustomerInvoiceLC'],
            'flowDirection': ['In'],
            }
        if updated_after:
            where['updatedAfter'] = updated_after
        flows, cursor = [], None
        while True:
            payload = {'limit': self.page_size, 'where': where}
            if cursor:
                payload['cursor'] = cursor
            result = self._json(
                'POST', self.flow_url + '/v1/flows/search', payload)
            try:
                for flow in result.get('results') or []:
                    flows.append(Flow(str(flow['flowId']),
                            flow.get('flowType', ''),
                            flow.get('updatedAt', '')))
                cursor = result.get('nextCursor')
            except (AttributeError, KeyError, TypeError) as error:
                raise PlatformError('bad_response', detail=str(error)) \
                    from error
            if not cursor:
                break
        flows.sort(key=lambda f: f.updated_at)
        return flows

    def download(self, flow):
        url = '%s/v1/flows/%s?%s' % (self.flow_url,
            urllib.parse.quote(flow.id, safe=''),
            urllib.parse.urlencode({'docType': 'Original'}))
        return self._request('GET', url, accept='application/octet-stream')

    def routing_address(self, siren):
        payload = {
            'filters': {'siren': {'op': 'strict', 'value': siren}},
            'fields': ['addressingIdentifier', 'siren', 'siret',
                'addressingSuffix', 'platformType', 'directoryLineStatus'],
            }
        result = self._json('POST',
            self.directory_url + '/v1/directory-line/search', payload)
        try:
            lines = [l for l in result.get('results') or []
                if l.get('directoryLineStatus', 'Enabled') == 'Enabled'
                and l.get('siren', siren) == siren]
        except AttributeError as error:
            raise PlatformError('bad_response', detail=str(error)) \
                from error
        if not lines:
            return None
        # the line of the whole legal unit first
        line = min(lines, key=lambda l: (
                bool(l.get('siret')), bool(l.get('addressingSuffix'))))
        return line.get('addressingIdentifier'), line.get('platformType')


def _loads(data):
    try:
        return json.loads(data.decode('utf-8'))
    except ValueError as error:
        raise PlatformError('bad_response', detail=str(error)) from error


def _http_error(error):
    "Return the PlatformError of an HTTP error with the spec's Error body"
    error_code = message = ''
    try:
        body = json.loads(error.read(64 * 1024).decode('utf-8'))
        error_code = str(body.get('errorCode') or '')
        message = str(body.get('errorMessage') or body.get('details') or '')
    except (ValueError, AttributeError, OSError):
        pass
    return PlatformError('http', status=error.code,
        error_code=error_code or str(error.reason or ''), message=message)


def multipart(parts):
    """Return (body, content type) of a multipart/form-data request of
    parts (name, filename or None, content type, bytes)"""
    boundary = uuid.uuid4().hex
    lines = []
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename:
            filename = filename.replace('"', '')
            disposition += f'; filename="{filename}"'
        lines.append(
            f'--{boundary}\r\n'
            f'Content-Disposition: {disposition}\r\n'
            f'Content-Type: {content_type}\r\n\r\n'.encode('utf-8'))
        lines.append(data)
        lines.append(b'\r\n')
    lines.append(f'--{boundary}--\r\n'.encode('utf-8'))
    return b''.join(lines), f'multipart/form-data; boundary={boundary}'
