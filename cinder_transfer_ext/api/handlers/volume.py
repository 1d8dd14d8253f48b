"""Read-only volume and snapshot routes of standalone mode.

Clients resolve volume names through these routes before they create a
transfer, and users read them to see the new owner after an accept.
Volumes themselves are registered with ``cinder-transfer-manage``.
"""

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import listing
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext.api.handlers import common
from cinder_transfer_ext.api.views import volume as views
from cinder_transfer_ext import exception
from cinder_transfer_ext.objects import snapshot as snapshot_obj
from cinder_transfer_ext.objects import volume as volume_obj
from cinder_transfer_ext.policies import volume as volume_policy

_VOLUME_FILTERS = {'name': 'display_name', 'status': 'status',
                   'project_id': 'project_id'}
_SNAPSHOT_FILTERS = {'name': 'display_name', 'status': 'status',
                     'volume_id': 'volume_id', 'project_id': 'project_id'}
# Paging parameters that clients send; these lists return one page of at
# most osapi_max_limit items, newest first.
_IGNORED_PARAMS = ('limit', 'marker', 'offset', 'sort', 'sort_key',
                   'sort_dir')


def _scope(req) -> str | None:
    context = req.context
    return None if context.is_admin else context.project_id


def _filters(req, allowed: dict) -> tuple[dict, bool]:
    """Return (column filters, all_tenants) from the query string.

    ``project_id`` narrows an administrator's all_tenants list to one
    project, as ``cinder list --tenant`` requests. For anyone else the list
    is limited to the caller's project anyway.
    """
    values, _ = listing.single_values(req)
    filters, all_tenants = {}, False
    for key, value in values.items():
        if key in listing.ALL_TENANTS_PARAMS:
            all_tenants = all_tenants or listing.parse_bool(key, value)
        elif key in allowed:
            filters[allowed[key]] = value
        elif key not in _IGNORED_PARAMS:
            raise faults.HTTPError(
                400, f'Invalid filter key {key}; valid keys are '
                     f'{", ".join(sorted(allowed))} and all_tenants.')
    if not (req.context.is_admin and all_tenants):
        filters.pop('project_id', None)
    return filters, all_tenants


def _list_project(req, all_tenants: bool) -> str | None:
    context = req.context
    return None if (context.is_admin and all_tenants) else context.project_id


def _list_volumes(req, collection, project_id, detailed: bool):
    req.app.enforcer.authorize(req.context, volume_policy.GET_ALL_POLICY)
    filters, all_tenants = _filters(req, _VOLUME_FILTERS)
    volumes = volume_obj.VolumeList.get_all(
        req.context, project_id=_list_project(req, all_tenants),
        filters=filters, limit=req.app.options.osapi_max_limit)
    links = common.link_builder(req, collection, project_id)
    if detailed:
        items = [views.volume_detail(volume, links, req.api_version)
                 for volume in volumes]
    else:
        items = [views.volume_summary(volume, links) for volume in volumes]
    return wsgi.json_response({'volumes': items})


def volume_index(req, collection, project_id=None):
    """GET /volumes: 200 with the id and name of each volume."""
    return _list_volumes(req, collection, project_id, detailed=False)


def volume_detail(req, collection, project_id=None):
    """GET /volumes/detail: 200 with each volume's details."""
    return _list_volumes(req, collection, project_id, detailed=True)


def volume_show(req, collection, volume_id, project_id=None):
    """GET /volumes/{id}: 200 with the volume's details."""
    req.app.enforcer.authorize(req.context, volume_policy.GET_POLICY)
    canonical = common.canonical_uuid(volume_id)
    if canonical is None:
        raise exception.VolumeNotFound(volume_id=volume_id)
    volume = volume_obj.Volume.get_by_id(req.context, canonical,
                                         project_id=_scope(req))
    links = common.link_builder(req, collection, project_id)
    return wsgi.json_response(
        {'volume': views.volume_detail(volume, links, req.api_version)})


def _list_snapshots(req):
    req.app.enforcer.authorize(req.context,
                               volume_policy.GET_ALL_SNAPSHOTS_POLICY)
    filters, all_tenants = _filters(req, _SNAPSHOT_FILTERS)
    snapshots = snapshot_obj.SnapshotList.get_all(
        req.context, project_id=_list_project(req, all_tenants),
        filters=filters, limit=req.app.options.osapi_max_limit)
    return wsgi.json_response(
        {'snapshots': [views.snapshot_detail(item, req.api_version)
                       for item in snapshots]})


def snapshot_index(req, collection, project_id=None):
    """GET /snapshots: 200 with each snapshot."""
    return _list_snapshots(req)


def snapshot_detail(req, collection, project_id=None):
    """GET /snapshots/detail: 200 with each snapshot."""
    return _list_snapshots(req)


def snapshot_show(req, collection, snapshot_id, project_id=None):
    """GET /snapshots/{id}: 200 with the snapshot."""
    req.app.enforcer.authorize(req.context,
                               volume_policy.GET_SNAPSHOT_POLICY)
    canonical = common.canonical_uuid(snapshot_id)
    if canonical is None:
        raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
    snapshot = snapshot_obj.Snapshot.get_by_id(req.context, canonical,
                                               project_id=_scope(req))
    return wsgi.json_response(
        {'snapshot': views.snapshot_detail(snapshot, req.api_version)})
