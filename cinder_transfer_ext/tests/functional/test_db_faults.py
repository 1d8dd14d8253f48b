"""Database failures in the middle of an accept leave nothing half done.

A SQLAlchemy event hook on the application's engine fails one chosen
statement of the accept transaction, as a dropped connection or a failing
statement would. The test then checks that the volume, its snapshots and
the transfer are exactly as before.
"""

import sqlite3

from oslo_db import exception as db_exception
import sqlalchemy as sa

from cinder_transfer_ext.tests import base


class AcceptFaultTest(base.TransferTestCase):

    def setUp(self):
        super().setUp()
        self.engine = self._find_transfer_app().database.get_engine()
        self.volume = self.create_volume(name='vol', size=2)
        self.snapshots = [self.create_snapshot(self.volume),
                          self.create_snapshot(self.volume)]
        self.transfer = self.create_transfer(self.volume)
        self.failures = 0
        self.injecting = True

    def _fail_statement(self, table: str, exception_factory):
        """Fail every UPDATE of ``table`` while ``self.injecting`` is set."""
        def before_execute(conn, cursor, statement, parameters, context,
                           executemany):
            if (self.injecting and
                    statement.lstrip().upper().startswith(f'UPDATE {table}')):
                self.failures += 1
                raise exception_factory()
        sa.event.listen(self.engine, 'before_cursor_execute',
                        before_execute)
        self.addCleanup(sa.event.remove, self.engine,
                        'before_cursor_execute', before_execute)

    def _fail_first(self, table: str, error: Exception) -> list:
        """Fail the first UPDATE of ``table`` with ``error``, once.

        Returns a one-item list that counts the failures still to come.
        """
        remaining = [1]

        def before_execute(conn, cursor, statement, parameters, context,
                           executemany):
            if (remaining[0] and
                    statement.lstrip().upper().startswith(f'UPDATE {table}')):
                remaining[0] -= 1
                raise error
        sa.event.listen(self.engine, 'before_cursor_execute',
                        before_execute)
        self.addCleanup(sa.event.remove, self.engine,
                        'before_cursor_execute', before_execute)
        return remaining

    def _accept(self):
        return self.request(
            'POST', self.url(base.P2, f"/{self.transfer['id']}/accept"),
            base.MEMBER2,
            body={'accept': {'auth_key': self.transfer['auth_key']}})

    def _assert_nothing_moved(self):
        volume = self.volume_row(self.volume['id'])
        self.assertEqual(base.P1, volume['project_id'])
        self.assertEqual('member1', volume['user_id'])
        self.assertEqual('awaiting-transfer', volume['status'])
        for snapshot in self.snapshots:
            self.assertEqual(base.P1,
                             self.snapshot_row(snapshot['id'])['project_id'])
        row = self.transfer_row(self.transfer['id'])
        self.assertFalse(row['deleted'])
        self.assertFalse(row['accepted'])
        self.assertIsNone(row['destination_project_id'])

    def test_snapshot_update_failure_rolls_back(self):
        self._fail_statement(
            'SNAPSHOTS', lambda: RuntimeError('injected statement failure'))

        response = self._accept()

        self.assertFault(response, 500, 'computeFault')
        self.assertEqual(1, self.failures)
        self._assert_nothing_moved()

    def test_lost_connection_rolls_back(self):
        self._fail_statement(
            'VOLUMES', lambda: db_exception.DBConnectionError(
                'injected lost connection'))

        response = self._accept()

        self.assertFault(response, 503, 'serviceUnavailable')
        self._assert_nothing_moved()

    def test_deadlock_is_retried(self):
        remaining = self._fail_first(
            'SNAPSHOTS', db_exception.DBDeadlock('injected deadlock'))

        response = self._accept()

        self.assertEqual(202, response.status, response)
        self.assertEqual(0, remaining[0])
        volume = self.volume_row(self.volume['id'])
        self.assertEqual(base.P2, volume['project_id'])
        for snapshot in self.snapshots:
            self.assertEqual(base.P2,
                             self.snapshot_row(snapshot['id'])['project_id'])
        self.assertTrue(self.transfer_row(self.transfer['id'])['accepted'])

    def test_locked_database_is_retried(self):
        # SQLite fails a write at once with "database is locked" when a
        # concurrent writer committed after this transaction's first read.
        if self.engine.dialect.name != 'sqlite':
            self.skipTest('"database is locked" is an SQLite error')
        remaining = self._fail_first(
            'VOLUMES', sqlite3.OperationalError('database is locked'))

        response = self._accept()

        self.assertEqual(202, response.status, response)
        self.assertEqual(0, remaining[0])
        self.assertEqual(base.P2,
                         self.volume_row(self.volume['id'])['project_id'])

    def test_retry_is_safe_after_failure(self):
        self._fail_statement(
            'SNAPSHOTS', lambda: RuntimeError('injected statement failure'))
        self.assertEqual(500, self._accept().status)
        self.injecting = False

        response = self._accept()

        self.assertEqual(202, response.status, response)
        self.assertEqual(base.P2,
                         self.volume_row(self.volume['id'])['project_id'])
