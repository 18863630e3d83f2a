# This file is part of ar_followup.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The XP Z12-013 connector against a loopback platform"
import json
import os
import socket
import unittest

from trytond.modules.ar_followup.rules import platform
from trytond.modules.ar_followup.tests.platform_server import PlatformServer
from trytond.modules.ar_followup.tests.tools import fnfe_folder

SPEC = os.path.join(fnfe_folder() or '', 'docs',
    'ANNEXE_A_-XP_Z12-013_-_Flow_Service-1.3.0-swagger.json')
DIRECTORY_SPEC = os.path.join(fnfe_folder() or '', 'docs',
    'ANNEXE_B_-XP_Z12-013_-_AFNOR-Directory_Service-1.3.0-swagger..json')


class PlatformTestCase(unittest.TestCase):

    def setUp(self):
        self.server = PlatformServer(token='secret').__enter__()
        self.addCleanup(self.server.__exit__)

    def connector(self, **settings):
        values = dict(flow_url=self.server.flow_url,
            directory_url=self.server.directory_url, token='secret')
        values.update(settings)
        return platform.connector('xp_z12_013', **values)

    def test_registry(self):
        self.assertIs(platform.CONNECTORS['xp_z12_013'],
            platform.AfnorConnector)
        self.assertIsInstance(self.connector(), platform.Connector)

    def test_send_invoice(self):
        flow_id = self.connector().send_invoice(
            'factur-x-F1.pdf', b'%PDF-1.7 data', 'F1')
        submitted, = self.server.submitted
        self.assertEqual(submitted['flowId'], flow_id)
        self.assertEqual(submitted['_data'], b'%PDF-1.7 data')
        self.assertEqual((submitted['name'], submitted['trackingId'],
                submitted['flowSyntax'], submitted['processingRule']),
            ('factur-x-F1.pdf', 'F1', 'Factur-X', 'B2B'))
        self.assertEqual(self.server.requests,
            [('POST', '/flow-service/v1/flows')])

    def test_status_flows_paginated(self):
        ids = [self.server.add_flow(b'<a%d/>' % i,
                updated_at='2026-09-%02dT10:00:00+00:00' % (i + 1))
            for i in range(5)]
        self.server.add_flow(b'<invoice/>', flow_type='SupplierInvoice')
        connector = self.connector()
        connector.page_size = 2
        flows = connector.status_flows()
        self.assertEqual([f.id for f in flows], ids)
        self.assertEqual(connector.download(flows[1]), b'<a1/>')
        later = connector.status_flows(flows[2].updated_at)
        self.assertEqual([f.id for f in later], ids[3:])

    def test_routing_address(self):
        self.server.directory.extend([
                {'siren': '552100554', 'siret': '55210055400013',
                    'addressingIdentifier': '552100554_55210055400013',
                    'platformType': 'WK',
                    'directoryLineStatus': 'Enabled'},
                {'siren': '552100554',
                    'addressingIdentifier': '552100554',
                    'platformType': 'WK', 'directoryLineStatus': 'Enabled'},
                {'siren': '552100554',
                    'addressingIdentifier': '552100554_OLD',
                    'platformType': 'WK',
                    'directoryLineStatus': 'Disabled'},
                ])
        connector = self.connector()
        self.assertEqual(connector.routing_address('552100554'),
            ('552100554', 'WK'))
        self.assertIsNone(connector.routing_address('732829320'))

    def test_errors(self):
        with self.assertRaises(platform.PlatformError) as cm:
            self.connector(token='wrong').status_flows()
        self.assertEqual((cm.exception.code, cm.exception.status,
                cm.exception.error_code), ('http', 401, 'UNAUTHORIZED'))

        self.server.failures['/flow-service/v1/flows'] = (
            503, 'SERVICE_UNAVAILABLE')
        with self.assertRaises(platform.PlatformError) as cm:
            self.connector().send_invoice('f.pdf', b'%PDF', 'F1')
        self.assertEqual((cm.exception.status, cm.exception.error_code),
            (503, 'SERVICE_UNAVAILABLE'))
        self.assertEqual(self.server.submitted, [])

        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            port = sock.getsockname()[1]
        with self.assertRaises(platform.PlatformError) as cm:
            self.connector(
                flow_url=f'http://127.0.0.1:{port}', timeout=5
                ).status_flows()
        self.assertEqual(cm.exception.code, 'unreachable')

    def test_bad_response(self):
        "A platform answering something else than the spec's JSON"
        self.server.raw['/flow-service/v1/flows'] = b'<html>Login</html>'
        with self.assertRaises(platform.PlatformError) as cm:
            self.connector().send_invoice('f.pdf', b'%PDF', 'F1')
        self.assertEqual(cm.exception.code, 'bad_response')
        self.server.raw['/flow-service/v1/flows'] = b'{"name": "f.pdf"}'
        with self.assertRaises(platform.PlatformError) as cm:
            self.connector().send_invoice('f.pdf', b'%PDF', 'F1')
        self.assertEqual(cm.exception.code, 'bad_response')


@unittest.skipUnless(os.path.isfile(SPEC) and os.path.isfile(DIRECTORY_SPEC),
    "the XP Z12-013 OpenAPI specs are not in shared/reference/fnfe/docs")
class SpecTestCase(unittest.TestCase):
    "The connector calls the paths and methods of the specs"

    def test_paths(self):
        with open(SPEC, encoding='utf-8') as fp:
            flow = json.load(fp)['paths']
        with open(DIRECTORY_SPEC, encoding='utf-8') as fp:
            directory = json.load(fp)['paths']
        self.assertIn('post', flow['/v1/flows'])
        self.assertIn('post', flow['/v1/flows/search'])
        self.assertIn('get', flow['/v1/flows/{flowId}'])
        self.assertIn('post', directory['/v1/directory-line/search'])
        with PlatformServer() as server:
            connector = platform.connector('xp_z12_013',
                flow_url=server.flow_url,
                directory_url=server.directory_url, token='secret')
            flow_id = server.add_flow(b'<x/>')
            connector.send_invoice('f.pdf', b'%PDF', 'F1')
            flows = connector.status_flows()
            connector.download(flows[0])
            connector.routing_address('552100554')
        self.assertEqual([(m, p.split('-service', 1)[1])
                for m, p in server.requests], [
                ('POST', '/v1/flows'),
                ('POST', '/v1/flows/search'),
                ('GET', '/v1/flows/' + flow_id),
                ('POST', '/v1/directory-line/search'),
                ])
