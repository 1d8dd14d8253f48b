"""Create a transfer: POST /volume-transfers and the legacy collection."""

import io
import json
import re
import uuid

import webob

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.tests import base

AUTH_KEY_RE = re.compile(r'^[0-9a-f]{16}$')
CREATED_AT_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$')
KEYS_3_0 = {'id', 'created_at', 'name', 'volume_id', 'auth_key', 'links'}
KEYS_3_55 = KEYS_3_0 | {'no_snapshots'}
KEYS_3_57 = KEYS_3_55 | {'source_project_id', 'destination_project_id',
                         'accepted'}
ENCRYPTION_KEY_ID = '00000000-0000-0000-0000-00000000beef'


class CreateTestBase(base.TransferTestCase):

    def post(self, body=None, version=None, token=base.MEMBER1,
             project=base.P1, collection='volume-transfers', **kwargs):
        return self.request('POST', self.url(project, '', collection), token,
                            body=body, version=version, **kwargs)

    def transfer_rows_of(self, volume_id: str) -> list:
        """Return every transfer row of a volume, live or soft-deleted."""
        with self.database.reader.using(self.admin_context) as session:
            rows = session.execute(
                db_api.TRANSFERS.select().where(
                    db_api.TRANSFERS.c.volume_id == volume_id)).mappings()
            return [dict(row) for row in rows]

    def assertNothingCreated(self, volume, status='available'):
        """Check that a rejected create left the volume as it was."""
        row = self.volume_row(volume['id'])
        self.assertEqual(status, row['status'])
        self.assertEqual(volume['project_id'], row['project_id'])
        self.assertEqual([], self.transfer_rows_of(volume['id']))


class CreateResponseTest(CreateTestBase):

    def test_create_without_version_returns_3_0_view(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'name': 'tx'}})

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(KEYS_3_0, set(transfer))
        self.assertRegex(transfer['auth_key'], AUTH_KEY_RE)
        self.assertEqual('tx', transfer['name'])
        self.assertEqual(volume['id'], transfer['volume_id'])
        self.assertRegex(transfer['created_at'], CREATED_AT_RE)
        self.assertEqual('volume 3.0',
                         response.headers['OpenStack-API-Version'])
        self.assertEqual('OpenStack-API-Version', response.headers['Vary'])
        self.assertEqual('application/json',
                         response.headers['Content-Type'].split(';')[0])

    def test_create_marks_volume_awaiting_transfer(self):
        volume = self.create_volume()

        self.create_transfer(volume, name='tx')

        row = self.volume_row(volume['id'])
        self.assertEqual('awaiting-transfer', row['status'])
        self.assertEqual(base.P1, row['project_id'])

    def test_create_stores_row_without_key(self):
        volume = self.create_volume()

        transfer = self.create_transfer(volume, name='tx')

        row = self.transfer_row(transfer['id'])
        self.assertEqual(volume['id'], row['volume_id'])
        self.assertEqual('tx', row['display_name'])
        self.assertEqual(base.P1, row['source_project_id'])
        self.assertIsNone(row['destination_project_id'])
        self.assertFalse(row['accepted'])
        self.assertFalse(row['deleted'])
        self.assertFalse(row['no_snapshots'])
        self.assertIsNone(row['expires_at'])
        self.assertTrue(row['salt'])
        self.assertTrue(row['crypt_hash'])
        for column, value in row.items():
            self.assertNotIn(transfer['auth_key'], str(value), column)

    def test_create_links_use_addressed_collection(self):
        transfer = self.create_transfer(name='tx')

        self.assertEqual(
            [{'rel': 'self',
              'href': f"http://localhost/v3/{base.P1}/volume-transfers/"
                      f"{transfer['id']}"},
             {'rel': 'bookmark',
              'href': f"http://localhost/{base.P1}/volume-transfers/"
                      f"{transfer['id']}"}],
            transfer['links'])

    def test_create_at_3_55_adds_no_snapshots(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'name': 'tx'}}, version='3.55')

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(KEYS_3_55, set(transfer))
        self.assertIs(False, transfer['no_snapshots'])
        self.assertEqual('volume 3.55',
                         response.headers['OpenStack-API-Version'])

    def test_create_at_3_57_adds_history(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'name': 'tx'}}, version='3.57')

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(KEYS_3_57, set(transfer))
        self.assertIs(False, transfer['no_snapshots'])
        self.assertIsNone(transfer['destination_project_id'])
        self.assertEqual(base.P1, transfer['source_project_id'])
        self.assertIs(False, transfer['accepted'])

    def test_create_at_3_54_has_3_0_view(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             version='3.54')

        self.assertEqual(202, response.status, response)
        self.assertEqual(KEYS_3_0, set(response.json['transfer']))

    def test_create_without_project_segment(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             project=None)

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(
            [{'rel': 'self',
              'href': f"http://localhost/v3/volume-transfers/"
                      f"{transfer['id']}"},
             {'rel': 'bookmark',
              'href': f"http://localhost/volume-transfers/{transfer['id']}"}],
            transfer['links'])
        self.assertEqual('awaiting-transfer',
                         self.volume_row(volume['id'])['status'])

    def test_create_on_legacy_collection(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             collection='os-volume-transfer', version='3.57')

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(KEYS_3_57, set(transfer))
        self.assertEqual(
            f"http://localhost/v3/{base.P1}/os-volume-transfer/"
            f"{transfer['id']}", transfer['links'][0]['href'])

    def test_create_legacy_without_project_segment(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             project=None, collection='os-volume-transfer')

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(
            f"http://localhost/v3/os-volume-transfer/{transfer['id']}",
            transfer['links'][0]['href'])
        self.assertEqual(
            f"http://localhost/os-volume-transfer/{transfer['id']}",
            transfer['links'][1]['href'])

    def test_create_accepts_uppercase_volume_id(self):
        volume = self.create_volume()

        response = self.post(
            {'transfer': {'volume_id': volume['id'].upper()}})

        self.assertEqual(202, response.status, response)
        self.assertEqual(volume['id'], response.json['transfer']['volume_id'])

    def test_create_accepts_other_uuid_forms(self):
        volume = self.create_volume()
        forms = ('{%s}' % volume['id'], 'urn:uuid:' + volume['id'],
                 volume['id'].replace('-', ''))

        for form in forms:
            response = self.post({'transfer': {'volume_id': form}})

            self.assertEqual(202, response.status, (form, response))
            transfer = response.json['transfer']
            self.assertEqual(volume['id'], transfer['volume_id'], form)
            deleted = self.request(
                'DELETE', self.url(base.P1, f"/{transfer['id']}"))
            self.assertEqual(202, deleted.status, deleted)

    def test_create_keys_differ_between_transfers(self):
        first = self.create_transfer()
        second = self.create_transfer()

        self.assertNotEqual(first['auth_key'], second['auth_key'])
        self.assertNotEqual(first['id'], second['id'])


class CreateNameTest(CreateTestBase):

    def test_create_strips_name_whitespace(self):
        volume = self.create_volume()

        transfer = self.create_transfer(volume, name='    transfer1   ')

        self.assertEqual('transfer1', transfer['name'])
        self.assertEqual('transfer1',
                         self.transfer_row(transfer['id'])['display_name'])

    def test_create_strips_unicode_whitespace(self):
        transfer = self.create_transfer(name='\u3000 a\n\t')

        self.assertEqual('a', transfer['name'])

    def test_create_without_name_gives_null(self):
        transfer = self.create_transfer()

        self.assertIsNone(transfer['name'])
        self.assertIsNone(self.transfer_row(transfer['id'])['display_name'])

    def test_create_with_null_name(self):
        transfer = self.create_transfer(name=None)

        self.assertIsNone(transfer['name'])

    def test_create_rejects_empty_name(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'name': ''}})

        self.assertFault(response, 400, 'badRequest')
        self.assertTrue(response.json['badRequest']['message'].startswith(
            'Invalid input for field/attribute name.'), response)
        self.assertNothingCreated(volume)

    def test_create_rejects_blank_name(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'name': '   '}})

        self.assertFault(response, 400, 'badRequest')
        self.assertTrue(response.json['badRequest']['message'].startswith(
            'Invalid input for field/attribute name.'), response)
        self.assertNothingCreated(volume)

    def test_create_rejects_256_character_name(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'name': 'x' * 256}})

        self.assertFault(response, 400, 'badRequest')
        self.assertNothingCreated(volume)

    def test_create_accepts_padded_255_characters(self):
        name = 'n' * 255

        transfer = self.create_transfer(name=f'  {name}  ')

        self.assertEqual(name, transfer['name'])
        self.assertEqual(name,
                         self.transfer_row(transfer['id'])['display_name'])

    def test_create_counts_name_in_characters(self):
        # 255 characters of 4 bytes each: the limit is on characters.
        name = '\U0001f4be' * 255

        transfer = self.create_transfer(name=name)

        self.assertEqual(name, transfer['name'])
        self.assertEqual(name,
                         self.transfer_row(transfer['id'])['display_name'])

    def test_create_rejects_non_string_names(self):
        volume = self.create_volume()

        for name in (5, True, 1.5, {'a': 1}, ['x'], 0, False, []):
            response = self.post({'transfer': {'volume_id': volume['id'],
                                               'name': name}})

            self.assertEqual(400, response.status, (name, response))
            self.assertEqual(['badRequest'], list(response.json), name)
            self.assertTrue(
                response.json['badRequest']['message'].startswith(
                    'Invalid input for field/attribute name.'), response)
        self.assertNothingCreated(volume)

    def test_create_rejects_nul_in_name(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'name': 'a\x00b'}})

        self.assertFault(response, 400, 'badRequest')
        self.assertNothingCreated(volume)

    def test_create_rejects_lone_surrogate_name(self):
        volume = self.create_volume()
        raw = ('{"transfer": {"volume_id": "%s", "name": "a\\ud800"}}'
               % volume['id']).encode('ascii')

        response = self.post(raw_body=raw)

        self.assertFault(response, 400, 'badRequest')
        self.assertNothingCreated(volume)


class CreateBodyTest(CreateTestBase):

    def test_create_rejects_null_body(self):
        volume = self.create_volume()

        response = self.post(raw_body=b'null')

        self.assertFault(response, 400, 'badRequest',
                         "None is not of type 'object'")
        self.assertNothingCreated(volume)

    def test_create_rejects_empty_body(self):
        volume = self.create_volume()

        response = self.post(raw_body=b'')

        self.assertFault(response, 400, 'badRequest')
        self.assertNothingCreated(volume)

    def test_create_rejects_missing_content(self):
        response = self.request('POST', self.url(base.P1), base.MEMBER1)

        self.assertFault(response, 400, 'badRequest')

    def test_create_requires_volume_id(self):
        response = self.post({'transfer': {'name': 'transfer1'}})

        self.assertFault(
            response, 400, 'badRequest',
            "Invalid input for field/attribute transfer. Value: "
            "{'name': 'transfer1'}. 'volume_id' is a required property")

    def test_create_requires_transfer_object(self):
        response = self.post({'volume_id': str(uuid.uuid4())})

        self.assertFault(response, 400, 'badRequest')

    def test_create_rejects_integer_volume_id(self):
        response = self.post({'transfer': {'volume_id': 1234}})

        self.assertFault(
            response, 400, 'badRequest',
            "Invalid input for field/attribute volume_id. Value: 1234. "
            "1234 is not of type 'string'")

    def test_create_rejects_non_uuid_volume_id(self):
        response = self.post({'transfer': {'volume_id': 'abc'}})

        self.assertFault(
            response, 400, 'badRequest',
            "Invalid input for field/attribute volume_id. Value: abc. "
            "'abc' is not a 'uuid'")

    def test_create_rejects_nul_in_volume_id(self):
        response = self.post({'transfer': {'volume_id': 'a\x00'}})

        self.assertFault(response, 400, 'badRequest')

    def test_create_rejects_top_level_extra(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']},
                              'x': 1})

        self.assertFault(
            response, 400, 'badRequest',
            "Additional properties are not allowed ('x' was unexpected)")
        self.assertNothingCreated(volume)

    def test_create_rejects_transfer_extra(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'x': 1}})

        self.assertFault(response, 400, 'badRequest')
        message = response.json['badRequest']['message']
        self.assertTrue(message.startswith(
            'Invalid input for field/attribute transfer. Value: '), message)
        self.assertTrue(message.endswith(
            "Additional properties are not allowed ('x' was unexpected)"),
            message)
        self.assertNothingCreated(volume)

    def test_create_rejects_text_plain(self):
        volume = self.create_volume()
        raw = ('{"transfer": {"volume_id": "%s"}}'
               % volume['id']).encode('ascii')

        response = self.post(raw_body=raw, content_type='text/plain')

        self.assertFault(response, 415, 'badMediaType')
        self.assertTrue(response.json['badMediaType']['message'].startswith(
            'Unsupported Content-Type'), response)
        self.assertNothingCreated(volume)

    def test_create_accepts_openstack_json_type(self):
        volume = self.create_volume()
        raw = ('{"transfer": {"volume_id": "%s"}}'
               % volume['id']).encode('ascii')

        response = self.post(
            raw_body=raw,
            content_type='application/vnd.openstack.volume+json')

        self.assertEqual(202, response.status, response)

    def test_create_rejects_malformed_json(self):
        volume = self.create_volume()

        response = self.post(raw_body=b'{bad')

        self.assertFault(response, 400, 'badRequest')
        self.assertTrue(response.json['badRequest']['message'].startswith(
            'Malformed request body'), response)
        self.assertNothingCreated(volume)

    def oversized_body(self, volume) -> bytes:
        # The default [oslo_middleware] max_request_body_size is 114688.
        return json.dumps({'transfer': {'volume_id': volume['id'],
                                        'name': 'x' * 200000}}).encode()

    def test_create_rejects_oversized_body(self):
        volume = self.create_volume()

        response = self.post(raw_body=self.oversized_body(volume))

        self.assertEqual(413, response.status, response)
        self.assertNothingCreated(volume)

    def test_create_rejects_oversized_chunked_body(self):
        volume = self.create_volume()
        req = webob.Request.blank(self.url(base.P1), method='POST')
        req.headers['X-Auth-Token'] = base.MEMBER1
        req.content_type = 'application/json'
        req.body_file = io.BytesIO(self.oversized_body(volume))
        # Without Content-Length the size limit applies while reading.
        req.environ.pop('CONTENT_LENGTH', None)
        req.headers['Transfer-Encoding'] = 'chunked'
        req.is_body_seekable = False

        response = base.Response(req.get_response(self.app))

        self.assertFault(response, 413, 'overLimit')
        self.assertNothingCreated(volume)

    def test_create_rejects_deeply_nested_json(self):
        response = self.post(raw_body=b'[' * 50000 + b']' * 50000)

        self.assertFault(response, 400, 'badRequest')


class CreateVolumeStateTest(CreateTestBase):

    def test_create_unknown_volume_is_404(self):
        volume_id = str(uuid.uuid4())

        response = self.post({'transfer': {'volume_id': volume_id}})

        self.assertFault(response, 404, 'itemNotFound',
                         f'Volume {volume_id} could not be found.')

    def test_create_other_project_volume_is_404(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             token=base.MEMBER2, project=base.P2)

        self.assertFault(response, 404, 'itemNotFound',
                         f"Volume {volume['id']} could not be found.")
        self.assertNothingCreated(volume)

    def test_create_rejects_busy_volume(self):
        for status in ('attached', 'in-use', 'error', 'creating'):
            volume = self.create_volume(status=status)

            response = self.post({'transfer': {'volume_id': volume['id']}})

            self.assertEqual(400, response.status, (status, response))
            self.assertEqual(
                'Invalid volume: status must be available',
                response.json['badRequest']['message'], status)
            self.assertNothingCreated(volume, status=status)

    def test_create_twice_is_rejected(self):
        volume = self.create_volume()
        transfer = self.create_transfer(volume)

        response = self.post({'transfer': {'volume_id': volume['id']}})

        self.assertFault(response, 400, 'badRequest',
                         'Invalid volume: status must be available')
        rows = self.transfer_rows_of(volume['id'])
        self.assertEqual([transfer['id']], [row['id'] for row in rows])
        self.assertEqual('awaiting-transfer',
                         self.volume_row(volume['id'])['status'])

    def test_create_url_project_mismatch(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             project=base.P2)

        self.assertFault(response, 400, 'badRequest', 'Malformed request url')
        self.assertNothingCreated(volume)

    def test_create_by_reader_is_forbidden(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             token=base.READER1)

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:create_transfer to be performed.")
        self.assertNothingCreated(volume)

    def test_create_by_foo_role_is_forbidden(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             token=base.FOO1)

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:create_transfer to be performed.")
        self.assertNothingCreated(volume)

    def test_create_by_other_admin(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             token=base.ADMIN, project=base.A0,
                             version='3.57')

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(base.P1, transfer['source_project_id'])
        row = self.transfer_row(transfer['id'])
        self.assertEqual(base.P1, row['source_project_id'])
        self.assertEqual(base.P1, self.volume_row(volume['id'])['project_id'])


class CreateSnapshotChoiceTest(CreateTestBase):

    def test_no_snapshots_rejected_at_3_54(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'no_snapshots': True}},
                             version='3.54')

        self.assertFault(response, 400, 'badRequest')
        self.assertTrue(response.json['badRequest']['message'].endswith(
            "Additional properties are not allowed ('no_snapshots' was "
            "unexpected)"), response)
        self.assertNothingCreated(volume)

    def test_no_snapshots_true_at_3_55(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'no_snapshots': True}},
                             version='3.55')

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertIs(True, transfer['no_snapshots'])
        self.assertTrue(self.transfer_row(transfer['id'])['no_snapshots'])

    def test_no_snapshots_true_strings(self):
        for value in ('TRUE', 'yes', 'on', '1', 't', 'y', 'True'):
            volume = self.create_volume()

            transfer = self.create_transfer(volume, version='3.55',
                                            no_snapshots=value)

            self.assertIs(True, transfer['no_snapshots'], value)
            self.assertTrue(
                self.transfer_row(transfer['id'])['no_snapshots'], value)

    def test_no_snapshots_false_strings(self):
        for value in ('0', 'no', 'off', 'f', 'n', 'False', False):
            volume = self.create_volume()

            transfer = self.create_transfer(volume, version='3.55',
                                            no_snapshots=value)

            self.assertIs(False, transfer['no_snapshots'], value)
            self.assertFalse(
                self.transfer_row(transfer['id'])['no_snapshots'], value)

    def test_no_snapshots_rejects_other_strings(self):
        volume = self.create_volume()

        for value in ('Y', 'T', 'N', 'F', 'oN', 'maybe'):
            response = self.post({'transfer': {'volume_id': volume['id'],
                                               'no_snapshots': value}},
                                 version='3.55')

            self.assertEqual(400, response.status, (value, response))
            self.assertTrue(
                response.json['badRequest']['message'].startswith(
                    f'Invalid input for field/attribute no_snapshots. '
                    f'Value: {value}. '), response)
        self.assertNothingCreated(volume)

    def test_no_snapshots_rejects_integer(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'no_snapshots': 1}},
                             version='3.55')

        self.assertFault(
            response, 400, 'badRequest',
            "Invalid input for field/attribute no_snapshots. Value: 1. "
            "1 is not of type 'boolean', 'string'")
        self.assertNothingCreated(volume)

    def test_no_snapshots_rejects_null(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'no_snapshots': None}},
                             version='3.55')

        self.assertFault(response, 400, 'badRequest')
        self.assertNothingCreated(volume)

    def test_legacy_rejects_no_snapshots(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'no_snapshots': True}},
                             version='3.55', collection='os-volume-transfer')

        self.assertFault(response, 400, 'badRequest')
        self.assertTrue(response.json['badRequest']['message'].endswith(
            "Additional properties are not allowed ('no_snapshots' was "
            "unexpected)"), response)
        self.assertNothingCreated(volume)

    def test_creating_snapshot_blocks_create(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume, status='creating')

        response = self.post({'transfer': {'volume_id': volume['id']}})

        self.assertFault(
            response, 400, 'badRequest',
            f"Invalid snapshot: snapshot: {snapshot['id']} status must be "
            f"available")
        self.assertNothingCreated(volume)
        self.assertEqual('creating',
                         self.snapshot_row(snapshot['id'])['status'])

    def test_no_snapshots_ignores_creating_snapshot(self):
        volume = self.create_volume()
        self.create_snapshot(volume, status='creating')

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'no_snapshots': True}},
                             version='3.55')

        self.assertEqual(202, response.status, response)
        self.assertEqual('awaiting-transfer',
                         self.volume_row(volume['id'])['status'])

    def test_available_snapshots_allow_create(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume)

        self.create_transfer(volume)

        row = self.snapshot_row(snapshot['id'])
        self.assertEqual('available', row['status'])
        self.assertEqual(base.P1, row['project_id'])


class CreateEncryptedTest(CreateTestBase):

    def create_encrypted_volume(self):
        return self.create_volume(encryption_key_id=ENCRYPTION_KEY_ID)

    def test_plain_volume_at_3_70(self):
        volume = self.create_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             version='3.70')

        self.assertEqual(202, response.status, response)
        self.assertEqual(KEYS_3_57, set(response.json['transfer']))
        self.assertEqual('awaiting-transfer',
                         self.volume_row(volume['id'])['status'])

    def test_encrypted_rejected_at_3_69(self):
        volume = self.create_encrypted_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             version='3.69')

        self.assertFault(
            response, 400, 'badRequest',
            'Invalid volume: transferring encrypted volume is not supported')
        self.assertNothingCreated(volume)

    def test_encrypted_rejected_without_version(self):
        volume = self.create_encrypted_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}})

        self.assertFault(
            response, 400, 'badRequest',
            'Invalid volume: transferring encrypted volume is not supported')
        self.assertNothingCreated(volume)

    def test_encrypted_without_snapshots_rejected(self):
        volume = self.create_encrypted_volume()

        response = self.post({'transfer': {'volume_id': volume['id'],
                                           'no_snapshots': True}},
                             version='3.70')

        self.assertFault(
            response, 400, 'badRequest',
            'Invalid volume: transferring an encrypted volume without its '
            'snapshots is not supported')
        self.assertNothingCreated(volume)

    def test_encrypted_legacy_rejected_at_3_70(self):
        volume = self.create_encrypted_volume()

        response = self.post({'transfer': {'volume_id': volume['id']}},
                             version='3.70', collection='os-volume-transfer')

        self.assertFault(
            response, 400, 'badRequest',
            'Invalid volume: transferring encrypted volume is not supported')
        self.assertNothingCreated(volume)
