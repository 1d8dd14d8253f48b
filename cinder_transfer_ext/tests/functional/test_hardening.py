"""Attempt limits on accept, and transfer expiry."""

import datetime

import fixtures
from oslo_utils import timeutils
import sqlalchemy as sa

from cinder_transfer_ext.cmd import manage
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.tests import base

GROUP = 'cinder_transfer_ext'


class AttemptLimitTest(base.TransferTestCase):
    config_overrides = {(GROUP, 'accept_max_failures'): 3,
                        (GROUP, 'accept_failure_window'): 600,
                        (GROUP, 'accept_lockout_time'): 900}

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume()
        self.transfer = self.create_transfer(self.volume)

    def _accept(self, key, token=base.MEMBER2):
        project = base.project_of(token)
        return self.request(
            'POST', self.url(project, f"/{self.transfer['id']}/accept"),
            token, body={'accept': {'auth_key': key}})

    def _age_failures(self, seconds: int) -> None:
        """Move the failure window and lockout ``seconds`` into the past."""
        delta = datetime.timedelta(seconds=seconds)
        table = db_api.ACCEPT_FAILURES
        with self.database.writer.using(self.admin_context) as session:
            rows = session.execute(sa.select(table)).mappings().all()
            for row in rows:
                locked_until = row['locked_until']
                session.execute(sa.update(table).where(
                    table.c.transfer_id == row['transfer_id']).values(
                        window_started_at=row['window_started_at'] - delta,
                        locked_until=locked_until and locked_until - delta))

    def test_lockout_after_max_failures(self):
        for _ in range(3):
            self.assertEqual(400, self._accept('0' * 16).status)

        response = self._accept(self.transfer['auth_key'])

        self.assertFault(response, 429, 'overLimit')
        retry_after = int(response.headers['Retry-After'])
        self.assertTrue(890 <= retry_after <= 900, retry_after)
        self.assertEqual(str(retry_after),
                         response.json['overLimit']['retryAfter'])
        self.assertNotIn(self.transfer['auth_key'], response.body.decode())
        self.assertEqual('awaiting-transfer',
                         self.volume_row(self.volume['id'])['status'])

    def test_below_limit_right_key_works(self):
        for _ in range(2):
            self.assertEqual(400, self._accept('0' * 16).status)

        response = self._accept(self.transfer['auth_key'])

        self.assertEqual(202, response.status, response)

    def test_lockout_ends(self):
        for _ in range(3):
            self._accept('0' * 16)
        self._age_failures(901)

        response = self._accept(self.transfer['auth_key'])

        self.assertEqual(202, response.status, response)

    def test_old_failures_expire(self):
        for _ in range(2):
            self._accept('0' * 16)
        self._age_failures(601)
        self.assertEqual(400, self._accept('0' * 16).status)

        response = self._accept(self.transfer['auth_key'])

        self.assertEqual(202, response.status, response)

    def test_failures_count_across_projects(self):
        self._accept('0' * 16, base.MEMBER2)
        self._accept('0' * 16, base.ADMIN)
        self._accept('0' * 16, base.MEMBER1)

        response = self._accept(self.transfer['auth_key'])

        self.assertEqual(429, response.status, response)

    def test_lockout_logged_without_key(self):
        logger = self.useFixture(fixtures.FakeLogger(level='INFO'))
        wrong = 'feedfacefeedface'

        for _ in range(3):
            self._accept(wrong)

        warnings = [line for line in logger.output.splitlines()
                    if 'locked for' in line]
        self.assertEqual(1, len(warnings), logger.output)
        self.assertIn(self.transfer['id'], warnings[0])
        self.assertIn(base.P2, warnings[0])
        self.assertNotIn(wrong, logger.output)
        self.assertNotIn(self.transfer['auth_key'], logger.output)

    def test_other_transfers_unaffected(self):
        other = self.create_transfer(self.create_volume())
        for _ in range(3):
            self._accept('0' * 16)

        response = self.request(
            'POST', self.url(base.P2, f"/{other['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': other['auth_key']}})

        self.assertEqual(202, response.status, response)


class AttemptLimitOffTest(base.TransferTestCase):
    config_overrides = {(GROUP, 'accept_max_failures'): 0}

    def test_no_lockout_when_disabled(self):
        transfer = self.create_transfer()
        path = self.url(base.P2, f"/{transfer['id']}/accept")
        for _ in range(10):
            self.request('POST', path, base.MEMBER2,
                         body={'accept': {'auth_key': '0' * 16}})

        response = self.request('POST', path, base.MEMBER2,
                                body={'accept': {'auth_key':
                                                 transfer['auth_key']}})

        self.assertEqual(202, response.status, response)


class ExpiryTest(base.TransferTestCase):
    config_overrides = {(GROUP, 'transfer_lifetime'): 3600}

    def setUp(self):
        super().setUp()
        self.volume = self.create_volume()
        self.transfer = self.create_transfer(self.volume)

    def _expire_now(self):
        past = timeutils.utcnow() - datetime.timedelta(seconds=1)
        with self.database.writer.using(self.admin_context) as session:
            session.execute(sa.update(db_api.TRANSFERS).where(
                db_api.TRANSFERS.c.id == self.transfer['id']).values(
                    expires_at=past))

    def test_lifetime_sets_expiry(self):
        expires_at = self.transfer_row(self.transfer['id'])['expires_at']
        created_at = self.transfer_row(self.transfer['id'])['created_at']

        self.assertEqual(3600, round((expires_at - created_at)
                                     .total_seconds()))

    def test_unexpired_transfer_works(self):
        response = self.request('GET',
                                self.url(base.P1, f"/{self.transfer['id']}"))

        self.assertEqual(200, response.status, response)

    def test_expired_show_is_404(self):
        self._expire_now()

        response = self.request('GET',
                                self.url(base.P1, f"/{self.transfer['id']}"))

        self.assertFault(response, 404, 'itemNotFound')
        self.assertEqual('available',
                         self.volume_row(self.volume['id'])['status'])
        self.assertTrue(self.transfer_row(self.transfer['id'])['deleted'])

    def test_expired_accept_is_404(self):
        self._expire_now()

        response = self.request(
            'POST', self.url(base.P2, f"/{self.transfer['id']}/accept"),
            base.MEMBER2,
            body={'accept': {'auth_key': self.transfer['auth_key']}})

        self.assertFault(response, 404, 'itemNotFound')
        volume = self.volume_row(self.volume['id'])
        self.assertEqual(base.P1, volume['project_id'])
        self.assertEqual('available', volume['status'])

    def test_expired_not_listed(self):
        self._expire_now()

        response = self.request('GET', self.url(base.P1, '/detail'))

        self.assertEqual([], response.json['transfers'])

    def test_sweep_expires_once(self):
        self._expire_now()

        first = db_api.transfer_expire(self.admin_context)
        second = db_api.transfer_expire(self.admin_context)

        self.assertEqual([self.transfer['id']],
                         [row['id'] for row in first])
        self.assertEqual([], second)
        self.assertEqual('available',
                         self.volume_row(self.volume['id'])['status'])

    def test_sweep_leaves_live_transfers(self):
        self.assertEqual([], db_api.transfer_expire(self.admin_context))

        self.assertEqual('awaiting-transfer',
                         self.volume_row(self.volume['id'])['status'])

    def test_manage_command_expires(self):
        self._expire_now()
        config = self.useFixture(fixtures.TempDir()).join('manage.conf')
        with open(config, 'w') as handle:
            handle.write(f'[database]\nconnection = '
                         f'{self.database.connection_url}\n')

        code = manage.main(['--config-file', config, 'transfer', 'expire'])

        self.assertEqual(0, code)
        self.assertTrue(self.transfer_row(self.transfer['id'])['deleted'])
        self.assertEqual('available',
                         self.volume_row(self.volume['id'])['status'])


class NoExpiryByDefaultTest(base.TransferTestCase):

    def test_default_never_expires(self):
        transfer = self.create_transfer()

        self.assertIsNone(self.transfer_row(transfer['id'])['expires_at'])
