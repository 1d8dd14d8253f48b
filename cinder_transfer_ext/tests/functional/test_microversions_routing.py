"""Microversion negotiation, response headers and routing of /v3."""

import uuid

import routes
import testtools

from cinder_transfer_ext.api import router
from cinder_transfer_ext.tests import base

HEADER = 'OpenStack-API-Version'


class MicroversionTestBase(base.TransferTestCase):

    def list_with_header(self, value: str | None, name: str = HEADER):
        headers = {} if value is None else {name: value}
        return self.request('GET', self.url(base.P1, '/detail'),
                            base.MEMBER1, headers=headers)

    def assertRunsAt(self, response, version: str):
        self.assertEqual(200, response.status, response)
        self.assertEqual(f'volume {version}', response.headers[HEADER])
        self.assertEqual(HEADER, response.headers['Vary'])


class VersionNegotiationTest(MicroversionTestBase):

    def setUp(self):
        super().setUp()
        self.transfer = self.create_transfer()

    def test_no_header_runs_at_3_0(self):
        response = self.list_with_header(None)

        self.assertRunsAt(response, '3.0')
        self.assertNotIn('no_snapshots', response.json['transfers'][0])

    def test_latest_runs_at_3_71(self):
        response = self.list_with_header('volume latest')

        self.assertRunsAt(response, '3.71')
        self.assertIn('accepted', response.json['transfers'][0])

    def test_minimum_and_maximum_accepted(self):
        for version in ('3.0', '3.71'):
            response = self.list_with_header(f'volume {version}')

            self.assertRunsAt(response, version)

    def test_version_changes_view(self):
        response = self.list_with_header('volume 3.57')

        self.assertRunsAt(response, '3.57')
        self.assertIs(False, response.json['transfers'][0]['accepted'])

    def test_service_name_case_insensitive(self):
        for value in ('Volume 3.60', 'VOLUME 3.60', 'block-storage 3.60',
                      'Block-Storage 3.60'):
            response = self.list_with_header(value)

            self.assertRunsAt(response, '3.60')

    def test_header_name_case_insensitive(self):
        response = self.list_with_header('volume 3.60',
                                         name='openstack-api-version')

        self.assertRunsAt(response, '3.60')

    def test_extra_inner_whitespace_allowed(self):
        response = self.list_with_header('  volume   3.60  ')

        self.assertRunsAt(response, '3.60')

    def test_other_service_entry_ignored(self):
        for value in ('compute 2.1', 'volumes 3.60', 'compute 2.1 x'):
            response = self.list_with_header(value)

            self.assertRunsAt(response, '3.0')

    def test_volume_entry_among_others(self):
        for value in ('compute 2.1, volume 3.60',
                      'volume 3.60, compute 2.1',
                      'compute 2.1,volume 3.60,identity 3.0'):
            response = self.list_with_header(value)

            self.assertRunsAt(response, '3.60')

    def test_legacy_version_header_ignored(self):
        response = self.list_with_header(
            '3.60', name='X-OpenStack-Volume-API-Version')

        self.assertRunsAt(response, '3.0')

    def test_three_tokens_rejected(self):
        for value in ('volume 3.60 x', 'volume'):
            response = self.list_with_header(value)

            self.assertEqual(400, response.status, (value, response))
            self.assertEqual(['badRequest'], list(response.json), value)
            self.assertNotIn(HEADER, response.headers)

    def test_malformed_version_rejected(self):
        for version in ('3.9a', '3', '3.07', '3.060', '03.60', 'Latest',
                        '3.', '.5', '-3.1'):
            response = self.list_with_header(f'volume {version}')

            self.assertFault(
                response, 400, 'badRequest',
                f'API Version String {version} is of invalid format. Must '
                f'be of format MajorNum.MinorNum.')
            self.assertNotIn(HEADER, response.headers)

    def test_version_above_maximum_is_406(self):
        for version in ('3.72', '4.0', '3.100'):
            response = self.list_with_header(f'volume {version}')

            self.assertFault(
                response, 406, 'computeFault',
                f'Version {version} is not supported by the API. Minimum '
                f'is 3.0 and maximum is 3.71.')
            self.assertEqual(f'volume {version}', response.headers[HEADER])
            self.assertEqual(HEADER, response.headers['Vary'])

    def test_version_below_minimum_is_406(self):
        for version in ('2.0', '1.0', '2.99'):
            response = self.list_with_header(f'volume {version}')

            self.assertFault(
                response, 406, 'computeFault',
                f'Version {version} is not supported by the API. Minimum '
                f'is 3.0 and maximum is 3.71.')
            self.assertEqual(f'volume {version}', response.headers[HEADER])

    def test_unsupported_version_changes_nothing(self):
        volume = self.create_volume()

        response = self.request(
            'POST', self.url(base.P1), base.MEMBER1,
            body={'transfer': {'volume_id': volume['id']}}, version='3.72')

        self.assertFault(response, 406, 'computeFault')
        self.assertEqual('available', self.volume_row(volume['id'])['status'])

    def test_malformed_version_changes_nothing(self):
        response = self.request(
            'DELETE', self.url(base.P1, f"/{self.transfer['id']}"),
            base.MEMBER1, headers={HEADER: 'volume 3.60 x'})

        self.assertFault(response, 400, 'badRequest')
        self.assertFalse(self.transfer_row(self.transfer['id'])['deleted'])

    def test_fault_carries_version_headers(self):
        response = self.request(
            'GET', self.url(base.P1, f'/{uuid.uuid4()}'), base.MEMBER1,
            version='3.60')

        self.assertFault(response, 404, 'itemNotFound')
        self.assertEqual('volume 3.60', response.headers[HEADER])
        self.assertEqual(HEADER, response.headers['Vary'])

    def test_openstack_accept_type_fault_is_json(self):
        response = self.request(
            'GET', self.url(base.P1, f'/{uuid.uuid4()}'), base.MEMBER1,
            headers={'Accept': 'application/vnd.openstack.volume+json'})

        self.assertFault(response, 404, 'itemNotFound')

    def test_every_route_works_at_3_0(self):
        # No route is gated: volume-transfers and project-less URLs work
        # from the minimum version on.
        volume = self.create_volume()
        created = self.request(
            'POST', self.url(None), base.MEMBER1,
            body={'transfer': {'volume_id': volume['id']}}, version='3.0')
        self.assertEqual(202, created.status, created)
        transfer_id = created.json['transfer']['id']
        auth_key = created.json['transfer']['auth_key']

        list_response = self.request('GET', self.url(None), version='3.0')
        show_response = self.request(
            'GET', self.url(None, f'/{transfer_id}'), version='3.0')
        accept_response = self.request(
            'POST', self.url(None, f'/{transfer_id}/accept'), base.MEMBER2,
            body={'accept': {'auth_key': auth_key}}, version='3.0')

        self.assertEqual(200, list_response.status, list_response)
        self.assertEqual(200, show_response.status, show_response)
        self.assertEqual(202, accept_response.status, accept_response)
        self.assertEqual(base.P2, self.volume_row(volume['id'])['project_id'])


class RoutingTest(MicroversionTestBase):

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume()
        self.transfer = self.create_transfer(self.volume)
        self.item = f"/{self.transfer['id']}"

    def assertBadMethod(self, response, allow: str):
        self.assertFault(response, 405, 'badMethod')
        self.assertEqual(allow, response.headers['Allow'])
        self.assertEqual('volume 3.60', response.headers[HEADER])
        self.assertEqual(HEADER, response.headers['Vary'])

    def assertNotFound(self, response):
        self.assertFault(response, 404, 'itemNotFound')
        self.assertEqual('volume 3.60', response.headers[HEADER])

    def test_put_transfer_is_405(self):
        for collection in ('volume-transfers', 'os-volume-transfer'):
            response = self.request(
                'PUT', self.url(base.P1, self.item, collection),
                body={'transfer': {'name': 'x'}}, version='3.60')

            self.assertBadMethod(response, 'DELETE, GET')
        self.assertIsNone(self.transfer_row(self.transfer['id'])[
            'display_name'])

    def test_patch_transfer_is_405(self):
        response = self.request('PATCH', self.url(base.P1, self.item),
                                body={}, version='3.60')

        self.assertBadMethod(response, 'DELETE, GET')

    def test_get_accept_is_405(self):
        response = self.request('GET',
                                self.url(base.P1, self.item + '/accept'),
                                version='3.60')

        self.assertBadMethod(response, 'POST')
        self.assertEqual('awaiting-transfer',
                         self.volume_row(self.volume['id'])['status'])

    def test_delete_collection_is_405(self):
        response = self.request('DELETE', self.url(base.P1), version='3.60')

        self.assertBadMethod(response, 'GET, POST')
        self.assertFalse(self.transfer_row(self.transfer['id'])['deleted'])

    def test_post_detail_is_405(self):
        response = self.request('POST', self.url(base.P1, '/detail'),
                                body={}, version='3.60')

        self.assertBadMethod(response, 'GET')

    def test_405_without_project_segment(self):
        response = self.request('PUT', self.url(None, self.item), body={},
                                version='3.60')

        self.assertBadMethod(response, 'DELETE, GET')

    def test_edit_path_is_404(self):
        response = self.request('GET', self.url(base.P1, self.item + '/edit'),
                                version='3.60')

        self.assertNotFound(response)
        self.assertEqual('The resource could not be found.',
                         response.json['itemNotFound']['message'])

    def test_unknown_collection_is_404(self):
        for path in (f'/v3/{base.P1}/volume-transfer',
                     f'/v3/{base.P1}/transfers',
                     '/v3/volume-transfers/detail/extra',
                     f'/v3/{base.P1}/volume-transfers{self.item}/accept/x'):
            response = self.request('GET', path, version='3.60')

            self.assertNotFound(response)
            self.assertEqual('The resource could not be found.',
                             response.json['itemNotFound']['message'], path)

    def test_invalid_project_segment_is_404(self):
        response = self.request('GET', '/v3/zzz/volume-transfers',
                                version='3.60')

        self.assertNotFound(response)

    def test_new_path_is_404(self):
        response = self.request('GET', self.url(base.P1, '/new'),
                                version='3.60')

        self.assertNotFound(response)

    def test_url_project_mismatch_rejected(self):
        for method, suffix in (('GET', ''), ('GET', '/detail'),
                               ('GET', self.item), ('DELETE', self.item)):
            response = self.request(method, self.url(base.P2, suffix),
                                    base.MEMBER1, version='3.60')

            self.assertFault(response, 400, 'badRequest',
                             'Malformed request url')
            self.assertEqual('volume 3.60', response.headers[HEADER])
        self.assertFalse(self.transfer_row(self.transfer['id'])['deleted'])

    def test_json_suffix_on_list(self):
        plain = self.request('GET', self.url(base.P1), version='3.60')
        suffixed = self.request('GET', self.url(base.P1, '.json'),
                                version='3.60')

        self.assertEqual(200, suffixed.status, suffixed)
        self.assertEqual(plain.json, suffixed.json)

    def test_json_suffix_on_detail(self):
        plain = self.request('GET', self.url(base.P1, '/detail'))
        suffixed = self.request('GET', self.url(base.P1, '/detail.json'))

        self.assertEqual(200, suffixed.status, suffixed)
        self.assertEqual(plain.json, suffixed.json)

    def test_json_suffix_on_show(self):
        response = self.request('GET', self.url(base.P1, self.item + '.json'),
                                version='3.57')

        self.assertEqual(200, response.status, response)
        self.assertEqual(self.transfer['id'], response.json['transfer']['id'])

    def test_json_suffix_on_create(self):
        volume = self.create_volume()

        response = self.request(
            'POST', self.url(base.P1, '.json'),
            body={'transfer': {'volume_id': volume['id']}})

        self.assertEqual(202, response.status, response)
        self.assertEqual('awaiting-transfer',
                         self.volume_row(volume['id'])['status'])

    def test_json_suffix_on_delete(self):
        response = self.request('DELETE',
                                self.url(base.P1, self.item + '.json'))

        self.assertEqual(202, response.status, response)
        self.assertEqual('available',
                         self.volume_row(self.volume['id'])['status'])

    def test_json_suffix_on_accept(self):
        response = self.request(
            'POST', self.url(base.P2, self.item + '/accept.json'),
            base.MEMBER2,
            body={'accept': {'auth_key': self.transfer['auth_key']}})

        self.assertEqual(202, response.status, response)
        self.assertEqual(base.P2,
                         self.volume_row(self.volume['id'])['project_id'])

    def test_trailing_slash_on_show(self):
        response = self.request('GET', self.url(base.P1, self.item + '/'))

        self.assertEqual(200, response.status, response)
        self.assertEqual(self.transfer['id'], response.json['transfer']['id'])

    def test_trailing_slash_on_detail(self):
        response = self.request('GET', self.url(base.P1, '/detail/'))

        self.assertEqual(200, response.status, response)
        self.assertEqual([self.transfer['id']],
                         [item['id'] for item in response.json['transfers']])

    def test_trailing_slash_on_accept(self):
        response = self.request(
            'POST', self.url(base.P2, self.item + '/accept/'), base.MEMBER2,
            body={'accept': {'auth_key': self.transfer['auth_key']}})

        self.assertEqual(202, response.status, response)

    def test_legacy_routes_mirror_new_ones(self):
        for method, suffix, status in (('GET', '', 200),
                                       ('GET', '/detail', 200),
                                       ('GET', self.item, 200),
                                       ('GET', f'/{uuid.uuid4()}', 404)):
            for project in (base.P1, None):
                response = self.request(
                    method, self.url(project, suffix, 'os-volume-transfer'))

                self.assertEqual(status, response.status,
                                 (suffix, project, response))


def _reference_mapper(project_id_regex: str) -> routes.Mapper:
    """Build a routes Mapper of ROUTES, with the project regex inside."""
    mapper = routes.Mapper()
    for index, (path, _methods) in enumerate(router.ROUTES):
        for prefix in ('', '/{project_id}'):
            name = f'{index}{prefix}'
            mapper.connect(
                name, prefix + path, route_name=name,
                collection=path.split('/')[1],
                requirements={'project_id': project_id_regex,
                              'transfer_id': '[^/]+', 'volume_id': '[^/]+',
                              'snapshot_id': '[^/]+',
                              'target_project_id': '[^/]+'})
    return mapper


class RouteTableTest(testtools.TestCase):
    """RouteTable matches every path as a routes Mapper would."""

    REGEXES = (r'[0-9a-f\-]+', r'[^/]+', r'[a-z]+', r'p1|p12', r'\w{3}')
    SEGMENTS = ('volume-transfers', 'os-volume-transfer', 'volumes',
                'snapshots', 'os-quota-sets', 'detail', 'accept',
                'volume-transfersx', base.P1, 'p1', 'p12', 'abc', 'ABC',
                '0', str(uuid.UUID(int=7)), '%2F', 'caf\u00e9', '')

    def paths(self):
        yield '/'
        for first in self.SEGMENTS:
            yield f'/{first}'
            for second in self.SEGMENTS:
                yield f'/{first}/{second}'
                for third in ('detail', 'accept', 'x', ''):
                    yield f'/{first}/{second}/{third}'
                    yield f'/{first}/{second}/{third}/accept'

    def test_same_matches_as_mapper(self):
        for regex in self.REGEXES:
            table = router.RouteTable(regex)
            mapper = _reference_mapper(regex)
            compared = 0
            for path in self.paths():
                expected = mapper.match(path) or None
                self.assertEqual(expected, table.match(path), (regex, path))
                compared += expected is not None
            # The paths reach routes, not only 404s.
            self.assertGreater(compared, 100, regex)

    def test_final_newline_never_matches(self):
        table = router.RouteTable(r'[0-9a-f\-]+')
        mapper = _reference_mapper(r'[0-9a-f\-]+')

        for path in ('/volumes', '/volumes/detail',
                     f'/{base.P1}/volume-transfers',
                     f'/{base.P1}/volume-transfers/{uuid.UUID(int=7)}'):
            self.assertIsNotNone(table.match(path), path)
            # The Mapper's "$" matches before the newline.
            self.assertTrue(mapper.match(path + '\n'), path)
            self.assertIsNone(table.match(path + '\n'), path)

    def test_project_is_one_segment(self):
        table = router.RouteTable('.+')

        found = table.match(f'/{base.P1}/x/volume-transfers')

        self.assertIsNone(found)
        self.assertEqual(
            base.P1, table.match(f'/{base.P1}/volume-transfers')['project_id'])
