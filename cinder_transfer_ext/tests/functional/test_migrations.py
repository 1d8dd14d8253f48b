"""Schema migrations on the backend that CTE_TEST_BACKEND names."""

from alembic import script as alembic_script
from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa
import testtools

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import migration
from cinder_transfer_ext.db import models
from cinder_transfer_ext import deploy
from cinder_transfer_ext.tests import fixtures as test_fixtures

# Indexes that list and lookup queries rely on: (table, columns in order).
REQUIRED_INDEXES = [
    ('transfers', ['volume_id']),
    ('volumes', ['project_id']),
    ('snapshots', ['volume_id']),
    # The default list order and its marker condition.
    ('transfers', ['deleted', 'created_at', 'id']),
]


class MigrationTestBase(testtools.TestCase):
    """Provides ``engine``, connected to an empty database."""

    def setUp(self):
        super().setUp()
        database = db_api.Database(deploy.new_conf([]),
                                   connection=test_fixtures.use_database(self))
        self.addCleanup(database.dispose)
        self.engine = database.get_engine()

    def schema(self) -> dict:
        """Return every table's columns, indexes and unique constraints."""
        inspector = sa.inspect(self.engine)
        tables = {}
        for table in sorted(inspector.get_table_names()):
            columns = [(column['name'], str(column['type']),
                        column['nullable'])
                       for column in inspector.get_columns(table)]
            indexes = sorted((index['name'], tuple(index['column_names']),
                              bool(index['unique']))
                             for index in inspector.get_indexes(table))
            uniques = sorted((constraint['name'],
                              tuple(constraint['column_names']))
                             for constraint in
                             inspector.get_unique_constraints(table))
            tables[table] = {'columns': columns, 'indexes': indexes,
                             'uniques': uniques}
        return tables


class MigrationTest(MigrationTestBase):

    def test_code_has_one_head(self):
        self.assertEqual(1, len(migration.head_revisions()),
                         migration.head_revisions())

    def test_history_has_one_base(self):
        config = migration._alembic_config()
        script = alembic_script.ScriptDirectory.from_config(config)
        self.assertEqual(1, len(script.get_bases()), script.get_bases())

    def test_empty_database_is_unversioned(self):
        self.assertIsNone(migration.db_version(self.engine))
        self.assertEqual([], sa.inspect(self.engine).get_table_names())

    def test_upgrade_reaches_head(self):
        migration.db_sync(self.engine)

        self.assertEqual(migration.head_revisions()[0],
                         migration.db_version(self.engine))

    def test_upgrade_creates_model_tables(self):
        migration.db_sync(self.engine)

        tables = set(sa.inspect(self.engine).get_table_names())
        for table in models.Base.metadata.tables:
            self.assertIn(table, tables)

    def test_required_indexes_exist(self):
        migration.db_sync(self.engine)

        inspector = sa.inspect(self.engine)
        for table, columns in REQUIRED_INDEXES:
            indexed = [index['column_names']
                       for index in inspector.get_indexes(table)]
            self.assertIn(columns, indexed, f'index on {table}{columns}')

    def test_second_sync_changes_nothing(self):
        migration.db_sync(self.engine)
        schema = self.schema()
        version = migration.db_version(self.engine)
        with self.engine.begin() as connection:
            connection.execute(sa.insert(db_api.VOLUME_TYPES).values(
                id='type-1', name='gold', deleted=False))

        migration.db_sync(self.engine)

        self.assertEqual(schema, self.schema())
        self.assertEqual(version, migration.db_version(self.engine))
        with self.engine.connect() as connection:
            names = connection.execute(
                sa.select(db_api.VOLUME_TYPES.c.name)).scalars().all()
        self.assertEqual(['gold'], names)

    def test_upgrade_by_revision_matches_heads(self):
        head = migration.head_revisions()[0]

        migration.db_sync(self.engine, head)

        self.assertEqual(head, migration.db_version(self.engine))


class ModelsMigrationsSyncTest(test_migrations.ModelsMigrationsSync,
                               MigrationTestBase):
    """Compares the migrated schema with db/models.py, through oslo.db."""

    def get_engine(self):
        return self.engine

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        migration.db_sync(engine)

    def include_object(self, object_, name, type_, reflected, compare_to):
        # The version table belongs to alembic, not to the models.
        if type_ == 'table' and name == migration.VERSION_TABLE:
            return False
        return super().include_object(object_, name, type_, reflected,
                                      compare_to)
