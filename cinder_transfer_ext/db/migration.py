"""Schema migrations with alembic, on the connection of ``[database]``."""

import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
import sqlalchemy as sa

ALEMBIC_DIR = os.path.join(os.path.dirname(__file__), 'alembic')
# Not alembic's default name, because mounted in cinder-api this service
# shares Cinder's database, where alembic_version is Cinder's own.
VERSION_TABLE = 'cinder_transfer_ext_version'


def _alembic_config() -> alembic_config.Config:
    config = alembic_config.Config()
    config.set_main_option('script_location', ALEMBIC_DIR)
    return config


def db_sync(engine: sa.engine.Engine, version: str | None = None,
            cinder_schema: bool = False) -> None:
    """Upgrade the schema to ``version``, or to the newest revision.

    With ``cinder_schema`` the database is Cinder's: the migrations then
    leave the tables Cinder owns (volumes, snapshots, transfers, quotas
    and so on) alone and create only this service's own tables.
    """
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes['connection'] = connection
        config.attributes['cinder_schema'] = cinder_schema
        alembic_command.upgrade(config, version or 'heads')


def on_cinder_schema() -> bool:
    """Return whether the running migration works on Cinder's database.

    Migrations call this to skip the tables that Cinder owns.
    """
    from alembic import context
    return bool(context.config.attributes.get('cinder_schema'))


def db_version(engine: sa.engine.Engine) -> str | None:
    """Return the schema revision of the database, or None if unversioned."""
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'version_table': VERSION_TABLE})
        return context.get_current_revision()


def head_revisions() -> tuple[str, ...]:
    """Return the newest revision(s) that the code ships."""
    script = alembic_script.ScriptDirectory.from_config(_alembic_config())
    return tuple(script.get_heads())
