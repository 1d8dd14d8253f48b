"""cinder-transfer-manage: database schema and standalone volumes.

Examples::

    cinder-transfer-manage db sync
    cinder-transfer-manage volume create --project P --user U --size 1
    cinder-transfer-manage snapshot create --volume VOLUME_ID
"""

import argparse
import json
import sys

from oslo_log import log as logging

from cinder_transfer_ext import context as transfer_context
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import migration
from cinder_transfer_ext import deploy
from cinder_transfer_ext import exception
from cinder_transfer_ext import objects
from cinder_transfer_ext.objects import snapshot as snapshot_obj
from cinder_transfer_ext.objects import volume as volume_obj
from cinder_transfer_ext.transfer import api as transfer_api

objects.register_all()


def _admin_context(database) -> transfer_context.RequestContext:
    return transfer_context.RequestContext(
        user_id='cinder-transfer-manage', project_id=None,
        roles=['admin'], is_admin=True, overwrite=False, database=database)


def _print(value) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))


def _volume_dict(volume) -> dict:
    return {name: volume[name] for name in (
        'id', 'project_id', 'user_id', 'size', 'display_name', 'status',
        'volume_type_name', 'encryption_key_id', 'consistencygroup_id',
        'group_id')}


def _snapshot_dict(snapshot) -> dict:
    return {name: snapshot[name] for name in (
        'id', 'volume_id', 'project_id', 'user_id', 'volume_size',
        'display_name', 'status')}


def db_sync(args, database):
    migration.db_sync(database.get_engine(), args.revision,
                      cinder_schema=args.cinder_schema)
    print(f'Database schema at revision '
          f'{migration.db_version(database.get_engine())}')


def db_version(args, database):
    print(migration.db_version(database.get_engine()) or 'none')


def volume_create(args, database):
    context = _admin_context(database)
    volume_type = db_api.volume_type_get_or_create(
        context, args.volume_type or db_api.DEFAULT_VOLUME_TYPE)
    values = {
        'project_id': args.project, 'user_id': args.user, 'size': args.size,
        'display_name': args.name, 'display_description': args.description,
        'status': args.status, 'attach_status': 'detached',
        'availability_zone': args.availability_zone,
        'volume_type_id': volume_type['id'],
        'encryption_key_id': args.encryption_key_id,
        'consistencygroup_id': args.consistencygroup_id,
        'group_id': args.group_id, 'bootable': False, 'multiattach': False,
    }
    if args.id:
        values['id'] = args.id
    _print(_volume_dict(volume_obj.Volume.create(context, values)))


def volume_list(args, database):
    volumes = volume_obj.VolumeList.get_all(_admin_context(database),
                                            project_id=args.project)
    _print([_volume_dict(volume) for volume in volumes])


def volume_show(args, database):
    context = _admin_context(database)
    volume = volume_obj.Volume.get_by_id(context, args.volume_id)
    result = _volume_dict(volume)
    result['snapshots'] = [
        _snapshot_dict(snapshot) for snapshot in
        snapshot_obj.SnapshotList.get_all_for_volume(context, volume.id)]
    _print(result)


def volume_set_status(args, database):
    db_api.volume_update(_admin_context(database), args.volume_id,
                         {'status': args.status})
    print(f'Volume {args.volume_id} status set to {args.status}')


def snapshot_create(args, database):
    context = _admin_context(database)
    volume = volume_obj.Volume.get_by_id(context, args.volume)
    values = {
        'volume_id': volume.id, 'project_id': volume.project_id,
        'user_id': volume.user_id, 'status': args.status,
        'display_name': args.name, 'progress': '100%',
    }
    if args.id:
        values['id'] = args.id
    count_gigabytes = not transfer_api.quota_defaults(
        database.conf).no_snapshot_gb_quota
    _print(_snapshot_dict(snapshot_obj.Snapshot.create(
        context, values, count_gigabytes=count_gigabytes)))


def transfer_expire(args, database):
    """Cancel expired transfers in batches until none is left."""
    context = _admin_context(database)
    cancelled = []
    while True:
        batch = db_api.transfer_expire(context, limit=args.batch_size)
        cancelled += batch
        if len(batch) < args.batch_size:
            break
    purged = db_api.accept_failures_purge(context)
    _print({'expired_transfers': cancelled,
            'purged_failure_counts': purged})


def quota_set(args, database):
    db_api.quota_set_limit(_admin_context(database), args.project,
                           args.resource, args.limit)
    print(f'Quota {args.resource} of project {args.project} set to '
          f'{args.limit}')


def quota_show(args, database):
    usage = db_api.quota_usage_get(
        _admin_context(database), args.project,
        transfer_api.quota_defaults(database.conf))
    _print({resource: {'limit': limit, 'in_use': in_use,
                       'reserved': reserved}
            for resource, (limit, in_use, reserved) in usage.items()})


def snapshot_set_status(args, database):
    db_api.snapshot_update(_admin_context(database), args.snapshot_id,
                           {'status': args.status})
    print(f'Snapshot {args.snapshot_id} status set to {args.status}')


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='cinder-transfer-manage',
        description='Manage the cinder-transfer-ext database and the '
                    'volumes of standalone mode.')
    parser.add_argument('--config-file', action='append', default=[],
                        help='Configuration file; may be repeated.')
    parser.add_argument('--config-dir', help='Directory of *.conf files.')
    groups = parser.add_subparsers(dest='group', required=True)

    db = groups.add_parser('db', help='Database schema.')
    db_commands = db.add_subparsers(dest='command', required=True)
    sync = db_commands.add_parser('sync', help='Upgrade the schema.')
    sync.add_argument('revision', nargs='?',
                      help='Target revision; the newest if omitted.')
    sync.add_argument(
        '--cinder-schema', action='store_true',
        help='The database is Cinder\'s, for the cinder_mount filter in '
             'cinder-api: create only this service\'s own tables and leave '
             'Cinder\'s alone.')
    sync.set_defaults(func=db_sync)
    db_commands.add_parser(
        'version', help='Print the schema revision.').set_defaults(
            func=db_version)

    volume = groups.add_parser('volume', help='Standalone volumes.')
    volume_commands = volume.add_subparsers(dest='command', required=True)
    create = volume_commands.add_parser('create', help='Register a volume.')
    create.add_argument('--project', required=True, help='Owner project id.')
    create.add_argument('--user', required=True, help='Owner user id.')
    create.add_argument('--size', type=int, required=True, help='Size in GiB.')
    create.add_argument('--name')
    create.add_argument('--description')
    create.add_argument('--status', default='available')
    create.add_argument('--type', dest='volume_type',
                        help='Volume type name; __DEFAULT__ if omitted.')
    create.add_argument('--availability-zone', default='nova')
    create.add_argument('--encryption-key-id',
                        help='Marks the volume as encrypted.')
    create.add_argument('--consistencygroup-id')
    create.add_argument('--group-id')
    create.add_argument('--id', help='Volume id; a new UUID if omitted.')
    create.set_defaults(func=volume_create)
    listing = volume_commands.add_parser('list', help='List volumes.')
    listing.add_argument('--project', help='Only this project.')
    listing.set_defaults(func=volume_list)
    show = volume_commands.add_parser('show',
                                      help='Show a volume and its snapshots.')
    show.add_argument('volume_id')
    show.set_defaults(func=volume_show)
    status = volume_commands.add_parser('set-status',
                                        help='Set a volume\'s status.')
    status.add_argument('volume_id')
    status.add_argument('status')
    status.set_defaults(func=volume_set_status)

    snapshot = groups.add_parser('snapshot', help='Standalone snapshots.')
    snapshot_commands = snapshot.add_subparsers(dest='command', required=True)
    screate = snapshot_commands.add_parser('create',
                                           help='Register a snapshot.')
    screate.add_argument('--volume', required=True, help='Volume id.')
    screate.add_argument('--name')
    screate.add_argument('--status', default='available')
    screate.add_argument('--id', help='Snapshot id; a new UUID if omitted.')
    screate.set_defaults(func=snapshot_create)
    sstatus = snapshot_commands.add_parser('set-status',
                                           help='Set a snapshot\'s status.')
    sstatus.add_argument('snapshot_id')
    sstatus.add_argument('status')
    sstatus.set_defaults(func=snapshot_set_status)
    transfer = groups.add_parser('transfer', help='Transfers.')
    transfer_commands = transfer.add_subparsers(dest='command', required=True)
    expire = transfer_commands.add_parser(
        'expire', help='Cancel the transfers whose lifetime has passed and '
                       'delete stale failed-accept counts. Safe to run on '
                       'several hosts at once, for example from cron.')
    expire.add_argument('--batch-size', type=int, default=1000,
                        help='Transfers cancelled per query.')
    expire.set_defaults(func=transfer_expire)

    quota = groups.add_parser('quota', help='Quota limits and usage.')
    quota_commands = quota.add_subparsers(dest='command', required=True)
    qset = quota_commands.add_parser(
        'set', help='Set the limit of one resource for one project.')
    qset.add_argument('--project', required=True, help='Project id.')
    qset.add_argument('--resource', required=True,
                      help='volumes, snapshots, gigabytes, '
                           'per_volume_gigabytes, or a per-type resource '
                           'such as volumes_gold.')
    qset.add_argument('--limit', type=int, required=True,
                      help='The limit; -1 means no limit.')
    qset.set_defaults(func=quota_set)
    qshow = quota_commands.add_parser(
        'show', help='Show a project\'s limits and usage.')
    qshow.add_argument('--project', required=True, help='Project id.')
    qshow.set_defaults(func=quota_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    conf_args = [arg for path in args.config_file
                 for arg in ('--config-file', path)]
    if args.config_dir:
        conf_args += ['--config-dir', args.config_dir]
    conf = deploy.new_conf(conf_args)
    logging.setup(conf, deploy.PROJECT)
    database = db_api.Database(conf)
    try:
        args.func(args, database)
    except exception.TransferExtError as error:
        print(f'Error: {error}', file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0
