"""A real Cinder 29 with the cinder_mount filter, for integration tests.

``ensure_cinder_venv`` installs ``cinder==29.0.0`` and this package's
requirements into a virtualenv at ``$CTE_CINDER_VENV``, by default
``~/.cache/cinder-transfer-ext/cinder-29-venv``, and reuses it while
requirements.txt is unchanged. The package itself runs from this
checkout, through PYTHONPATH. When the package index has no such release,
or cannot be reached, the tests are skipped, unless CTE_REQUIRE_BACKENDS=1.

``CinderFixture`` writes a cinder.conf with SQLite and the ``fake://``
transport in a temporary directory. It creates Cinder's schema with
``cinder-manage db sync`` and this service's tables with
``cinder-transfer-manage db sync --cinder-schema``. ``start`` runs
cinder-api, cinder-scheduler and cinder-volume in one process
(``cinder_services``) on a free port of 127.0.0.1, with one of two paste
files:

* ``MOUNTED``: Cinder's own api-paste.ini with ``cinder_mount`` before
  ``apiv3`` in every v3 pipeline line, as the operator docs say;
* ``BUILTIN``: Cinder's own api-paste.ini, so Cinder's built-in transfer
  API serves transfers.

Both replace keystonemiddleware's auth_token with
``cinder_plugins.TokenIdentity``, so no Keystone is needed and the
``keystone`` pipeline, Cinder's own ``keystonecontext`` included, runs.
Every URL in the configuration is on 127.0.0.1. Processes are stopped by
PID on cleanup.
"""

import fcntl
import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import unittest

import fixtures

import cinder_transfer_ext
from cinder_transfer_ext.tests import fixtures as test_fixtures
from cinder_transfer_ext.tests.integration import cinder_plugins
from cinder_transfer_ext.tests.integration import server

CINDER_REQUIREMENT = 'cinder==29.0.0'
# Cinder's fake driver lives in cinder.tests, whose package imports
# fixtures, a test requirement that the cinder wheel does not declare.
REQUIREMENTS = (CINDER_REQUIREMENT, 'fixtures')
VENV_ENV = 'CTE_CINDER_VENV'
DEFAULT_VENV = os.path.join('~', '.cache', 'cinder-transfer-ext',
                            'cinder-29-venv')
REPO_ROOT = os.path.dirname(os.path.dirname(
    os.path.abspath(cinder_transfer_ext.__file__)))

# Seconds allowed for each step.
INSTALL_TIMEOUT = 1500
DB_SYNC_TIMEOUT = 300
START_TIMEOUT = 90
STOP_TIMEOUT = 20

MOUNTED = 'mounted'
BUILTIN = 'builtin'

_STAMP_NAME = 'cte-stamp.json'
_INSTALL_LOG_NAME = 'cte-install.log'
# pip output that means the package index has no such release or cannot
# be reached, as opposed to a broken package.
_INDEX_FAILURES = (
    'No matching distribution found',
    'Could not find a version that satisfies the requirement',
    'Failed to establish a new connection',
    'Temporary failure in name resolution',
    'Max retries exceeded',
)
_READY_PATTERN = re.compile(r'cinder-api listening on 127\.0\.0\.1:(\d+)')
_PIPELINE_LINE = re.compile(
    r'^(noauth|noauth_include_project_id|keystone|keystone_nolimit)'
    r'(\s*=.*?)\s+apiv3\s*$', re.MULTILINE)
_AUTH_TOKEN_FACTORY = ('paste.filter_factory = '
                       'keystonemiddleware.auth_token:filter_factory')


class CinderUnavailable(Exception):
    """Cinder cannot be installed from the package index here."""


def venv_path() -> str:
    return os.path.expanduser(os.environ.get(VENV_ENV) or DEFAULT_VENV)


def _requirements_digest() -> str:
    with open(os.path.join(REPO_ROOT, 'requirements.txt'), 'rb') as source:
        return hashlib.sha256(source.read()).hexdigest()


def _expected_stamp() -> dict:
    return {'requirements': list(REQUIREMENTS),
            'requirements.txt': _requirements_digest()}


def _read_stamp(venv: str) -> dict:
    try:
        with open(os.path.join(venv, _STAMP_NAME)) as stamp:
            return json.load(stamp)
    except (FileNotFoundError, ValueError):
        return {}


def _pip(venv: str, arguments: list[str]) -> None:
    log_path = os.path.join(venv, _INSTALL_LOG_NAME)
    command = [os.path.join(venv, 'bin', 'python'), '-m', 'pip', *arguments]
    with open(log_path, 'ab') as log:
        log.write(f'$ {" ".join(command)}\n'.encode())
        log.flush()
        result = subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, timeout=INSTALL_TIMEOUT,
            env=server.client_environment())
    if result.returncode == 0:
        return
    with open(log_path, encoding='utf-8', errors='replace') as log:
        output = log.read()[-4000:]
    if any(marker in output for marker in _INDEX_FAILURES):
        raise CinderUnavailable(
            f'pip could not get {CINDER_REQUIREMENT} or its requirements '
            f'from the package index; see {log_path}:\n{output}')
    raise RuntimeError(f'pip {" ".join(arguments)} failed with status '
                       f'{result.returncode}; see {log_path}:\n{output}')


def _install(venv: str, stamp: dict) -> float:
    """Install what ``stamp`` lists into the virtualenv; return the seconds.

    It gets Cinder and this package's requirements, resolved together as
    ``pip install cinder==29.0.0 -e <checkout>`` would resolve them, but
    not this package itself. The processes import the package from the
    checkout through PYTHONPATH, so several checkouts can share one
    virtualenv.
    """
    started = time.monotonic()
    if not os.path.exists(os.path.join(venv, 'bin', 'python')):
        subprocess.run([sys.executable, '-m', 'venv', '--clear', venv],
                       check=True, timeout=INSTALL_TIMEOUT,
                       stdin=subprocess.DEVNULL)
    _pip(venv, ['install', '--quiet', *REQUIREMENTS, '-r',
                os.path.join(REPO_ROOT, 'requirements.txt')])
    # Remove any installed copy, so that the checkout on PYTHONPATH is the
    # only one.
    _pip(venv, ['uninstall', '--quiet', '--yes', 'cinder-transfer-ext'])
    with open(os.path.join(venv, _STAMP_NAME), 'w') as stamp_file:
        json.dump(stamp, stamp_file)
    return time.monotonic() - started


def ensure_cinder_venv() -> str:
    """Return the virtualenv with Cinder and this package's requirements.

    A lock file next to the virtualenv makes concurrent test workers wait
    for one install instead of racing. Raises CinderUnavailable when the
    package index has no such release or cannot be reached.
    """
    venv = venv_path()
    os.makedirs(os.path.dirname(venv), exist_ok=True)
    stamp = _expected_stamp()
    with open(venv + '.lock', 'w') as lock:
        deadline = time.monotonic() + INSTALL_TIMEOUT
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f'Timed out after {INSTALL_TIMEOUT} s waiting for '
                        f'another test process to install {venv}.')
                time.sleep(1)
        if _read_stamp(venv) != stamp:
            seconds = _install(venv, stamp)
            print(f'Installed {CINDER_REQUIREMENT} and the requirements '
                  f'of cinder-transfer-ext into {venv} in {seconds:.0f} s',
                  file=sys.stderr)
    return venv


def cinder_venv_or_skip() -> str:
    """Return ensure_cinder_venv(), or skip when Cinder is unavailable."""
    try:
        return ensure_cinder_venv()
    except CinderUnavailable as error:
        if test_fixtures.backends_required():
            raise
        raise unittest.SkipTest(str(error))


CINDER_CONF = """\
[DEFAULT]
auth_strategy = {auth_strategy}
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = 0
osapi_volume_workers = 1
transport_url = fake:/
host = {host}
enabled_backends = fake
default_volume_type = __DEFAULT__
state_path = {state_path}
log_file = {directory}/cinder.log
debug = false
report_interval = 2
periodic_interval = 2
service_down_time = 60
rpc_response_timeout = 30
scheduler_driver_init_wait_time = 30
# Nothing here talks to Glance, Nova or Keystone. Should anything try,
# it reaches the discard port on loopback.
glance_api_servers = http://127.0.0.1:9
{extra_default}

[database]
connection = sqlite:///{directory}/cinder.sqlite

[oslo_concurrency]
lock_path = {directory}/lock

[coordination]
backend_url = file://{state_path}

[oslo_messaging_notifications]
driver = noop

[oslo_policy]
policy_file = {directory}/policy.yaml

[profiler]
enabled = false

[key_manager]
backend = cinder.keymgr.conf_key_mgr.ConfKeyManager
fixed_key = {fixed_key}

[fake]
volume_driver = {volume_driver}
volume_backend_name = fake

[cinder_transfer_ext]
{transfer_options}
"""

VOLUME_DRIVER = (cinder_plugins.__name__ + '.RecordingFakeDriver')
FILTER_SECTIONS = ('\n[filter:cinder_mount]\n'
                   'paste.filter_factory = cinder_transfer_ext.api.middleware.'
                   'cinder_mount:filter_factory\n')


def paste_files(cinder_paste: str) -> dict:
    """Return {MOUNTED: text, BUILTIN: text} made from Cinder's paste file.

    Raises AssertionError if Cinder's file no longer has the four v3
    pipeline lines that the operator docs tell to change.
    """
    identity = ('paste.filter_factory = cinder_transfer_ext.tests.'
                'integration.cinder_plugins:TokenIdentity.factory')
    if cinder_paste.count(_AUTH_TOKEN_FACTORY) != 1:
        raise AssertionError('Cinder\'s api-paste.ini has no single '
                             'auth_token filter to replace.')
    builtin = cinder_paste.replace(_AUTH_TOKEN_FACTORY, identity)
    mounted, count = _PIPELINE_LINE.subn(r'\1\2 cinder_mount apiv3', builtin)
    if count != 4:
        raise AssertionError(f'Expected 4 v3 pipeline lines ending in apiv3 '
                             f'in Cinder\'s api-paste.ini, found {count}.')
    return {MOUNTED: mounted + FILTER_SECTIONS, BUILTIN: builtin}


class CinderFixture(fixtures.Fixture):
    """Cinder with a fresh SQLite database; call ``start`` to run it.

    ``venv`` is the virtualenv from ensure_cinder_venv. ``auth_strategy``
    picks Cinder's pipeline line: ``keystone`` (with TokenIdentity in
    place of auth_token), ``noauth`` or ``noauth_include_project_id``.
    ``extra_default`` adds lines to cinder.conf's [DEFAULT] section and
    ``transfer_options`` to its [cinder_transfer_ext] section. With
    ``sync_transfer_schema`` false, this service's own tables are not
    created. After ``start``, ``endpoint`` is the /v3 URL.
    """

    def __init__(self, venv: str, auth_strategy: str = 'keystone',
                 extra_default: str = '',
                 transfer_options: str = 'auth_key_hash = cinder-sha1',
                 sync_transfer_schema: bool = True):
        super().__init__()
        self.venv = venv
        self.auth_strategy = auth_strategy
        self.sync_transfer_schema = sync_transfer_schema
        self.extra_default = extra_default
        self.transfer_options = transfer_options
        self.process = None
        self.endpoint = None

    def _setUp(self):
        self.directory = self.useFixture(fixtures.TempDir()).path
        self.state_path = os.path.join(self.directory, 'state')
        os.makedirs(self.state_path)
        os.makedirs(os.path.join(self.directory, 'lock'))
        self.log_path = os.path.join(self.directory, 'cinder.log')
        self.output_path = os.path.join(self.directory, 'services.out')
        self.config_file = os.path.join(self.directory, 'cinder.conf')
        with open(self.config_file, 'w') as config:
            config.write(CINDER_CONF.format(
                auth_strategy=self.auth_strategy,
                host=f'cte-mount-{secrets.token_hex(4)}',
                directory=self.directory, state_path=self.state_path,
                fixed_key=secrets.token_hex(32), volume_driver=VOLUME_DRIVER,
                extra_default=self.extra_default,
                transfer_options=self.transfer_options))
        with open(os.path.join(self.directory, 'policy.yaml'), 'w') as policy:
            policy.write('{}\n')
        self._write_paste_files()
        self.addCleanup(self.stop)

        self.run([os.path.join(self.venv, 'bin', 'cinder-manage'),
                  '--config-file', self.config_file, 'db', 'sync'])
        if self.sync_transfer_schema:
            self.transfer_manage('--config-file', self.config_file, 'db',
                                 'sync', '--cinder-schema')

    def _write_paste_files(self):
        with open(os.path.join(self.venv, 'etc', 'cinder',
                               'api-paste.ini')) as source:
            texts = paste_files(source.read())
        self.paste_configs = {}
        for name, text in texts.items():
            paste_path = os.path.join(self.directory, f'api-paste-{name}.ini')
            with open(paste_path, 'w') as paste:
                paste.write(text)
            # A second config file per paste file, so that switching only
            # changes which one cinder-api reads.
            config_path = os.path.join(self.directory, f'paste-{name}.conf')
            with open(config_path, 'w') as config:
                config.write(f'[DEFAULT]\napi_paste_config = {paste_path}\n')
            self.paste_configs[name] = config_path

    def environment(self) -> dict:
        """Return the environment of every process run with Cinder's venv."""
        return server.client_environment({'PYTHONPATH': REPO_ROOT,
                                          'PYTHONDONTWRITEBYTECODE': '1'})

    def run(self, command: list[str]) -> str:
        """Run a command to completion; return its output."""
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=DB_SYNC_TIMEOUT,
            stdin=subprocess.DEVNULL, cwd=self.directory,
            env=self.environment())
        if result.returncode != 0:
            raise RuntimeError(f'{" ".join(command)} failed with status '
                               f'{result.returncode}:\n{result.stdout}\n'
                               f'{result.stderr}')
        return result.stdout

    def transfer_manage(self, *arguments: str) -> str:
        """Run cinder-transfer-manage from the checkout with Cinder's venv."""
        return self.run([
            os.path.join(self.venv, 'bin', 'python'), '-c',
            'import sys\n'
            'from cinder_transfer_ext.cmd import manage\n'
            'sys.exit(manage.main())', *arguments])

    def start(self, paste: str) -> None:
        """Start the Cinder services with the paste file ``paste``."""
        if self.process is not None:
            raise RuntimeError('Cinder is running; call stop first.')
        command = [os.path.join(self.venv, 'bin', 'python'), '-m',
                   'cinder_transfer_ext.tests.integration.cinder_services',
                   '--config-file', self.config_file,
                   '--config-file', self.paste_configs[paste]]
        with open(self.output_path, 'ab') as output:
            output.write(f'--- starting with {paste} paste file\n'.encode())
            self.process = subprocess.Popen(
                command, stdout=output, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=self.directory,
                env=self.environment())
        self.paste = paste
        port = self._wait_for_port()
        self.endpoint = f'http://{server.LOOPBACK}:{port}/v3'

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + START_TIMEOUT
        start_offset = self._output_size_before_start()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f'The Cinder services exited with status '
                    f'{self.process.returncode} during start-up. Output:\n'
                    f'{self.read_output()[-3000:]}\nLog:\n'
                    f'{self.read_log()[-6000:]}')
            match = _READY_PATTERN.search(self.read_output()[start_offset:])
            if match:
                return int(match.group(1))
            time.sleep(0.2)
        raise RuntimeError(f'cinder-api did not start within '
                           f'{START_TIMEOUT} s:\n{self.read_output()[-6000:]}')

    def _output_size_before_start(self) -> int:
        marker = f'--- starting with {self.paste} paste file\n'
        return self.read_output().rfind(marker)

    def stop(self) -> None:
        """Stop the services by PID: SIGTERM, then SIGKILL after a timeout."""
        if self.process is None:
            return
        process, self.process = self.process, None
        self.endpoint = None
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)

    def restart(self, paste: str) -> None:
        self.stop()
        self.start(paste)

    def read_output(self) -> str:
        return _read_text(self.output_path)

    def read_log(self) -> str:
        return _read_text(self.log_path)

    def driver_records(self) -> list[dict]:
        return cinder_plugins.read_records(self.state_path)


def _read_text(path: str) -> str:
    try:
        with open(path, encoding='utf-8', errors='replace') as text:
            return text.read()
    except FileNotFoundError:
        return ''
