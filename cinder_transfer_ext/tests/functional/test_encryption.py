"""Encrypted volumes: microversion gates and key moves through castellan.

The key manager is castellan's in-memory MockKeyManager, because neither
Barbican nor Vault can run on the test machines; it is the only mocked
boundary here. It stores secrets by id, so the tests check that each
move leaves the volume and its snapshots on a new key id with the same
secret and that the old copy is gone. After a failure they check that
the old key is still in use and that no stray copy is left.
"""

from castellan.common import exception as castellan_exception
from castellan.common.objects import symmetric_key
import sqlalchemy as sa

from cinder_transfer_ext.tests import base

MOCK_KEY_MANAGER = ('castellan.tests.unit.key_manager.mock_key_manager.'
                    'MockKeyManager')
SECRET = bytes(range(32))


class EncryptedTransferTest(base.TransferTestCase):
    config_overrides = {('key_manager', 'backend'): MOCK_KEY_MANAGER}

    def setUp(self):
        super().setUp()
        self.key_manager = self._find_transfer_app().transfer_api.keys.manager
        key = symmetric_key.SymmetricKey('AES', 256, SECRET)
        self.key_id = self.key_manager.store(self.admin_context, key)
        self.volume = self.create_volume(encryption_key_id=self.key_id)
        self.snapshots = [self.create_snapshot(self.volume),
                          self.create_snapshot(self.volume)]

    def _key_ids(self) -> set:
        ids = {self.volume_row(self.volume['id'])['encryption_key_id']}
        ids.update(self.snapshot_row(snapshot['id'])['encryption_key_id']
                   for snapshot in self.snapshots)
        return ids

    def _assert_key_moved(self, old_key_id: str) -> str:
        ids = self._key_ids()
        self.assertEqual(1, len(ids), ids)
        new_key_id = ids.pop()
        self.assertNotEqual(old_key_id, new_key_id)
        self.assertNotIn(old_key_id, self.key_manager.keys)
        self.assertEqual(SECRET,
                         self.key_manager.keys[new_key_id].get_encoded())
        self.assertEqual(1, len(self.key_manager.keys))
        return new_key_id

    def _create(self, version='3.70', collection='volume-transfers', **extra):
        return self.request(
            'POST', self.url(base.P1, collection=collection),
            base.MEMBER1, version=version,
            body={'transfer': dict({'volume_id': self.volume['id']}, **extra)})

    def _accept(self, transfer, version=None):
        return self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, version=version,
            body={'accept': {'auth_key': transfer['auth_key']}})

    def test_rejected_below_370(self):
        response = self._create(version='3.69')

        self.assertFault(response, 400, 'badRequest',
                         'Invalid volume: transferring encrypted volume is '
                         'not supported')
        self.assertEqual({self.key_id}, self._key_ids())
        self.assertEqual('available',
                         self.volume_row(self.volume['id'])['status'])

    def test_rejected_on_legacy_collection(self):
        response = self._create(collection='os-volume-transfer')

        self.assertFault(response, 400, 'badRequest',
                         'Invalid volume: transferring encrypted volume is '
                         'not supported')

    def test_rejected_without_snapshots(self):
        response = self._create(no_snapshots=True)

        self.assertFault(response, 400, 'badRequest',
                         'Invalid volume: transferring an encrypted volume '
                         'without its snapshots is not supported')
        self.assertEqual({self.key_id}, self._key_ids())

    def test_create_moves_key_to_service(self):
        response = self._create()

        self.assertEqual(202, response.status, response)
        self._assert_key_moved(self.key_id)

    def test_accept_moves_key_to_recipient(self):
        transfer = self._create().json['transfer']
        service_key = self._key_ids().pop()

        response = self._accept(transfer)

        self.assertEqual(202, response.status, response)
        self._assert_key_moved(service_key)
        self.assertEqual(base.P2,
                         self.volume_row(self.volume['id'])['project_id'])

    def test_owner_delete_returns_key(self):
        transfer = self._create().json['transfer']
        service_key = self._key_ids().pop()

        response = self.request('DELETE',
                                self.url(base.P1, f"/{transfer['id']}"))

        self.assertEqual(202, response.status, response)
        self._assert_key_moved(service_key)

    def test_admin_delete_keeps_service_key(self):
        transfer = self._create().json['transfer']
        service_key = self._key_ids().pop()

        response = self.request(
            'DELETE', self.url(base.A0, f"/{transfer['id']}"), base.ADMIN)

        self.assertEqual(202, response.status, response)
        self.assertEqual({service_key}, self._key_ids())
        self.assertIn(service_key, self.key_manager.keys)

    def test_failed_accept_keeps_key(self):
        transfer = self._create().json['transfer']
        service_key = self._key_ids().pop()
        engine = self._find_transfer_app().database.get_engine()

        def fail_snapshot_update(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith('UPDATE SNAPSHOTS'):
                raise RuntimeError('injected statement failure')
        sa.event.listen(engine, 'before_cursor_execute',
                        fail_snapshot_update)
        self.addCleanup(sa.event.remove, engine, 'before_cursor_execute',
                        fail_snapshot_update)

        response = self._accept(transfer)

        self.assertEqual(500, response.status, response)
        self.assertEqual({service_key}, self._key_ids())
        self.assertEqual([service_key], list(self.key_manager.keys))
        self.assertEqual(base.P1,
                         self.volume_row(self.volume['id'])['project_id'])

    def test_key_manager_failure_changes_nothing(self):
        def reject(*args, **kwargs):
            raise castellan_exception.KeyManagerError('injected failure')
        self.key_manager.store = reject

        response = self._create()

        self.assertFault(response, 503, 'serviceUnavailable')
        self.assertEqual({self.key_id}, self._key_ids())
        self.assertEqual('available',
                         self.volume_row(self.volume['id'])['status'])
        self.assertEqual([], self.request(
            'GET', self.url(base.P1)).json['transfers'])

    def test_unencrypted_volume_keeps_no_key(self):
        plain = self.create_volume()

        response = self.request(
            'POST', self.url(base.P1), base.MEMBER1, version='3.70',
            body={'transfer': {'volume_id': plain['id']}})

        self.assertEqual(202, response.status, response)
        self.assertIsNone(self.volume_row(plain['id'])['encryption_key_id'])
        self.assertEqual([self.key_id], list(self.key_manager.keys))
