"""Accept a transfer: POST /volume-transfers/{id}/accept."""

import hashlib
import hmac
import uuid

import sqlalchemy as sa

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.tests import base
from cinder_transfer_ext.transfer import authkey

SUMMARY_KEYS = {'id', 'volume_id', 'name', 'links'}


class AcceptTestBase(base.TransferTestCase):

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume(size=2)
        self.transfer = self.create_transfer(self.volume, name='tx')
        self.key = self.transfer['auth_key']

    def accept(self, auth_key=None, token=base.MEMBER2, project=base.P2,
               transfer_id=None, version=None, collection='volume-transfers',
               body=None, **kwargs):
        transfer_id = transfer_id or self.transfer['id']
        if body is None and 'raw_body' not in kwargs:
            body = {'accept': {'auth_key': (self.key if auth_key is None
                                            else auth_key)}}
        return self.request(
            'POST', self.url(project, f'/{transfer_id}/accept', collection),
            token, body=body, version=version, **kwargs)

    def assertNotAccepted(self, transfer=None, volume=None):
        """Check that a rejected accept changed neither row."""
        transfer = transfer or self.transfer
        volume = volume or self.volume
        row = self.transfer_row(transfer['id'])
        self.assertFalse(row['deleted'])
        self.assertFalse(row['accepted'])
        self.assertIsNone(row['destination_project_id'])
        volume_row = self.volume_row(volume['id'])
        self.assertEqual(base.P1, volume_row['project_id'])
        self.assertEqual('member1', volume_row['user_id'])

    def assertVolumeWaiting(self):
        self.assertEqual('awaiting-transfer',
                         self.volume_row(self.volume['id'])['status'])


class AcceptSuccessTest(AcceptTestBase):

    def test_accept_returns_summary_view(self):
        response = self.accept()

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(SUMMARY_KEYS, set(transfer))
        self.assertEqual(self.transfer['id'], transfer['id'])
        self.assertEqual(self.volume['id'], transfer['volume_id'])
        self.assertEqual('tx', transfer['name'])
        self.assertEqual(
            [{'rel': 'self',
              'href': f"http://localhost/v3/{base.P2}/volume-transfers/"
                      f"{self.transfer['id']}"},
             {'rel': 'bookmark',
              'href': f"http://localhost/{base.P2}/volume-transfers/"
                      f"{self.transfer['id']}"}],
            transfer['links'])

    def test_accept_moves_volume(self):
        self.accept()

        row = self.volume_row(self.volume['id'])
        self.assertEqual(base.P2, row['project_id'])
        self.assertEqual('member2', row['user_id'])
        self.assertEqual('available', row['status'])

    def test_accept_records_history(self):
        self.accept()

        row = self.transfer_row(self.transfer['id'])
        self.assertTrue(row['deleted'])
        self.assertIsNotNone(row['deleted_at'])
        self.assertTrue(row['accepted'])
        self.assertEqual(base.P2, row['destination_project_id'])
        self.assertEqual(base.P1, row['source_project_id'])

    def test_accept_same_view_every_version(self):
        for version in (None, '3.55', '3.57', '3.59', '3.70', '3.71'):
            volume = self.create_volume()
            transfer = self.create_transfer(volume)

            response = self.accept(transfer['auth_key'],
                                   transfer_id=transfer['id'],
                                   version=version)

            self.assertEqual(202, response.status, (version, response))
            self.assertEqual(SUMMARY_KEYS, set(response.json['transfer']),
                             version)
            self.assertEqual(base.P2,
                             self.volume_row(volume['id'])['project_id'])

    def test_accept_never_returns_auth_key(self):
        response = self.accept()

        self.assertEqual(202, response.status, response)
        self.assertNotIn(self.key.encode(), response.body)

    def test_accept_on_legacy_collection(self):
        response = self.accept(collection='os-volume-transfer')

        self.assertEqual(202, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(SUMMARY_KEYS, set(transfer))
        self.assertEqual(
            f"http://localhost/v3/{base.P2}/os-volume-transfer/"
            f"{self.transfer['id']}", transfer['links'][0]['href'])
        self.assertEqual(base.P2,
                         self.volume_row(self.volume['id'])['project_id'])

    def test_accept_without_project_segment(self):
        response = self.accept(project=None)

        self.assertEqual(202, response.status, response)
        self.assertEqual(
            f"http://localhost/v3/volume-transfers/{self.transfer['id']}",
            response.json['transfer']['links'][0]['href'])
        self.assertEqual(base.P2,
                         self.volume_row(self.volume['id'])['project_id'])

    def test_accept_twice_is_404(self):
        first = self.accept()
        second = self.accept()

        self.assertEqual(202, first.status, first)
        self.assertFault(second, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")

    def test_accepted_transfer_hidden_from_show(self):
        self.accept()

        for token, project in ((base.MEMBER2, base.P2),
                               (base.ADMIN, base.A0),
                               (base.MEMBER1, base.P1)):
            response = self.request(
                'GET', self.url(project, f"/{self.transfer['id']}"), token)

            self.assertFault(
                response, 404, 'itemNotFound',
                f"Transfer {self.transfer['id']} could not be found.")

    def test_accepted_transfer_cannot_be_deleted(self):
        self.accept()

        response = self.request(
            'DELETE', self.url(base.P1, f"/{self.transfer['id']}"))

        self.assertFault(response, 404, 'itemNotFound')
        row = self.volume_row(self.volume['id'])
        self.assertEqual(base.P2, row['project_id'])
        self.assertEqual('available', row['status'])

    def test_accept_into_own_project(self):
        response = self.accept(token=base.MEMBER1, project=base.P1)

        self.assertEqual(202, response.status, response)
        row = self.volume_row(self.volume['id'])
        self.assertEqual(base.P1, row['project_id'])
        self.assertEqual('member1', row['user_id'])
        self.assertEqual('available', row['status'])
        self.assertEqual(base.P1, self.transfer_row(
            self.transfer['id'])['destination_project_id'])

    def test_accept_by_other_admin(self):
        response = self.accept(token=base.ADMIN, project=base.A0)

        self.assertEqual(202, response.status, response)
        row = self.volume_row(self.volume['id'])
        self.assertEqual(base.A0, row['project_id'])
        self.assertEqual('admin', row['user_id'])

    def test_accept_uppercase_transfer_id(self):
        response = self.accept(transfer_id=self.transfer['id'].upper())

        self.assertEqual(202, response.status, response)
        self.assertEqual(self.transfer['id'], response.json['transfer']['id'])

    def test_accept_with_json_suffix(self):
        response = self.request(
            'POST', self.url(base.P2, f"/{self.transfer['id']}/accept.json"),
            base.MEMBER2, body={'accept': {'auth_key': self.key}})

        self.assertEqual(202, response.status, response)
        self.assertEqual(base.P2,
                         self.volume_row(self.volume['id'])['project_id'])


class AcceptSnapshotTest(AcceptTestBase):

    def test_accept_moves_available_snapshot(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume)
        transfer = self.create_transfer(volume)

        response = self.accept(transfer['auth_key'],
                               transfer_id=transfer['id'])

        self.assertEqual(202, response.status, response)
        row = self.snapshot_row(snapshot['id'])
        self.assertEqual(base.P2, row['project_id'])
        self.assertEqual('member2', row['user_id'])
        self.assertEqual('available', row['status'])

    def test_no_snapshots_leaves_snapshots(self):
        volume = self.create_volume()
        snapshots = [self.create_snapshot(volume) for _ in range(2)]
        transfer = self.create_transfer(volume, version='3.55',
                                        no_snapshots=True)

        response = self.accept(transfer['auth_key'],
                               transfer_id=transfer['id'])

        self.assertEqual(202, response.status, response)
        self.assertEqual(base.P2, self.volume_row(volume['id'])['project_id'])
        for snapshot in snapshots:
            row = self.snapshot_row(snapshot['id'])
            self.assertEqual(base.P1, row['project_id'])
            self.assertEqual('member1', row['user_id'])

    def test_no_snapshots_ignores_snapshot_status(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume)
        transfer = self.create_transfer(volume, version='3.55',
                                        no_snapshots=True)
        db_api.snapshot_update(self.admin_context, snapshot['id'],
                               {'status': 'error'})

        response = self.accept(transfer['auth_key'],
                               transfer_id=transfer['id'])

        self.assertEqual(202, response.status, response)
        self.assertEqual(base.P1,
                         self.snapshot_row(snapshot['id'])['project_id'])

    def test_errored_snapshot_blocks_accept(self):
        volume = self.create_volume()
        good = self.create_snapshot(volume)
        bad = self.create_snapshot(volume)
        transfer = self.create_transfer(volume)
        db_api.snapshot_update(self.admin_context, bad['id'],
                               {'status': 'error'})

        response = self.accept(transfer['auth_key'],
                               transfer_id=transfer['id'])

        self.assertFault(
            response, 400, 'badRequest',
            f"Invalid snapshot: Transfer {transfer['id']}: Snapshot "
            f"{bad['id']} is not in the expected available state.")
        self.assertNotAccepted(transfer, volume)
        self.assertEqual('awaiting-transfer',
                         self.volume_row(volume['id'])['status'])
        for snapshot in (good, bad):
            self.assertEqual(base.P1,
                             self.snapshot_row(snapshot['id'])['project_id'])


class AcceptKeyTest(AcceptTestBase):
    # These tests send more wrong keys than the attempt limit allows.
    config_overrides = {('cinder_transfer_ext', 'accept_max_failures'): 50}

    def invalid_key_message(self, transfer_id=None):
        return (f"Invalid auth key: Attempt to transfer "
                f"{transfer_id or self.transfer['id']} with invalid auth "
                f"key.")

    def test_wrong_key_is_rejected(self):
        for key in (1, '0000000000000000', self.key.upper(),
                    f' {self.key}', f'{self.key}\n', self.key[:-1], '',
                    self.key + '0'):
            if key == self.key:
                continue
            response = self.accept(key)

            self.assertFault(response, 400, 'badRequest',
                             self.invalid_key_message())
        self.assertNotAccepted()
        self.assertVolumeWaiting()

    def test_wrong_key_keeps_transfer_usable(self):
        self.accept('0000000000000000')

        response = self.accept()

        self.assertEqual(202, response.status, response)

    def test_null_key_is_rejected(self):
        response = self.accept(body={'accept': {'auth_key': None}})

        self.assertFault(
            response, 400, 'badRequest',
            "Invalid input for field/attribute auth_key. Value: None. "
            "None is not of type 'string', 'integer'")
        self.assertNotAccepted()

    def test_non_scalar_keys_rejected(self):
        for key in (True, 1.0, [self.key], {'k': self.key}):
            response = self.accept(body={'accept': {'auth_key': key}})

            self.assertEqual(400, response.status, (key, response))
            message = response.json['badRequest']['message']
            self.assertTrue(message.startswith(
                'Invalid input for field/attribute auth_key.'), response)
            self.assertNotIn(self.key, message)
        self.assertNotAccepted()

    def test_error_message_hides_key(self):
        response = self.accept(
            body={'accept': {'auth_key': self.key, 'x': 1}})

        self.assertFault(response, 400, 'badRequest')
        self.assertNotIn(self.key, response.json['badRequest']['message'])
        self.assertTrue(response.json['badRequest']['message'].endswith(
            "Additional properties are not allowed ('x' was unexpected)"))
        self.assertNotAccepted()

    def test_nul_in_key_is_rejected(self):
        response = self.accept(self.key + '\x00')

        self.assertFault(response, 400, 'badRequest')
        self.assertNotAccepted()

    def test_lone_surrogate_key_is_rejected(self):
        response = self.accept(
            raw_body=b'{"accept": {"auth_key": "\\udc00"}}')

        self.assertFault(response, 400, 'badRequest')
        self.assertNotAccepted()

    def set_key(self, auth_key: str):
        """Store the hash of a chosen key on the transfer row."""
        salt = self.transfer_row(self.transfer['id'])['salt']
        with self.database.writer.using(self.admin_context) as session:
            session.execute(
                sa.update(db_api.TRANSFERS).where(
                    db_api.TRANSFERS.c.id == self.transfer['id']
                ).values(crypt_hash=authkey.hash_key(salt, auth_key)))

    def test_digit_key_as_integer(self):
        self.set_key('1112345678901234')

        response = self.accept(1112345678901234)

        self.assertEqual(202, response.status, response)
        self.assertEqual(base.P2,
                         self.volume_row(self.volume['id'])['project_id'])

    def test_leading_zero_integer_rejected(self):
        self.set_key('0112345678901234')

        response = self.accept(112345678901234)

        self.assertFault(response, 400, 'badRequest',
                         self.invalid_key_message())
        self.assertNotAccepted()

    def test_huge_integer_key_rejected(self):
        digits = b'9' * 5000
        raw = b'{"accept": {"auth_key": ' + digits + b'}}'

        response = self.accept(raw_body=raw)

        self.assertFault(response, 400, 'badRequest')
        self.assertNotAccepted()

    def test_legacy_sha1_hash_verifies(self):
        salt = 'abcd1234'
        # Cinder stores a bare HMAC-SHA1 hex digest.
        legacy_hash = hmac.new(salt.encode(), b'0123456789abcdef',
                               hashlib.sha1).hexdigest()
        with self.database.writer.using(self.admin_context) as session:
            session.execute(
                sa.update(db_api.TRANSFERS).where(
                    db_api.TRANSFERS.c.id == self.transfer['id']
                ).values(salt=salt, crypt_hash=legacy_hash))

        response = self.accept('0123456789abcdef')

        self.assertEqual(202, response.status, response)


class AcceptBodyTest(AcceptTestBase):

    def test_null_body_is_rejected(self):
        response = self.accept(raw_body=b'null')

        self.assertFault(response, 400, 'badRequest',
                         "None is not of type 'object'")
        self.assertNotAccepted()

    def test_empty_body_is_rejected(self):
        response = self.accept(raw_body=b'')

        self.assertFault(response, 400, 'badRequest')
        self.assertNotAccepted()

    def test_missing_accept_object(self):
        response = self.accept(body={'': {}})

        self.assertFault(response, 400, 'badRequest',
                         "'accept' is a required property")
        self.assertNotAccepted()

    def test_missing_auth_key(self):
        response = self.accept(body={'accept': {}})

        self.assertFault(
            response, 400, 'badRequest',
            "Invalid input for field/attribute accept. Value: {}. "
            "'auth_key' is a required property")
        self.assertNotAccepted()

    def test_malformed_json_is_rejected(self):
        response = self.accept(raw_body=b'{"accept": ')

        self.assertFault(response, 400, 'badRequest')
        self.assertTrue(response.json['badRequest']['message'].startswith(
            'Malformed request body'), response)
        self.assertNotAccepted()

    def test_text_plain_is_rejected(self):
        raw = ('{"accept": {"auth_key": "%s"}}' % self.key).encode('ascii')

        response = self.accept(raw_body=raw, content_type='text/plain')

        self.assertFault(response, 415, 'badMediaType')
        self.assertNotAccepted()


class AcceptStateTest(AcceptTestBase):

    def test_unknown_transfer_is_404(self):
        transfer_id = str(uuid.uuid4())

        response = self.accept(transfer_id=transfer_id)

        self.assertFault(response, 404, 'itemNotFound',
                         f'Transfer {transfer_id} could not be found.')
        self.assertNotAccepted()

    def test_non_uuid_transfer_is_404(self):
        response = self.accept(transfer_id='abc')

        self.assertFault(response, 404, 'itemNotFound',
                         'Transfer abc could not be found.')

    def test_deleted_transfer_is_404(self):
        deleted = self.request('DELETE',
                               self.url(base.P1, f"/{self.transfer['id']}"))
        self.assertEqual(202, deleted.status, deleted)

        response = self.accept()

        self.assertFault(response, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")
        row = self.volume_row(self.volume['id'])
        self.assertEqual(base.P1, row['project_id'])
        self.assertEqual('available', row['status'])

    def test_consistency_group_blocks_accept(self):
        db_api.volume_update(self.admin_context, self.volume['id'],
                             {'consistencygroup_id': str(uuid.uuid4())})

        response = self.accept()

        self.assertFault(
            response, 400, 'badRequest',
            f"Invalid volume: Volume {self.volume['id']} must not be part "
            f"of a consistency group.")
        self.assertNotAccepted()
        self.assertVolumeWaiting()

    def test_changed_volume_status_blocks_accept(self):
        for status in ('wrong', 'error', 'available'):
            volume = self.create_volume()
            transfer = self.create_transfer(volume)
            db_api.volume_update(self.admin_context, volume['id'],
                                 {'status': status})

            response = self.accept(transfer['auth_key'],
                                   transfer_id=transfer['id'])

            self.assertFault(
                response, 400, 'badRequest',
                f"Invalid volume: Transfer {transfer['id']}: Volume id "
                f"{volume['id']} expected in awaiting-transfer state.")
            self.assertNotAccepted(transfer, volume)
            self.assertEqual(status, self.volume_row(volume['id'])['status'])

    def test_maintenance_blocks_accept(self):
        db_api.volume_update(self.admin_context, self.volume['id'],
                             {'status': 'maintenance'})

        response = self.accept()

        self.assertFault(
            response, 400, 'badRequest',
            'Invalid volume: The volume cannot accept transfer in '
            'maintenance mode.')
        self.assertNotAccepted()
        self.assertEqual('maintenance',
                         self.volume_row(self.volume['id'])['status'])

    def test_url_project_mismatch(self):
        response = self.accept(project=base.P1)

        self.assertFault(response, 400, 'badRequest', 'Malformed request url')
        self.assertNotAccepted()
        self.assertVolumeWaiting()


class AcceptPolicyTest(AcceptTestBase):

    def test_other_reader_is_forbidden(self):
        response = self.accept(token=base.READER2)

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:accept_transfer to be performed.")
        self.assertNotAccepted()
        self.assertVolumeWaiting()

    def test_reader_unknown_transfer_forbidden(self):
        response = self.accept(token=base.READER2,
                               transfer_id=str(uuid.uuid4()))

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:accept_transfer to be performed.")

    def test_foo_role_is_forbidden(self):
        response = self.accept(token=base.FOO1, project=base.P1)

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:accept_transfer to be performed.")
        self.assertNotAccepted()

    def test_owner_reader_is_forbidden(self):
        response = self.accept(token=base.READER1, project=base.P1)

        self.assertFault(response, 403, 'forbidden')
        self.assertNotAccepted()

    def test_validation_precedes_policy(self):
        response = self.accept(token=base.READER2, body={'accept': {}})

        self.assertFault(response, 400, 'badRequest')
