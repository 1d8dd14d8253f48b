"""Notifications of transfers through oslo.messaging.

The event types and the volume payload are Cinder's, so that Ceilometer
and Gnocchi keep billing the right project: ``volume.transfer.create``,
``.accept`` and ``.delete``, each ``.start`` and ``.end``, with publisher
``volume.<host>``. Each payload also carries ``transfer_id``,
``source_project_id`` and ``destination_project_id``, and describes the
volume as it is when the notification is sent. An accept also sends one
``snapshot.transfer.accept.end`` per moved snapshot, which Ceilometer
listens for.

Nothing is sent unless ``[oslo_messaging_notifications] driver`` is set.
"""

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from cinder_transfer_ext.conf import api as api_conf

LOG = logging.getLogger(__name__)


def _timestamp(value) -> str:
    return value.isoformat() if value else ''


def volume_payload(volume, transfer_id: str, source_project_id: str,
                   destination_project_id: str | None = None) -> dict:
    """Return Cinder's volume usage payload plus the transfer's ids."""
    return {
        'tenant_id': volume.project_id,
        'host': volume.host,
        'user_id': volume.user_id,
        'availability_zone': volume.availability_zone,
        'volume_id': volume.id,
        'volume_type': volume.volume_type_id,
        'display_name': volume.display_name,
        'launched_at': _timestamp(volume.launched_at),
        'created_at': _timestamp(volume.created_at),
        'status': volume.status,
        'snapshot_id': volume.snapshot_id,
        'size': volume.size,
        'replication_status': volume.replication_status,
        'replication_extended_status': None,
        'replication_driver_data': None,
        'metadata': {},
        'volume_attachment': [],
        'transfer_id': transfer_id,
        'source_project_id': source_project_id,
        'destination_project_id': destination_project_id,
    }


def snapshot_payload(snapshot, transfer_id: str, source_project_id: str,
                     destination_project_id: str) -> dict:
    """Return Cinder's snapshot usage payload plus the transfer's ids."""
    return {
        'tenant_id': snapshot.project_id,
        'user_id': snapshot.user_id,
        'availability_zone': None,
        'deleted': str(bool(snapshot.deleted)),
        'snapshot_id': snapshot.id,
        'display_name': snapshot.display_name,
        'volume_id': snapshot.volume_id,
        'volume_size': snapshot.volume_size,
        'status': snapshot.status,
        'created_at': _timestamp(snapshot.created_at),
        'metadata': {},
        'transfer_id': transfer_id,
        'source_project_id': source_project_id,
        'destination_project_id': destination_project_id,
    }


class Notifier:
    """Sends transfer notifications, or nothing when none are configured."""

    def __init__(self, conf: cfg.ConfigOpts):
        drivers = conf.oslo_messaging_notifications.driver
        # oslo.messaging counts a notifier without drivers as enabled, so
        # an empty list is checked here: payloads cost a volume read each.
        self.enabled = bool(drivers) and drivers != ['noop']
        if not self.enabled:
            self._notifier = None
            return
        transport = oslo_messaging.get_notification_transport(conf)
        host = conf[api_conf.GROUP].host
        # A bounded retry keeps a broker outage from hanging requests.
        self._notifier = oslo_messaging.Notifier(
            transport, publisher_id=f'volume.{host}', retry=2)

    def info(self, context, event_type: str, payload: dict) -> None:
        """Send one INFO notification; a broker failure is only logged.

        The state change already happened, so a lost notification must
        not turn a successful request into an error.
        """
        if not self.enabled:
            return
        # The context travels with the message; its tokens must not.
        context_values = context.to_dict()
        for secret in ('auth_token', 'service_token'):
            context_values.pop(secret, None)
        try:
            self._notifier.info(context_values, event_type, payload)
        except Exception:
            LOG.exception('Failed to send notification %s', event_type)
