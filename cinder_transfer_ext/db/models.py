"""SQLAlchemy models, with Cinder's table and column names.

The column names and types follow Cinder's own ``volumes``, ``snapshots``,
``volume_types`` and ``transfers`` tables, so that the same queries work on a
standalone database and on Cinder's database when the service is mounted in
cinder-api. Standalone tables carry only the columns this service reads or
writes.
"""

from oslo_db.sqlalchemy import models as oslo_models
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm


class Base(orm.DeclarativeBase):
    pass


class _CinderBase(oslo_models.TimestampMixin, oslo_models.ModelBase):
    """Columns every Cinder table has: timestamps and a soft-delete flag."""

    deleted_at = sa.Column(sa.DateTime)
    deleted = sa.Column(sa.Boolean, default=False)

    # TimestampMixin's default is timezone-naive UTC, as Cinder stores it.
    created_at = sa.Column(sa.DateTime, default=lambda: timeutils.utcnow())


class VolumeType(Base, _CinderBase):
    __tablename__ = 'volume_types'

    id = sa.Column(sa.String(36), primary_key=True)
    name = sa.Column(sa.String(255))
    description = sa.Column(sa.String(255))
    is_public = sa.Column(sa.Boolean, default=True)


class Volume(Base, _CinderBase):
    __tablename__ = 'volumes'
    __table_args__ = (
        sa.Index('volumes_project_id_idx', 'project_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    host = sa.Column(sa.String(255))
    size = sa.Column(sa.Integer)
    availability_zone = sa.Column(sa.String(255))
    status = sa.Column(sa.String(255))
    attach_status = sa.Column(sa.String(255))
    migration_status = sa.Column(sa.String(255))
    display_name = sa.Column(sa.String(255))
    display_description = sa.Column(sa.String(255))
    snapshot_id = sa.Column(sa.String(36))
    source_volid = sa.Column(sa.String(36))
    volume_type_id = sa.Column(sa.String(36), nullable=False)
    encryption_key_id = sa.Column(sa.String(36))
    consistencygroup_id = sa.Column(sa.String(36))
    group_id = sa.Column(sa.String(36))
    bootable = sa.Column(sa.Boolean, default=False)
    multiattach = sa.Column(sa.Boolean, default=False)
    replication_status = sa.Column(sa.String(255))
    launched_at = sa.Column(sa.DateTime)


class Snapshot(Base, _CinderBase):
    __tablename__ = 'snapshots'
    __table_args__ = (
        sa.Index('snapshots_volume_id_idx', 'volume_id'),
        sa.Index('snapshots_project_id_idx', 'project_id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    volume_id = sa.Column(sa.String(36), sa.ForeignKey('volumes.id'),
                          nullable=False)
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    status = sa.Column(sa.String(255))
    progress = sa.Column(sa.String(255))
    volume_size = sa.Column(sa.Integer)
    display_name = sa.Column(sa.String(255))
    display_description = sa.Column(sa.String(255))
    volume_type_id = sa.Column(sa.String(36), nullable=False)
    encryption_key_id = sa.Column(sa.String(36))
    group_snapshot_id = sa.Column(sa.String(36))


class Transfer(Base, _CinderBase):
    """A pending, cancelled or accepted offer of one volume.

    A live transfer has ``deleted`` false. Cancel and accept soft-delete the
    row; accept also sets ``accepted`` and ``destination_project_id``.
    """

    __tablename__ = 'transfers'
    __table_args__ = (
        sa.Index('ix_transfers_volume_id', 'volume_id'),
        # Serves the default list order and marker pagination without a
        # sort of the whole table.
        sa.Index('transfers_deleted_created_at_id_idx',
                 'deleted', 'created_at', 'id'),
    )

    id = sa.Column(sa.String(36), primary_key=True)
    volume_id = sa.Column(sa.String(36), sa.ForeignKey('volumes.id'),
                          nullable=False)
    display_name = sa.Column(sa.String(255))
    salt = sa.Column(sa.String(255))
    crypt_hash = sa.Column(sa.String(255))
    expires_at = sa.Column(sa.DateTime)
    no_snapshots = sa.Column(sa.Boolean, default=False)
    source_project_id = sa.Column(sa.String(255), nullable=True)
    destination_project_id = sa.Column(sa.String(255), nullable=True)
    accepted = sa.Column(sa.Boolean, default=False)


class Quota(Base, _CinderBase):
    """A per-project limit that overrides the default of one resource."""

    __tablename__ = 'quotas'

    id = sa.Column(sa.Integer, primary_key=True)
    project_id = sa.Column(sa.String(255))
    resource = sa.Column(sa.String(300), nullable=False)
    hard_limit = sa.Column(sa.Integer, nullable=True)
    allocated = sa.Column(sa.Integer, default=0)


class QuotaClass(Base, _CinderBase):
    """A limit of a named set; the set "default" overrides configuration."""

    __tablename__ = 'quota_classes'

    id = sa.Column(sa.Integer, primary_key=True)
    class_name = sa.Column(sa.String(255), index=True)
    resource = sa.Column(sa.String(300))
    hard_limit = sa.Column(sa.Integer, nullable=True)


class QuotaUsage(Base, _CinderBase):
    """How much of one resource a project uses.

    ``race_preventer`` is true on every live row, so the unique key stops
    two transactions from inserting the same project and resource.
    """

    __tablename__ = 'quota_usages'
    __table_args__ = (
        sa.Index('quota_usage_project_resource_idx', 'project_id',
                 'resource'),
        sa.UniqueConstraint('project_id', 'resource', 'race_preventer',
                            name='uniq_quota_usages0project_id0resource0'
                                 'race_preventer'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    project_id = sa.Column(sa.String(255), index=True)
    resource = sa.Column(sa.String(300), nullable=False)
    in_use = sa.Column(sa.Integer, nullable=False)
    reserved = sa.Column(sa.Integer, nullable=False)
    until_refresh = sa.Column(sa.Integer, nullable=True)
    race_preventer = sa.Column(sa.Boolean, nullable=True, default=True)


class TransferAcceptFailure(Base):
    """Failed accepts of one transfer, for the attempt limit.

    This table is this service's own: Cinder has no such table, and no
    foreign key ties it to ``transfers``, so it works on both schemas.
    """

    __tablename__ = 'transfer_accept_failures'

    transfer_id = sa.Column(sa.String(36), primary_key=True)
    failures = sa.Column(sa.Integer, nullable=False)
    window_started_at = sa.Column(sa.DateTime, nullable=False)
    locked_until = sa.Column(sa.DateTime)
    updated_at = sa.Column(sa.DateTime)
