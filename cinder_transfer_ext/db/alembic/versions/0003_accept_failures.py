"""Create the transfer_accept_failures table.

It counts failed accepts per transfer, for the attempt limit. It is this
service's own table, so it is created on Cinder's database too.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'transfer_accept_failures',
        sa.Column('transfer_id', sa.String(36), primary_key=True),
        sa.Column('failures', sa.Integer, nullable=False),
        sa.Column('window_started_at', sa.DateTime, nullable=False),
        sa.Column('locked_until', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        mysql_engine='InnoDB', mysql_charset='utf8mb4')
