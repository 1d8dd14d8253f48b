"""Transfer objects: the transfers table, with state changes as methods."""

from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.objects import base


@base.register
class Transfer(base.TransferExtPersistentObject, base.TransferExtObject,
               ovo_base.VersionedObjectDictCompat):
    """One offer of a volume to another project.

    ``salt`` and ``crypt_hash`` protect the auth key; they must never reach
    a response body or a log line.
    """

    # Version 1.0: initial version
    VERSION = '1.0'

    fields = dict(base.TransferExtPersistentObject.fields, **{
        'id': fields.UUIDField(),
        'volume_id': fields.UUIDField(),
        'display_name': fields.StringField(nullable=True),
        'salt': fields.SensitiveStringField(nullable=True),
        'crypt_hash': fields.SensitiveStringField(nullable=True),
        'expires_at': fields.DateTimeField(nullable=True,
                                           tzinfo_aware=False),
        'no_snapshots': fields.BooleanField(default=False),
        'source_project_id': fields.StringField(nullable=True),
        'destination_project_id': fields.StringField(nullable=True),
        'accepted': fields.BooleanField(default=False),
    })

    _SECRET_FIELDS = ('salt', 'crypt_hash')

    def __repr__(self) -> str:
        # SensitiveStringField masks only text that looks like a password
        # assignment, so a salt or hash would otherwise appear whole.
        masked = self.obj_clone()
        for name in self._SECRET_FIELDS:
            if masked.obj_attr_is_set(name) and getattr(masked, name):
                setattr(masked, name, '***')
        return super(Transfer, masked).__repr__()

    @classmethod
    def _from_row(cls, context, row: dict) -> 'Transfer':
        """Make a Transfer from a row dict, which this call may change."""
        # Rows written by old Cinder releases may hold NULL here.
        row['no_snapshots'] = bool(row.get('no_snapshots'))
        row['accepted'] = bool(row.get('accepted'))
        return cls._from_db_object(context, cls(), row)

    @classmethod
    def get_by_id(cls, context, transfer_id: str,
                  project_id: str | None = None) -> 'Transfer':
        """Load a live transfer; raise TransferNotFound if there is none.

        With ``project_id`` the transfer's volume must belong to it.
        """
        row = db_api.transfer_get(context, transfer_id, project_id=project_id)
        return cls._from_row(context, row)

    @classmethod
    def create(cls, context, values: dict, check_snapshots: bool,
               new_key_id: str | None = None) -> 'Transfer':
        """Insert a transfer and mark its volume awaiting-transfer.

        Raises InvalidVolume if the volume is not available, and
        InvalidSnapshot if ``check_snapshots`` and a snapshot is not.
        """
        row = db_api.transfer_create(context, values,
                                     check_snapshots=check_snapshots,
                                     new_key_id=new_key_id)
        return cls._from_row(context, row)

    def destroy(self, new_key_id: str | None = None) -> bool:
        """Cancel the transfer; return whether the volume became available."""
        return db_api.transfer_destroy(self._context, self.id,
                                       new_key_id=new_key_id)

    def accept(self, user_id: str, project_id: str, quota_defaults,
               new_key_id: str | None = None) -> list[str]:
        """Give the volume (and its snapshots) to a new owner, atomically.

        Quota usage moves in the same transaction; OverQuota means
        nothing changed. Returns the ids of the snapshots that moved.
        """
        return db_api.transfer_accept(
            self._context, self.id, user_id, project_id,
            move_snapshots=not self.no_snapshots,
            quota_defaults=quota_defaults, new_key_id=new_key_id)


@base.register
class TransferList(base.ListFromItemsMixin, ovo_base.ObjectListBase,
                   base.TransferExtObject):
    # Version 1.0: initial version
    VERSION = '1.0'

    fields = {'objects': fields.ListOfObjectsField('Transfer')}

    @classmethod
    def get_all(cls, context, project_id: str | None = None,
                filters: dict | None = None,
                sort_keys=('created_at', 'id'), sort_dirs=('asc', 'asc'),
                limit: int | None = None, marker: str | None = None,
                offset: int | None = None) -> 'TransferList':
        """Load one page of live transfers; see db.api.transfer_get_all."""
        rows = db_api.transfer_get_all(
            context, project_id=project_id, filters=filters,
            sort_keys=list(sort_keys), sort_dirs=list(sort_dirs),
            limit=limit, marker=marker, offset=offset)
        return cls._from_items(context, [
            Transfer._from_row(context, row) for row in rows])
