"""Create the volume_types, volumes, snapshots and transfers tables.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

from cinder_transfer_ext.db import migration

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _soft_delete_columns() -> list[sa.Column]:
    return [
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', sa.Boolean),
    ]


def upgrade() -> None:
    if migration.on_cinder_schema():
        # Cinder's own migrations created these tables.
        return
    op.create_table(
        'volume_types',
        *_soft_delete_columns(),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('name', sa.String(255)),
        sa.Column('description', sa.String(255)),
        sa.Column('is_public', sa.Boolean),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')

    op.create_table(
        'volumes',
        *_soft_delete_columns(),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('user_id', sa.String(255)),
        sa.Column('project_id', sa.String(255)),
        sa.Column('host', sa.String(255)),
        sa.Column('size', sa.Integer),
        sa.Column('availability_zone', sa.String(255)),
        sa.Column('status', sa.String(255)),
        sa.Column('attach_status', sa.String(255)),
        sa.Column('migration_status', sa.String(255)),
        sa.Column('display_name', sa.String(255)),
        sa.Column('display_description', sa.String(255)),
        sa.Column('snapshot_id', sa.String(36)),
        sa.Column('source_volid', sa.String(36)),
        sa.Column('volume_type_id', sa.String(36), nullable=False),
        sa.Column('encryption_key_id', sa.String(36)),
        sa.Column('consistencygroup_id', sa.String(36)),
        sa.Column('group_id', sa.String(36)),
        sa.Column('bootable', sa.Boolean),
        sa.Column('multiattach', sa.Boolean),
        sa.Column('replication_status', sa.String(255)),
        sa.Column('launched_at', sa.DateTime),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('volumes_project_id_idx', 'volumes', ['project_id'])

    op.create_table(
        'snapshots',
        *_soft_delete_columns(),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('volume_id', sa.String(36), sa.ForeignKey('volumes.id'),
                  nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('project_id', sa.String(255)),
        sa.Column('status', sa.String(255)),
        sa.Column('progress', sa.String(255)),
        sa.Column('volume_size', sa.Integer),
        sa.Column('display_name', sa.String(255)),
        sa.Column('display_description', sa.String(255)),
        sa.Column('volume_type_id', sa.String(36), nullable=False),
        sa.Column('encryption_key_id', sa.String(36)),
        sa.Column('group_snapshot_id', sa.String(36)),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('snapshots_volume_id_idx', 'snapshots', ['volume_id'])
    op.create_index('snapshots_project_id_idx', 'snapshots', ['project_id'])

    op.create_table(
        'transfers',
        *_soft_delete_columns(),
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('volume_id', sa.String(36), sa.ForeignKey('volumes.id'),
                  nullable=False),
        sa.Column('display_name', sa.String(255)),
        sa.Column('salt', sa.String(255)),
        sa.Column('crypt_hash', sa.String(255)),
        sa.Column('expires_at', sa.DateTime),
        sa.Column('no_snapshots', sa.Boolean),
        sa.Column('source_project_id', sa.String(255)),
        sa.Column('destination_project_id', sa.String(255)),
        sa.Column('accepted', sa.Boolean),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('ix_transfers_volume_id', 'transfers', ['volume_id'])
    op.create_index('transfers_deleted_created_at_id_idx', 'transfers',
                    ['deleted', 'created_at', 'id'])
