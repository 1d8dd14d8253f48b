"""Volume objects, read from the volumes table."""

from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.objects import base


@base.register
class Volume(base.TransferExtPersistentObject, base.TransferExtObject,
             ovo_base.VersionedObjectDictCompat):
    # Version 1.0: initial version
    VERSION = '1.0'

    fields = dict(base.TransferExtPersistentObject.fields, **{
        'id': fields.UUIDField(),
        'user_id': fields.StringField(nullable=True),
        'project_id': fields.StringField(nullable=True),
        'host': fields.StringField(nullable=True),
        'size': fields.IntegerField(nullable=True),
        'availability_zone': fields.StringField(nullable=True),
        'status': fields.StringField(nullable=True),
        'attach_status': fields.StringField(nullable=True),
        'migration_status': fields.StringField(nullable=True),
        'display_name': fields.StringField(nullable=True),
        'display_description': fields.StringField(nullable=True),
        'snapshot_id': fields.StringField(nullable=True),
        'source_volid': fields.StringField(nullable=True),
        'volume_type_id': fields.StringField(nullable=True),
        'volume_type_name': fields.StringField(nullable=True),
        'encryption_key_id': fields.StringField(nullable=True),
        'consistencygroup_id': fields.StringField(nullable=True),
        'group_id': fields.StringField(nullable=True),
        'bootable': fields.BooleanField(nullable=True),
        'multiattach': fields.BooleanField(nullable=True),
        'replication_status': fields.StringField(nullable=True),
        'launched_at': fields.DateTimeField(nullable=True,
                                            tzinfo_aware=False),
    })

    @property
    def is_encrypted(self) -> bool:
        return bool(self.encryption_key_id)

    @classmethod
    def _from_rows(cls, context, rows):
        """Build volumes, looking up type names that the rows lack.

        volume_get already joins the type name in, so that loading one
        volume takes one query.
        """
        type_names = db_api.volume_type_names(
            context, [row['volume_type_id'] for row in rows
                      if 'volume_type_name' not in row])
        volumes = []
        for row in rows:
            if 'volume_type_name' not in row:
                row = dict(row, volume_type_name=type_names.get(
                    row['volume_type_id']))
            volumes.append(cls._from_db_object(context, cls(), row))
        return volumes

    @classmethod
    def get_by_id(cls, context, volume_id: str,
                  project_id: str | None = None) -> 'Volume':
        """Load a live volume; raise VolumeNotFound if absent or foreign.

        With ``project_id`` the volume must belong to that project.
        """
        row = db_api.volume_get(context, volume_id, project_id=project_id)
        return cls._from_rows(context, [row])[0]

    @classmethod
    def create(cls, context, values: dict) -> 'Volume':
        row = db_api.volume_create(context, values)
        return cls.get_by_id(context, row['id'])


@base.register
class VolumeList(base.ListFromItemsMixin, ovo_base.ObjectListBase,
                 base.TransferExtObject):
    # Version 1.0: initial version
    VERSION = '1.0'

    fields = {'objects': fields.ListOfObjectsField('Volume')}

    @classmethod
    def get_all(cls, context, project_id: str | None = None,
                filters: dict | None = None,
                limit: int | None = None) -> 'VolumeList':
        rows = db_api.volume_get_all(context, project_id=project_id,
                                     filters=filters, limit=limit)
        return cls._from_items(context, Volume._from_rows(context, rows))
