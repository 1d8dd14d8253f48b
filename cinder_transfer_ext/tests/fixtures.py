"""Test fixtures: a fresh database on SQLite, MariaDB or PostgreSQL.

The backend comes from CTE_TEST_BACKEND (sqlite, mysql or postgresql;
sqlite by default). MariaDB and PostgreSQL are the servers on loopback:
each fixture creates a database with a random name and drops it
afterwards. When the server cannot be reached the test is skipped, unless
CTE_REQUIRE_BACKENDS=1, as CI sets, which makes it fail instead.

RootLogging restores the root logger after a test that sets up logging.
"""

import logging
import os
import secrets
import tempfile

import fixtures
import sqlalchemy as sa

BACKEND_ENV = 'CTE_TEST_BACKEND'
REQUIRE_ENV = 'CTE_REQUIRE_BACKENDS'

# Server-level URLs used to create and drop per-test databases.
ADMIN_URLS = {
    'mysql': os.environ.get(
        'CTE_TEST_MYSQL_URL', 'mysql+pymysql://root@127.0.0.1:3306/'),
    'postgresql': os.environ.get(
        'CTE_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'),
}


def current_backend() -> str:
    backend = os.environ.get(BACKEND_ENV, 'sqlite')
    if backend not in ('sqlite', 'mysql', 'postgresql'):
        raise ValueError(f'{BACKEND_ENV}={backend!r}: use sqlite, mysql or '
                         f'postgresql')
    return backend


def backends_required() -> bool:
    return os.environ.get(REQUIRE_ENV) == '1'


class BackendUnavailable(Exception):
    pass


class DatabaseFixture(fixtures.Fixture):
    """Provides ``url``, the URL of an empty database for one test."""

    def __init__(self, backend: str | None = None):
        super().__init__()
        self.backend = backend or current_backend()

    def _setUp(self):
        if self.backend == 'sqlite':
            directory = self.useFixture(fixtures.TempDir()).path
            self.url = 'sqlite:///' + os.path.join(directory, 'test.sqlite')
            return
        name = 'cte_' + secrets.token_hex(6)
        admin_url = sa.engine.make_url(ADMIN_URLS[self.backend])
        try:
            admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE {name}'))
        except sa.exc.OperationalError as error:
            raise BackendUnavailable(
                f'{self.backend} at {admin_url.render_as_string()} is not '
                f'reachable: {error.orig}')
        self.addCleanup(self._drop, admin, name)
        self.url = admin_url.set(database=name).render_as_string(
            hide_password=False)
        if self.backend == 'mysql':
            self.url += '?charset=utf8mb4'

    @staticmethod
    def _drop(admin, name):
        with admin.connect() as connection:
            if admin.dialect.name == 'postgresql':
                connection.execute(sa.text(
                    'SELECT pg_terminate_backend(pid) FROM '
                    'pg_stat_activity WHERE datname = :name'), {'name': name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS {name}'))
        admin.dispose()


def use_database(test, backend: str | None = None) -> str:
    """Give ``test`` a fresh database and return its URL.

    An unreachable server skips the test, or fails it when backends are
    required.
    """
    try:
        return test.useFixture(DatabaseFixture(backend)).url
    except BackendUnavailable as error:
        if backends_required():
            raise
        test.skipTest(str(error))


def temp_state_dir() -> str:
    return tempfile.mkdtemp(prefix='cte-state-')


class RootLogging(fixtures.Fixture):
    """Put back the root logger's handlers and level after a test.

    oslo.log's setup replaces the root logger's handlers, and the handlers
    it made are closed at clean-up.
    """

    def _setUp(self):
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        self.addCleanup(self._restore, root, handlers, level)

    @staticmethod
    def _restore(root, handlers, level):
        for handler in list(root.handlers):
            root.removeHandler(handler)
            if handler not in handlers:
                handler.close()
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
