#!/usr/bin/env python3
"""Compare this service with upstream Cinder 29.0.0 on loopback.

One run starts both servers on 127.0.0.1, each with its own SQLite file,
seeds the same data into both and sends the same requests to each, the
servers taking turns within each case:

1. upstream Cinder: the reference server of ``--oracle`` (its
   ``start-oracle.sh``, one eventlet process with one API worker and the
   in-process cinder-volume that accept needs);
2. this service under gunicorn with one sync worker.

Then it measures on its own:

3. this service again with two sync workers, on the same database, for
   show, list detail and create+delete (``--no-two-workers`` skips it).

A bare webob application that returns this service's show body under the
same gunicorn setup, the ceiling for show, takes its turns in the show
cases.

For each operation it prints requests per second, p50 and p99 latency,
the peak RSS of the server's processes and the ratio ours/upstream, and it
writes the results, the machine and the command to
``doc/source/benchmarks.rst``.

Every request opens a new TCP connection with TCP_NODELAY and sends
``Connection: close``, because gunicorn's sync worker closes the connection
after each response anyway, and because a reused connection to eventlet
stalls on delayed ACKs. Each case stops after ``--duration`` seconds or
``--max-requests`` operations, whichever comes first. Only 127.0.0.1 is
ever contacted.

Run it with the Python of a virtualenv that has this package and gunicorn
installed, for example ``tox -e bench`` or ``.venv/bin/python
tools/bench.py``.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings

LOOPBACK = '127.0.0.1'
MICROVERSION = '3.59'
# Seconds to wait for one HTTP exchange and for a server to start or stop.
REQUEST_TIMEOUT = 120.0
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
# Operations sent before each measured case, unmeasured.
WARMUP_OPERATIONS = 20
RSS_SAMPLE_INTERVAL = 0.1

LIST_PROJECT = 'e1e10000000000000000000000000001'
PAIRS_PROJECT = 'e2e20000000000000000000000000002'
ACCEPT_PROJECT = 'e3e30000000000000000000000000003'
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The upstream reference scripts: start-oracle.sh, stop-oracle.sh, seed.py.
DEFAULT_ORACLE = os.path.join(os.path.dirname(REPO), 'shared', 'oracle')
DEFAULT_ORACLE_DIR = '/tmp/cte-bench-oracle'
DEFAULT_OUTPUT = os.path.join(REPO, 'doc', 'source', 'benchmarks.rst')

# Variables that would send loopback traffic through a proxy.
_PROXY_VARIABLES = ('http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY',
                    'HTTPS_PROXY', 'ALL_PROXY')

# The error that SQLite raises when a write waits too long for a lock.
LOCKED_ERROR = 'sqlite3.OperationalError: database is locked'

# Names of the servers in results and tables.
UPSTREAM = 'upstream'
OURS = 'ours'
OURS_TWO = 'ours-2w'
BARE = 'bare-webob'


# -- the bare webob application, loaded by gunicorn from this file --------

def bare_application(environ, start_response):
    """Return the recorded show body, as the ceiling of one WSGI worker.

    The body file is named by CTE_BENCH_BARE_BODY; it is read once.
    """
    import webob

    global _BARE_BODY
    if _BARE_BODY is None:
        with open(os.environ['CTE_BENCH_BARE_BODY'], 'rb') as body_file:
            _BARE_BODY = body_file.read()
    webob.Request(environ)
    response = webob.Response(body=_BARE_BODY,
                              content_type='application/json',
                              charset='utf-8')
    response.headers['OpenStack-API-Version'] = f'volume {MICROVERSION}'
    response.headers['Vary'] = 'OpenStack-API-Version'
    return response(environ, start_response)


_BARE_BODY = None


# -- HTTP over a fresh loopback connection ---------------------------------

def build_request(method: str, path: str, token: str,
                  body: dict | None = None) -> bytes:
    """Return the bytes of one HTTP/1.1 request with Connection: close."""
    lines = [f'{method} {path} HTTP/1.1', f'Host: {LOOPBACK}',
             f'X-Auth-Token: {token}',
             f'OpenStack-API-Version: volume {MICROVERSION}',
             'Accept: application/json', 'Connection: close']
    data = b''
    if body is not None:
        data = json.dumps(body).encode()
        lines += ['Content-Type: application/json',
                  f'Content-Length: {len(data)}']
    elif method in ('POST', 'PUT'):
        lines.append('Content-Length: 0')
    return ('\r\n'.join(lines) + '\r\n\r\n').encode() + data


def _dechunk(data: bytes) -> bytes:
    out, position = [], 0
    while True:
        end = data.index(b'\r\n', position)
        size = int(data[position:end].split(b';')[0], 16)
        if size == 0:
            return b''.join(out)
        out.append(data[end + 2:end + 2 + size])
        position = end + 2 + size + 2


def exchange(port: int, request: bytes) -> tuple[int, bytes]:
    """Send ``request`` on a new connection; return (status, body).

    The server closes the connection after the response, so the response
    ends where the stream ends.
    """
    sock = socket.create_connection((LOOPBACK, port), timeout=REQUEST_TIMEOUT)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(262144)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        sock.close()
    raw = b''.join(chunks)
    head, _, body = raw.partition(b'\r\n\r\n')
    if not head.startswith(b'HTTP/1.'):
        raise ConnectionError(f'no HTTP response: {raw[:80]!r}')
    status = int(head[9:12])
    if b'transfer-encoding: chunked' in head.lower():
        body = _dechunk(body)
    return status, body


def call_json(port: int, method: str, path: str, token: str,
              body: dict | None = None, expected: int = 200) -> dict:
    status, data = exchange(port, build_request(method, path, token, body))
    if status != expected:
        raise RuntimeError(f'{method} {path} returned {status}, expected '
                           f'{expected}: {data[:300]!r}')
    return json.loads(data) if data else {}


# -- load generation -------------------------------------------------------

class Job:
    """An operation of one or two requests that the load workers repeat.

    ``kind`` is ``get``, ``pairs`` or ``accept``. A ``get`` operation is
    one GET that expects 200. A ``pairs`` operation is a POST create and
    a DELETE of the new transfer, each expecting 202, on the worker's own
    volume. An ``accept`` operation is one POST accept, expecting 202,
    from the worker's share of ``per_worker``.
    """

    def __init__(self, kind: str, request: bytes | None = None,
                 per_worker: list | None = None):
        self.kind = kind
        self.request = request
        self.per_worker = per_worker or []


def _operation(port: int, job: Job, index: int, position: int):
    """Run one operation; return (latency seconds, [statuses], ok)."""
    started = time.perf_counter()
    if job.kind == 'get':
        status, _ = exchange(port, job.request)
        return time.perf_counter() - started, [status], status == 200
    if job.kind == 'accept':
        requests = job.per_worker[index]
        status, _ = exchange(port, requests[position])
        return time.perf_counter() - started, [status], status == 202
    create, collection, token = job.per_worker[index]
    status, body = exchange(port, create)
    if status != 202:
        return time.perf_counter() - started, [status], False
    transfer_id = json.loads(body)['transfer']['id']
    delete = build_request('DELETE', f'{collection}/{transfer_id}', token)
    status2, _ = exchange(port, delete)
    return (time.perf_counter() - started, [status, status2],
            status2 == 202)


def _worker(port, job, index, budget, start_event, deadline_box, queue):
    start_event.wait()
    deadline = deadline_box.value
    latencies, statuses, errors = [], {}, 0
    if job.kind == 'accept':
        budget = min(budget, len(job.per_worker[index]))
    position = 0
    while position < budget and time.monotonic() < deadline:
        try:
            latency, codes, ok = _operation(port, job, index, position)
        except (OSError, ValueError, KeyError) as error:
            errors += 1
            codes, ok = [type(error).__name__], False
            latency = None
        position += 1
        for code in codes:
            statuses[str(code)] = statuses.get(str(code), 0) + 1
        if ok:
            latencies.append(latency)
        elif latency is not None:
            errors += 1
    queue.put((index, latencies, statuses, errors, time.monotonic()))


def server_pids(root_pid: int) -> list[int]:
    """Return ``root_pid`` and all its descendants that are alive."""
    pids, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        if not os.path.exists(f'/proc/{pid}'):
            continue
        pids.append(pid)
        try:
            for task in os.listdir(f'/proc/{pid}/task'):
                with open(f'/proc/{pid}/task/{task}/children') as children:
                    pending.extend(int(child) for child in
                                   children.read().split())
        except OSError:
            pass
    return pids


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f'/proc/{pid}/status') as status:
            for line in status:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler:
    """Samples the summed VmRSS of a process tree in a background thread."""

    def __init__(self, root_pid: int):
        self.root_pid = root_pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self):
        total = sum(_status_kib(pid, 'VmRSS')
                    for pid in server_pids(self.root_pid))
        self.peak_kib = max(self.peak_kib, total)

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(RSS_SAMPLE_INTERVAL)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self._sample()


def percentile(values: list, fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1,
                      int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def run_load(port: int, root_pid: int, job: Job, concurrency: int,
             duration: float, max_operations: int) -> dict:
    """Run ``job`` from ``concurrency`` processes; return the raw figures.

    Each process runs a closed loop: it sends the next operation as soon as
    the response to the previous one has arrived. The run stops after
    ``duration`` seconds or ``max_operations`` operations in all.
    """
    context = multiprocessing.get_context('fork')
    queue = context.Queue()
    start_event = context.Event()
    deadline_box = context.Value('d', 0.0)
    budget = max(1, max_operations // concurrency)
    workers = [context.Process(target=_worker, args=(
        port, job, index, budget, start_event, deadline_box, queue))
        for index in range(concurrency)]
    for worker in workers:
        worker.start()
    with RssSampler(root_pid) as rss:
        started = time.monotonic()
        deadline_box.value = started + duration
        start_event.set()
        results = [queue.get(timeout=duration + REQUEST_TIMEOUT + 30)
                   for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = max(result[4] for result in results) - started
    latencies = [value for result in results for value in result[1]]
    statuses: dict = {}
    for result in results:
        for code, count in result[2].items():
            statuses[code] = statuses.get(code, 0) + count
    errors = sum(result[3] for result in results)
    return {'latencies': latencies, 'statuses': statuses, 'errors': errors,
            'elapsed': elapsed, 'peak_rss_kib': rss.peak_kib,
            'concurrency': concurrency}


def summarize(parts: list) -> dict:
    """Combine the raw figures of one or more runs of the same case."""
    latencies = [value for part in parts for value in part['latencies']]
    elapsed = sum(part['elapsed'] for part in parts)
    statuses: dict = {}
    for part in parts:
        for code, count in part['statuses'].items():
            statuses[code] = statuses.get(code, 0) + count
    return {
        'operations': len(latencies),
        'errors': sum(part['errors'] for part in parts),
        'statuses': statuses,
        'elapsed_s': round(elapsed, 3),
        'rounds': len(parts),
        'per_s': len(latencies) / elapsed if elapsed > 0 else 0.0,
        'p50_ms': 1000 * (percentile(latencies, 0.50) or 0.0),
        'p99_ms': 1000 * (percentile(latencies, 0.99) or 0.0),
        'mean_ms': 1000 * (statistics.mean(latencies) if latencies else 0),
        'peak_rss_mib': max(part['peak_rss_kib'] for part in parts) / 1024,
        'concurrency': parts[0]['concurrency'],
    }


# -- servers ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def clean_environment(extra: dict | None = None) -> dict:
    environment = {name: value for name, value in os.environ.items()
                   if name not in _PROXY_VARIABLES}
    environment['no_proxy'] = environment['NO_PROXY'] = LOOPBACK
    environment.update(extra or {})
    return environment


def wait_for_port(port: int, alive, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f'{what} exited before it listened on '
                               f'port {port}')
        try:
            socket.create_connection((LOOPBACK, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f'{what} did not listen on port {port} within '
                       f'{START_TIMEOUT} s')


class GunicornServer:
    """gunicorn with ``workers`` sync workers, stopped by its PID."""

    def __init__(self, app: str, workers: int, directory: str,
                 environment: dict, pythonpath: str | None = None):
        self.port = free_port()
        self.log_path = os.path.join(directory, f'gunicorn-{self.port}.log')
        command = [sys.executable, '-m', 'gunicorn', '--workers',
                   str(workers), '--worker-class', 'sync', '--bind',
                   f'{LOOPBACK}:{self.port}', '--graceful-timeout', '5',
                   '--timeout', str(int(REQUEST_TIMEOUT))]
        if pythonpath:
            command += ['--pythonpath', pythonpath]
        command.append(app)
        self.command = command
        # The command as the report shows it, without this run's port and
        # folders.
        shown = [arg.replace(str(self.port), '<port>') for arg in command[2:]]
        if pythonpath:
            shown[shown.index(pythonpath)] = 'tools'
        self.shown_command = ' '.join(shown)
        # gunicorn 25.1 and later put a control socket in XDG_RUNTIME_DIR.
        environment = clean_environment(
            dict(environment, XDG_RUNTIME_DIR=directory))
        with open(self.log_path, 'wb') as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=directory, env=environment)
        try:
            wait_for_port(self.port, lambda: self.process.poll() is None,
                          f'gunicorn ({self.log_path})')
            # The master listens before its workers have imported the app.
            self._wait_for_workers(workers)
        except BaseException:
            self.stop()
            raise

    def _wait_for_workers(self, workers: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while len(server_pids(self.process.pid)) < workers + 1:
            if time.monotonic() > deadline:
                raise RuntimeError(f'gunicorn did not start {workers} '
                                   f'workers; see {self.log_path}')
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class OracleServer:
    """The upstream reference server, through its own start and stop scripts.

    ``start-oracle.sh`` creates its virtualenv from the package index when
    ``venv`` lacks Cinder, which takes a few minutes once.
    """

    def __init__(self, oracle: str, directory: str, venv: str | None):
        self.oracle = oracle
        self.directory = directory
        self.port = free_port()
        self.environment = clean_environment({
            'ORACLE_DIR': directory, 'ORACLE_PORT': str(self.port),
            'ORACLE_ROLES_PORT': '0', 'PYTHONWARNINGS': 'ignore'})
        if venv:
            self.environment['ORACLE_VENV'] = venv
        self.python = os.path.join(venv or os.path.join(directory, 'venv'),
                                   'bin', 'python')
        os.makedirs(directory, exist_ok=True)
        result = subprocess.run(
            [os.path.join(oracle, 'start-oracle.sh'), '--no-roles'],
            env=self.environment, capture_output=True, text=True,
            stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f'start-oracle.sh failed:\n{result.stdout}'
                               f'{result.stderr}')
        with open(os.path.join(directory, 'oracle.pid')) as pid_file:
            self.pid = int(pid_file.read().strip())
        self.command = (f'ORACLE_DIR={directory} ORACLE_PORT=<port> '
                        f'ORACLE_ROLES_PORT=0 <oracle>/start-oracle.sh '
                        f'--no-roles')

    def seed(self, *args: str) -> dict:
        result = subprocess.run(
            [self.python, os.path.join(self.oracle, 'seed.py'),
             '--config-file', os.path.join(self.directory, 'cinder.conf'),
             *args], env=self.environment, capture_output=True, text=True,
            stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f'seed.py {" ".join(args)} failed:\n'
                               f'{result.stderr[-2000:]}')
        return json.loads(result.stdout.strip().splitlines()[-1])

    def bulk_transfers(self, project: str, count: int) -> None:
        self.seed('bulk-transfers', '--project', project, '--count',
                  str(count))

    def available_volumes(self, project: str, count: int) -> list[str]:
        result = self.seed('volumes', '--project', project, '--user',
                           'bench', '--count', str(count))
        return [volume['id'] for volume in result['volumes']]

    def stop(self) -> None:
        subprocess.run([os.path.join(self.oracle, 'stop-oracle.sh')],
                       env=self.environment, capture_output=True,
                       stdin=subprocess.DEVNULL)


class OurServer:
    """This service under gunicorn, on a SQLite file in ``directory``."""

    def __init__(self, directory: str, workers: int):
        with warnings.catch_warnings():
            # eventlet, imported through oslo.service, warns on import.
            warnings.simplefilter('ignore')
            from cinder_transfer_ext.db import api as db_api
            from cinder_transfer_ext.db import migration
            from cinder_transfer_ext import deploy

        self.directory = directory
        self.config_file = os.path.join(directory, 'cinder-transfer-ext.conf')
        if not os.path.exists(self.config_file):
            database = os.path.join(directory, 'cinder_transfer_ext.sqlite')
            with open(self.config_file, 'w') as config:
                # One INFO line per request goes to a file, as upstream's.
                config.write(
                    '[DEFAULT]\n'
                    f'log_file = {os.path.join(directory, "server.log")}\n'
                    # Upstream's configuration sends no notifications.
                    '[oslo_messaging_notifications]\n'
                    'driver = noop\n'
                    '[cinder_transfer_ext]\n'
                    'auth_strategy = noauth\n'
                    f'state_path = {directory}\n'
                    '[database]\n'
                    f'connection = sqlite:///{database}\n')
        conf = deploy.new_conf(default_config_files=[self.config_file])
        self.database = db_api.Database(conf)
        migration.db_sync(self.database.get_engine())
        self.server = GunicornServer(
            'cinder_transfer_ext.wsgi.api:application', workers, directory,
            {'CINDER_TRANSFER_EXT_CONFIG_FILES': self.config_file})
        self.port = self.server.port
        self.pid = self.server.pid
        self.command = ('CINDER_TRANSFER_EXT_CONFIG_FILES=<conf> ' +
                        self.server.shown_command)

    def _context(self):
        from cinder_transfer_ext import context as transfer_context
        return transfer_context.RequestContext(
            user_id='bench', project_id=None, roles=['admin'],
            is_admin=True, overwrite=False, database=self.database)

    def _volume_type_id(self) -> str:
        from cinder_transfer_ext.db import api as db_api
        return db_api.volume_type_get_or_create(
            self._context(), db_api.DEFAULT_VOLUME_TYPE)['id']

    def bulk_transfers(self, project: str, count: int) -> None:
        """Insert ``count`` volumes awaiting transfer and their transfers.

        One transaction, as upstream's seed.py does; the auth keys are
        unknown, so these rows serve show and list only.
        """
        import sqlalchemy as sa

        from cinder_transfer_ext.db import api as db_api
        from cinder_transfer_ext.transfer import authkey

        type_id = self._volume_type_id()
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        volumes, transfers = [], []
        for number in range(count):
            volume_id, salt = str(uuid.uuid4()), authkey.generate_hex(8)
            volumes.append({
                'id': volume_id, 'project_id': project, 'user_id': 'bulk',
                'size': 1, 'status': 'awaiting-transfer',
                'attach_status': 'detached', 'availability_zone': 'nova',
                'display_name': f'bulk-{number:06d}',
                'volume_type_id': type_id, 'deleted': False,
                'bootable': False, 'multiattach': False, 'created_at': now})
            transfers.append({
                'id': str(uuid.uuid4()), 'volume_id': volume_id,
                'display_name': f'bulk-xfer-{number:06d}', 'salt': salt,
                'crypt_hash': authkey.hash_key(salt, authkey.generate_hex(16)),
                'no_snapshots': False, 'source_project_id': project,
                'accepted': False, 'deleted': False, 'created_at': now})
        with self.database.get_engine().begin() as connection:
            connection.execute(sa.insert(db_api.VOLUMES), volumes)
            connection.execute(sa.insert(db_api.TRANSFERS), transfers)
        # Move the bulk insert from the write-ahead log into the database
        # file, so that the measured reads do not depend on when SQLite
        # would have done it.
        with self.database.get_engine().connect() as connection:
            connection.exec_driver_sql('PRAGMA wal_checkpoint(TRUNCATE)')

    def available_volumes(self, project: str, count: int) -> list[str]:
        from cinder_transfer_ext.db import api as db_api

        type_id = self._volume_type_id()
        return [db_api.volume_create(self._context(), {
            'project_id': project, 'user_id': 'bench', 'size': 1,
            'status': 'available', 'attach_status': 'detached',
            'availability_zone': 'nova', 'display_name': f'bench-{number}',
            'volume_type_id': type_id, 'bootable': False,
            'multiattach': False})['id'] for number in range(count)]

    def stop(self) -> None:
        self.server.stop()
        self.database.dispose()

    def count_in_log(self, text: str) -> int:
        """Return how many lines of the server's log contain ``text``."""
        with open(os.path.join(self.directory, 'server.log'),
                  errors='replace') as log:
            return sum(text in line for line in log)


# -- the scenario ----------------------------------------------------------

def _show_path(port: int) -> str:
    token = f'bulk:{LIST_PROJECT}'
    body = call_json(port, 'GET', f'/v3/{LIST_PROJECT}/volume-transfers?'
                     f'limit=1', token)
    return f'/v3/{LIST_PROJECT}/volume-transfers/{body["transfers"][0]["id"]}'


class Runner:
    def __init__(self, args):
        self.args = args
        self.results: dict = {}
        self.commands: dict = {}
        self.show_body = None
        self.bare = None
        self.locked_errors = 0
        self.upstream_reused = None

    def log(self, message: str) -> None:
        print(f'[{time.strftime("%H:%M:%S")}] {message}', flush=True)

    def measure(self, op: str, entries: list, rounds: int | None = None):
        """Measure one case on several servers, which take turns.

        ``entries`` are (server name, server, job). Each server gets
        ``rounds`` runs of ``duration / rounds`` seconds, alternating with
        the others, and its figures combine them.
        """
        args = self.args
        rounds = rounds or args.rounds
        for _, server, job in entries:
            if job.kind != 'accept':
                run_load(server.port, server.pid, job, 1, args.duration,
                         WARMUP_OPERATIONS)
        parts: dict = {name: [] for name, _, _ in entries}
        for _ in range(rounds):
            for name, server, job in entries:
                parts[name].append(run_load(
                    server.port, server.pid, job, args.concurrency,
                    args.duration / rounds,
                    max(1, args.max_requests // rounds)))
        for name, _, _ in entries:
            result = summarize(parts[name])
            self.results.setdefault(name, {})[op] = result
            self.log(f'{name:10} {op:32} {result["per_s"]:8.1f}/s '
                     f'p50 {result["p50_ms"]:7.2f} ms p99 '
                     f'{result["p99_ms"]:7.2f} ms rss '
                     f'{result["peak_rss_mib"]:6.1f} MiB errors '
                     f'{result["errors"]} {result["statuses"]}')

    def get_job(self, path: str) -> Job:
        return Job('get', build_request('GET', path,
                                        f'bulk:{LIST_PROJECT}'))

    def pairs_job(self, server, project: str) -> Job:
        """Return a create+delete job with one available volume per worker."""
        token = f'bench:{project}'
        collection = f'/v3/{project}/volume-transfers'
        volumes = server.available_volumes(project, self.args.concurrency)
        per_worker = [(build_request(
            'POST', collection, token,
            {'transfer': {'volume_id': volume, 'name': 'bench'}}),
            collection, token) for volume in volumes]
        return Job('pairs', per_worker=per_worker)

    def accept_job(self, name: str, server) -> Job:
        """Create the transfers to accept; return the job that accepts them.

        Each accept goes into a fresh recipient project, which stays under
        its quota.
        """
        count = self.args.accept_pool
        self.log(f'{name}: creating {count} transfers to accept')
        volumes = server.available_volumes(ACCEPT_PROJECT, count)
        token = f'alice:{ACCEPT_PROJECT}'
        accepts = []
        for volume in volumes:
            created = call_json(
                server.port, 'POST', f'/v3/{ACCEPT_PROJECT}/volume-transfers',
                token, {'transfer': {'volume_id': volume, 'name': 'acc'}},
                expected=202)['transfer']
            recipient = uuid.uuid4().hex
            accepts.append(build_request(
                'POST', f'/v3/{recipient}/volume-transfers/'
                        f'{created["id"]}/accept', f'bob:{recipient}',
                {'accept': {'auth_key': created['auth_key']}}))
        concurrency = self.args.concurrency
        return Job('accept', per_worker=[accepts[index::concurrency]
                                         for index in range(concurrency)])

    def full_scenario(self, servers: list, directory: str) -> None:
        """Measure every case on each server, one case at a time.

        The servers take turns within each case, so that the load of other
        work on the machine, which drifts during a run, falls on them
        alike. The bare webob server joins the show cases once this
        service's show body is known.
        """
        base = f'/v3/{LIST_PROJECT}/volume-transfers'
        seeded = 0
        for size in self.args.sizes:
            for name, server in servers:
                self.log(f'{name}: seeding {size - seeded} transfers '
                         f'(total {size})')
                server.bulk_transfers(LIST_PROJECT, size - seeded)
            seeded = size
            if self.bare is None and self.args.ours:
                self.start_bare(dict(servers)[OURS], directory)
            show_servers = list(servers)
            if self.bare is not None:
                show_servers.append((BARE, self.bare))
            # The bare server returns its body for any path.
            ours_port = dict(servers).get(OURS, servers[0][1]).port
            self.measure(f'show @{size}', [
                (name, server, self.get_job(_show_path(
                    ours_port if name == BARE else server.port)))
                for name, server in show_servers])
            self.measure(f'list summary limit=100 @{size}', [
                (name, server, self.get_job(f'{base}?limit=100'))
                for name, server in servers])
            self.measure(f'list detail limit=100 @{size}', [
                (name, server, self.get_job(f'{base}/detail?limit=100'))
                for name, server in servers])
            if size != self.args.sizes[0]:
                continue
            self.measure('create+delete pair', [
                (name, server, self.pairs_job(server, PAIRS_PROJECT))
                for name, server in servers])
            # The pool limits each accept run, so it runs in one round.
            self.measure('accept', [
                (name, server, self.accept_job(name, server))
                for name, server in servers], rounds=1)

    def run_ours_two_workers(self, directory: str) -> None:
        self.log('ours: starting gunicorn with 2 sync workers')
        server = OurServer(directory, workers=2)
        self.commands[OURS_TWO] = server.command
        size = self.args.sizes[-1]
        base = f'/v3/{LIST_PROJECT}/volume-transfers'
        try:
            self.measure(f'show @{size}', [
                (OURS_TWO, server, self.get_job(_show_path(server.port)))])
            self.measure(f'list detail limit=100 @{size}', [
                (OURS_TWO, server,
                 self.get_job(f'{base}/detail?limit=100'))])
            self.measure('create+delete pair', [
                (OURS_TWO, server,
                 self.pairs_job(server, uuid.uuid4().hex))])
        finally:
            server.stop()
        self.locked_errors = server.count_in_log(LOCKED_ERROR)

    def start_bare(self, ours, directory: str) -> None:
        """Start the bare webob server with this service's show body."""
        body_path = os.path.join(directory, 'show-body.json')
        self.show_body = exchange(ours.port, build_request(
            'GET', _show_path(ours.port), f'bulk:{LIST_PROJECT}'))[1]
        with open(body_path, 'wb') as body_file:
            body_file.write(self.show_body)
        self.log('bare webob: starting gunicorn with 1 sync worker')
        self.bare = GunicornServer(
            'bench:bare_application', 1, directory,
            {'CTE_BENCH_BARE_BODY': body_path},
            pythonpath=os.path.dirname(os.path.abspath(__file__)))
        self.commands[BARE] = self.bare.shown_command

    def run(self) -> None:
        self.started = time.time()
        self.load_before = os.getloadavg()
        directory = tempfile.mkdtemp(prefix='cte-bench-')
        ours_dir = os.path.join(directory, 'ours')
        servers = []
        try:
            if self.args.reuse_upstream:
                with open(self.args.reuse_upstream) as saved:
                    previous = json.load(saved)
                self.results[UPSTREAM] = previous['results'][UPSTREAM]
                self.commands[UPSTREAM] = previous['commands'][UPSTREAM]
                self.upstream_reused = previous['date']
            elif self.args.upstream:
                self.log(f'upstream: starting start-oracle.sh in '
                         f'{self.args.oracle_dir}')
                oracle = OracleServer(self.args.oracle, self.args.oracle_dir,
                                      self.args.oracle_venv)
                servers.append((UPSTREAM, oracle))
                self.commands[UPSTREAM] = oracle.command
            if self.args.ours:
                self.log('ours: starting gunicorn with 1 sync worker')
                os.makedirs(ours_dir)
                ours = OurServer(ours_dir, workers=1)
                servers.append((OURS, ours))
                self.commands[OURS] = ours.command
            self.full_scenario(servers, directory)
            for _, server in servers:
                server.stop()
            servers = []
            if self.bare is not None:
                self.bare.stop()
            if self.args.ours and self.args.two_workers:
                self.run_ours_two_workers(ours_dir)
        finally:
            for _, server in servers:
                server.stop()
            if self.bare is not None:
                self.bare.stop()
            if not self.args.keep_files:
                shutil.rmtree(directory, ignore_errors=True)
        self.load_after = os.getloadavg()
        self.runtime = time.time() - self.started


# -- reporting -------------------------------------------------------------

def machine_description() -> dict:
    cpu = 'unknown CPU'
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
        with open('/proc/meminfo') as meminfo:
            memory_kib = int(meminfo.readline().split()[1])
    except OSError:
        memory_kib = 0
    versions = {}
    for package in ('gunicorn', 'webob', 'sqlalchemy', 'oslo.db'):
        try:
            from importlib import metadata
            versions[package] = metadata.version(package)
        except Exception:
            versions[package] = '?'
    return {
        'cpu': cpu, 'cores': os.cpu_count(),
        'memory_gib': round(memory_kib / 1024 / 1024, 1),
        'kernel': platform.release(),
        'python': platform.python_version(), 'versions': versions,
    }


def _ratio(ours, upstream) -> float | None:
    if not ours or not upstream:
        return None
    return ours / upstream


def _fmt(value, digits=1, suffix='') -> str:
    if value is None:
        return '-'
    return f'{value:.{digits}f}{suffix}'


def comparison_rows(results: dict) -> list[list[str]]:
    ours, upstream = results.get(OURS, {}), results.get(UPSTREAM, {})
    rows = []
    for op in list(ours) + [op for op in upstream if op not in ours]:
        mine, theirs = ours.get(op, {}), upstream.get(op, {})
        rows.append([
            op,
            _fmt(mine.get('per_s')), _fmt(mine.get('p50_ms'), 2),
            _fmt(mine.get('p99_ms'), 2), _fmt(mine.get('peak_rss_mib'), 0),
            _fmt(theirs.get('per_s')), _fmt(theirs.get('p50_ms'), 2),
            _fmt(theirs.get('p99_ms'), 2),
            _fmt(theirs.get('peak_rss_mib'), 0),
            _fmt(_ratio(mine.get('per_s'), theirs.get('per_s')), 2, 'x'),
            _fmt(_ratio(mine.get('p99_ms'), theirs.get('p99_ms')), 2, 'x'),
        ])
    return rows


COMPARISON_HEADER = ['operation', 'ours/s', 'p50 ms', 'p99 ms', 'RSS MiB',
                     'upstream/s', 'p50 ms', 'p99 ms', 'RSS MiB',
                     'rate ours/up', 'p99 ours/up']


def other_rows(results: dict) -> list[list[str]]:
    rows = []
    for name in (OURS_TWO, BARE):
        for op, result in results.get(name, {}).items():
            rows.append([name, op, _fmt(result['per_s']),
                         _fmt(result['p50_ms'], 2), _fmt(result['p99_ms'], 2),
                         _fmt(result['peak_rss_mib'], 0),
                         str(result['errors'])])
    return rows


OTHER_HEADER = ['server', 'operation', 'per s', 'p50 ms', 'p99 ms',
                'RSS MiB', 'errors']


def error_lines(results: dict) -> list[str]:
    """Describe each case that had failed operations, with its statuses."""
    lines = []
    for name, cases in results.items():
        for op, result in cases.items():
            if result['errors']:
                statuses = ', '.join(f'{code}: {count}' for code, count in
                                     sorted(result['statuses'].items()))
                lines.append(f'{name} {op}: {result["errors"]} failed '
                             f'operations (responses {statuses})')
    return lines


def target_checks(results: dict, sizes: list) -> list[tuple[str, str, bool]]:
    """Return (target, measured, met) for each performance target."""
    ours, upstream = results.get(OURS, {}), results.get(UPSTREAM, {})
    checks = []

    def rate_check(op, factor):
        if op in ours and op in upstream:
            ratio = ours[op]['per_s'] / upstream[op]['per_s']
            checks.append((f'{op}: rate >= {factor}x upstream',
                           f'{ratio:.2f}x', ratio >= factor))

    def p99_check(op):
        if op in ours and op in upstream:
            ratio = ours[op]['p99_ms'] / upstream[op]['p99_ms']
            checks.append((f'{op}: p99 <= 1/3 of upstream',
                           f'{ratio:.2f}x', ratio <= 1 / 3))

    for size in sizes:
        rate_check(f'show @{size}', 5)
        p99_check(f'show @{size}')
        rate_check(f'list detail limit=100 @{size}', 4)
        p99_check(f'list detail limit=100 @{size}')
    rate_check('create+delete pair', 3)
    rate_check('accept', 3)
    small = ours.get(f'list detail limit=100 @{sizes[0]}')
    large = ours.get(f'list detail limit=100 @{sizes[-1]}')
    if small and large and len(sizes) > 1:
        ratio = large['p50_ms'] / small['p50_ms']
        checks.append((f'list detail p50 at {sizes[-1]} <= 1.5x at '
                       f'{sizes[0]}', f'{ratio:.2f}x', ratio <= 1.5))
    for size in sizes:
        bare = results.get(BARE, {}).get(f'show @{size}')
        show = ours.get(f'show @{size}')
        if bare and show:
            fraction = show['per_s'] / bare['per_s']
            checks.append((f'show @{size}: rate >= 0.5 of the bare webob '
                           f'ceiling', f'{fraction:.2f}', fraction >= 0.5))
    return checks


def text_table(header: list, rows: list) -> str:
    widths = [max(len(str(row[i])) for row in [header] + rows)
              for i in range(len(header))]
    lines = ['  '.join(str(cell).ljust(width)
                       for cell, width in zip(row, widths)).rstrip()
             for row in [header] + rows]
    lines.insert(1, '  '.join('-' * width for width in widths))
    return '\n'.join(lines)


def rst_table(header: list, rows: list) -> str:
    widths = [max(len(str(row[i])) for row in [header] + rows)
              for i in range(len(header))]
    rule = '  '.join('=' * width for width in widths)

    def line(row):
        return '  '.join(str(cell).ljust(width)
                         for cell, width in zip(row, widths)).rstrip()

    return '\n'.join([rule, line(header), rule] +
                     [line(row) for row in rows] + [rule])


def write_rst(path: str, runner: Runner, command: str) -> None:
    args, results = runner.args, runner.results
    machine = machine_description()
    checks = target_checks(results, args.sizes)
    versions = ', '.join(f'{name} {version}' for name, version in
                         machine['versions'].items())
    upstream_note = ''
    if runner.upstream_reused:
        upstream_note = (f'\nThe upstream figures were reused from the run '
                         f'of {runner.upstream_reused}.\n')
    check_rows = [[target, measured, 'yes' if met else 'NO']
                  for target, measured, met in checks]
    errors_text = 'Every operation succeeded.'
    if error_lines(results):
        errors_text = 'Failed operations:\n\n' + '\n'.join(
            f'- {line}' for line in error_lines(results))
    if runner.locked_errors:
        errors_text += (
            f'\n\nThe log of ours-2w has {runner.locked_errors} lines with '
            f'``{LOCKED_ERROR}``: two worker processes writing one SQLite '
            f'file can fail a write with a 500. A failed delete leaves its '
            f'transfer in place, so the later creates on that volume get '
            f'400.')
    title = 'Benchmarks'
    text = f"""{'=' * len(title)}
{title}
{'=' * len(title)}

This page is written by ``tools/bench.py`` (``tox -e bench``); rerun it to
refresh the figures. It compares this service with upstream Cinder 29.0.0
on the same machine, the same SQLite database engine, the same data and
the same requests. The servers run side by side and take turns within
each case, so that they see the same background load.

Run
---

- Date: {datetime.datetime.fromtimestamp(runner.started).strftime(
        '%Y-%m-%d %H:%M')}, runtime {runner.runtime:.0f} s.
- Command: ``{command}``
- Machine: {machine['cpu']}, {machine['cores']} cores, {
        machine['memory_gib']} GiB RAM, Linux {machine['kernel']}, Python {
        machine['python']}; {versions}.
- Load average (1, 5, 15 min) before: {
        ', '.join(f'{value:.2f}' for value in runner.load_before)}; after: {
        ', '.join(f'{value:.2f}' for value in runner.load_after)}.
{upstream_note}
Servers
-------

- upstream: ``{runner.commands.get(UPSTREAM, '-')}``, where ``<oracle>``
  is the folder of the upstream reference scripts (``--oracle``): Cinder
  29.0.0 installed from PyPI, one process running eventlet with one API
  worker and an in-process cinder-volume (accept makes an RPC call to
  it), noauth, a SQLite file, notifications off, one INFO log line per
  request to a file.
- ours: ``{runner.commands.get(OURS, '-')}``: one sync worker (the RSS
  column adds the master process), noauth, a SQLite file, notifications
  off (``driver = noop``, as upstream's configuration), one INFO log line
  per request to a file.
- ours-2w: the same with two sync workers, on the same database after the
  full run.
- bare-webob: ``{runner.commands.get(BARE, '-')}``: a webob application
  that returns this service's show body, the ceiling of one sync worker.
  It takes its turns in the show cases.

Method
------

- Data: {', then '.join(f'{size:,}' for size in args.sizes)} pending
  transfers in one project, added in bulk between the steps (for upstream
  with its ``seed.py bulk-transfers``, for ours with one SQL insert). Each
  transfer has its own volume.
- Requests: microversion {MICROVERSION}, the noauth token
  ``user:project``. show reads one transfer, the lists ask for
  ``limit=100`` (100 items and a next link). A create+delete pair is
  ``POST /volume-transfers`` then ``DELETE`` of the new transfer, one
  available volume per client process. accept takes one of
  {args.accept_pool} transfers made through the API beforehand, each into
  a fresh project.
- Load: {args.concurrency} client processes in closed loops on the same
  machine, each request on a new TCP connection with TCP_NODELAY and
  ``Connection: close``. In each case every server first gets
  {WARMUP_OPERATIONS} unmeasured operations, then the servers take
  {args.rounds} turns each (accept: one) of {args.duration / args.rounds:g}
  s or {args.max_requests // args.rounds:,} operations, whichever comes
  first, and the turns of a server are added up.
- Figures: operations per second (pairs per second for create+delete),
  p50 and p99 latency of one operation in milliseconds, peak RSS in MiB
  of the server's processes sampled every {RSS_SAMPLE_INTERVAL:g} s. The
  ratio columns are ours divided by upstream: above 1 is faster for the
  rate, below 1 is faster for p99.

Results
-------

{rst_table(COMPARISON_HEADER, comparison_rows(results))}

{rst_table(OTHER_HEADER, other_rows(results)) if other_rows(results)
        else ''}

{errors_text}

Targets
-------

{rst_table(['target', 'measured', 'met'], check_rows)}

Noise
-----

The client processes and the server share the machine's {
        machine['cores']} cores, and other work may run at the same time
(see the load average above): single figures depend on that load, and a
run measures each case once. Compare the ratios of one run rather than
figures of different runs, and rerun before trusting a difference of a
few percent.
"""
    text = '\n'.join(line.rstrip() for line in text.splitlines()) + '\n'
    while '\n\n\n' in text:
        text = text.replace('\n\n\n', '\n\n')
    with open(path, 'w') as output:
        output.write(text)


def print_report(runner: Runner) -> None:
    results = runner.results
    print()
    print(text_table(COMPARISON_HEADER, comparison_rows(results)))
    others = other_rows(results)
    if others:
        print()
        print(text_table(OTHER_HEADER, others))
    for line in error_lines(results):
        print(f'errors: {line}')
    print()
    for target, measured, met in target_checks(results, runner.args.sizes):
        print(f'{"met    " if met else "NOT MET"}  {target}: {measured}')
    print(f'\nruntime {runner.runtime:.0f} s', flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark this service against upstream Cinder on '
                    'loopback and write doc/source/benchmarks.rst.')
    parser.add_argument('--duration', type=float, default=6.0,
                        help='Maximum seconds of one measured case.')
    parser.add_argument('--max-requests', type=int, default=20000,
                        help='Maximum operations of one measured case.')
    parser.add_argument('--rounds', type=int, default=3,
                        help='Turns each server takes in one case; the '
                             'duration is split between them.')
    parser.add_argument('--concurrency', type=int, default=4,
                        help='Client processes, each in a closed loop.')
    parser.add_argument('--sizes', default='1000,10000,100000',
                        help='Comma-separated increasing transfer counts '
                             'at which show and the lists are measured.')
    parser.add_argument('--accept-pool', type=int, default=250,
                        help='Transfers created beforehand for accept; '
                             'the accept case stops when they run out.')
    parser.add_argument('--oracle', default=os.environ.get(
        'CTE_BENCH_ORACLE', DEFAULT_ORACLE),
        help='Folder of the upstream reference scripts.')
    parser.add_argument('--oracle-dir', default=os.environ.get(
        'ORACLE_DIR', DEFAULT_ORACLE_DIR),
        help='Run folder of the upstream server (ORACLE_DIR).')
    parser.add_argument('--oracle-venv', default=os.environ.get(
        'ORACLE_VENV'), help='Virtualenv with Cinder 29.0.0 (ORACLE_VENV); '
                             'default <oracle-dir>/venv.')
    parser.add_argument('--no-upstream', dest='upstream',
                        action='store_false',
                        help='Measure this service only.')
    parser.add_argument('--no-ours', dest='ours', action='store_false',
                        help='Measure upstream only (to save its figures '
                             'with --json for --reuse-upstream).')
    parser.add_argument('--reuse-upstream', metavar='JSON',
                        help='Take the upstream figures from the JSON file '
                             'of an earlier run instead of measuring them.')
    parser.add_argument('--no-two-workers', dest='two_workers',
                        action='store_false',
                        help='Skip the run of this service with two '
                             'workers.')
    parser.add_argument('--output', default=DEFAULT_OUTPUT,
                        help='reStructuredText page to write; "-" skips.')
    parser.add_argument('--json', metavar='FILE',
                        help='Also write the raw results to FILE.')
    parser.add_argument('--keep-files', action='store_true',
                        help='Keep the temporary folder with databases '
                             'and logs.')
    args = parser.parse_args(argv)
    args.sizes = sorted(int(size) for size in args.sizes.split(','))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.upstream and not args.reuse_upstream and not os.path.exists(
            os.path.join(args.oracle, 'start-oracle.sh')):
        sys.exit(f'{args.oracle}/start-oracle.sh not found: pass --oracle '
                 f'or --no-upstream.')
    runner = Runner(args)
    runner.run()
    print_report(runner)
    command = 'python tools/bench.py ' + shlex.join(
        sys.argv[1:] if argv is None else argv)
    if args.json:
        with open(args.json, 'w') as output:
            json.dump({'date': time.strftime('%Y-%m-%d %H:%M',
                                             time.localtime(runner.started)),
                       'command': command, 'results': runner.results,
                       'commands': runner.commands}, output, indent=1)
    if args.output != '-':
        write_rst(args.output, runner, command.rstrip())
        print(f'wrote {args.output}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
