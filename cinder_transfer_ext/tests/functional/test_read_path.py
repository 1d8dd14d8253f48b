"""Database reads: Database.read_rows and the SQLite read-only engine.

On a SQLite file, a read outside an enginefacade transaction runs on a
separate read-only engine, and read_rows runs the compiled statement on
the DBAPI cursor itself. These tests check that this path returns exactly
what SQLAlchemy returns, cannot write, joins an open transaction, pages
correctly and reports errors as oslo.db does. Tests of the SQLite-only
machinery skip on other backends. The tests comparing read_rows with
SQLAlchemy run everywhere.
"""

import datetime
import itertools
import os
import sqlite3
import threading
import uuid

from oslo_db import exception as db_exception
import sqlalchemy as sa

from cinder_transfer_ext.cmd import manage
from cinder_transfer_ext import context as transfer_context
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.tests import base

TRANSFERS = db_api.TRANSFERS
VOLUMES = db_api.VOLUMES
# MySQL DATETIME keeps whole seconds, so rows get created_at values one
# second apart to make the order the same on every backend.
BASE_TIME = datetime.datetime(2024, 1, 1, 12, 0, 0)
BOOLEAN_COLUMNS = ('deleted', 'accepted', 'no_snapshots')

# read_rows keeps the compiled form per statement object, so the
# statements are module constants, as in db/api.py.
ALL_TRANSFERS = sa.select(TRANSFERS).order_by(TRANSFERS.c.created_at,
                                              TRANSFERS.c.id)
# Bound boolean and datetime parameters go through bind processors.
TRANSFERS_BY_STATE = sa.select(TRANSFERS).where(
    TRANSFERS.c.deleted == sa.bindparam('deleted'),
    TRANSFERS.c.created_at >= sa.bindparam('since'),
).order_by(TRANSFERS.c.created_at, TRANSFERS.c.id)
# A literal in the statement is a bound parameter with a fixed value.
NAMED_TRANSFERS = sa.select(TRANSFERS.c.id, TRANSFERS.c.display_name).where(
    TRANSFERS.c.display_name == 'named').order_by(TRANSFERS.c.id)
TRANSFERS_WITH_OWNER = sa.select(
    TRANSFERS.c.id, TRANSFERS.c.created_at, TRANSFERS.c.accepted,
    VOLUMES.c.project_id.label('owner'),
).join(VOLUMES, VOLUMES.c.id == TRANSFERS.c.volume_id).order_by(
    TRANSFERS.c.created_at, TRANSFERS.c.id)
# A statement whose parameter has a default that callers may replace.
TRANSFERS_NAMED_DEFAULT = sa.select(TRANSFERS.c.id).where(
    TRANSFERS.c.display_name == sa.bindparam('name', 'no-such-name'))
TRANSFERS_NAMED_IN = sa.select(TRANSFERS.c.id).where(
    TRANSFERS.c.display_name.in_(['named', 'other'])).order_by(
    TRANSFERS.c.id)
TRANSFER_COUNT = sa.select(sa.func.count(TRANSFERS.c.id))
TRANSFER_AND_VOLUME_IDS = sa.select(TRANSFERS.c.id, VOLUMES.c.id).join(
    VOLUMES, VOLUMES.c.id == TRANSFERS.c.volume_id).order_by(TRANSFERS.c.id)
MISSING_TABLE = sa.select(sa.table('no_such_table', sa.column('id')).c.id)
LITERAL_ONE = sa.select(sa.literal(1, sa.Integer).label('one'))


class ReadPathTestBase(base.TransferTestCase):

    def setUp(self):
        super().setUp()
        self.clock = 0
        # A context of its own, so that no transaction of another test
        # context is open around the reads.
        self.context = manage._admin_context(self.database)

    def skip_unless_sqlite_file(self):
        if self.database.sqlite_read_engine() is None:
            self.skipTest(f'the read-only engine exists only for a SQLite '
                          f'file; this run uses '
                          f'{self.database.get_engine().dialect.name}')

    def set_created_at(self, transfer_id: str, when: datetime.datetime):
        with self.database.writer.using(self.admin_context) as session:
            session.execute(sa.update(TRANSFERS).where(
                TRANSFERS.c.id == transfer_id).values(created_at=when))

    def make_transfer(self, **fields) -> dict:
        """Create a transfer one second after the previous one."""
        transfer = self.create_transfer(**fields)
        self.set_created_at(transfer['id'],
                            BASE_TIME + datetime.timedelta(seconds=self.clock))
        self.clock += 1
        return transfer

    def sqlalchemy_rows(self, statement, parameters: dict) -> list:
        """Run ``statement`` through SQLAlchemy Core on the writer engine."""
        with self.database.get_engine().connect() as connection:
            result = connection.execute(statement, parameters)
            return [dict(row) for row in result.mappings()]

    def count_checkouts(self, engine) -> list:
        """Record each pool checkout of ``engine`` in the returned list."""
        checkouts = []

        def on_checkout(dbapi_connection, record, proxy):
            checkouts.append(dbapi_connection)
        sa.event.listen(engine, 'checkout', on_checkout)
        self.addCleanup(sa.event.remove, engine, 'checkout', on_checkout)
        return checkouts

    def assertSameRows(self, expected: list, actual: list):
        """Check equal rows, with the same column order and value types."""
        self.assertEqual(expected, actual)
        for expected_row, actual_row in zip(expected, actual):
            self.assertEqual(list(expected_row), list(actual_row))
            self.assertEqual(
                {key: type(value) for key, value in expected_row.items()},
                {key: type(value) for key, value in actual_row.items()})


class ReadRowsTest(ReadPathTestBase):
    """read_rows returns what SQLAlchemy returns, on every backend."""

    def setUp(self):
        super().setUp()
        self.plain = self.make_transfer(name='named')
        self.no_snapshots = self.make_transfer(version='3.55',
                                               no_snapshots=True)
        self.accepted = self.make_transfer()
        response = self.request(
            'POST', self.url(base.P2, f"/{self.accepted['id']}/accept"),
            base.MEMBER2,
            body={'accept': {'auth_key': self.accepted['auth_key']}})
        self.assertEqual(202, response.status, response)
        self.expiring = self.make_transfer(name='named')
        with self.database.writer.using(self.admin_context) as session:
            session.execute(sa.update(TRANSFERS).where(
                TRANSFERS.c.id == self.expiring['id']).values(
                    expires_at=BASE_TIME + datetime.timedelta(days=3650)))

    def test_all_columns_same_rows(self):
        expected = self.sqlalchemy_rows(ALL_TRANSFERS, {})

        rows = self.database.read_rows(self.context, ALL_TRANSFERS, {})

        self.assertEqual(4, len(rows))
        self.assertSameRows(expected, rows)

    def test_value_types(self):
        rows = self.database.read_rows(self.context, ALL_TRANSFERS, {})

        by_id = {row['id']: row for row in rows}
        for row in rows:
            self.assertIs(datetime.datetime, type(row['created_at']), row)
            for column in BOOLEAN_COLUMNS:
                self.assertIs(bool, type(row[column]), (column, row))
        self.assertIs(True, by_id[self.no_snapshots['id']]['no_snapshots'])
        self.assertIs(False, by_id[self.plain['id']]['no_snapshots'])
        self.assertIs(True, by_id[self.accepted['id']]['accepted'])
        self.assertIs(True, by_id[self.accepted['id']]['deleted'])
        self.assertIs(False, by_id[self.plain['id']]['deleted'])
        self.assertEqual(BASE_TIME, by_id[self.plain['id']]['created_at'])
        self.assertIsNone(by_id[self.plain['id']]['expires_at'])
        self.assertIs(datetime.datetime,
                      type(by_id[self.expiring['id']]['expires_at']))

    def test_bound_bool_and_datetime(self):
        cases = [
            {'deleted': False, 'since': BASE_TIME},
            {'deleted': True, 'since': BASE_TIME},
            {'deleted': False,
             'since': BASE_TIME + datetime.timedelta(seconds=1)},
            {'deleted': False,
             'since': BASE_TIME + datetime.timedelta(days=1)},
        ]

        for parameters in cases:
            expected = self.sqlalchemy_rows(TRANSFERS_BY_STATE, parameters)

            rows = self.database.read_rows(self.context, TRANSFERS_BY_STATE,
                                           parameters)

            self.assertSameRows(expected, rows)
        live = self.database.read_rows(self.context, TRANSFERS_BY_STATE,
                                       cases[0])
        self.assertEqual(3, len(live))
        deleted = self.database.read_rows(self.context, TRANSFERS_BY_STATE,
                                          cases[1])
        self.assertEqual([self.accepted['id']],
                         [row['id'] for row in deleted])

    def test_literal_in_statement(self):
        expected = self.sqlalchemy_rows(NAMED_TRANSFERS, {})

        rows = self.database.read_rows(self.context, NAMED_TRANSFERS, {})

        self.assertSameRows(expected, rows)
        self.assertEqual(sorted([self.plain['id'], self.expiring['id']]),
                         [row['id'] for row in rows])

    def test_join_with_label(self):
        expected = self.sqlalchemy_rows(TRANSFERS_WITH_OWNER, {})

        rows = self.database.read_rows(self.context, TRANSFERS_WITH_OWNER,
                                       {})

        self.assertSameRows(expected, rows)
        self.assertEqual(['id', 'created_at', 'accepted', 'owner'],
                         list(rows[0]))

    def test_transfer_statements_same_rows(self):
        now = db_api._now()
        cases = [
            (db_api._TRANSFER_BY_ID,
             {'transfer_id': self.plain['id'], 'now': now}),
            (db_api._TRANSFER_BY_ID,
             {'transfer_id': self.accepted['id'], 'now': now}),
            (db_api._TRANSFER_BY_ID_IN_PROJECT,
             {'transfer_id': self.expiring['id'], 'now': now,
              'project_id': base.P1}),
            (db_api._TRANSFER_BY_ID_IN_PROJECT,
             {'transfer_id': self.plain['id'], 'now': now,
              'project_id': base.P2}),
        ]

        for statement, parameters in cases:
            expected = self.sqlalchemy_rows(statement, parameters)

            rows = self.database.read_rows(self.context, statement,
                                           parameters)

            self.assertSameRows(expected, rows)
        self.assertEqual(1, len(self.database.read_rows(
            self.context, *cases[0])))
        self.assertEqual([], self.database.read_rows(
            self.context, *cases[1]))

    def test_page_statement_same_rows(self):
        page_query = db_api._transfer_page_query(
            True, False, ('display_name',), ('created_at', 'id'),
            ('desc', 'desc'), True)
        marker = self.database.read_rows(
            self.context, db_api._TRANSFER_BY_ID,
            {'transfer_id': self.expiring['id'], 'now': db_api._now()})[0]
        parameters = {'now': db_api._now(), 'project_id': base.P1,
                      'filter_display_name': 'named',
                      'marker_0': marker['created_at'],
                      'marker_1': marker['id'],
                      'page_limit': 5, 'page_offset': 0}

        for limited, offset in itertools.product((False, True), repeat=2):
            statement = db_api._paged(page_query, limited, offset)
            expected = self.sqlalchemy_rows(statement, parameters)

            rows = self.database.read_rows(self.context, statement,
                                           parameters)

            self.assertSameRows(expected, rows)
            self.assertEqual([self.plain['id']], [row['id'] for row in rows])


class ReadRowsStatementFormsTest(ReadPathTestBase):
    """read_rows returns what SQLAlchemy returns for other SELECT forms."""

    def setUp(self):
        super().setUp()
        self.named = self.make_transfer(name='named')
        self.other = self.make_transfer(name='other')

    def assertSameAsSqlalchemy(self, statement, parameters: dict) -> list:
        expected = self.sqlalchemy_rows(statement, parameters)

        rows = self.database.read_rows(self.context, statement, parameters)

        self.assertSameRows(expected, rows)
        return rows

    def test_parameter_replaces_default(self):
        rows = self.assertSameAsSqlalchemy(TRANSFERS_NAMED_DEFAULT,
                                           {'name': 'named'})

        self.assertEqual([self.named['id']], [row['id'] for row in rows])

    def test_in_list(self):
        rows = self.assertSameAsSqlalchemy(TRANSFERS_NAMED_IN, {})

        self.assertEqual(sorted([self.named['id'], self.other['id']]),
                         [row['id'] for row in rows])

    def test_unlabelled_function_key(self):
        rows = self.assertSameAsSqlalchemy(TRANSFER_COUNT, {})

        self.assertEqual([2], [list(row.values())[0] for row in rows])

    def test_same_column_name_twice(self):
        rows = self.assertSameAsSqlalchemy(TRANSFER_AND_VOLUME_IDS, {})

        self.assertEqual(2, len(rows[0]), rows[0])


class SqliteReadEngineTest(ReadPathTestBase):

    def test_engine_only_for_sqlite_file(self):
        engine = self.database.sqlite_read_engine()

        if self.database.get_engine().dialect.name != 'sqlite':
            self.assertIsNone(engine)
            return
        self.assertIsNotNone(engine)
        self.assertEqual(
            sa.engine.make_url(self.database.connection_url).database,
            engine.url.database)
        self.assertIs(engine, self.database.sqlite_read_engine())

    def test_thread_connections_closed(self):
        # Each short-lived thread opens its own connection, which must be
        # closed when the thread ends, not when the garbage collector runs.
        self.skip_unless_sqlite_file()
        if not os.path.isdir('/proc/self/fd'):
            self.skipTest('needs /proc/self/fd to count open files')
        self.create_transfer()
        errors = []

        def read_once():
            try:
                db_api.transfer_get_all(self.context, project_id=base.P1,
                                        limit=5)
            except Exception as error:
                errors.append(error)

        read_once()
        before = len(os.listdir('/proc/self/fd'))
        for _ in range(40):
            reader = threading.Thread(target=read_once)
            reader.start()
            reader.join()
            del reader

        self.assertEqual([], errors)
        self.assertLess(len(os.listdir('/proc/self/fd')) - before, 5)

    def test_in_memory_urls_have_no_engine(self):
        urls = ['sqlite://', 'sqlite:///:memory:',
                'sqlite:///file:cte_read_path?mode=memory&uri=true']

        for url in urls:
            database = db_api.Database(self.conf, connection=url)
            self.addCleanup(database.dispose)

            self.assertIsNone(database.sqlite_read_engine(), url)

    def test_in_memory_reads_use_reader(self):
        database = db_api.Database(self.conf, connection='sqlite://')
        self.addCleanup(database.dispose)
        context = transfer_context.RequestContext(database=database,
                                                  overwrite=False)

        rows = database.read_rows(context, LITERAL_ONE, {})

        self.assertEqual([{'one': 1}], rows)

    def test_engine_connection_rejects_writes(self):
        self.skip_unless_sqlite_file()
        transfer = self.create_transfer(name='unchanged')
        engine = self.database.sqlite_read_engine()

        with engine.connect() as connection:
            error = self.assertRaises(
                sa.exc.OperationalError, connection.execute,
                sa.update(TRANSFERS).values(display_name='changed'))

        self.assertIsInstance(error.orig, sqlite3.OperationalError)
        self.assertIn('attempt to write a readonly database', str(error))
        self.assertEqual('unchanged',
                         self.transfer_row(transfer['id'])['display_name'])

    def test_raw_connection_rejects_writes(self):
        self.skip_unless_sqlite_file()
        transfer = self.create_transfer()
        engine = self.database.sqlite_read_engine()
        connection = engine.raw_connection()
        self.addCleanup(connection.close)
        cursor = connection.cursor()
        self.addCleanup(cursor.close)

        for statement in ('DELETE FROM transfers',
                          'CREATE TABLE extra (id INTEGER)',
                          'PRAGMA query_only = OFF; '
                          'DELETE FROM transfers'):
            error = self.assertRaises(
                (sqlite3.OperationalError, sqlite3.ProgrammingError),
                cursor.execute, statement)
            self.assertIsInstance(error, sqlite3.Error)

        self.assertIsNotNone(self.transfer_row(transfer['id']))

    def test_read_connection_outside_transaction(self):
        self.skip_unless_sqlite_file()
        engine = self.database.sqlite_read_engine()
        transfer = self.create_transfer()

        with self.database.read_connection(self.context) as connection:
            self.assertIs(engine, connection.engine)
            count = connection.execute(
                sa.select(sa.func.count()).select_from(TRANSFERS)).scalar()
            self.assertRaises(
                sa.exc.OperationalError, connection.execute,
                sa.delete(TRANSFERS))

        self.assertEqual(1, count)
        self.assertIsNotNone(self.transfer_row(transfer['id']))

    def test_read_rows_outside_transaction_uses_engine(self):
        self.skip_unless_sqlite_file()
        engine = self.database.sqlite_read_engine()
        transfer = self.create_transfer()

        rows = self.database.read_rows(
            self.context, db_api._TRANSFER_BY_ID,
            {'transfer_id': transfer['id'], 'now': db_api._now()})

        self.assertEqual([transfer['id']], [row['id'] for row in rows])
        # The rows came from this thread's connection of the read engine,
        # which is read-only.
        self.assertIs(engine, self.database._read_local.engine)
        connection = self.database._read_local.connection
        self.assertEqual(
            1, connection.execute('PRAGMA query_only').fetchone()[0])
        self.assertRaises(sqlite3.OperationalError, connection.execute,
                          'DELETE FROM transfers')

    def test_engine_recreated_after_pid_change(self):
        self.skip_unless_sqlite_file()
        transfer = self.create_transfer()
        first = self.database.sqlite_read_engine()
        self.addCleanup(first.dispose)

        # In a forked child os.getpid() differs from the stored pid.
        self.database._read_engine_pid = -1
        second = self.database.sqlite_read_engine()

        self.assertIsNot(first, second)
        self.assertIs(second, self.database.sqlite_read_engine())
        rows = self.database.read_rows(
            self.context, db_api._TRANSFER_BY_ID,
            {'transfer_id': transfer['id'], 'now': db_api._now()})
        self.assertEqual([transfer['id']], [row['id'] for row in rows])
        # The thread's connection was replaced along with the engine.
        self.assertIs(second, self.database._read_local.engine)
        with second.connect() as connection:
            self.assertRaises(sa.exc.OperationalError, connection.execute,
                              sa.delete(TRANSFERS))

    def test_engine_recreated_once_across_threads(self):
        self.skip_unless_sqlite_file()
        old = self.database.sqlite_read_engine()
        self.addCleanup(old.dispose)
        self.database._read_engine_pid = -1
        barrier = threading.Barrier(8)
        engines = []

        def get_engine():
            barrier.wait()
            engines.append(self.database.sqlite_read_engine())

        threads = [threading.Thread(target=get_engine) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

        self.assertEqual(8, len(engines))
        self.assertEqual(1, len({id(engine) for engine in engines}))
        self.assertIsNot(old, engines[0])

    def test_failing_statement_raises_db_error(self):
        # Other backends are skipped because enginefacade raises what
        # oslo.db's filters make of the error there, and for a missing
        # table on MySQL that is SQLAlchemy's own ProgrammingError.
        self.skip_unless_sqlite_file()
        transfer = self.create_transfer()

        error = self.assertRaises(
            db_exception.DBError, self.database.read_rows, self.context,
            MISSING_TABLE, {})

        self.assertNotIsInstance(error, sqlite3.Error)
        self.assertIsInstance(error.inner_exception, sqlite3.OperationalError)
        self.assertIn('no such table', str(error.inner_exception))
        # The pooled connection still serves the next read.
        rows = self.database.read_rows(
            self.context, db_api._TRANSFER_BY_ID,
            {'transfer_id': transfer['id'], 'now': db_api._now()})
        self.assertEqual([transfer['id']], [row['id'] for row in rows])

    def test_compiled_cache_bounded(self):
        # Every list request shape has its own statement. Statements leave
        # the bounded caches of db/api.py and are built again, and the
        # compiled forms must not pile up.
        self.skip_unless_sqlite_file()
        self.create_transfer()
        shapes = [
            (list(keys), list(directions))
            for keys in itertools.permutations(
                ('id', 'created_at', 'display_name', 'volume_id'))
            for directions in itertools.product(('asc', 'desc'), repeat=4)]
        compiled = db_api._SqliteRead._compiled
        largest = 0

        # Two rounds build more statements than the cache may keep.
        self.assertGreater(2 * len(shapes), db_api._SqliteRead.MAX_COMPILED)
        for _ in range(2):
            for sort_keys, sort_dirs in shapes:
                rows = db_api.transfer_get_all(
                    self.context, project_id=base.P1, sort_keys=sort_keys,
                    sort_dirs=sort_dirs, limit=5)
                self.assertEqual(1, len(rows))
                largest = max(largest, len(compiled))

        self.assertLessEqual(largest, db_api._SqliteRead.MAX_COMPILED)


class TransactionJoinTest(ReadPathTestBase):
    """A read inside an open writer transaction returns its changes."""

    class Rollback(Exception):
        pass

    def insert_transfer(self, session, volume_id: str) -> str:
        transfer_id = str(uuid.uuid4())
        session.execute(sa.insert(TRANSFERS).values(
            id=transfer_id, volume_id=volume_id, display_name='uncommitted',
            salt='salt', crypt_hash='hash', deleted=False, accepted=False,
            no_snapshots=False, source_project_id=base.P1,
            created_at=db_api._now()))
        return transfer_id

    def test_read_sees_uncommitted_insert(self):
        volume = self.create_volume()
        read_engine = self.database.sqlite_read_engine()
        checkouts = (self.count_checkouts(read_engine)
                     if read_engine is not None else [])
        seen = {}

        def write_then_read():
            with self.database.writer.using(self.context) as session:
                transfer_id = self.insert_transfer(session, volume['id'])
                parameters = {'transfer_id': transfer_id,
                              'now': db_api._now()}
                seen['id'] = transfer_id
                seen['rows'] = self.database.read_rows(
                    self.context, db_api._TRANSFER_BY_ID, parameters)
                seen['get'] = db_api.transfer_get(self.context, transfer_id)
                seen['list'] = db_api.transfer_get_all(
                    self.context, project_id=base.P1)
                with self.database.read_connection(
                        self.context) as connection:
                    seen['same_connection'] = (
                        connection is session.connection())
                if read_engine is not None:
                    # The read-only engine's own connection cannot see it.
                    with read_engine.connect() as connection:
                        seen['outside'] = connection.execute(
                            sa.select(sa.func.count()).select_from(
                                TRANSFERS)).scalar()
                raise self.Rollback()

        self.assertRaises(self.Rollback, write_then_read)

        self.assertEqual([seen['id']], [row['id'] for row in seen['rows']])
        self.assertEqual('uncommitted', seen['rows'][0]['display_name'])
        self.assertEqual(seen['id'], seen['get']['id'])
        self.assertEqual([seen['id']], [row['id'] for row in seen['list']])
        self.assertTrue(seen['same_connection'])
        if read_engine is not None:
            self.assertEqual(0, seen['outside'])
            # Only the check above used the read-only engine.
            self.assertEqual(1, len(checkouts))
        # After the rollback the row is gone for every reader.
        self.assertEqual([], self.database.read_rows(
            self.context, db_api._TRANSFER_BY_ID,
            {'transfer_id': seen['id'], 'now': db_api._now()}))

    def assertTransactionState(self, expected: bool):
        """Check _in_transaction against enginefacade's own result."""
        try:
            self.context.transaction_ctx
            open_by_enginefacade = True
        except db_exception.NoEngineContextEstablished:
            open_by_enginefacade = False
        self.assertEqual(expected, open_by_enginefacade)
        self.assertEqual(expected, db_api._in_transaction(self.context))

    def test_in_transaction_follows_blocks(self):
        # Without the helper every read would pay for an exception.
        self.assertIsNotNone(db_api._transactions_by_thread,
                             'enginefacade no longer has the helper')
        self.assertTransactionState(False)
        in_other_thread = []
        with self.database.writer.using(self.context):
            self.assertTransactionState(True)
            with self.database.reader.using(self.context):
                self.assertTransactionState(True)
            self.assertTransactionState(True)
            # The block belongs to this thread only.
            thread = threading.Thread(target=lambda: in_other_thread.append(
                db_api._in_transaction(self.context)))
            thread.start()
            thread.join()
        self.assertTransactionState(False)
        self.assertEqual([False], in_other_thread)

    def test_read_after_commit_sees_row(self):
        volume = self.create_volume()

        with self.database.writer.using(self.context) as session:
            transfer_id = self.insert_transfer(session, volume['id'])

        rows = self.database.read_rows(
            self.context, db_api._TRANSFER_BY_ID,
            {'transfer_id': transfer_id, 'now': db_api._now()})
        self.assertEqual([transfer_id], [row['id'] for row in rows])


class PagingTest(ReadPathTestBase):
    """Pages through the API, with limit, offset and marker."""

    def setUp(self):
        super().setUp()
        names = ['delta', 'alpha', None, 'charlie', 'bravo']
        self.ids = [self.make_transfer(name=name)['id'] if name else
                    self.make_transfer()['id'] for name in names]
        self.names = dict(zip(self.ids, names))

    def page(self, query: str, version: str | None = None,
             detail: bool = False) -> list:
        suffix = ('/detail' if detail else '') + '?' + query
        response = self.request('GET', self.url(base.P1, suffix),
                                version=version)
        self.assertEqual(200, response.status, response)
        return [item['id'] for item in response.json['transfers']]

    def test_oldest_first_pages(self):
        ids = self.ids

        self.assertEqual(ids[:2], self.page('limit=2'))
        self.assertEqual(ids[1:3], self.page('limit=2&offset=1'))
        self.assertEqual(ids[3:], self.page('offset=3'))
        self.assertEqual(ids[2:4], self.page(f'limit=2&marker={ids[1]}'))
        self.assertEqual(ids[4:], self.page(f'marker={ids[3]}'))
        self.assertEqual([], self.page(f'marker={ids[4]}'))
        self.assertEqual([], self.page('limit=2&offset=5'))

    def test_newest_first_pages(self):
        newest = list(reversed(self.ids))

        self.assertEqual(newest[:2], self.page('limit=2', '3.59'))
        self.assertEqual(newest[2:4],
                         self.page('limit=2&offset=2', '3.59'))
        self.assertEqual(newest[2:4],
                         self.page(f'limit=2&marker={newest[1]}', '3.59'))
        self.assertEqual(newest[3:4],
                         self.page(f'limit=1&marker={newest[1]}&offset=1',
                                   '3.59', detail=True))

    def test_name_order_pages(self):
        # A missing name sorts as an empty string, so first when ascending.
        by_name = sorted(self.ids, key=lambda id_: self.names[id_] or '')

        self.assertEqual(by_name[:3], self.page('sort=name:asc&limit=3'))
        self.assertEqual(
            by_name[3:],
            self.page(f'sort=name:asc&limit=3&marker={by_name[2]}'))
        self.assertEqual(
            list(reversed(by_name))[1:3],
            self.page(f'sort=name:desc&limit=2&marker={by_name[-1]}'))

    def test_next_links_walk_all(self):
        seen = []
        response = self.request('GET', self.url(base.P1, '?limit=2'))
        for _ in range(10):
            self.assertEqual(200, response.status, response)
            seen += [item['id'] for item in response.json['transfers']]
            links = response.json.get('transfers_links')
            if not links:
                break
            path = links[0]['href'].split('http://localhost', 1)[1]
            response = self.request('GET', path)

        self.assertEqual(self.ids, seen)

    def test_offset_without_limit(self):
        # The API always sends a limit, so only a direct call leaves out
        # LIMIT.
        rows = db_api.transfer_get_all(self.context, project_id=base.P1,
                                       offset=2)

        self.assertEqual(self.ids[2:], [row['id'] for row in rows])

    def test_pages_same_inside_transaction(self):
        outside = db_api.transfer_get_all(
            self.context, project_id=base.P1, limit=2, offset=1,
            marker=self.ids[0])

        with self.database.writer.using(self.context):
            inside = db_api.transfer_get_all(
                self.context, project_id=base.P1, limit=2, offset=1,
                marker=self.ids[0])

        self.assertEqual(self.ids[2:4], [row['id'] for row in outside])
        self.assertSameRows(inside, outside)
