"""Create the quotas, quota_classes and quota_usages tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

from cinder_transfer_ext.db import migration

revision = '0002'
down_revision = '0001'
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
        'quotas',
        *_soft_delete_columns(),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('project_id', sa.String(255)),
        sa.Column('resource', sa.String(300), nullable=False),
        sa.Column('hard_limit', sa.Integer),
        sa.Column('allocated', sa.Integer),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')

    op.create_table(
        'quota_classes',
        *_soft_delete_columns(),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('class_name', sa.String(255)),
        sa.Column('resource', sa.String(300)),
        sa.Column('hard_limit', sa.Integer),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('ix_quota_classes_class_name', 'quota_classes',
                    ['class_name'])

    op.create_table(
        'quota_usages',
        *_soft_delete_columns(),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('project_id', sa.String(255)),
        sa.Column('resource', sa.String(300), nullable=False),
        sa.Column('in_use', sa.Integer, nullable=False),
        sa.Column('reserved', sa.Integer, nullable=False),
        sa.Column('until_refresh', sa.Integer),
        sa.Column('race_preventer', sa.Boolean),
        sa.UniqueConstraint(
            'project_id', 'resource', 'race_preventer',
            name='uniq_quota_usages0project_id0resource0race_preventer'),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
    op.create_index('ix_quota_usages_project_id', 'quota_usages',
                    ['project_id'])
    op.create_index('quota_usage_project_resource_idx', 'quota_usages',
                    ['project_id', 'resource'])
