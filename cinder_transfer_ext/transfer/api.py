"""The transfer service: create, accept, show, list and delete transfers.

This layer uses neither HTTP nor SQL. It checks policy and state, works on
versioned objects and raises the domain exceptions of ``exception``.
"""

import contextlib
import datetime
import math
import uuid

from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import timeutils

from cinder_transfer_ext.conf import api as api_conf
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import quota
from cinder_transfer_ext import exception
from cinder_transfer_ext import objects
from cinder_transfer_ext.objects import snapshot as snapshot_obj
from cinder_transfer_ext.objects import transfer as transfer_obj
from cinder_transfer_ext.objects import volume as volume_obj
from cinder_transfer_ext.policies import transfer as transfer_policy
from cinder_transfer_ext.transfer import authkey
from cinder_transfer_ext.transfer import keys
from cinder_transfer_ext.transfer import notify

LOG = logging.getLogger(__name__)

objects.register_all()


def quota_defaults(conf: cfg.ConfigOpts) -> quota.QuotaDefaults:
    options = conf[api_conf.GROUP]
    return quota.QuotaDefaults(
        volumes=options.quota_volumes,
        snapshots=options.quota_snapshots,
        gigabytes=options.quota_gigabytes,
        per_volume_gigabytes=options.per_volume_size_limit,
        no_snapshot_gb_quota=options.no_snapshot_gb_quota,
        use_default_quota_class=options.use_default_quota_class)


def over_quota_message(error: exception.OverQuota) -> str:
    """Return Cinder's message for the first resource over its limit.

    Cinder prefixes some of these messages with an exception class name
    and not others. Clients and operators match on the text, so it is
    kept as Cinder writes it.
    """
    over = error.kwargs['overs'][0]
    limit = error.kwargs['limits'][over]
    requested = error.kwargs['requested'][over]
    consumed = error.kwargs['consumed'][over]
    if over == 'per_volume_gigabytes':
        return (f'VolumeSizeExceedsLimit: Requested volume size '
                f'{requested}G is larger than maximum allowed limit '
                f'{limit}G.')
    if over.startswith('gigabytes'):
        return (f'Requested volume or snapshot exceeds allowed {over} '
                f'quota. Requested {requested}G, quota is {limit}G and '
                f'{consumed}G has been consumed.')
    if over.startswith('volumes'):
        return (f'VolumeLimitExceeded: Maximum number of volumes allowed '
                f'({limit}) exceeded for quota \'{over}\'.')
    return (f'SnapshotLimitExceeded: Maximum number of snapshots allowed '
            f'({limit}) exceeded')


def _volume_target(volume) -> dict:
    return {'project_id': volume.project_id, 'user_id': volume.user_id}


class TransferAPI:
    """Transfer operations for one configuration and policy enforcer."""

    def __init__(self, conf: cfg.ConfigOpts, enforcer, volume_driver=None):
        self._options = conf[api_conf.GROUP]
        self._enforcer = enforcer
        self.quota_defaults = quota_defaults(conf)
        self._notifier = notify.Notifier(conf)
        self.keys = keys.KeyTransfer(conf)
        # When mounted in cinder-api, the volume's backend driver takes
        # part in an accept; standalone there is no driver.
        self.volume_driver = volume_driver

    def _visible_project(self, context) -> str | None:
        """Return the project a caller's lookups are limited to.

        Administrators see every project, so they get None.
        """
        return None if context.is_admin else context.project_id

    def create(self, context, volume_id: str, name: str | None,
               no_snapshots: bool = False,
               allow_encrypted: bool = False):
        """Offer a volume for transfer; return (transfer, auth_key).

        The auth key is returned here and never again: only its salted
        hash is stored.
        """
        volume = volume_obj.Volume.get_by_id(
            context, volume_id, project_id=self._visible_project(context))
        self._enforcer.authorize(context, transfer_policy.CREATE_POLICY,
                                 _volume_target(volume))

        if volume.status != 'available':
            raise exception.InvalidVolume(reason='status must be available')
        if volume.is_encrypted and not allow_encrypted:
            raise exception.InvalidVolume(
                reason='transferring encrypted volume is not supported')
        if volume.is_encrypted and no_snapshots:
            raise exception.InvalidVolume(
                reason='transferring an encrypted volume without its '
                       'snapshots is not supported')
        if not no_snapshots:
            self._check_snapshots_available(context, volume.id)

        transfer_id = str(uuid.uuid4())
        self._notifier.info(context, 'volume.transfer.create.start',
                            notify.volume_payload(volume, transfer_id,
                                                  volume.project_id))
        auth_key = authkey.generate_hex(
            self._options.volume_transfer_key_length)
        salt = authkey.generate_hex(self._options.volume_transfer_salt_length)
        values = {
            'id': transfer_id,
            'volume_id': volume.id,
            'display_name': name,
            'salt': salt,
            'crypt_hash': authkey.hash_key(salt, auth_key,
                                           self._options.auth_key_hash),
            'no_snapshots': no_snapshots,
            'source_project_id': volume.project_id,
        }
        if self._options.transfer_lifetime:
            values['expires_at'] = timeutils.utcnow() + datetime.timedelta(
                seconds=self._options.transfer_lifetime)
        # While the transfer is pending, the key belongs to this service.
        with self._key_moved(volume, context,
                             self.keys.service_context(context)) as new_key:
            transfer = transfer_obj.Transfer.create(
                context, values, check_snapshots=not no_snapshots,
                new_key_id=new_key)
        self._notify_volume(context, 'volume.transfer.create.end', volume.id,
                            transfer)
        LOG.info('Created transfer %(transfer)s of volume %(volume)s '
                 'from project %(project)s',
                 {'transfer': transfer.id, 'volume': volume.id,
                  'project': volume.project_id})
        return transfer, auth_key

    def _check_snapshots_available(self, context, volume_id: str) -> None:
        for snapshot in snapshot_obj.SnapshotList.get_all_for_volume(
                context.elevated(), volume_id):
            if snapshot.status != 'available':
                raise exception.InvalidSnapshot(
                    reason=f'snapshot: {snapshot.id} status must be '
                           f'available')

    def get(self, context, transfer_id: str):
        """Return a live transfer whose volume the caller's project owns."""
        self._enforcer.authorize(context, transfer_policy.GET_POLICY)
        return transfer_obj.Transfer.get_by_id(
            context, transfer_id, project_id=self._visible_project(context))

    def get_all(self, context, filters: dict, all_tenants: bool = False,
                sort_keys=('created_at', 'id'), sort_dirs=('asc', 'asc'),
                limit: int | None = None, marker: str | None = None,
                offset: int | None = None):
        """List live transfers of the caller's project.

        Only an administrator who sets ``all_tenants`` gets other projects,
        and may then narrow the list with a ``project_id`` filter. For
        everyone else a ``project_id`` filter is ignored.
        """
        self._enforcer.authorize(context, transfer_policy.GET_ALL_POLICY)
        filters = dict(filters)
        if context.is_admin and all_tenants:
            project_id = None
        else:
            project_id = context.project_id
            filters.pop('project_id', None)
        return transfer_obj.TransferList.get_all(
            context, project_id=project_id, filters=filters,
            sort_keys=sort_keys, sort_dirs=sort_dirs, limit=limit,
            marker=marker, offset=offset)

    def delete(self, context, transfer_id: str) -> None:
        """Cancel a transfer; its volume becomes available again."""
        transfer = transfer_obj.Transfer.get_by_id(
            context, transfer_id, project_id=self._visible_project(context))
        volume = volume_obj.Volume.get_by_id(context.elevated(),
                                             transfer.volume_id)
        self._enforcer.authorize(context, transfer_policy.DELETE_POLICY,
                                 _volume_target(volume))
        self._notifier.info(context, 'volume.transfer.delete.start',
                            notify.volume_payload(
                                volume, transfer.id,
                                transfer.source_project_id))
        # The key goes back to the volume's project. A caller from another
        # project (an administrator) cannot store it there, so it stays
        # with this service and the owner's administrator must move it.
        service_context = self.keys.service_context(context)
        owner_cancels = context.project_id == volume.project_id
        if volume.is_encrypted and not owner_cancels:
            LOG.warning('Transfer %(transfer)s of encrypted volume '
                        '%(volume)s cancelled by project %(project)s; its '
                        'key %(key)s stays with this service until an '
                        'administrator of project %(owner)s moves it',
                        {'transfer': transfer.id, 'volume': volume.id,
                         'project': context.project_id,
                         'key': volume.encryption_key_id,
                         'owner': volume.project_id})
        with self._key_moved(volume if owner_cancels else None,
                             service_context, context) as new_key:
            volume_moved_back = transfer.destroy(new_key_id=new_key)
        if not volume_moved_back:
            LOG.warning('Deleted transfer %(transfer)s, but volume '
                        '%(volume)s was %(status)s, not awaiting-transfer, '
                        'so its status was left unchanged',
                        {'transfer': transfer.id, 'volume': volume.id,
                         'status': volume.status})
        self._notify_volume(context, 'volume.transfer.delete.end', volume.id,
                            transfer)
        LOG.info('Deleted transfer %(transfer)s of volume %(volume)s',
                 {'transfer': transfer.id, 'volume': volume.id})

    def accept(self, context, transfer_id: str, auth_key):
        """Accept a transfer into the caller's project; return the transfer.

        Any member of any project may try: the auth key is the real check.
        The volume and, unless the transfer excludes them, its snapshots
        change owner in one transaction with the transfer row.
        """
        self._enforcer.authorize(context, transfer_policy.ACCEPT_POLICY)
        admin_context = context.elevated()
        transfer = transfer_obj.Transfer.get_by_id(admin_context, transfer_id)
        self._check_not_locked(admin_context, transfer, context.project_id)
        if not authkey.verify_key(transfer.salt, transfer.crypt_hash,
                                  str(auth_key)):
            self._record_failure(admin_context, transfer, context.project_id)
            raise exception.InvalidAuthKey(
                reason=f'Attempt to transfer {transfer_id} with invalid '
                       f'auth key.')

        volume = volume_obj.Volume.get_by_id(admin_context,
                                             transfer.volume_id)
        self._check_volume_can_move(transfer, volume)
        try:
            db_api.transfer_accept_quota_check(
                admin_context, volume.id, context.project_id,
                not transfer.no_snapshots, self.quota_defaults)
            self._notifier.info(context, 'volume.transfer.accept.start',
                                notify.volume_payload(
                                    volume, transfer.id,
                                    transfer.source_project_id))
            with self._driver_accepted(context, volume, transfer), \
                    self._key_moved(volume, self.keys.service_context(context),
                                    context) as new_key:
                moved = transfer.accept(context.user_id, context.project_id,
                                        self.quota_defaults,
                                        new_key_id=new_key)
        except exception.OverQuota as error:
            LOG.info('Transfer %(transfer)s not accepted into project '
                     '%(project)s: over quota for %(overs)s',
                     {'transfer': transfer.id, 'project': context.project_id,
                      'overs': ', '.join(error.kwargs['overs'])})
            raise exception.QuotaExceeded(over_quota_message(error))

        self._notify_volume(context, 'volume.transfer.accept.end', volume.id,
                            transfer, context.project_id)
        for snapshot_id in moved:
            snapshot = snapshot_obj.Snapshot.get_by_id(admin_context,
                                                       snapshot_id)
            self._notifier.info(
                context, 'snapshot.transfer.accept.end',
                notify.snapshot_payload(snapshot, transfer.id,
                                        transfer.source_project_id,
                                        context.project_id))
        LOG.info('Accepted transfer %(transfer)s: volume %(volume)s and '
                 '%(count)d snapshot(s) moved from project %(source)s to '
                 'project %(destination)s',
                 {'transfer': transfer.id, 'volume': volume.id,
                  'count': len(moved), 'source': volume.project_id,
                  'destination': context.project_id})
        return transfer

    def _check_not_locked(self, context, transfer, project_id) -> None:
        """Refuse every accept of a transfer while it is locked out.

        The right key is refused too, so that guessing cannot go on
        during the lockout.
        """
        if not self._options.accept_max_failures:
            return
        locked_until = db_api.accept_locked_until(context, transfer.id)
        if locked_until is None:
            return
        retry_after = math.ceil(
            (locked_until - timeutils.utcnow()).total_seconds())
        LOG.info('Refused an accept of locked transfer %(transfer)s from '
                 'project %(project)s', {'transfer': transfer.id,
                                         'project': project_id})
        raise exception.AcceptLocked(transfer_id=transfer.id,
                                     retry_after=max(retry_after, 1))

    def _record_failure(self, context, transfer, project_id) -> None:
        options = self._options
        if not options.accept_max_failures:
            return
        failures, locked_until = db_api.accept_failure_record(
            context, transfer.id, options.accept_max_failures,
            options.accept_failure_window, options.accept_lockout_time)
        if locked_until is not None:
            LOG.warning('Transfer %(transfer)s locked for %(seconds)d '
                        'seconds after %(max)d accepts with a wrong auth '
                        'key, the last from project %(project)s',
                        {'transfer': transfer.id,
                         'seconds': options.accept_lockout_time,
                         'max': options.accept_max_failures,
                         'project': project_id})
        else:
            LOG.info('Accept of transfer %(transfer)s from project '
                     '%(project)s with a wrong auth key (%(count)d within '
                     'the window)', {'transfer': transfer.id,
                                     'project': project_id,
                                     'count': failures})

    @contextlib.contextmanager
    def _driver_accepted(self, context, volume, transfer):
        """Run the backend driver's accept step around the ownership change.

        The driver runs first, as in Cinder, so that a driver failure
        leaves everything unchanged. If the database change then fails,
        the driver is asked to accept the volume back for its donor.
        """
        if self.volume_driver is None:
            yield
            return
        self.volume_driver.accept(context, volume, context.user_id,
                                  context.project_id, transfer.no_snapshots)
        try:
            yield
        except BaseException:
            self.volume_driver.undo_accept(context, volume,
                                           transfer.no_snapshots)
            raise

    @contextlib.contextmanager
    def _key_moved(self, volume, from_context, to_context):
        """Copy an encrypted volume's key to a new owner around a change.

        Yields the new key id, or None when ``volume`` is None or not
        encrypted. If the block raises, the new copy is deleted and the
        old key stays; otherwise the old key is deleted.
        """
        if volume is None or not volume.is_encrypted:
            yield None
            return
        old_key = volume.encryption_key_id
        new_key = self.keys.copy(from_context, to_context, old_key)
        try:
            yield new_key
        except BaseException:
            self.keys.delete(to_context, new_key)
            raise
        self.keys.delete(from_context, old_key)

    def _notify_volume(self, context, event_type: str, volume_id: str,
                       transfer, destination_project_id=None) -> None:
        """Send an event with the volume as it is now, read again."""
        if not self._notifier.enabled:
            return
        volume = volume_obj.Volume.get_by_id(context.elevated(), volume_id)
        self._notifier.info(context, event_type, notify.volume_payload(
            volume, transfer.id, transfer.source_project_id,
            destination_project_id))

    @staticmethod
    def _check_volume_can_move(transfer, volume) -> None:
        if volume.consistencygroup_id:
            raise exception.InvalidVolume(
                reason=f'Volume {volume.id} must not be part of a '
                       f'consistency group.')
        if volume.group_id:
            raise exception.InvalidVolume(
                reason=f'Volume {volume.id} must not be part of a group.')
        if volume.status == 'maintenance':
            raise exception.InvalidVolume(
                reason='The volume cannot accept transfer in maintenance '
                       'mode.')
        if volume.status != 'awaiting-transfer':
            raise exception.InvalidVolume(
                reason=f'Transfer {transfer.id}: Volume id {volume.id} '
                       f'expected in awaiting-transfer state.')
