"""Races between real worker processes on PostgreSQL and MariaDB.

Each test starts the service under gunicorn with four worker processes on
a loopback port, against a fresh database on the local server, and sends
bounded bursts of concurrent requests from threads. The compare-and-swap
updates in the database layer must let exactly one request win each
race, whatever the interleaving.
"""

import concurrent.futures
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import testtools

from cinder_transfer_ext.cmd import manage
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import migration
from cinder_transfer_ext import deploy
from cinder_transfer_ext.tests import fixtures as test_fixtures

P1 = 'aaaa0000000000000000000000000001'
P2 = 'bbbb0000000000000000000000000002'
WORKERS = 4
REQUEST_TIMEOUT = 30
START_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class GunicornServer:
    """The WSGI application under gunicorn, on 127.0.0.1."""

    def __init__(self, config_file: str, log_file: str):
        self.port = _free_port()
        env = dict(os.environ, CINDER_TRANSFER_EXT_CONFIG_FILES=config_file)
        self._log = open(log_file, 'wb')
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'gunicorn', '--workers', str(WORKERS),
             '--bind', f'127.0.0.1:{self.port}', '--timeout', '60',
             'cinder_transfer_ext.wsgi.api:application'],
            env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('gunicorn exited during start-up')
            try:
                if self.request('GET', '/', None)[0] == 300:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f'gunicorn did not answer within '
                           f'{START_TIMEOUT} s')

    def request(self, method: str, path: str, token: str | None,
                body: dict | None = None, version: str = '3.71'):
        connection = http.client.HTTPConnection(
            '127.0.0.1', self.port, timeout=REQUEST_TIMEOUT)
        headers = {'OpenStack-API-Version': f'volume {version}'}
        if token:
            headers['X-Auth-Token'] = token
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers['Content-Type'] = 'application/json'
        try:
            connection.request(method, path, payload, headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        return response.status, json.loads(data) if data else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class _ConcurrencyChecks:
    """The race tests; subclasses pick the backend and add TestCase."""

    backend: str

    def setUp(self):
        super().setUp()
        database_url = test_fixtures.use_database(self, self.backend)
        directory = tempfile.mkdtemp(prefix='cte-race-')
        config_file = os.path.join(directory, 'race.conf')
        with open(config_file, 'w') as config:
            config.write(f'[database]\nconnection = {database_url}\n'
                         f'[cinder_transfer_ext]\nauth_strategy = noauth\n')

        conf = deploy.new_conf(['--config-file', config_file])
        self.database = db_api.Database(conf)
        self.addCleanup(self.database.dispose)
        migration.db_sync(self.database.get_engine())
        self.context = manage._admin_context(self.database)
        self.volume_type = db_api.volume_type_get_or_create(
            self.context, db_api.DEFAULT_VOLUME_TYPE)

        self.server = GunicornServer(config_file,
                                     os.path.join(directory, 'server.log'))
        self.addCleanup(self.server.stop)
        self.server.wait_ready()

    def _volume(self, snapshots: int = 0) -> dict:
        volume = db_api.volume_create(self.context, {
            'project_id': P1, 'user_id': 'alice', 'size': 1,
            'status': 'available', 'volume_type_id': self.volume_type['id']})
        volume['snapshot_ids'] = [
            db_api.snapshot_create(self.context, {
                'volume_id': volume['id'], 'project_id': P1,
                'user_id': 'alice', 'status': 'available'})['id']
            for _ in range(snapshots)]
        return volume

    def _create_transfer(self, volume: dict) -> dict:
        status, body = self.server.request(
            'POST', f'/v3/{P1}/volume-transfers', f'alice:{P1}',
            {'transfer': {'volume_id': volume['id']}})
        self.assertEqual(202, status, body)
        return body['transfer']

    def _live_transfers(self, volume_id: str) -> int:
        return len(db_api.transfer_get_all(
            self.context, filters={'volume_id': volume_id}))

    def test_fifty_accepts_one_winner(self):
        volume = self._volume(snapshots=2)
        transfer = self._create_transfer(volume)
        recipients = [f'{index:032x}' for index in range(1, 51)]

        def accept(project):
            return project, self.server.request(
                'POST', f"/v3/{project}/volume-transfers/"
                        f"{transfer['id']}/accept",
                f'user-{project[-4:]}:{project}',
                {'accept': {'auth_key': transfer['auth_key']}})

        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            results = list(pool.map(accept, recipients))

        winners = [project for project, (status, _) in results
                   if status == 202]
        statuses = sorted(status for _, (status, _) in results)
        self.assertEqual(1, len(winners), statuses)
        for _, (status, body) in results:
            self.assertTrue(status == 202 or 400 <= status < 500,
                            (status, body))
        row = db_api.volume_get(self.context, volume['id'])
        self.assertEqual(winners[0], row['project_id'])
        self.assertEqual('available', row['status'])
        for snapshot_id in volume['snapshot_ids']:
            self.assertEqual(winners[0], db_api.snapshot_get(
                self.context, snapshot_id)['project_id'])
        self.assertEqual(0, self._live_transfers(volume['id']))

    def test_accept_races_delete(self):
        outcomes = {'accept': 0, 'delete': 0}
        for _ in range(10):
            volume = self._volume(snapshots=1)
            transfer = self._create_transfer(volume)
            path = f"/volume-transfers/{transfer['id']}"

            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                accepted = pool.submit(
                    self.server.request, 'POST', f'/v3/{P2}{path}/accept',
                    f'bob:{P2}',
                    {'accept': {'auth_key': transfer['auth_key']}})
                deleted = pool.submit(self.server.request, 'DELETE',
                                      f'/v3/{P1}{path}', f'alice:{P1}')
                accept_status = accepted.result()[0]
                delete_status = deleted.result()[0]

            self.assertEqual(1, [accept_status, delete_status].count(202),
                             (accept_status, delete_status))
            row = db_api.volume_get(self.context, volume['id'])
            snapshot = db_api.snapshot_get(self.context,
                                           volume['snapshot_ids'][0])
            self.assertEqual('available', row['status'])
            if accept_status == 202:
                outcomes['accept'] += 1
                self.assertEqual(P2, row['project_id'])
                self.assertEqual(P2, snapshot['project_id'])
            else:
                outcomes['delete'] += 1
                self.assertEqual(P1, row['project_id'])
                self.assertEqual(P1, snapshot['project_id'])
            self.assertEqual(0, self._live_transfers(volume['id']))
        self.assertEqual(10, sum(outcomes.values()))

    def test_concurrent_creates_one_transfer(self):
        volume = self._volume()

        def create(_):
            return self.server.request(
                'POST', f'/v3/{P1}/volume-transfers', f'alice:{P1}',
                {'transfer': {'volume_id': volume['id']}})

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            results = list(pool.map(create, range(20)))

        statuses = sorted(status for status, _ in results)
        self.assertEqual(1, statuses.count(202), statuses)
        self.assertEqual([400] * 19, [s for s in statuses if s != 202])
        self.assertEqual(1, self._live_transfers(volume['id']))
        self.assertEqual('awaiting-transfer', db_api.volume_get(
            self.context, volume['id'])['status'])


class PostgreSQLConcurrencyTest(_ConcurrencyChecks, testtools.TestCase):
    backend = 'postgresql'


class MariaDBConcurrencyTest(_ConcurrencyChecks, testtools.TestCase):
    backend = 'mysql'
