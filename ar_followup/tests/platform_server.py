# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A loopback e-invoicing platform for the tests: the endpoints of the XP
Z12-013 Flow Service and Directory Service (paths, methods, payloads and
error bodies as in the OpenAPI 1.3.0 specs), in memory, on 127.0.0.1.

    with PlatformServer(token='secret') as platform:
        platform.add_flow(cdar_bytes)           # a status flow to receive
        platform.directory.append({...})        # a directory line
        ... connector(flow_url=platform.flow_url, ...)
        platform.submitted                      # the flows received
"""
import datetime as dt
import email.parser
import email.policy
import json
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FLOW_PREFIX = '/flow-service'
DIRECTORY_PREFIX = '/directory-service'
FLOW_SYNTAXES = {'CII', 'UBL', 'Factur-X', 'CDAR', 'FRR'}


def _now():
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')


class PlatformServer:

    def __init__(self, token='secret'):
        self.token = token
        self.flows = []
        self.submitted = []
        self.directory = []
        self.requests = []
        # path prefix: (status, errorCode) to answer instead
        self.failures = {}
        # path: the bytes to answer with 200 instead (broken platforms)
        self.raw = {}
        self.lock = threading.Lock()

    def __enter__(self):
        handler = type('Handler', (_Handler,), {'platform': self})
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f'http://{host}:{port}'

    @property
    def flow_url(self):
        return self.url + FLOW_PREFIX

    @property
    def directory_url(self):
        return self.url + DIRECTORY_PREFIX

    def add_flow(self, data, flow_type='CustomerInvoiceLC', direction='In',
            syntax='CDAR', updated_at=None):
        "Add a flow the company receives; return its id"
        flow_id = str(uuid.uuid4())
        with self.lock:
            self.flows.append({
                    'flowId': flow_id,
                    'name': flow_id + '.xml',
                    'flowSyntax': syntax,
                    'flowProfile': 'CIUS',
                    'processingRule': 'B2B',
                    'processingRuleSource': 'Computed',
                    'flowType': flow_type,
                    'flowDirection': direction,
                    'submittedAt': updated_at or _now(),
                    'updatedAt': updated_at or _now(),
                    'acknowledgement': {'status': 'Ok'},
                    '_data': data,
                    })
        return flow_id


class _Handler(BaseHTTPRequestHandler):
    platform = None

    def log_message(self, format, *args):
        pass

    def _send(self, status, payload=None, data=None,
            content_type='application/json'):
        if payload is not None:
            data = json.dumps(payload).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data or b'')))
        self.end_headers()
        self.wfile.write(data or b'')

    def _error(self, status, code, message):
        self._send(status, {'errorCode': code, 'errorMessage': message})

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length)

    def _check(self):
        "Answer the configured failures and the missing credentials"
        platform = self.platform
        path = urllib.parse.urlsplit(self.path).path
        platform.requests.append((self.command, path))
        for prefix, (status, code) in platform.failures.items():
            if path.startswith(prefix):
                self._error(status, code, "Failure of the test platform")
                return False
        if path in platform.raw:
            self._send(200, data=platform.raw[path], content_type='text/html')
            return False
        if self.headers.get('Authorization') != 'Bearer ' + platform.token:
            self._error(401, 'UNAUTHORIZED', "Invalid or missing token")
            return False
        return True

    def do_GET(self):
        if not self._check():
            return
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path in {FLOW_PREFIX + '/v1/healthcheck',
                DIRECTORY_PREFIX + '/v1/healthcheck'}:
            return self._send(200, {'status': 'UP'})
        prefix = FLOW_PREFIX + '/v1/flows/'
        if url.path.startswith(prefix):
            flow_id = urllib.parse.unquote(url.path[len(prefix):])
            flows = [f for f in self.platform.flows
                if f['flowId'] == flow_id]
            if not flows:
                return self._error(404, 'NOT_FOUND', "Unknown flow")
            flow, = flows
            doc_type = query.get('docType', ['Metadata'])[0]
            if doc_type == 'Metadata':
                return self._send(200, _public(flow))
            if doc_type != 'Original':
                return self._error(400, 'INVALID_DOC_TYPE', doc_type)
            return self._send(200, data=flow['_data'],
                content_type='application/octet-stream')
        self._error(404, 'NOT_FOUND', "Unknown path")

    def do_POST(self):
        if not self._check():
            return
        path = urllib.parse.urlsplit(self.path).path
        if path == FLOW_PREFIX + '/v1/flows':
            return self._create_flow()
        if path == FLOW_PREFIX + '/v1/flows/search':
            return self._search_flows()
        if path == DIRECTORY_PREFIX + '/v1/directory-line/search':
            return self._search_directory()
        self._error(404, 'NOT_FOUND', "Unknown path")

    def _create_flow(self):
        content_type = self.headers.get('Content-Type', '')
        if not content_type.startswith('multipart/form-data'):
            return self._error(400, 'INVALID_CONTENT_TYPE', content_type)
        message = email.parser.BytesParser(
            policy=email.policy.HTTP).parsebytes(
            b'Content-Type: ' + content_type.encode('latin-1')
            + b'\r\n\r\n' + self._body())
        parts = {p.get_param('name', header='content-disposition'): p
            for p in message.iter_parts()}
        if set(parts) != {'flowInfo', 'file'}:
            return self._error(400, 'MISSING_REQUIRED_FIELD',
                "flowInfo and file are required")
        try:
            info = json.loads(parts['flowInfo'].get_content())
        except ValueError:
            return self._error(400, 'INVALID_FLOW_INFO', "Not JSON")
        if not info.get('name') or info.get('flowSyntax') not in (
                FLOW_SYNTAXES):
            return self._error(422, 'INVALID_FLOW_INFO',
                "name and flowSyntax are required")
        data = parts['file'].get_payload(decode=True)
        flow_id = str(uuid.uuid4())
        flow = dict(info, flowId=flow_id, submittedAt=_now())
        self.platform.submitted.append(dict(flow, _data=data))
        self._send(202, flow)

    def _search_flows(self):
        try:
            params = json.loads(self._body())
            where = params['where']
        except (ValueError, KeyError, TypeError):
            return self._error(400, 'MISSING_REQUIRED_FIELD', "where")
        flows = [f for f in self.platform.flows
            if f['flowType'] in where.get('flowType', [f['flowType']])
            and f['flowDirection'] in where.get(
                'flowDirection', [f['flowDirection']])
            and f['updatedAt'] > where.get('updatedAfter', '')]
        limit = int(params.get('limit') or 100)
        start = int(params.get('cursor') or 0)
        page = flows[start:start + limit]
        result = {
            'limit': limit,
            'filters': where,
            'results': [_public(f) for f in page],
            }
        if start + limit < len(flows):
            result['nextCursor'] = str(start + limit)
        self._send(200, result)

    def _search_directory(self):
        try:
            params = json.loads(self._body())
            siren = params['filters']['siren']['value']
        except (ValueError, KeyError, TypeError):
            return self._error(400, 'MISSING_REQUIRED_FIELD', "siren")
        lines = [l for l in self.platform.directory
            if l.get('siren') == siren]
        self._send(200, {
                'search': params,
                'totalNumberOfResults': len(lines),
                'results': lines,
                })


def _public(flow):
    return {k: v for k, v in flow.items() if not k.startswith('_')}
