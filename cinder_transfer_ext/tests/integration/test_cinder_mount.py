"""The cinder_mount filter inside a real cinder-api 29, on Cinder's database.

Cinder 29 runs from its own virtualenv (see cinder_env.py): cinder-api with
Cinder's api-paste.ini plus the filter, cinder-scheduler and cinder-volume
with a recording variant of Cinder's fake driver, on SQLite and the
in-process ``fake://`` transport. Volumes and snapshots are created
through Cinder's own API, and transfers are driven through unmodified
python-cinderclient. Every effect of an accept is read back through
Cinder's own API: the owner of the volume and its snapshots, and the quota
usage of both projects (``os-quota-sets?usage=true``). The backend
driver's record of its ``accept_transfer`` calls shows the driver step.

Identity comes from ``X-Auth-Token: user:project`` through a stand-in for
keystonemiddleware's auth_token, then Cinder's own keystonecontext, so the
filter takes the caller from ``environ['cinder.context']`` as in a
Keystone deployment. The user ``admin`` has the admin role; everyone else
is a member. LoopbackOnlyFixture fails any client connection outside
127.0.0.1.
"""

import secrets
import time

from cinderclient import client as cinder_client
from cinderclient.contrib import noauth as cinder_noauth
from cinderclient import exceptions as cinder_exceptions
from keystoneauth1 import session as ks_session
import testtools
from testtools import content

from cinder_transfer_ext.tests.integration import cinder_env
from cinder_transfer_ext.tests.integration import cinder_plugins
from cinder_transfer_ext.tests.integration import server

VERSION = '3.71'
LEGACY_VERSION = '3.0'
ADMIN_PROJECT = 'adadadad000000000000000000000000'
AUTH_KEY_PATTERN = r'^[0-9a-f]{16}$'
# Seconds to wait for a volume or snapshot to reach a status.
STATUS_TIMEOUT = 90
STATUS_POLL = 0.5

# Cinder's [DEFAULT] quota for snapshots. Inside cinder-api it applies, and
# the different [cinder_transfer_ext] value is ignored.
CINDER_SNAPSHOT_QUOTA = 3
QUOTA_DEFAULTS = ('use_default_quota_class = false\n'
                  f'quota_snapshots = {CINDER_SNAPSHOT_QUOTA}')
TRANSFER_OPTIONS = 'auth_key_hash = cinder-sha1\nquota_snapshots = 100'

OURS = 'cinder-transfer-ext'
CINDERS = 'Cinder\'s built-in transfer API'


def new_project() -> str:
    return secrets.token_hex(16)


def make_client(endpoint: str, user: str, project: str,
                version: str = VERSION):
    """Return python-cinderclient acting as ``user`` in ``project``."""
    auth = cinder_noauth.CinderNoAuthPlugin(user, project, endpoint=endpoint)
    return cinder_client.Client(version,
                                session=ks_session.Session(auth=auth))


class CinderTestCase(testtools.TestCase):
    """Shares one Cinder per class, started with the paste file ``paste``."""

    paste = cinder_env.MOUNTED
    auth_strategy = 'keystone'
    extra_default = ''
    transfer_options = 'auth_key_hash = cinder-sha1'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        venv = cinder_env.cinder_venv_or_skip()
        cls.cinder = cinder_env.CinderFixture(
            venv, auth_strategy=cls.auth_strategy,
            extra_default=cls.extra_default,
            transfer_options=cls.transfer_options)
        cls.cinder.setUp()
        try:
            cls.cinder.start(cls.paste)
        except BaseException:
            cls.cinder.cleanUp()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cinder.cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.loopback = self.useFixture(server.LoopbackOnlyFixture())
        self.addOnException(self._attach_cinder_logs)

    def tearDown(self):
        self.assertEqual([], self.loopback.rejected,
                         'clients tried hosts outside loopback')
        super().tearDown()

    def _attach_cinder_logs(self, exc_info):
        self.addDetail('cinder-log', content.text_content(
            self.cinder.read_log()[-20000:]))
        self.addDetail('cinder-output', content.text_content(
            self.cinder.read_output()[-5000:]))

    # Clients and waits

    def client(self, user: str, project: str, version: str = VERSION):
        return make_client(self.cinder.endpoint, user, project, version)

    def admin(self):
        return self.client('admin', ADMIN_PROJECT)

    def wait_for_status(self, manager, resource_id: str, status: str):
        """Poll ``manager.get`` until the resource has ``status``."""
        deadline = time.monotonic() + STATUS_TIMEOUT
        while True:
            resource = manager.get(resource_id)
            if resource.status == status:
                return resource
            if resource.status.startswith('error'):
                self.fail(f'{resource_id} went to {resource.status} while '
                          f'waiting for {status}')
            if time.monotonic() > deadline:
                self.fail(f'{resource_id} is still {resource.status} after '
                          f'{STATUS_TIMEOUT} s; expected {status}')
            time.sleep(STATUS_POLL)

    def create_volume(self, client, name: str, snapshot_count: int = 0):
        """Create a 1 GiB volume and its snapshots through Cinder's API."""
        volume = client.volumes.create(size=1, name=name)
        volume = self.wait_for_status(client.volumes, volume.id, 'available')
        snapshots = []
        for index in range(snapshot_count):
            snapshot = client.volume_snapshots.create(
                volume.id, name=f'{name}-snapshot-{index}')
            snapshots.append(self.wait_for_status(
                client.volume_snapshots, snapshot.id, 'available'))
        return volume, snapshots

    # Reading state back through Cinder's API

    def volume_owner(self, volume_id: str) -> tuple[str, str, str]:
        """Return (project, user, status) of a volume, as Cinder shows it."""
        volume = self.admin().volumes.get(volume_id)
        return (getattr(volume, 'os-vol-tenant-attr:tenant_id'),
                volume.user_id, volume.status)

    def snapshot_owner(self, snapshot_id: str) -> str:
        snapshot = self.admin().volume_snapshots.get(snapshot_id)
        return getattr(snapshot, 'os-extended-snapshot-attributes:project_id')

    def usage(self, project: str) -> dict:
        """Return Cinder's in_use counts of a project's volume resources."""
        quota_set = self.admin().quotas.get(project, usage=True)
        return {name: getattr(quota_set, name)['in_use']
                for name in ('volumes', 'snapshots', 'gigabytes')}

    def records_for(self, volume_id: str) -> list[dict]:
        return [record for record in self.cinder.driver_records()
                if record['volume_id'] == volume_id]

    def served_by(self, client) -> str:
        """Return which implementation serves transfer requests.

        This service rejects an unknown list parameter with a 400. Cinder
        treats it as a column filter and returns an empty list.
        """
        try:
            client.transfers.list(search_opts={'no_such_field': '1'})
        except cinder_exceptions.BadRequest:
            return OURS
        return CINDERS


class MountedTransferTest(CinderTestCase):
    """Transfers served by the filter, checked through Cinder's own API."""

    extra_default = QUOTA_DEFAULTS
    transfer_options = TRANSFER_OPTIONS

    def test_accept_moves_volume_snapshots_quota(self):
        donor_project, recipient_project = new_project(), new_project()
        donor = self.client('alice', donor_project)
        recipient = self.client('bob', recipient_project)
        volume, snapshots = self.create_volume(donor, 'move-me',
                                               snapshot_count=2)
        self.assertEqual(OURS, self.served_by(donor))

        created = donor.transfers.create(volume.id, name='move-me')
        self.assertRegex(created.auth_key, AUTH_KEY_PATTERN)
        self.assertEqual(volume.id, created.volume_id)
        self.assertEqual(
            (donor_project, 'alice', 'awaiting-transfer'),
            self.volume_owner(volume.id))
        detail = donor.transfers.get(created.id)
        self.assertEqual('move-me', detail.name)
        self.assertEqual(donor_project, detail.source_project_id)
        self.assertIn(created.id,
                      [item.id for item in donor.transfers.list()])
        self.assertIn(created.id, [
            item.id for item in donor.transfers.list(detailed=False)])
        donor_before = self.usage(donor_project)
        self.assertEqual({'volumes': 1, 'snapshots': 2, 'gigabytes': 3},
                         donor_before)

        accepted = recipient.transfers.accept(created.id, created.auth_key)

        self.assertEqual(created.id, accepted.id)
        self.assertEqual((recipient_project, 'bob', 'available'),
                         self.volume_owner(volume.id))
        for snapshot in snapshots:
            self.assertEqual(recipient_project,
                             self.snapshot_owner(snapshot.id))
        self.assertEqual('available', recipient.volumes.get(volume.id).status)
        self.assertRaises(cinder_exceptions.NotFound,
                          donor.volumes.get, volume.id)
        self.assertEqual({'volumes': 0, 'snapshots': 0, 'gigabytes': 0},
                         self.usage(donor_project))
        self.assertEqual(donor_before, self.usage(recipient_project))
        self.assertEqual(
            [{'volume_id': volume.id, 'new_user': 'bob',
              'new_project': recipient_project, 'context_user': 'bob',
              'context_project': recipient_project}],
            self.records_for(volume.id))
        self.assertRaises(cinder_exceptions.NotFound,
                          recipient.transfers.get, created.id)

    def test_delete_makes_volume_available(self):
        donor_project = new_project()
        donor = self.client('alice', donor_project)
        volume, _ = self.create_volume(donor, 'cancel-me')
        created = donor.transfers.create(volume.id, name='cancel-me')

        donor.transfers.delete(created.id)

        self.assertEqual((donor_project, 'alice', 'available'),
                         self.volume_owner(volume.id))
        self.assertRaises(cinder_exceptions.NotFound,
                          donor.transfers.get, created.id)
        self.assertEqual([], self.records_for(volume.id))

    def test_legacy_collection_at_3_0(self):
        donor_project, recipient_project = new_project(), new_project()
        donor = self.client('alice', donor_project, LEGACY_VERSION)
        recipient = self.client('bob', recipient_project, LEGACY_VERSION)
        volume, _ = self.create_volume(donor, 'legacy')

        created = donor.transfers.create(volume.id, name='legacy')
        self.assertIn('/os-volume-transfer/', created.links[0]['href'])
        self.assertEqual(OURS, self.served_by(donor))
        recipient.transfers.accept(created.id, created.auth_key)

        self.assertEqual((recipient_project, 'bob', 'available'),
                         self.volume_owner(volume.id))

    def test_backend_failure_changes_nothing(self):
        donor_project = new_project()
        donor = self.client('alice', donor_project)
        rejecting = self.client('mallory', cinder_plugins.REJECTING_PROJECT)
        volume, snapshots = self.create_volume(donor, 'rejected',
                                               snapshot_count=1)
        created = donor.transfers.create(volume.id, name='rejected')
        donor_before = self.usage(donor_project)
        rejecting_before = self.usage(cinder_plugins.REJECTING_PROJECT)

        error = self.assertRaises(cinder_exceptions.ClientException,
                                  rejecting.transfers.accept, created.id,
                                  created.auth_key)

        self.assertEqual(500, error.code)
        self.assertEqual(
            [cinder_plugins.REJECTING_PROJECT],
            [record['new_project'] for record in self.records_for(volume.id)])
        self.assertEqual((donor_project, 'alice', 'awaiting-transfer'),
                         self.volume_owner(volume.id))
        self.assertEqual(donor_project, self.snapshot_owner(snapshots[0].id))
        self.assertEqual(donor_before, self.usage(donor_project))
        self.assertEqual(rejecting_before,
                         self.usage(cinder_plugins.REJECTING_PROJECT))
        self.assertEqual(created.id, donor.transfers.get(created.id).id)

        # The transfer is still good for another recipient.
        recipient_project = new_project()
        self.client('bob', recipient_project).transfers.accept(
            created.id, created.auth_key)
        self.assertEqual((recipient_project, 'bob', 'available'),
                         self.volume_owner(volume.id))

    def test_database_failure_undoes_backend_accept(self):
        donor_project = new_project()
        donor = self.client('alice', donor_project)
        racing = self.client('rita', cinder_plugins.RACING_PROJECT)
        volume, snapshots = self.create_volume(donor, 'raced',
                                               snapshot_count=1)
        created = donor.transfers.create(volume.id, name='raced')
        donor_before = self.usage(donor_project)
        racing_before = self.usage(cinder_plugins.RACING_PROJECT)

        # The driver sets the snapshot to error after accepting, so the
        # database step finds it unavailable and the accept is undone.
        self.assertRaises(cinder_exceptions.BadRequest,
                          racing.transfers.accept, created.id,
                          created.auth_key)

        self.assertEqual(
            [(cinder_plugins.RACING_PROJECT, 'rita'),
             (donor_project, 'alice')],
            [(record['new_project'], record['new_user'])
             for record in self.records_for(volume.id)])
        self.assertEqual((donor_project, 'alice', 'awaiting-transfer'),
                         self.volume_owner(volume.id))
        self.assertEqual(donor_project, self.snapshot_owner(snapshots[0].id))
        self.assertEqual(donor_before, self.usage(donor_project))
        self.assertEqual(racing_before,
                         self.usage(cinder_plugins.RACING_PROJECT))
        self.assertEqual(created.id, donor.transfers.get(created.id).id)

    def test_accept_over_cinder_quota_rejected(self):
        donor_project, recipient_project = new_project(), new_project()
        donor = self.client('alice', donor_project)
        recipient = self.client('bob', recipient_project)
        volume, _ = self.create_volume(donor, 'too-many', snapshot_count=2)
        self.create_volume(recipient, 'own', snapshot_count=2)
        created = donor.transfers.create(volume.id, name='too-many')
        recipient_before = self.usage(recipient_project)
        limit = self.admin().quotas.get(recipient_project).snapshots

        error = self.assertRaises(cinder_exceptions.OverLimit,
                                  recipient.transfers.accept, created.id,
                                  created.auth_key)

        self.assertEqual(CINDER_SNAPSHOT_QUOTA, limit)
        self.assertIn(f'SnapshotLimitExceeded: Maximum number of snapshots '
                      f'allowed ({CINDER_SNAPSHOT_QUOTA}) exceeded',
                      str(error))
        self.assertEqual(recipient_before, self.usage(recipient_project))
        self.assertEqual((donor_project, 'alice', 'awaiting-transfer'),
                         self.volume_owner(volume.id))
        self.assertEqual([], self.records_for(volume.id))
        self.assertIn('[cinder_transfer_ext] quota_snapshots = 100 is '
                      'ignored inside cinder-api', self.cinder.read_log())


class RolloutTest(CinderTestCase):
    """Pending transfers survive adding the filter and removing it again."""

    paste = cinder_env.BUILTIN

    def test_rollout_and_rollback_keep_transfers(self):
        donor_project = new_project()
        first_project, second_project = new_project(), new_project()
        donor = self.client('alice', donor_project)
        first_volume, _ = self.create_volume(donor, 'first', snapshot_count=1)
        second_volume, second_snapshots = self.create_volume(
            donor, 'second', snapshot_count=1)
        self.assertEqual(CINDERS, self.served_by(donor))
        by_cinder = donor.transfers.create(first_volume.id, name='by-cinder')

        # Roll out: the filter accepts the transfer Cinder created.
        self.cinder.restart(cinder_env.MOUNTED)
        donor = self.client('alice', donor_project)
        self.assertEqual(OURS, self.served_by(donor))
        self.assertEqual(by_cinder.id, donor.transfers.get(by_cinder.id).id)
        self.client('bob', first_project).transfers.accept(
            by_cinder.id, by_cinder.auth_key)
        self.assertEqual((first_project, 'bob', 'available'),
                         self.volume_owner(first_volume.id))
        self.assertEqual({'volumes': 1, 'snapshots': 1, 'gigabytes': 2},
                         self.usage(first_project))
        self.assertEqual([first_project], [
            record['new_project']
            for record in self.records_for(first_volume.id)])
        by_filter = donor.transfers.create(second_volume.id,
                                           name='by-filter')

        # Roll back: Cinder accepts the transfer the filter created.
        self.cinder.restart(cinder_env.BUILTIN)
        donor = self.client('alice', donor_project)
        self.assertEqual(CINDERS, self.served_by(donor))
        self.assertEqual('by-filter', donor.transfers.get(by_filter.id).name)
        self.client('carol', second_project).transfers.accept(
            by_filter.id, by_filter.auth_key)
        self.assertEqual((second_project, 'carol', 'available'),
                         self.volume_owner(second_volume.id))
        self.assertEqual(second_project,
                         self.snapshot_owner(second_snapshots[0].id))
        self.assertEqual({'volumes': 1, 'snapshots': 1, 'gigabytes': 2},
                         self.usage(second_project))
        self.assertEqual({'volumes': 0, 'snapshots': 0, 'gigabytes': 0},
                         self.usage(donor_project))
        self.assertEqual([second_project], [
            record['new_project']
            for record in self.records_for(second_volume.id)])


class NoAuthPipelineTest(CinderTestCase):
    """The filter behind Cinder's noauth, where every caller is an admin."""

    auth_strategy = 'noauth'

    def test_accept_behind_noauth(self):
        donor_project, recipient_project = new_project(), new_project()
        donor = self.client('alice', donor_project)
        recipient = self.client('bob', recipient_project)
        volume, snapshots = self.create_volume(donor, 'noauth',
                                               snapshot_count=1)
        self.assertEqual(OURS, self.served_by(donor))

        created = donor.transfers.create(volume.id, name='noauth')
        self.assertIn(created.id,
                      [item.id for item in donor.transfers.list()])
        recipient.transfers.accept(created.id, created.auth_key)

        self.assertEqual((recipient_project, 'bob', 'available'),
                         self.volume_owner(volume.id))
        self.assertEqual(recipient_project,
                         self.snapshot_owner(snapshots[0].id))
        self.assertEqual({'volumes': 1, 'snapshots': 1, 'gigabytes': 2},
                         self.usage(recipient_project))
        self.assertEqual(
            [('bob', recipient_project)],
            [(record['context_user'], record['context_project'])
             for record in self.records_for(volume.id)])


class UnpreparedDatabaseTest(testtools.TestCase):
    """cinder-api does not start with the filter on an unprepared database."""

    def test_missing_tables_stop_cinder_api(self):
        venv = cinder_env.cinder_venv_or_skip()
        cinder = self.useFixture(cinder_env.CinderFixture(
            venv, sync_transfer_schema=False))

        error = self.assertRaises(RuntimeError, cinder.start,
                                  cinder_env.MOUNTED)

        self.assertIn('exited with status', str(error))
        self.assertIn('db sync --cinder-schema', str(error))
