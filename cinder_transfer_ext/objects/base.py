"""Base classes and registry of this service's versioned objects."""

from oslo_versionedobjects import base
from oslo_versionedobjects import fields


class TransferExtObjectRegistry(base.VersionedObjectRegistry):
    pass


register = TransferExtObjectRegistry.register


class TransferExtObject(base.VersionedObject):
    OBJ_PROJECT_NAMESPACE = 'cinder_transfer_ext'

    # Columns of the row that are not fields of the object.
    _ignored_columns: frozenset = frozenset()

    @classmethod
    def _from_db_object(cls, context, obj, row: dict):
        """Fill ``obj`` from a database row given as a mapping.

        A field the row lacks (a column not yet written) gets its default,
        or None.
        """
        for name, field in obj.fields.items():
            if name in row:
                setattr(obj, name, row[name])
            elif field.default is not fields.UnspecifiedDefault:
                setattr(obj, name, field.default)
            else:
                setattr(obj, name, None)
        obj._context = context
        obj.obj_reset_changes()
        return obj


class TransferExtPersistentObject:
    """Mixin with the timestamp and soft-delete fields of every table."""

    fields = {
        'created_at': fields.DateTimeField(nullable=True,
                                           tzinfo_aware=False),
        'updated_at': fields.DateTimeField(nullable=True,
                                           tzinfo_aware=False),
        'deleted_at': fields.DateTimeField(nullable=True,
                                           tzinfo_aware=False),
        'deleted': fields.BooleanField(default=False, nullable=True),
    }
