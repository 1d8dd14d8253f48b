"""Show and delete one transfer: GET and DELETE /volume-transfers/{id}."""

import re
import uuid

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.tests import base

CREATED_AT_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$')
KEYS_3_0 = {'id', 'created_at', 'name', 'volume_id', 'links'}
KEYS_3_55 = KEYS_3_0 | {'no_snapshots'}
KEYS_3_57 = KEYS_3_55 | {'source_project_id', 'destination_project_id',
                         'accepted'}


class ShowTest(base.TransferTestCase):

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume()
        self.transfer = self.create_transfer(self.volume, name='tx')
        self.path = f"/{self.transfer['id']}"

    def show(self, token=base.MEMBER1, project=base.P1, version=None,
             collection='volume-transfers', path=None):
        return self.request(
            'GET', self.url(project, path or self.path, collection), token,
            version=version)

    def test_show_without_version_has_3_0_keys(self):
        response = self.show()

        self.assertEqual(200, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(KEYS_3_0, set(transfer))
        self.assertEqual(self.transfer['id'], transfer['id'])
        self.assertEqual(self.volume['id'], transfer['volume_id'])
        self.assertEqual('tx', transfer['name'])
        self.assertRegex(transfer['created_at'], CREATED_AT_RE)
        self.assertEqual('volume 3.0',
                         response.headers['OpenStack-API-Version'])
        self.assertEqual('OpenStack-API-Version', response.headers['Vary'])

    def test_show_never_returns_auth_key(self):
        for version in ('3.0', '3.55', '3.57', '3.71'):
            response = self.show(version=version)

            self.assertEqual(200, response.status, response)
            self.assertNotIn('auth_key', response.json['transfer'])
            self.assertNotIn(self.transfer['auth_key'].encode(),
                             response.body, version)

    def test_show_links_use_addressed_collection(self):
        response = self.show()

        self.assertEqual(
            [{'rel': 'self',
              'href': f"http://localhost/v3/{base.P1}/volume-transfers/"
                      f"{self.transfer['id']}"},
             {'rel': 'bookmark',
              'href': f"http://localhost/{base.P1}/volume-transfers/"
                      f"{self.transfer['id']}"}],
            response.json['transfer']['links'])

    def test_show_at_3_55_adds_no_snapshots(self):
        response = self.show(version='3.55')

        self.assertEqual(200, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(KEYS_3_55, set(transfer))
        self.assertIs(False, transfer['no_snapshots'])

    def test_show_at_3_57_adds_history(self):
        response = self.show(version='3.57')

        self.assertEqual(200, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(KEYS_3_57, set(transfer))
        self.assertEqual(base.P1, transfer['source_project_id'])
        self.assertIsNone(transfer['destination_project_id'])
        self.assertIs(False, transfer['accepted'])

    def test_show_unknown_id_is_404(self):
        transfer_id = str(uuid.uuid4())

        response = self.show(path=f'/{transfer_id}')

        self.assertFault(response, 404, 'itemNotFound',
                         f'Transfer {transfer_id} could not be found.')

    def test_show_non_uuid_id_is_404(self):
        response = self.show(path='/abc')

        self.assertFault(response, 404, 'itemNotFound',
                         'Transfer abc could not be found.')

    def test_show_uppercase_id(self):
        response = self.show(path=f"/{self.transfer['id'].upper()}")

        self.assertEqual(200, response.status, response)
        self.assertEqual(self.transfer['id'], response.json['transfer']['id'])

    def test_show_by_reader_is_allowed(self):
        response = self.show(token=base.READER1)

        self.assertEqual(200, response.status, response)
        self.assertEqual(self.transfer['id'], response.json['transfer']['id'])

    def test_show_other_member_is_404(self):
        response = self.show(token=base.MEMBER2, project=base.P2)

        self.assertFault(response, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")

    def test_show_other_reader_is_404(self):
        response = self.show(token=base.READER2, project=base.P2)

        self.assertFault(response, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")

    def test_show_by_foo_role_is_forbidden(self):
        response = self.show(token=base.FOO1)

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:get_transfer to be performed.")

    def test_show_unknown_by_foo_is_forbidden(self):
        response = self.show(token=base.FOO1, path=f'/{uuid.uuid4()}')

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:get_transfer to be performed.")

    def test_show_by_other_admin(self):
        response = self.show(token=base.ADMIN, project=base.A0)

        self.assertEqual(200, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(self.transfer['id'], transfer['id'])
        self.assertEqual(
            f"http://localhost/v3/{base.A0}/volume-transfers/"
            f"{self.transfer['id']}", transfer['links'][0]['href'])

    def test_show_legacy_at_3_57(self):
        response = self.show(version='3.57', collection='os-volume-transfer')

        self.assertEqual(200, response.status, response)
        transfer = response.json['transfer']
        self.assertEqual(KEYS_3_57, set(transfer))
        self.assertEqual(
            f"http://localhost/v3/{base.P1}/os-volume-transfer/"
            f"{self.transfer['id']}", transfer['links'][0]['href'])

    def test_show_legacy_at_3_0(self):
        response = self.show(collection='os-volume-transfer')

        self.assertEqual(200, response.status, response)
        self.assertEqual(KEYS_3_0, set(response.json['transfer']))

    def test_show_without_project_segment(self):
        response = self.show(project=None)

        self.assertEqual(200, response.status, response)
        self.assertEqual(
            [{'rel': 'self',
              'href': f"http://localhost/v3/volume-transfers/"
                      f"{self.transfer['id']}"},
             {'rel': 'bookmark',
              'href': f"http://localhost/volume-transfers/"
                      f"{self.transfer['id']}"}],
            response.json['transfer']['links'])

    def test_show_url_project_mismatch(self):
        response = self.show(project=base.P2)

        self.assertFault(response, 400, 'badRequest', 'Malformed request url')

    def test_show_after_delete_is_404(self):
        deleted = self.request('DELETE', self.url(base.P1, self.path))
        self.assertEqual(202, deleted.status, deleted)

        response = self.show()

        self.assertFault(response, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")

    def test_show_follows_volume_owner(self):
        # Visibility follows the volume's owner, not source_project_id.
        db_api.volume_update(self.admin_context, self.volume['id'],
                             {'project_id': base.P2})

        mine = self.show()
        theirs = self.show(token=base.MEMBER2, project=base.P2)

        self.assertEqual(404, mine.status, mine)
        self.assertEqual(200, theirs.status, theirs)


class DeleteTest(base.TransferTestCase):

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume()
        self.transfer = self.create_transfer(self.volume, name='tx')
        self.path = f"/{self.transfer['id']}"

    def delete(self, token=base.MEMBER1, project=base.P1, version=None,
               collection='volume-transfers', path=None):
        return self.request(
            'DELETE', self.url(project, path or self.path, collection), token,
            version=version)

    def assertTransferLive(self):
        """Check that a rejected delete changed nothing."""
        row = self.transfer_row(self.transfer['id'])
        self.assertFalse(row['deleted'])
        self.assertIsNone(row['deleted_at'])
        volume = self.volume_row(self.volume['id'])
        self.assertEqual('awaiting-transfer', volume['status'])
        self.assertEqual(base.P1, volume['project_id'])

    def assertTransferCancelled(self):
        row = self.transfer_row(self.transfer['id'])
        self.assertTrue(row['deleted'])
        self.assertIsNotNone(row['deleted_at'])
        self.assertFalse(row['accepted'])
        self.assertIsNone(row['destination_project_id'])

    def test_delete_returns_empty_202(self):
        response = self.delete()

        self.assertEqual(202, response.status, response)
        self.assertEqual(b'', response.body)
        self.assertEqual('text/html; charset=UTF-8',
                         response.headers['Content-Type'])
        self.assertEqual('volume 3.0',
                         response.headers['OpenStack-API-Version'])

    def test_delete_makes_volume_available(self):
        self.delete()

        volume = self.volume_row(self.volume['id'])
        self.assertEqual('available', volume['status'])
        self.assertEqual(base.P1, volume['project_id'])
        self.assertTransferCancelled()

    def test_delete_then_show_is_404(self):
        self.delete()

        response = self.request('GET', self.url(base.P1, self.path))

        self.assertFault(response, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")

    def test_delete_allows_new_transfer(self):
        self.delete()

        again = self.create_transfer(self.volume)

        self.assertNotEqual(self.transfer['id'], again['id'])
        self.assertEqual('awaiting-transfer',
                         self.volume_row(self.volume['id'])['status'])

    def test_delete_unknown_id_is_404(self):
        transfer_id = str(uuid.uuid4())

        response = self.delete(path=f'/{transfer_id}')

        self.assertFault(response, 404, 'itemNotFound',
                         f'Transfer {transfer_id} could not be found.')
        self.assertTransferLive()

    def test_delete_by_other_member_is_404(self):
        response = self.delete(token=base.MEMBER2, project=base.P2)

        self.assertFault(response, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")
        self.assertTransferLive()

    def test_delete_by_other_reader_is_404(self):
        response = self.delete(token=base.READER2, project=base.P2)

        self.assertFault(response, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")
        self.assertTransferLive()

    def test_delete_by_reader_is_forbidden(self):
        response = self.delete(token=base.READER1)

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:delete_transfer to be performed.")
        self.assertTransferLive()

    def test_delete_by_foo_role_is_forbidden(self):
        response = self.delete(token=base.FOO1)

        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow volume:delete_transfer to be performed.")
        self.assertTransferLive()

    def test_reader_delete_unknown_is_404(self):
        transfer_id = str(uuid.uuid4())

        response = self.delete(token=base.READER1, path=f'/{transfer_id}')

        self.assertFault(response, 404, 'itemNotFound',
                         f'Transfer {transfer_id} could not be found.')

    def test_delete_by_other_admin(self):
        response = self.delete(token=base.ADMIN, project=base.A0)

        self.assertEqual(202, response.status, response)
        volume = self.volume_row(self.volume['id'])
        self.assertEqual('available', volume['status'])
        self.assertEqual(base.P1, volume['project_id'])
        self.assertTransferCancelled()

    def test_delete_keeps_error_status(self):
        db_api.volume_update(self.admin_context, self.volume['id'],
                             {'status': 'error'})

        response = self.delete()

        self.assertEqual(202, response.status, response)
        self.assertEqual('error', self.volume_row(self.volume['id'])['status'])
        self.assertTransferCancelled()

    def test_delete_twice_is_404(self):
        first = self.delete()
        second = self.delete()

        self.assertEqual(202, first.status, first)
        self.assertFault(second, 404, 'itemNotFound',
                         f"Transfer {self.transfer['id']} could not be found.")
        self.assertEqual('available',
                         self.volume_row(self.volume['id'])['status'])

    def test_delete_on_legacy_collection(self):
        response = self.delete(collection='os-volume-transfer')

        self.assertEqual(202, response.status, response)
        self.assertEqual(b'', response.body)
        self.assertEqual('available',
                         self.volume_row(self.volume['id'])['status'])

    def test_delete_without_project_segment(self):
        response = self.delete(project=None)

        self.assertEqual(202, response.status, response)
        self.assertTransferCancelled()

    def test_delete_url_project_mismatch(self):
        response = self.delete(project=base.P2)

        self.assertFault(response, 400, 'badRequest', 'Malformed request url')
        self.assertTransferLive()

    def test_delete_at_latest_version(self):
        response = self.delete(version='3.71')

        self.assertEqual(202, response.status, response)
        self.assertEqual('volume 3.71',
                         response.headers['OpenStack-API-Version'])
        self.assertTransferCancelled()

    def test_delete_leaves_snapshots_alone(self):
        volume = self.create_volume()
        snapshot = self.create_snapshot(volume)
        transfer = self.create_transfer(volume)

        response = self.delete(path=f"/{transfer['id']}")

        self.assertEqual(202, response.status, response)
        row = self.snapshot_row(snapshot['id'])
        self.assertEqual(base.P1, row['project_id'])
        self.assertEqual('available', row['status'])
