"""End-to-end transfer flow through the real pipeline."""

from cinder_transfer_ext.tests import base


class TransferFlowTest(base.TransferTestCase):

    def test_accept_moves_volume_and_snapshots(self):
        volume = self.create_volume(name='vol1', size=2)
        snapshot = self.create_snapshot(volume)
        transfer = self.create_transfer(volume, name='tx')

        self.assertEqual('awaiting-transfer',
                         self.volume_row(volume['id'])['status'])
        response = self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': transfer['auth_key']}})

        self.assertEqual(202, response.status, response)
        self.assertEqual({'id', 'volume_id', 'name', 'links'},
                         set(response.json['transfer']))
        moved = self.volume_row(volume['id'])
        self.assertEqual(base.P2, moved['project_id'])
        self.assertEqual('member2', moved['user_id'])
        self.assertEqual('available', moved['status'])
        self.assertEqual(base.P2,
                         self.snapshot_row(snapshot['id'])['project_id'])
        row = self.transfer_row(transfer['id'])
        self.assertTrue(row['deleted'])
        self.assertTrue(row['accepted'])
        self.assertEqual(base.P2, row['destination_project_id'])
        self.assertEqual(base.P1, row['source_project_id'])

    def test_delete_returns_volume_to_available(self):
        volume = self.create_volume()
        transfer = self.create_transfer(volume)

        response = self.request('DELETE',
                                self.url(base.P1, f"/{transfer['id']}"))

        self.assertEqual(202, response.status, response)
        self.assertEqual(b'', response.body)
        self.assertEqual('available', self.volume_row(volume['id'])['status'])
        shown = self.request('GET', self.url(base.P1, f"/{transfer['id']}"))
        self.assertFault(shown, 404, 'itemNotFound',
                         f"Transfer {transfer['id']} could not be found.")
