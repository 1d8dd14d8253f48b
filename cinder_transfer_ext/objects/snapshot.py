"""Snapshot objects, read from the snapshots table."""

from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.objects import base


@base.register
class Snapshot(base.TransferExtPersistentObject, base.TransferExtObject,
               ovo_base.VersionedObjectDictCompat):
    # Version 1.0: initial version
    VERSION = '1.0'

    fields = dict(base.TransferExtPersistentObject.fields, **{
        'id': fields.UUIDField(),
        'volume_id': fields.UUIDField(),
        'user_id': fields.StringField(nullable=True),
        'project_id': fields.StringField(nullable=True),
        'status': fields.StringField(nullable=True),
        'progress': fields.StringField(nullable=True),
        'volume_size': fields.IntegerField(nullable=True),
        'display_name': fields.StringField(nullable=True),
        'display_description': fields.StringField(nullable=True),
        'volume_type_id': fields.StringField(nullable=True),
        'encryption_key_id': fields.StringField(nullable=True),
        'group_snapshot_id': fields.StringField(nullable=True),
    })

    @classmethod
    def get_by_id(cls, context, snapshot_id: str,
                  project_id: str | None = None) -> 'Snapshot':
        row = db_api.snapshot_get(context, snapshot_id, project_id=project_id)
        return cls._from_db_object(context, cls(), row)

    @classmethod
    def create(cls, context, values: dict,
               count_gigabytes: bool = True) -> 'Snapshot':
        """Insert a snapshot and count it in its project's quota usage."""
        row = db_api.snapshot_create(context, values,
                                     count_gigabytes=count_gigabytes)
        return cls.get_by_id(context, row['id'])


@base.register
class SnapshotList(base.ListFromItemsMixin, ovo_base.ObjectListBase,
                   base.TransferExtObject):
    # Version 1.0: initial version
    VERSION = '1.0'

    fields = {'objects': fields.ListOfObjectsField('Snapshot')}

    @classmethod
    def _from_rows(cls, context, rows) -> 'SnapshotList':
        return cls._from_items(context, [
            Snapshot._from_db_object(context, Snapshot(), row)
            for row in rows])

    @classmethod
    def get_all(cls, context, project_id: str | None = None,
                filters: dict | None = None,
                limit: int | None = None) -> 'SnapshotList':
        rows = db_api.snapshot_get_all(context, project_id=project_id,
                                       filters=filters, limit=limit)
        return cls._from_rows(context, rows)

    @classmethod
    def get_all_for_volume(cls, context, volume_id: str) -> 'SnapshotList':
        return cls._from_rows(
            context, db_api.snapshot_get_all_for_volume(context, volume_id))
