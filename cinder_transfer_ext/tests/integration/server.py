"""The real API server in a subprocess on a loopback port, for client tests.

``ServerFixture`` writes a configuration file with its own SQLite database in
a temporary directory, starts ``cinder-transfer-api`` (the development
server) or gunicorn with ``cinder_transfer_ext.wsgi.api:application``, and
stops it by PID on cleanup. Both listen on port 0 of 127.0.0.1, so the kernel
picks a free port, which the fixture reads from the server's log.

``LoopbackOnlyFixture`` makes every outgoing connection of the test process
to an address outside the loopback range fail the test, so a client that
tries Keystone discovery or any other host is caught.
"""

import contextlib
import http.client
import io
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import fixtures

from cinder_transfer_ext.cmd import manage

LOOPBACK = '127.0.0.1'
# Seconds for a server to start responding, and to exit after SIGTERM.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# Seconds for one command-line client call.
COMMAND_TIMEOUT = 60.0

# The variable that cinder_transfer_ext.wsgi.api reads. Importing that module
# would build an application from the default configuration files.
CONFIG_FILES_ENV = 'CINDER_TRANSFER_EXT_CONFIG_FILES'

DEV_SERVER = 'dev'
GUNICORN = 'gunicorn'

_PORT_PATTERNS = {
    # cmd/api.py prints this line once it is bound.
    DEV_SERVER: re.compile(r'listening on http://127\.0\.0\.1:(\d+)/v3'),
    # gunicorn's master logs this at INFO once it is bound.
    GUNICORN: re.compile(r'Listening at: http://127\.0\.0\.1:(\d+)'),
}

# Variables that would send client traffic through a proxy.
_PROXY_VARIABLES = ('http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY',
                    'HTTPS_PROXY', 'ALL_PROXY')


def console_script(name: str) -> str:
    """Return the path of a console script of the running virtualenv.

    The script next to ``sys.executable`` comes first, so that the tests run
    the code installed in the same environment as themselves.
    """
    path = shutil.which(name, path=os.path.dirname(sys.executable))
    path = path or shutil.which(name)
    if path is None:
        raise RuntimeError(f'{name} is not installed: run "pip install -e ." '
                           f'in the environment of {sys.executable}.')
    return path


def client_environment(extra: dict | None = None) -> dict:
    """Return os.environ without proxy and OS_* variables, plus ``extra``."""
    environment = {
        name: value for name, value in os.environ.items()
        if name not in _PROXY_VARIABLES and not name.startswith('OS_')}
    environment['no_proxy'] = environment['NO_PROXY'] = LOOPBACK
    environment.update(extra or {})
    return environment


class OffLoopbackConnection(AssertionError):
    """A client in the test process tried to reach a non-loopback host."""


def _is_loopback(host: str) -> bool:
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host.split('%')[0]).is_loopback
    except ValueError:
        return False


class LoopbackOnlyFixture(fixtures.Fixture):
    """Fails connections and name lookups for hosts outside loopback.

    It patches ``socket.socket.connect``, ``connect_ex`` and
    ``socket.getaddrinfo`` of this process, which requests, urllib3 and
    http.client go through. Subprocesses are not covered, so the command
    line tests point their clients at 127.0.0.1 explicitly and clear the
    proxy variables of their environment. Each rejected host is also kept
    in ``rejected``.
    """

    def _setUp(self):
        self.rejected = []
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo

        def connect(sock, address):
            self._check_address(sock, address)
            return real_connect(sock, address)

        def connect_ex(sock, address):
            self._check_address(sock, address)
            return real_connect_ex(sock, address)

        def getaddrinfo(host, *args, **kwargs):
            if host is not None:
                self._check_host(host.decode() if isinstance(host, bytes)
                                 else str(host))
            return real_getaddrinfo(host, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch('socket.socket.connect',
                                             connect))
        self.useFixture(fixtures.MonkeyPatch('socket.socket.connect_ex',
                                             connect_ex))
        self.useFixture(fixtures.MonkeyPatch('socket.getaddrinfo',
                                             getaddrinfo))
        for name in _PROXY_VARIABLES:
            self.useFixture(fixtures.EnvironmentVariable(name))

    def _check_address(self, sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            self._check_host(address[0])

    def _check_host(self, host: str):
        if not _is_loopback(host):
            self.rejected.append(host)
            raise OffLoopbackConnection(
                f'A client tried to reach {host}; integration tests may only '
                f'connect to loopback addresses.')


class ServerFixture(fixtures.Fixture):
    """Runs the API server in a subprocess with its own SQLite database.

    ``wsgi_server`` is DEV_SERVER for ``cinder-transfer-api``, which upgrades
    the schema itself, or GUNICORN for gunicorn with ``workers`` worker
    processes, after ``db sync``. After setUp, ``endpoint`` is the /v3 URL
    and ``config_file`` the configuration that both the server and
    ``manage`` use.
    """

    def __init__(self, wsgi_server: str = DEV_SERVER, workers: int = 2):
        super().__init__()
        if wsgi_server not in _PORT_PATTERNS:
            raise ValueError(f'Unknown WSGI server {wsgi_server!r}: use '
                             f'{DEV_SERVER!r} or {GUNICORN!r}.')
        self.wsgi_server = wsgi_server
        self.workers = workers
        self.process = None

    def _setUp(self):
        self.directory = self.useFixture(fixtures.TempDir()).path
        self.log_path = os.path.join(self.directory, 'server.log')
        self.config_file = os.path.join(self.directory,
                                        'cinder-transfer-ext.conf')
        database = os.path.join(self.directory, 'cinder_transfer_ext.sqlite')
        with open(self.config_file, 'w') as config:
            config.write(
                '[cinder_transfer_ext]\n'
                'auth_strategy = noauth\n'
                f'state_path = {self.directory}\n'
                '[database]\n'
                f'connection = sqlite:///{database}\n')

        if self.wsgi_server == GUNICORN:
            # Only the development server upgrades the schema on start.
            self.manage('db', 'sync', parse_json=False)
        command, environment = self._command()
        with open(self.log_path, 'wb') as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=self.directory,
                env=environment)
        self.addCleanup(self._stop)

        self.port = self._wait_until_ready()
        self.base_url = f'http://{LOOPBACK}:{self.port}'
        self.endpoint = f'{self.base_url}/v3'

    def _command(self) -> tuple[list, dict]:
        if self.wsgi_server == DEV_SERVER:
            command = [console_script('cinder-transfer-api'),
                       '--config-file', self.config_file,
                       '--bind-host', LOOPBACK, '--bind-port', '0']
            return command, client_environment()
        command = [sys.executable, '-m', 'gunicorn',
                   '--workers', str(self.workers),
                   '--bind', f'{LOOPBACK}:0',
                   '--graceful-timeout', str(int(STOP_TIMEOUT / 2)),
                   'cinder_transfer_ext.wsgi.api:application']
        # gunicorn 25.1 and later create a control socket in XDG_RUNTIME_DIR
        # or else in ~/.gunicorn. Pointing XDG_RUNTIME_DIR at the temporary
        # directory keeps concurrent runs from sharing one socket.
        environment = client_environment({
            CONFIG_FILES_ENV: self.config_file,
            'XDG_RUNTIME_DIR': self.directory})
        return command, environment

    def read_log(self) -> str:
        try:
            with open(self.log_path, encoding='utf-8',
                      errors='replace') as log:
                return log.read()
        except FileNotFoundError:
            return ''

    def _wait_until_ready(self) -> int:
        """Return the bound port once GET / returns 300 Multiple Choices."""
        deadline = time.monotonic() + START_TIMEOUT
        pattern = _PORT_PATTERNS[self.wsgi_server]
        port = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f'{self.wsgi_server} server exited with status '
                    f'{self.process.returncode} before it answered; its '
                    f'log:\n{self.read_log()}')
            if port is None:
                match = pattern.search(self.read_log())
                port = int(match.group(1)) if match else None
            if port is not None and self._versions_status(port) == 300:
                return port
            time.sleep(0.1)
        raise RuntimeError(
            f'{self.wsgi_server} server did not respond to GET / with 300 '
            f'within {START_TIMEOUT} s; its log:\n{self.read_log()}')

    @staticmethod
    def _versions_status(port: int) -> int | None:
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=2)
        try:
            connection.request('GET', '/')
            return connection.getresponse().status
        except OSError:
            return None
        finally:
            connection.close()

    def _stop(self):
        """Stop the server by PID: SIGTERM, then SIGKILL after a timeout.

        gunicorn's master stops its workers on SIGTERM. A worker whose
        master was killed exits when it notices its parent is gone.
        """
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)

    def manage(self, *args: str, parse_json: bool = True):
        """Run cinder-transfer-manage in this process; return its output.

        Calling ``manage.main`` directly saves the start-up imports that
        each subprocess would repeat. The command line tests run the console
        script itself. The output is parsed as JSON unless
        ``parse_json`` is false.
        """
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), \
                contextlib.redirect_stderr(stderr):
            status = manage.main(['--config-file', self.config_file,
                                  *args])
        if status != 0:
            raise RuntimeError(
                f'cinder-transfer-manage {" ".join(args)} failed with status '
                f'{status}: {stderr.getvalue()}')
        output = stdout.getvalue()
        return json.loads(output) if parse_json else output

    def create_volume(self, project: str, user: str, name: str,
                      snapshot_count: int = 0) -> tuple[dict, list]:
        """Register a 1 GiB available volume and its snapshots.

        Returns the volume and the list of snapshots as
        cinder-transfer-manage prints them.
        """
        volume = self.manage('volume', 'create', '--project', project,
                             '--user', user, '--size', '1', '--name', name)
        snapshots = [
            self.manage('snapshot', 'create', '--volume', volume['id'],
                        '--name', f'{name}-snapshot-{index}')
            for index in range(snapshot_count)]
        return volume, snapshots
