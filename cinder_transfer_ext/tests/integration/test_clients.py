"""The transfer flow through unmodified OpenStack clients and a real server.

Each test class starts the API in a subprocess on a loopback port (see
server.py), registers volumes and snapshots with cinder-transfer-manage, and
drives the flow through one client at the microversion that the client
negotiates or is set to:

* python-cinderclient, with its noauth plugin in a keystoneauth session;
* openstacksdk, with keystoneauth's token-endpoint plugin and an endpoint
  override;
* tempest.lib's volume clients, whose strict JSON schemas check every
  response body, with an auth provider stub in place of Keystone;
* the ``cinder`` command line, as the README walkthrough types it.

The noauth pipeline takes ``X-Auth-Token: user:project``, and users get the
member and reader roles. No Keystone runs here, so no client may try one:
LoopbackOnlyFixture fails any connection outside 127.0.0.0/8 or ::1.
"""

import json
import re
import socket
import subprocess
import time
from unittest import mock

from cinderclient import api_versions as cinder_api_versions
from cinderclient import client as cinder_client
from cinderclient.contrib import noauth as cinder_noauth
from cinderclient import exceptions as cinder_exceptions
import fixtures
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from openstack import connection as sdk_connection
from openstack import exceptions as sdk_exceptions
from openstack import utils as sdk_utils
from openstack.block_storage.v3 import transfer as sdk_transfer
from tempest.lib import auth as tempest_auth
from tempest.lib import exceptions as tempest_exceptions
from tempest.lib.services.volume import base_client as tempest_base_client
from tempest.lib.services.volume.v3 import snapshots_client
from tempest.lib.services.volume.v3 import transfers_client
from tempest.lib.services.volume.v3 import volumes_client
import testtools
from testtools import content

from cinder_transfer_ext.tests import base
from cinder_transfer_ext.tests.integration import server

OWNER = 'owner1'
RECIPIENT = 'recipient2'
AUTH_KEY_PATTERN = r'^[0-9a-f]{16}$'

# Fields of a transfer's detailed view, by the microversion that adds them.
DETAIL_FIELDS = {'id', 'created_at', 'name', 'volume_id', 'links'}
SNAPSHOT_CHOICE_FIELDS = {'no_snapshots'}  # 3.55
HISTORY_FIELDS = {'source_project_id', 'destination_project_id',
                  'accepted'}  # 3.57
SUMMARY_FIELDS = {'id', 'name', 'volume_id', 'links'}


def version_tuple(version: str) -> tuple[int, int]:
    major, minor = version.split('.')
    return int(major), int(minor)


def expected_detail_fields(version: str) -> set:
    fields = set(DETAIL_FIELDS)
    if version_tuple(version) >= (3, 55):
        fields |= SNAPSHOT_CHOICE_FIELDS
    if version_tuple(version) >= (3, 57):
        fields |= HISTORY_FIELDS
    return fields


def expected_collection(version: str) -> str:
    """Return the collection that a client uses at ``version``.

    Every client here switches from os-volume-transfer to volume-transfers
    at 3.55, where Cinder added the new collection.
    """
    if version_tuple(version) >= (3, 55):
        return 'volume-transfers'
    return 'os-volume-transfer'


# Adapters: one interface over each client, returning plain dicts so that the
# flow checks below are written once. Each adapter reads fields through its
# client's own objects, which is part of what the tests check.


class CinderclientAdapter:
    """python-cinderclient's library with its noauth keystoneauth plugin."""

    exact_fields = True

    def __init__(self, endpoint: str, user: str, project: str,
                 version: str | None):
        """Create the client; ``version`` None negotiates the highest one.

        Negotiation is what the ``cinder`` shell does: a 3.0 client reads
        the server's version range, and the result is capped at the
        client's own maximum.
        """
        auth = cinder_noauth.CinderNoAuthPlugin(user, project,
                                                endpoint=endpoint)
        session = ks_session.Session(auth=auth)
        if version is None:
            probe = cinder_client.Client(cinder_api_versions.MIN_VERSION,
                                         session=session)
            negotiated = cinder_api_versions.discover_version(
                probe, cinder_api_versions.APIVersion(
                    cinder_api_versions.MAX_VERSION))
            version = negotiated.get_string()
        self.version = version
        self.client = cinder_client.Client(version, session=session)

    def create_transfer(self, volume_id: str, name: str) -> dict:
        return self.client.transfers.create(volume_id, name=name).to_dict()

    def list_transfers(self, detailed: bool) -> list:
        return [item.to_dict()
                for item in self.client.transfers.list(detailed=detailed)]

    def show_transfer(self, transfer_id: str) -> dict:
        return self.client.transfers.get(transfer_id).to_dict()

    def accept_transfer(self, transfer_id: str, auth_key: str) -> dict:
        return self.client.transfers.accept(transfer_id, auth_key).to_dict()

    def delete_transfer(self, transfer_id: str) -> None:
        self.client.transfers.delete(transfer_id)

    def transfer_exists(self, transfer_id: str) -> bool:
        try:
            self.client.transfers.get(transfer_id)
        except cinder_exceptions.NotFound:
            return False
        return True

    def show_volume(self, volume_id: str) -> dict:
        volume = self.client.volumes.get(volume_id).to_dict()
        return {'project_id': volume['os-vol-tenant-attr:tenant_id'],
                'user_id': volume['user_id'], 'status': volume['status']}

    def volume_exists(self, volume_id: str) -> bool:
        try:
            self.client.volumes.get(volume_id)
        except cinder_exceptions.NotFound:
            return False
        return True

    def list_snapshots(self, volume_id: str) -> list:
        snapshots = self.client.volume_snapshots.list(
            search_opts={'volume_id': volume_id})
        return [{'id': item.id, 'volume_id': item.volume_id,
                 'project_id': getattr(
                     item, 'os-extended-snapshot-attributes:project_id')}
                for item in snapshots]


class OpenStackSDKAdapter:
    """openstacksdk's block_storage proxy on a token-endpoint session."""

    # Resources carry every declared attribute, present in the body or not.
    exact_fields = False

    def __init__(self, endpoint: str, user: str, project: str):
        project_endpoint = f'{endpoint}/{project}'
        # keystoneauth's admin_token plugin: a fixed token and endpoint, no
        # Keystone. The override keeps the SDK off any service catalog.
        auth = token_endpoint.Token(project_endpoint, f'{user}:{project}')
        self.connection = sdk_connection.Connection(
            session=ks_session.Session(auth=auth),
            block_storage_endpoint_override=project_endpoint,
            block_storage_api_version='3')
        self.proxy = self.connection.block_storage
        # The SDK sends min(server maximum, resource maximum) per resource.
        self.version = sdk_utils.maximum_supported_microversion(
            self.proxy, sdk_transfer.Transfer._max_microversion)

    @staticmethod
    def _transfer_dict(transfer) -> dict:
        return transfer.to_dict(computed=False)

    def create_transfer(self, volume_id: str, name: str) -> dict:
        return self._transfer_dict(
            self.proxy.create_transfer(volume_id=volume_id, name=name))

    def list_transfers(self, detailed: bool) -> list:
        return [self._transfer_dict(item)
                for item in self.proxy.transfers(details=detailed)]

    def show_transfer(self, transfer_id: str) -> dict:
        return self._transfer_dict(self.proxy.get_transfer(transfer_id))

    def accept_transfer(self, transfer_id: str, auth_key: str) -> dict:
        return self._transfer_dict(
            self.proxy.accept_transfer(transfer_id, auth_key))

    def delete_transfer(self, transfer_id: str) -> None:
        self.proxy.delete_transfer(transfer_id, ignore_missing=False)

    def transfer_exists(self, transfer_id: str) -> bool:
        try:
            self.proxy.get_transfer(transfer_id)
        except sdk_exceptions.NotFoundException:
            return False
        return True

    def show_volume(self, volume_id: str) -> dict:
        volume = self.proxy.get_volume(volume_id)
        return {'project_id': volume.project_id, 'user_id': volume.user_id,
                'status': volume.status}

    def volume_exists(self, volume_id: str) -> bool:
        try:
            self.proxy.get_volume(volume_id)
        except sdk_exceptions.NotFoundException:
            return False
        return True

    def list_snapshots(self, volume_id: str) -> list:
        return [{'id': item.id, 'volume_id': item.volume_id,
                 'project_id': item.project_id}
                for item in self.proxy.snapshots(volume_id=volume_id)]


class NoAuthCredentials(tempest_auth.Credentials):
    """A user and project as the noauth pipeline's token names them."""

    ATTRIBUTES = ['user_id', 'project_id']

    def is_valid(self):
        return bool(self.user_id and self.project_id)


class NoAuthProvider(tempest_auth.AuthProvider):
    """A tempest auth provider for the noauth pipeline.

    This stub replaces only Keystone, which cannot run here. It sends the
    ``user:project`` token and returns the server's project URL as the base
    URL of every service. Requests, microversion headers and schema
    checks stay tempest's own.
    """

    def __init__(self, credentials: NoAuthCredentials, endpoint: str):
        super().__init__(credentials)
        self.endpoint = endpoint

    def _get_auth(self):
        token = f'{self.credentials.user_id}:{self.credentials.project_id}'
        return token, {}

    def _fill_credentials(self, auth_data_body):
        pass

    def is_expired(self, auth_data):
        return False

    def base_url(self, filters, auth_data=None):
        return f'{self.endpoint}/{self.credentials.project_id}'

    def _decorate_request(self, filters, method, url, headers=None,
                          body=None, auth_data=None):
        token, _ = auth_data or self.get_auth()
        headers = dict(headers or {})
        headers['X-Auth-Token'] = token
        return f'{self.base_url(filters)}/{url}', headers, body


class TempestAdapter:
    """tempest.lib's v3 transfer, volume and snapshot clients.

    ``microversion`` None sends no header (3.0) and uses TransfersClient on
    os-volume-transfer. Any other value uses TransfersV355Client, as tempest
    does from 3.55 on. tempest keeps the microversion in a module global,
    so every call sets it for its own duration.
    """

    exact_fields = True

    def __init__(self, endpoint: str, user: str, project: str,
                 microversion: str | None):
        self.microversion = microversion
        provider = NoAuthProvider(
            NoAuthCredentials(user_id=user, project_id=project), endpoint)
        transfers_class = (transfers_client.TransfersClient
                           if microversion is None
                           else transfers_client.TransfersV355Client)
        self.transfers = transfers_class(provider, 'volumev3', 'RegionOne')
        self.volumes = volumes_client.VolumesClient(provider, 'volumev3',
                                                    'RegionOne')
        self.snapshots = snapshots_client.SnapshotsClient(
            provider, 'volumev3', 'RegionOne')
        self.version = None

    def _at(self, microversion: str | None):
        return mock.patch.object(tempest_base_client, 'VOLUME_MICROVERSION',
                                 microversion)

    def create_transfer(self, volume_id: str, name: str) -> dict:
        with self._at(self.microversion):
            body = self.transfers.create_volume_transfer(volume_id=volume_id,
                                                         name=name)
        # "latest" resolves on the server, which names the version it used.
        self.version = body.response['openstack-api-version'].split()[1]
        return body['transfer']

    def list_transfers(self, detailed: bool) -> list:
        with self._at(self.microversion):
            return self.transfers.list_volume_transfers(
                detail=detailed)['transfers']

    def show_transfer(self, transfer_id: str) -> dict:
        with self._at(self.microversion):
            return self.transfers.show_volume_transfer(
                transfer_id)['transfer']

    def accept_transfer(self, transfer_id: str, auth_key: str) -> dict:
        with self._at(self.microversion):
            return self.transfers.accept_volume_transfer(
                transfer_id, auth_key=auth_key)['transfer']

    def delete_transfer(self, transfer_id: str) -> None:
        with self._at(self.microversion):
            self.transfers.delete_volume_transfer(transfer_id)

    def transfer_exists(self, transfer_id: str) -> bool:
        try:
            self.show_transfer(transfer_id)
        except tempest_exceptions.NotFound:
            return False
        return True

    def show_volume(self, volume_id: str) -> dict:
        with self._at(self.microversion):
            volume = self.volumes.show_volume(volume_id)['volume']
        return {'project_id': volume['os-vol-tenant-attr:tenant_id'],
                'user_id': volume['user_id'], 'status': volume['status']}

    def volume_exists(self, volume_id: str) -> bool:
        try:
            self.show_volume(volume_id)
        except tempest_exceptions.NotFound:
            return False
        return True

    def list_snapshots(self, volume_id: str) -> list:
        # NOTE: tempest 47's snapshot schema rejects user_id, which Cinder
        # adds at 3.41, so snapshots are read at the base version.
        with self._at(None):
            snapshots = self.snapshots.list_snapshots(
                detail=True, volume_id=volume_id)['snapshots']
        return [{'id': item['id'], 'volume_id': item['volume_id'],
                 'project_id': item[
                     'os-extended-snapshot-attributes:project_id']}
                for item in snapshots]


class ServerTestCase(testtools.TestCase):
    """Shares one server per class; each test registers its own volumes."""

    wsgi_server = server.DEV_SERVER

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = server.ServerFixture(cls.wsgi_server)
        cls.server.setUp()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.loopback = self.useFixture(server.LoopbackOnlyFixture())
        self.addOnException(self._attach_server_log)

    def _attach_server_log(self, exc_info):
        self.addDetail('server-log',
                       content.text_content(self.server.read_log()))

    def tearDown(self):
        self.assertEqual([], self.loopback.rejected,
                         'clients tried hosts outside loopback')
        super().tearDown()

    # Flow checks, the same for every client.

    def check_accept_flow(self, owner, recipient):
        """Offer a volume with snapshots from P1 and accept it in P2."""
        volume, snapshots = self.server.create_volume(
            base.P1, OWNER, f'accept-{self.id()}', snapshot_count=2)
        created = owner.create_transfer(volume['id'], 'accept-me')
        version = owner.version

        self.assertEqual(volume['id'], created['volume_id'])
        self.assertEqual('accept-me', created['name'])
        self.assertRegex(created['auth_key'], AUTH_KEY_PATTERN)
        if owner.exact_fields:
            self.assertEqual(expected_detail_fields(version) | {'auth_key'},
                             set(created))
        self.assertIn(f"/{expected_collection(version)}/{created['id']}",
                      created['links'][0]['href'])
        self.assertEqual('awaiting-transfer',
                         owner.show_volume(volume['id'])['status'])

        summaries = {item['id']: item
                     for item in owner.list_transfers(detailed=False)}
        self.assertIn(created['id'], summaries)
        self.assertEqual(volume['id'], summaries[created['id']]['volume_id'])
        if owner.exact_fields:
            self.assertEqual(SUMMARY_FIELDS, set(summaries[created['id']]))
        details = {item['id']: item
                   for item in owner.list_transfers(detailed=True)}
        self.assertIn(created['id'], details)
        self.assertEqual(created['created_at'],
                         details[created['id']]['created_at'])

        shown_transfer = owner.show_transfer(created['id'])
        self.assertEqual('accept-me', shown_transfer['name'])
        self.assertEqual(volume['id'], shown_transfer['volume_id'])
        self.assertEqual(created['created_at'],
                         shown_transfer['created_at'])
        if owner.exact_fields:
            self.assertEqual(expected_detail_fields(version),
                             set(shown_transfer))
        if version_tuple(version) >= (3, 55):
            self.assertIs(False, shown_transfer['no_snapshots'])
        if version_tuple(version) >= (3, 57):
            self.assertEqual(base.P1, shown_transfer['source_project_id'])
            self.assertIsNone(shown_transfer['destination_project_id'])
            self.assertIs(False, shown_transfer['accepted'])

        accepted = recipient.accept_transfer(created['id'],
                                             created['auth_key'])
        self.assertEqual(created['id'], accepted['id'])
        self.assertEqual(volume['id'], accepted['volume_id'])
        if recipient.exact_fields:
            self.assertEqual(SUMMARY_FIELDS, set(accepted))

        moved_volume = recipient.show_volume(volume['id'])
        self.assertEqual(base.P2, moved_volume['project_id'])
        self.assertEqual(RECIPIENT, moved_volume['user_id'])
        self.assertEqual('available', moved_volume['status'])
        moved_snapshots = recipient.list_snapshots(volume['id'])
        self.assertEqual({snapshot['id'] for snapshot in snapshots},
                         {snapshot['id'] for snapshot in moved_snapshots})
        self.assertEqual({base.P2},
                         {snapshot['project_id']
                          for snapshot in moved_snapshots})
        self.assertEqual([], owner.list_snapshots(volume['id']))
        self.assertFalse(owner.volume_exists(volume['id']))
        self.assertFalse(owner.transfer_exists(created['id']))

    def check_delete_flow(self, owner):
        """Offer a volume and cancel the offer; the volume stays in P1."""
        volume, _ = self.server.create_volume(base.P1, OWNER,
                                              f'delete-{self.id()}')
        created = owner.create_transfer(volume['id'], 'delete-me')
        self.assertEqual('awaiting-transfer',
                         owner.show_volume(volume['id'])['status'])

        owner.delete_transfer(created['id'])

        self.assertFalse(owner.transfer_exists(created['id']))
        self.assertNotIn(created['id'],
                         [item['id']
                          for item in owner.list_transfers(detailed=False)])
        kept_volume = owner.show_volume(volume['id'])
        self.assertEqual('available', kept_volume['status'])
        self.assertEqual(base.P1, kept_volume['project_id'])
        self.assertEqual(OWNER, kept_volume['user_id'])

    # Client factories

    def cinderclient(self, user: str, project: str,
                     version: str | None = None) -> CinderclientAdapter:
        return CinderclientAdapter(self.server.endpoint, user, project,
                                   version)

    def openstacksdk(self, user: str, project: str) -> OpenStackSDKAdapter:
        return OpenStackSDKAdapter(self.server.endpoint, user, project)

    def tempest(self, user: str, project: str,
                microversion: str | None) -> TempestAdapter:
        return TempestAdapter(self.server.endpoint, user, project,
                              microversion)


class CinderclientTest(ServerTestCase):

    def _check(self, version):
        self.check_accept_flow(self.cinderclient(OWNER, base.P1, version),
                               self.cinderclient(RECIPIENT, base.P2, version))
        self.check_delete_flow(self.cinderclient(OWNER, base.P1, version))

    def test_legacy_collection_at_3_0(self):
        self._check('3.0')

    def test_snapshot_choice_at_3_55(self):
        self._check('3.55')

    def test_negotiated_version(self):
        client = self.cinderclient(OWNER, base.P1)
        self.assertEqual(cinder_api_versions.MAX_VERSION, client.version)
        self._check(None)


class OpenStackSDKTest(ServerTestCase):

    def test_negotiated_version(self):
        owner = self.openstacksdk(OWNER, base.P1)
        self.assertEqual(sdk_transfer.Transfer._max_microversion,
                         owner.version)
        self.check_accept_flow(owner, self.openstacksdk(RECIPIENT, base.P2))
        self.check_delete_flow(self.openstacksdk(OWNER, base.P1))


class TempestSchemaTest(ServerTestCase):
    """Every response body goes through tempest's strict JSON schemas."""

    def _check(self, microversion):
        self.check_accept_flow(
            self.tempest(OWNER, base.P1, microversion),
            self.tempest(RECIPIENT, base.P2, microversion))
        self.check_delete_flow(self.tempest(OWNER, base.P1, microversion))

    def test_base_version(self):
        self._check(None)

    def test_snapshot_choice_at_3_55(self):
        self._check('3.55')

    def test_history_at_3_57(self):
        self._check('3.57')

    def test_latest(self):
        self._check('latest')


class GunicornTest(ServerTestCase):
    """The WSGI entry point under gunicorn with two worker processes."""

    wsgi_server = server.GUNICORN

    def test_two_workers_booted(self):
        # One worker is enough to pass the readiness check, so the second
        # may still be booting.
        deadline = time.monotonic() + server.START_TIMEOUT
        booted = set()
        while len(booted) < 2 and time.monotonic() < deadline:
            booted = set(re.findall(r'Booting worker with pid: (\d+)',
                                    self.server.read_log()))
            time.sleep(0.1)

        self.assertEqual(2, len(booted), self.server.read_log())

    def test_cinderclient(self):
        self.check_accept_flow(self.cinderclient(OWNER, base.P1),
                               self.cinderclient(RECIPIENT, base.P2))
        self.check_delete_flow(self.cinderclient(OWNER, base.P1))

    def test_openstacksdk(self):
        self.check_accept_flow(self.openstacksdk(OWNER, base.P1),
                               self.openstacksdk(RECIPIENT, base.P2))
        self.check_delete_flow(self.openstacksdk(OWNER, base.P1))

    def test_tempest_latest(self):
        self.check_accept_flow(self.tempest(OWNER, base.P1, 'latest'),
                               self.tempest(RECIPIENT, base.P2, 'latest'))
        self.check_delete_flow(self.tempest(OWNER, base.P1, 'latest'))


def parse_table(output: str) -> list:
    """Return the rows of a table that a command printed, header first."""
    rows = []
    for line in output.splitlines():
        if line.startswith('|'):
            rows.append([cell.strip() for cell in line.strip('|').split('|')])
    return rows


def parse_properties(output: str) -> dict:
    """Return the Property/Value table of a show command as a dict."""
    return dict(parse_table(output)[1:])


class CinderShellTest(ServerTestCase):
    """The README walkthrough: the console scripts, as a user types them."""

    def run_command(self, *argv: str) -> str:
        result = subprocess.run(
            argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
            timeout=server.COMMAND_TIMEOUT,
            env=server.client_environment({'PYTHONWARNINGS': 'ignore'}))
        self.assertEqual(
            0, result.returncode,
            f'{" ".join(argv)} failed:\n{result.stdout}\n{result.stderr}')
        return result.stdout

    def manage(self, *args: str) -> dict:
        return json.loads(self.run_command(
            server.console_script('cinder-transfer-manage'),
            '--config-file', self.server.config_file, *args))

    def cinder(self, user: str, project: str, *args: str) -> str:
        return self.run_command(
            server.console_script('cinder'), '--os-auth-type', 'noauth',
            '--os-user-id', user, '--os-project-id', project,
            '--os-endpoint', self.server.endpoint, *args)

    def test_readme_walkthrough(self):
        volume = self.manage('volume', 'create', '--project', base.P1,
                             '--user', 'alice', '--size', '1',
                             '--name', 'readme-volume')
        snapshot = self.manage('snapshot', 'create', '--volume', volume['id'])

        created = parse_properties(self.cinder(
            'alice', base.P1, 'transfer-create', '--name', 'readme-transfer',
            volume['id']))
        self.assertEqual(volume['id'], created['volume_id'])
        self.assertRegex(created['auth_key'], AUTH_KEY_PATTERN)
        transfer_id = created['id']

        listed = parse_table(self.cinder('alice', base.P1, 'transfer-list'))
        self.assertEqual(['ID', 'Volume ID', 'Name'], listed[0])
        self.assertIn([transfer_id, volume['id'], 'readme-transfer'],
                      listed[1:])

        shown_transfer = parse_properties(self.cinder(
            'alice', base.P1, 'transfer-show', transfer_id))
        self.assertEqual('readme-transfer', shown_transfer['name'])
        self.assertEqual(base.P1, shown_transfer['source_project_id'])

        accepted = parse_properties(self.cinder(
            'bob', base.P2, 'transfer-accept', transfer_id,
            created['auth_key']))
        self.assertEqual(transfer_id, accepted['id'])

        moved_volume = parse_properties(self.cinder('bob', base.P2, 'show',
                                                    volume['id']))
        self.assertEqual(base.P2,
                         moved_volume['os-vol-tenant-attr:tenant_id'])
        self.assertEqual('bob', moved_volume['user_id'])
        self.assertEqual('available', moved_volume['status'])
        snapshot_rows = parse_table(self.cinder('bob', base.P2,
                                                'snapshot-list'))
        self.assertIn(snapshot['id'], [row[0] for row in snapshot_rows[1:]])


class LoopbackOnlyFixtureTest(testtools.TestCase):
    """The guard itself, so that a silent guard cannot pass the tests above.

    Recorders replace connect and getaddrinfo before the guard wraps them,
    so these checks send no traffic and no DNS query whatever the guard
    does.
    """

    def setUp(self):
        super().setUp()
        self.connected = []
        self.looked_up = []
        self.useFixture(fixtures.MonkeyPatch(
            'socket.socket.connect',
            lambda sock, address: self.connected.append(address)))
        self.useFixture(fixtures.MonkeyPatch(
            'socket.getaddrinfo',
            lambda host, *args, **kwargs: self.looked_up.append(host)))
        self.guard = self.useFixture(server.LoopbackOnlyFixture())

    def test_documentation_address_rejected(self):
        with socket.socket() as sock:
            self.assertRaises(server.OffLoopbackConnection, sock.connect,
                              ('192.0.2.1', 5000))

        self.assertEqual([], self.connected)
        self.assertEqual(['192.0.2.1'], self.guard.rejected)

    def test_loopback_address_allowed(self):
        with socket.socket() as sock:
            sock.connect((server.LOOPBACK, 5000))

        self.assertEqual([(server.LOOPBACK, 5000)], self.connected)
        self.assertEqual([], self.guard.rejected)

    def test_name_lookup_rejected(self):
        self.assertRaises(server.OffLoopbackConnection, socket.getaddrinfo,
                          'keystone.example', 5000)

        self.assertEqual([], self.looked_up)
        self.assertEqual(['keystone.example'], self.guard.rejected)
