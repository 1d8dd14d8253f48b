"""Notifications sent through the real RabbitMQ on 127.0.0.1:5672.

Each test uses its own notification topic, reads the queue that
oslo.messaging fills for it with kombu, and checks event types, order
and payloads. Without a broker the tests skip, or fail when
CTE_REQUIRE_BACKENDS=1.
"""

import json
import os
import secrets
import time

import kombu

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.tests import base
from cinder_transfer_ext.tests import fixtures as test_fixtures

RABBIT_URL = os.environ.get('CTE_TEST_RABBIT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')
CONTROL_EXCHANGE = 'openstack'


def _amqp_url() -> str:
    return 'amqp://' + RABBIT_URL.split('://', 1)[1]


class NotificationTest(base.TransferTestCase):

    def setUp(self):
        self.topic = 'cte_test_' + secrets.token_hex(4)
        self.config_overrides = {
            ('oslo_messaging_notifications', 'driver'): ['messagingv2'],
            ('oslo_messaging_notifications', 'transport_url'): RABBIT_URL,
            ('oslo_messaging_notifications', 'topics'): [self.topic],
            ('cinder_transfer_ext', 'host'): 'test-host',
        }
        self._connect_broker()
        super().setUp()

    def _connect_broker(self):
        self.connection = kombu.Connection(_amqp_url(), connect_timeout=5)
        try:
            self.connection.ensure_connection(max_retries=1)
        except Exception as error:
            if test_fixtures.backends_required():
                raise
            self.skipTest(f'RabbitMQ at {RABBIT_URL} is not reachable: '
                          f'{error}')
        self.addCleanup(self.connection.release)
        exchange = kombu.Exchange(CONTROL_EXCHANGE, type='topic',
                                  durable=False)
        self.queue = kombu.Queue(
            f'{self.topic}.info', exchange=exchange,
            routing_key=f'{self.topic}.info', durable=False,
            auto_delete=False)
        self.queue(self.connection.channel()).declare()
        self.addCleanup(self._delete_queue)

    def _delete_queue(self):
        self.queue(self.connection.channel()).delete()

    def _events(self, count: int, timeout: float = 5.0) -> list[dict]:
        """Return the next ``count`` notifications, oldest first.

        Polls the queue until ``count`` arrived or ``timeout`` seconds
        passed, then keeps reading whatever else is already queued, so
        that an unexpected extra notification shows up in the result.
        """
        bound = self.queue(self.connection.channel())
        messages = []
        deadline = time.monotonic() + timeout
        while True:
            message = bound.get(no_ack=True)
            if message is not None:
                envelope = json.loads(message.body)
                messages.append(json.loads(envelope['oslo.message']))
                continue
            if len(messages) >= count or time.monotonic() > deadline:
                return messages
            time.sleep(0.05)

    def test_create_accept_delete_events(self):
        volume = self.create_volume(name='vol', size=2)
        snapshot = self.create_snapshot(volume)
        transfer = self.create_transfer(volume)
        accept = self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': transfer['auth_key']}})
        self.assertEqual(202, accept.status, accept)
        second_volume = self.create_volume(name='vol2')
        second = self.create_transfer(second_volume)
        deleted = self.request('DELETE', self.url(base.P1,
                                                  f"/{second['id']}"))
        self.assertEqual(202, deleted.status, deleted)

        events = self._events(9)

        self.assertEqual(
            ['volume.transfer.create.start', 'volume.transfer.create.end',
             'volume.transfer.accept.start', 'volume.transfer.accept.end',
             'snapshot.transfer.accept.end',
             'volume.transfer.create.start', 'volume.transfer.create.end',
             'volume.transfer.delete.start', 'volume.transfer.delete.end'],
            [event['event_type'] for event in events])
        for event in events:
            self.assertEqual('volume.test-host', event['publisher_id'])
            self.assertEqual('INFO', event['priority'])
            self.assertNotIn('_context_auth_token', event)

        create_start, create_end = events[0]['payload'], events[1]['payload']
        self.assertEqual('available', create_start['status'])
        self.assertEqual('awaiting-transfer', create_end['status'])
        self.assertEqual(transfer['id'], create_start['transfer_id'])
        self.assertEqual(base.P1, create_end['source_project_id'])
        self.assertIsNone(create_end['destination_project_id'])
        self.assertEqual(volume['id'], create_end['volume_id'])
        self.assertEqual(2, create_end['size'])

        accept_start, accept_end = events[2]['payload'], events[3]['payload']
        self.assertEqual(base.P1, accept_start['tenant_id'])
        self.assertEqual('awaiting-transfer', accept_start['status'])
        self.assertEqual(base.P2, accept_end['tenant_id'])
        self.assertEqual('member2', accept_end['user_id'])
        self.assertEqual('available', accept_end['status'])
        self.assertEqual(base.P2, accept_end['destination_project_id'])
        self.assertEqual(base.P1, accept_end['source_project_id'])

        snapshot_end = events[4]['payload']
        self.assertEqual(snapshot['id'], snapshot_end['snapshot_id'])
        self.assertEqual(base.P2, snapshot_end['tenant_id'])
        self.assertEqual(transfer['id'], snapshot_end['transfer_id'])

        delete_start, delete_end = events[7]['payload'], events[8]['payload']
        self.assertEqual('awaiting-transfer', delete_start['status'])
        self.assertEqual('available', delete_end['status'])
        self.assertEqual(second['id'], delete_end['transfer_id'])

    def test_rejected_accept_sends_nothing(self):
        transfer = self.create_transfer()
        self.assertEqual(2, len(self._events(2)))

        response = self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': 'wrong'}})

        self.assertEqual(400, response.status)
        self.assertEqual([], self._events(0, timeout=0.5))

    def test_over_quota_accept_sends_nothing(self):
        transfer = self.create_transfer()
        self.assertEqual(2, len(self._events(2)))
        db_api.quota_set_limit(self.admin_context, base.P2, 'volumes', 0)

        response = self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': transfer['auth_key']}})

        self.assertEqual(413, response.status)
        self.assertEqual([], self._events(0, timeout=0.5))
