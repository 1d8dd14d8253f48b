"""Response bodies of the read-only volume and snapshot routes.

They follow Cinder's volume and snapshot views, limited to what the
standalone tables store, and add fields at the microversions where Cinder
adds them.
"""

from cinder_transfer_ext.api import microversion as mv

# Microversions at which Cinder's views add a field.
GROUP_VOLUME = '3.13'
SNAPSHOT_LIST_USER_ID = '3.41'
VOLUME_TYPE_ID_IN_VOLUME_DETAIL = '3.63'


def _timestamp(value) -> str | None:
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f') if value else None


def volume_summary(volume, links) -> dict:
    return {'id': volume.id, 'name': volume.display_name,
            'links': links.resource_links(volume.id)}


def volume_detail(volume, links, version: mv.APIVersion) -> dict:
    body = {
        'id': volume.id,
        'name': volume.display_name,
        'description': volume.display_description,
        'status': volume.status,
        'size': volume.size,
        'availability_zone': volume.availability_zone,
        'created_at': _timestamp(volume.created_at),
        'updated_at': _timestamp(volume.updated_at),
        'volume_type': volume.volume_type_name,
        'user_id': volume.user_id,
        'os-vol-tenant-attr:tenant_id': volume.project_id,
        'bootable': 'true' if volume.bootable else 'false',
        'encrypted': volume.is_encrypted,
        'multiattach': bool(volume.multiattach),
        'snapshot_id': volume.snapshot_id,
        'source_volid': volume.source_volid,
        'consistencygroup_id': volume.consistencygroup_id,
        'replication_status': volume.replication_status,
        'migration_status': volume.migration_status,
        'metadata': {},
        'attachments': [],
        'links': links.resource_links(volume.id),
    }
    if version.matches(GROUP_VOLUME):
        body['group_id'] = volume.group_id
    if version.matches(VOLUME_TYPE_ID_IN_VOLUME_DETAIL):
        body['volume_type_id'] = volume.volume_type_id
    return body


def snapshot_detail(snapshot, version: mv.APIVersion) -> dict:
    body = {
        'id': snapshot.id,
        'name': snapshot.display_name,
        'description': snapshot.display_description,
        'status': snapshot.status,
        'size': snapshot.volume_size,
        'volume_id': snapshot.volume_id,
        'created_at': _timestamp(snapshot.created_at),
        'updated_at': _timestamp(snapshot.updated_at),
        'metadata': {},
        'os-extended-snapshot-attributes:project_id': snapshot.project_id,
        'os-extended-snapshot-attributes:progress': snapshot.progress,
    }
    if version.matches(SNAPSHOT_LIST_USER_ID):
        body['user_id'] = snapshot.user_id
    return body
