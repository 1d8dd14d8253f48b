"""Alembic environment: runs on the connection that migration.py passes in."""

from alembic import context

from cinder_transfer_ext.db import migration
from cinder_transfer_ext.db import models

target_metadata = models.Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes['connection']
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True,
                      version_table=migration.VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
