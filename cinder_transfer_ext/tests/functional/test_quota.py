"""Quota checks and usage moves on accept, and the quota-sets route."""

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.tests import base


class AcceptQuotaTest(base.TransferTestCase):

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume(size=2, volume_type='gold')
        self.snapshots = [self.create_snapshot(self.volume),
                          self.create_snapshot(self.volume)]

    def _usage(self, project: str) -> dict:
        usage = db_api.quota_usage_get(
            self.admin_context, project,
            self._find_transfer_app().transfer_api.quota_defaults)
        return {resource: (in_use, reserved)
                for resource, (_, in_use, reserved) in usage.items()}

    def _set_limit(self, project: str, resource: str, limit: int):
        db_api.quota_set_limit(self.admin_context, project, resource, limit)

    def _accept(self, transfer):
        return self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': transfer['auth_key']}})

    def _assert_rejected(self, resource: str, limit: int, message: str):
        transfer = self.create_transfer(self.volume)
        self._set_limit(base.P2, resource, limit)
        donor_before = self._usage(base.P1)
        recipient_before = self._usage(base.P2)

        response = self._accept(transfer)

        self.assertFault(response, 413, 'overLimit', message)
        self.assertEqual('0', response.json['overLimit']['retryAfter'])
        self.assertEqual('0', response.headers['Retry-After'])
        self.assertEqual(donor_before, self._usage(base.P1))
        self.assertEqual(recipient_before, self._usage(base.P2))
        volume = self.volume_row(self.volume['id'])
        self.assertEqual(base.P1, volume['project_id'])
        self.assertEqual('awaiting-transfer', volume['status'])
        self.assertFalse(self.transfer_row(transfer['id'])['deleted'])

    def test_per_volume_limit_refused(self):
        self._assert_rejected(
            'per_volume_gigabytes', 1,
            'VolumeSizeExceedsLimit: Requested volume size 2G is larger '
            'than maximum allowed limit 1G.')

    def test_gigabytes_limit_refused(self):
        self._assert_rejected(
            'gigabytes', 1,
            'Requested volume or snapshot exceeds allowed gigabytes quota. '
            'Requested 2G, quota is 1G and 0G has been consumed.')

    def test_volumes_limit_refused(self):
        self._assert_rejected(
            'volumes', 0,
            "VolumeLimitExceeded: Maximum number of volumes allowed (0) "
            "exceeded for quota 'volumes'.")

    def test_volume_type_limit_refused(self):
        self._assert_rejected(
            'volumes_gold', 0,
            "VolumeLimitExceeded: Maximum number of volumes allowed (0) "
            "exceeded for quota 'volumes_gold'.")

    def test_volume_type_gigabytes_refused(self):
        self._assert_rejected(
            'gigabytes_gold', 1,
            'Requested volume or snapshot exceeds allowed gigabytes_gold '
            'quota. Requested 2G, quota is 1G and 0G has been consumed.')

    def test_snapshots_limit_refused(self):
        self._assert_rejected(
            'snapshots', 1,
            'SnapshotLimitExceeded: Maximum number of snapshots allowed '
            '(1) exceeded')

    def test_snapshot_type_limit_refused(self):
        self._assert_rejected(
            'snapshots_gold', 0,
            'SnapshotLimitExceeded: Maximum number of snapshots allowed '
            '(0) exceeded')

    def test_snapshot_gigabytes_counted_after_volume(self):
        # The volume's 2G fit in 5G; its snapshots' 4G on top do not.
        self._assert_rejected(
            'gigabytes', 5,
            'Requested volume or snapshot exceeds allowed gigabytes quota. '
            'Requested 4G, quota is 5G and 2G has been consumed.')

    def test_consumed_includes_existing_usage(self):
        self.create_volume(project=base.P2, user='member2', size=3)
        self._assert_rejected(
            'gigabytes', 4,
            'Requested volume or snapshot exceeds allowed gigabytes quota. '
            'Requested 2G, quota is 4G and 3G has been consumed.')

    def test_accept_moves_usage(self):
        transfer = self.create_transfer(self.volume)
        self.assertEqual((1, 0), self._usage(base.P1)['volumes'])
        self.assertEqual((6, 0), self._usage(base.P1)['gigabytes'])

        self.assertEqual(202, self._accept(transfer).status)

        donor = self._usage(base.P1)
        recipient = self._usage(base.P2)
        for resource in ('volumes', 'volumes_gold', 'snapshots',
                         'snapshots_gold', 'gigabytes', 'gigabytes_gold'):
            self.assertEqual(0, donor[resource][0], resource)
        self.assertEqual((1, 0), recipient['volumes'])
        self.assertEqual((1, 0), recipient['volumes_gold'])
        self.assertEqual((2, 0), recipient['snapshots'])
        self.assertEqual((2, 0), recipient['snapshots_gold'])
        self.assertEqual((6, 0), recipient['gigabytes'])
        self.assertEqual((6, 0), recipient['gigabytes_gold'])

    def test_no_snapshots_moves_volume_usage_only(self):
        transfer = self.create_transfer(self.volume, version='3.55',
                                        no_snapshots=True)
        self._set_limit(base.P2, 'snapshots', 0)

        self.assertEqual(202, self._accept(transfer).status)

        self.assertEqual((2, 0), self._usage(base.P1)['snapshots'])
        self.assertEqual((4, 0), self._usage(base.P1)['gigabytes'])
        self.assertEqual((0, 0), self._usage(base.P2)['snapshots'])
        self.assertEqual((2, 0), self._usage(base.P2)['gigabytes'])

    def test_limit_exactly_reached_is_accepted(self):
        transfer = self.create_transfer(self.volume)
        self._set_limit(base.P2, 'gigabytes', 6)
        self._set_limit(base.P2, 'snapshots', 2)

        self.assertEqual(202, self._accept(transfer).status)

        self.assertEqual((6, 0), self._usage(base.P2)['gigabytes'])

    def test_same_project_accept_skips_quota(self):
        transfer = self.create_transfer(self.volume)
        self._set_limit(base.P1, 'volumes', 0)
        before = self._usage(base.P1)

        response = self.request(
            'POST', self.url(base.P1, f"/{transfer['id']}/accept"),
            base.MEMBER1, body={'accept': {'auth_key': transfer['auth_key']}})

        self.assertEqual(202, response.status, response)
        self.assertEqual(before, self._usage(base.P1))


class NoSnapshotGigabytesTest(base.TransferTestCase):
    config_overrides = {
        ('cinder_transfer_ext', 'no_snapshot_gb_quota'): True}

    def test_snapshot_sizes_not_counted(self):
        volume = self.create_volume(size=2)
        snapshot = self.create_snapshot(volume)
        self.assertIsNotNone(snapshot['id'])
        transfer = self.create_transfer(volume)
        db_api.quota_set_limit(self.admin_context, base.P2, 'gigabytes', 2)

        response = self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': transfer['auth_key']}})

        self.assertEqual(202, response.status, response)


class QuotaSetsTest(base.TransferTestCase):

    def test_limits_without_usage(self):
        db_api.quota_set_limit(self.admin_context, base.P1, 'volumes', 7)

        response = self.request(
            'GET', f'/v3/{base.P1}/os-quota-sets/{base.P1}', base.MEMBER1)

        self.assertEqual(200, response.status, response)
        quota_set = response.json['quota_set']
        self.assertEqual(base.P1, quota_set['id'])
        self.assertEqual(7, quota_set['volumes'])
        self.assertEqual(1000, quota_set['gigabytes'])
        self.assertEqual(-1, quota_set['per_volume_gigabytes'])

    def test_usage_shape(self):
        self.create_volume(size=3)

        response = self.request(
            'GET', f'/v3/{base.P1}/os-quota-sets/{base.P1}?usage=true',
            base.READER1)

        self.assertEqual(200, response.status, response)
        self.assertEqual(
            {'limit': 1000, 'in_use': 3, 'reserved': 0, 'allocated': 0},
            response.json['quota_set']['gigabytes'])
        self.assertEqual(
            {'limit': 10, 'in_use': 1, 'reserved': 0, 'allocated': 0},
            response.json['quota_set']['volumes'])

    def test_other_project_forbidden(self):
        response = self.request(
            'GET', f'/v3/{base.P2}/os-quota-sets/{base.P1}', base.MEMBER2)

        self.assertFault(response, 403, 'forbidden')

    def test_admin_reads_any_project(self):
        response = self.request(
            'GET', f'/v3/{base.A0}/os-quota-sets/{base.P1}?usage=1',
            base.ADMIN)

        self.assertEqual(200, response.status, response)

    def test_unknown_parameter_rejected(self):
        response = self.request(
            'GET', f'/v3/{base.P1}/os-quota-sets/{base.P1}?usages=true')

        self.assertFault(response, 400, 'badRequest')
