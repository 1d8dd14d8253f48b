"""Database access: the only module that writes SQL.

Every function takes a request context whose ``database`` attribute is a
``Database``. Functions that change state run in one writer transaction and
use compare-and-swap updates (``UPDATE ... WHERE status = <expected>``), so
that concurrent workers can never both win the same change.
"""

import datetime
import functools
import os
import sqlite3
import threading
import uuid
import weakref

from oslo_config import cfg
from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exception
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import exc_filters
from oslo_utils import timeutils
import sqlalchemy as sa

from cinder_transfer_ext.conf import database as database_conf
from cinder_transfer_ext import exception
from cinder_transfer_ext.db import models
from cinder_transfer_ext.db import quota

# Options of [database] that enginefacade takes; the rest are for DBAPI.
_ENGINE_OPTIONS = (
    'slave_connection', 'mysql_sql_mode', 'mysql_wsrep_sync_wait',
    'connection_recycle_time', 'connection_debug', 'max_pool_size',
    'max_overflow', 'pool_timeout', 'sqlite_synchronous', 'connection_trace',
    'max_retries', 'retry_interval', 'connection_parameters',
)

VOLUMES = models.Volume.__table__
SNAPSHOTS = models.Snapshot.__table__
TRANSFERS = models.Transfer.__table__
VOLUME_TYPES = models.VolumeType.__table__
ACCEPT_FAILURES = models.TransferAcceptFailure.__table__

DEFAULT_VOLUME_TYPE = '__DEFAULT__'


class Database:
    """An enginefacade transaction manager built from one ConfigOpts."""

    def __init__(self, conf: cfg.ConfigOpts, connection: str | None = None):
        self._manager = enginefacade.transaction_context()
        options = {name: conf.database[name] for name in _ENGINE_OPTIONS
                   if conf.database[name] is not None}
        if not options.get('slave_connection'):
            options.pop('slave_connection', None)
        # Foreign keys are declared on the tables, so SQLite enforces them.
        options['sqlite_fk'] = True
        # oslo.db's default sleeps on every connection checkin so that
        # eventlet can switch greenthreads. This service runs on OS threads
        # and processes, where that sleep only adds latency.
        options['thread_checkin'] = False
        options['connection'] = (
            connection or database_conf.connection_url(conf))
        options['on_engine_create'] = [self._tune_sqlite_engine]
        self.connection_url = options['connection']
        self.conf = conf
        self._manager.configure(**options)
        self._read_engine = None
        self._read_engine_pid = None
        self._read_engine_lock = threading.Lock()
        self._read_local = threading.local()

    def _tune_sqlite_engine(self, engine: sa.engine.Engine) -> None:
        """Pool the connections of a SQLite file and write it in WAL mode.

        oslo.db gives a SQLite file a NullPool, so every transaction opens
        the file and parses the schema again, which costs more than the
        query itself. A QueuePool keeps connections open; the pool
        settings of ``[database]`` apply as for other backends. WAL mode
        lets readers run while a writer commits, and a commit syncs one
        file instead of a journal and the database. The pool does not ping
        a connection before handing it out: a local file cannot drop it.
        """
        if engine.dialect.name != 'sqlite':
            return
        sa.event.listen(engine, 'connect', _use_wal_journal)
        if not isinstance(engine.pool, sa.pool.NullPool):
            return
        null_pool = engine.pool
        database = self.conf.database
        # The arguments are those of NullPool.recreate(), so the event
        # listeners that oslo.db registered carry over to the new pool.
        engine.pool = sa.pool.QueuePool(
            null_pool._creator,
            pool_size=database.max_pool_size or 5,
            max_overflow=(10 if database.max_overflow is None
                          else database.max_overflow),
            timeout=database.pool_timeout or 30,
            recycle=null_pool._recycle,
            echo=null_pool.echo,
            logging_name=null_pool._orig_logging_name,
            reset_on_return=null_pool._reset_on_return,
            pre_ping=False,
            _dispatch=null_pool.dispatch,
            dialect=null_pool._dialect)
        null_pool.dispose()

    @property
    def reader(self):
        return self._manager.reader

    @property
    def writer(self):
        return self._manager.writer

    def get_engine(self) -> sa.engine.Engine:
        return self._manager.writer.get_engine()

    def read_connection(self, context):
        """Return a block that yields a Core connection for reads.

        Inside an open transaction of ``context`` the read joins it. Else,
        on a SQLite file, the read runs on a pooled read-only connection
        of its own engine. oslo.db makes every SQLite transaction issue an
        explicit BEGIN and ROLLBACK, which cost more than a lone SELECT,
        and SQLite reads one statement from a consistent snapshot anyway.
        Other backends use enginefacade's reader.
        """
        engine = self.sqlite_read_engine()
        if engine is None or _in_transaction(context):
            return self.reader.connection.using(context)
        return engine.connect()

    def read_rows(self, context, statement, parameters: dict) -> list:
        """Run a long-lived SELECT statement and return its rows as dicts.

        On a SQLite file, outside a transaction, the statement runs on the
        thread's read-only DBAPI connection, compiled once by SQLAlchemy
        and with SQLAlchemy's own type conversions (see _SqliteRead), but
        without its per-execution work, which cost more than the query.
        Elsewhere it runs through SQLAlchemy as ``read_connection`` does.
        ``statement`` must be long-lived (a module constant or a cached
        statement), because the compiled form is kept per statement.
        """
        engine = self.sqlite_read_engine()
        if engine is not None and not _in_transaction(context):
            read = _SqliteRead.get(statement, engine.dialect)
            if read is not None:
                return read.rows(self._thread_read_connection(engine),
                                 parameters)
        with self.read_connection(context) as connection:
            result = connection.execute(statement, parameters)
            columns = list(result.keys())
            return [dict(zip(columns, row)) for row in result]

    def sqlite_read_engine(self) -> sa.engine.Engine | None:
        """Return the read-only engine of a SQLite file, or None.

        An in-memory database has none, because a second engine would
        open a different database. The engine is made again in a forked
        child, so that processes never share a SQLite connection.
        """
        if self._read_engine_pid == os.getpid():
            return self._read_engine
        with self._read_engine_lock:
            if self._read_engine_pid != os.getpid():
                self._read_engine = _sqlite_read_engine(
                    self.connection_url, self.conf.database)
                self._read_engine_pid = os.getpid()
        return self._read_engine

    def _thread_read_connection(self, engine: sa.engine.Engine):
        """Return this thread's own read-only DBAPI connection to SQLite.

        Taking a pooled connection and giving it back costs as much as a
        short query, so each thread keeps one connection outside the pool
        for read_rows. The connection is closed when its thread ends (the
        Thread object is freed), and replaced when the read engine is
        (after a fork).
        """
        local = self._read_local
        if getattr(local, 'engine', None) is not engine:
            arguments, keywords = engine.dialect.create_connect_args(
                engine.url)
            # The finalizer below may close the connection from another
            # thread, but only this thread ever runs statements on it.
            keywords['check_same_thread'] = False
            connection = engine.dialect.connect(*arguments, **keywords)
            _set_query_only(connection, None)
            # A sqlite3 connection is in a reference cycle with its
            # statement cache, so dropping it does not close it. It is
            # closed when its thread object goes away instead.
            weakref.finalize(threading.current_thread(), connection.close)
            local.connection = connection
            local.engine = engine
        return local.connection

    def dispose(self) -> None:
        self._manager.dispose_pool()
        if self._read_engine is not None:
            self._read_engine.dispose()
        # Other threads' connections close when their threads end.
        connection = getattr(self._read_local, 'connection', None)
        if connection is not None:
            connection.close()
        self._read_local = threading.local()


def _reading(context):
    """Return a reader block that yields a Core connection.

    Reads need no ORM session, and opening one costs as much as a simple
    query. Inside an open transaction of ``context`` the read joins it.
    """
    return context.database.read_connection(context)


# enginefacade keeps the open transaction of a context as the ``current``
# attribute of a thread-local object, which this private helper returns
# (checked with oslo.db 18.1). Reading it directly avoids the exception,
# with its formatted message, that ``transaction_ctx`` raises on every read
# outside a transaction. Without the helper, ``transaction_ctx`` is asked.
_transactions_by_thread = getattr(
    enginefacade, '_transaction_contexts_by_thread', None)


def _in_transaction(context) -> bool:
    """Return whether an enginefacade block of ``context`` is open."""
    if _transactions_by_thread is not None:
        return hasattr(_transactions_by_thread(context), 'current')
    try:
        context.transaction_ctx
    except db_exception.NoEngineContextEstablished:
        return False
    return True


def _sqlite_read_engine(url: str, database_options) -> sa.engine.Engine | None:
    """Return a read-only SQLAlchemy engine for a SQLite file URL, or None.

    Connections run with ``PRAGMA query_only``, so a write through them
    fails instead of changing data outside the writer's transactions.
    oslo.db's exception filters translate errors as on its own engines,
    so that a lost connection still raises DBConnectionError.
    """
    parsed = sa.engine.make_url(url)
    if (parsed.get_backend_name() != 'sqlite' or
            parsed.database in (None, '', ':memory:') or
            parsed.query.get('mode') == 'memory'):
        return None
    engine = sa.create_engine(
        parsed, poolclass=sa.pool.QueuePool,
        pool_size=database_options.max_pool_size or 5,
        max_overflow=(10 if database_options.max_overflow is None
                      else database_options.max_overflow),
        pool_timeout=database_options.pool_timeout or 30)
    sa.event.listen(engine, 'connect', _set_query_only)
    exc_filters.register_engine(engine)
    return engine


def _set_query_only(dbapi_connection, connection_record) -> None:
    dbapi_connection.execute('PRAGMA query_only = ON')


_NO_DEFAULT = object()


class _UnsupportedRead(ValueError):
    """A statement that _SqliteRead cannot run as SQLAlchemy would."""


class _SqliteRead:
    """A SELECT compiled once for SQLite and run on a DBAPI cursor.

    The parameters and the columns go through the bind and result
    processors of their SQLAlchemy types, so rows hold the same values
    (datetime, bool) as rows read through SQLAlchemy.
    """

    # Compiled forms by statement, dropped all at once when full. Page
    # statements come from bounded caches, so a statement that left them
    # and was built again gets a new entry here.
    _compiled: dict = {}
    MAX_COMPILED = 512

    def __init__(self, statement, dialect):
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        # (key, default, bind processor) of each positional parameter. The
        # statement's own literals, such as the false of "deleted = 0",
        # are bound parameters with a default value.
        self.parameters = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            if bind.expanding or bind.literal_execute:
                # IN lists and the like are rendered per execution.
                raise _UnsupportedRead(name)
            self.parameters.append((
                bind.key, _NO_DEFAULT if bind.required
                else bind.effective_value,
                bind.type.dialect_impl(dialect).bind_processor(dialect)))
        columns = list(statement.selected_columns)
        self.columns = [column.key for column in columns]
        if None in self.columns or len(set(self.columns)) != len(columns):
            # SQLAlchemy names such columns itself (count_1, id_1).
            raise _UnsupportedRead(str(self.columns))
        self.processors = [
            (position, processor) for position, processor in enumerate(
                column.type.dialect_impl(dialect).result_processor(
                    dialect, None)
                for column in columns)
            if processor is not None]

    @classmethod
    def get(cls, statement, dialect) -> '_SqliteRead | None':
        """Return the compiled form of ``statement``, or None if unsupported.

        A statement this class cannot run the way SQLAlchemy would (an IN
        list, unnamed or repeated column names) returns None.
        """
        try:
            return cls._compiled[statement]
        except KeyError:
            pass
        if len(cls._compiled) >= cls.MAX_COMPILED:
            cls._compiled.clear()
        try:
            read = cls(statement, dialect)
        except _UnsupportedRead:
            read = None
        cls._compiled[statement] = read
        return read

    def rows(self, connection, parameters: dict) -> list:
        """Run the statement on a DBAPI ``connection`` and return dict rows."""
        values = []
        for key, default, processor in self.parameters:
            if key in parameters:
                value = parameters[key]
            elif default is not _NO_DEFAULT:
                value = default
            else:
                raise KeyError(f'missing value for bound parameter {key}')
            values.append(value if processor is None else processor(value))
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self.sql, values)
                fetched = cursor.fetchall()
            finally:
                cursor.close()
        except sqlite3.Error as error:
            raise db_exception.DBError(error) from error
        columns, processors = self.columns, self.processors
        rows = []
        for fetched_row in fetched:
            if processors:
                fetched_row = list(fetched_row)
                for position, processor in processors:
                    fetched_row[position] = processor(fetched_row[position])
            rows.append(dict(zip(columns, fetched_row)))
        return rows


def _use_wal_journal(dbapi_connection, connection_record) -> None:
    """Switch a SQLite file to WAL mode; the mode persists in the file.

    In-memory databases keep their own mode. If another connection holds
    a lock, the file keeps its current mode until a later connection
    succeeds.
    """
    try:
        dbapi_connection.execute('PRAGMA journal_mode=WAL')
    except sqlite3.OperationalError:
        pass


def _now():
    return timeutils.utcnow()


# Each writer below runs one whole transaction, so repeating it is safe
# after a deadlock or after a duplicate quota usage row that a concurrent
# transaction inserted first, because both rolled the transaction back.
# A lost connection is retried only for reads, because the commit of a
# write may have succeeded before the connection dropped.
def _is_retryable_write_error(error: Exception) -> bool:
    """Return whether a failed write transaction may simply run again.

    Besides deadlocks, that is a quota usage row that a concurrent
    transaction inserted first, and SQLite's "database is locked", which
    it raises at once when two connections both try to start writing.
    """
    if isinstance(error, db_exception.DBDuplicateEntry):
        return True
    # oslo.db wraps most driver errors in DBError, but passes some, such as
    # a failed SQLite write, on as SQLAlchemy's OperationalError.
    if isinstance(error, db_exception.DBError):
        error = error.inner_exception
    if isinstance(error, sa.exc.OperationalError):
        error = error.orig
    return (isinstance(error, sqlite3.OperationalError) and
            'database is locked' in str(error))


retry_on_deadlock = oslo_db_api.wrap_db_retry(
    max_retries=5, retry_on_deadlock=True, retry_interval=0.05,
    inc_retry_interval=True, max_retry_interval=1,
    exception_checker=_is_retryable_write_error)
retry_read = oslo_db_api.wrap_db_retry(
    max_retries=3, retry_on_deadlock=True, retry_on_disconnect=True)


# Volume types

def volume_type_get_or_create(context, name: str) -> dict:
    """Return the live volume type called ``name``, creating it if absent."""
    with context.database.writer.using(context) as session:
        row = session.execute(
            sa.select(VOLUME_TYPES).where(
                VOLUME_TYPES.c.name == name,
                VOLUME_TYPES.c.deleted == sa.false())
        ).mappings().first()
        if row is not None:
            return dict(row)
        values = {'id': str(uuid.uuid4()), 'name': name, 'is_public': True,
                  'deleted': False, 'created_at': _now()}
        session.execute(sa.insert(VOLUME_TYPES).values(**values))
        return values


def volume_type_names(context, type_ids) -> dict:
    """Map each volume type id in ``type_ids`` to its name."""
    ids = {type_id for type_id in type_ids if type_id}
    if not ids:
        return {}
    with _reading(context) as connection:
        rows = connection.execute(
            sa.select(VOLUME_TYPES.c.id, VOLUME_TYPES.c.name).where(
                VOLUME_TYPES.c.id.in_(ids)))
        return {row.id: row.name for row in rows}


# Volumes and snapshots

def volume_create(context, values: dict) -> dict:
    """Insert a volume and count it in its project's quota usage."""
    values = dict(values)
    values.setdefault('id', str(uuid.uuid4()))
    values.setdefault('deleted', False)
    values.setdefault('created_at', _now())
    with context.database.writer.using(context) as session:
        session.execute(sa.insert(VOLUMES).values(**values))
        deltas = _volume_deltas(
            values, _type_name(session, values.get('volume_type_id')))
        usage_rows = quota.lock_usages(session, values['project_id'], deltas)
        quota.add_usage(session, usage_rows, deltas)
    return values


def snapshot_create(context, values: dict,
                    count_gigabytes: bool = True) -> dict:
    """Insert a snapshot and count it in its project's quota usage."""
    values = dict(values)
    values.setdefault('id', str(uuid.uuid4()))
    values.setdefault('deleted', False)
    values.setdefault('created_at', _now())
    with context.database.writer.using(context) as session:
        volume = session.execute(
            sa.select(VOLUMES.c.id, VOLUMES.c.size, VOLUMES.c.volume_type_id,
                      VOLUMES.c.encryption_key_id).where(
                VOLUMES.c.id == values['volume_id'],
                VOLUMES.c.deleted == sa.false())
        ).first()
        if volume is None:
            raise exception.VolumeNotFound(volume_id=values['volume_id'])
        values.setdefault('volume_size', volume.size)
        values.setdefault('volume_type_id', volume.volume_type_id)
        values.setdefault('encryption_key_id', volume.encryption_key_id)
        session.execute(sa.insert(SNAPSHOTS).values(**values))
        deltas = _snapshot_deltas(
            [values], _type_name(session, values['volume_type_id']),
            count_gigabytes)
        usage_rows = quota.lock_usages(session, values['project_id'], deltas)
        quota.add_usage(session, usage_rows, deltas)
    return values


def volume_update(context, volume_id: str, values: dict) -> None:
    """Set columns of a live volume; raise VolumeNotFound if there is none."""
    values = dict(values, updated_at=_now())
    with context.database.writer.using(context) as session:
        result = session.execute(
            sa.update(VOLUMES).where(
                VOLUMES.c.id == volume_id, VOLUMES.c.deleted == sa.false()
            ).values(**values))
        if result.rowcount != 1:
            raise exception.VolumeNotFound(volume_id=volume_id)


def snapshot_update(context, snapshot_id: str, values: dict) -> None:
    values = dict(values, updated_at=_now())
    with context.database.writer.using(context) as session:
        result = session.execute(
            sa.update(SNAPSHOTS).where(
                SNAPSHOTS.c.id == snapshot_id,
                SNAPSHOTS.c.deleted == sa.false()
            ).values(**values))
        if result.rowcount != 1:
            raise exception.SnapshotNotFound(snapshot_id=snapshot_id)


# The volume with the name of its type, which every Volume object carries.
_VOLUME_BY_ID = sa.select(
    VOLUMES, VOLUME_TYPES.c.name.label('volume_type_name')
).outerjoin(
    VOLUME_TYPES, VOLUME_TYPES.c.id == VOLUMES.c.volume_type_id
).where(VOLUMES.c.id == sa.bindparam('volume_id'),
        VOLUMES.c.deleted == sa.false())
_VOLUME_BY_ID_IN_PROJECT = _VOLUME_BY_ID.where(
    VOLUMES.c.project_id == sa.bindparam('project_id'))


@retry_read
def volume_get(context, volume_id: str, project_id: str | None = None):
    """Return the live volume, limited to ``project_id`` when it is given.

    The row has the volume's columns plus ``volume_type_name``, the name
    of its volume type (None if the type does not exist).
    """
    if project_id is None:
        query, parameters = _VOLUME_BY_ID, {'volume_id': volume_id}
    else:
        query = _VOLUME_BY_ID_IN_PROJECT
        parameters = {'volume_id': volume_id, 'project_id': project_id}
    with _reading(context) as connection:
        row = connection.execute(query, parameters).mappings().first()
    if row is None:
        raise exception.VolumeNotFound(volume_id=volume_id)
    return dict(row)


def volume_get_all(context, project_id: str | None = None,
                   filters: dict | None = None,
                   limit: int | None = None) -> list[dict]:
    query = sa.select(VOLUMES).where(VOLUMES.c.deleted == sa.false())
    if project_id is not None:
        query = query.where(VOLUMES.c.project_id == project_id)
    for column, value in (filters or {}).items():
        query = query.where(VOLUMES.c[column] == value)
    query = query.order_by(VOLUMES.c.created_at.desc(), VOLUMES.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with context.database.reader.using(context) as session:
        return [dict(row) for row in session.execute(query).mappings()]


def snapshot_get(context, snapshot_id: str, project_id: str | None = None):
    query = sa.select(SNAPSHOTS).where(
        SNAPSHOTS.c.id == snapshot_id, SNAPSHOTS.c.deleted == sa.false())
    if project_id is not None:
        query = query.where(SNAPSHOTS.c.project_id == project_id)
    with context.database.reader.using(context) as session:
        row = session.execute(query).mappings().first()
    if row is None:
        raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
    return dict(row)


def snapshot_get_all(context, project_id: str | None = None,
                     filters: dict | None = None,
                     limit: int | None = None) -> list[dict]:
    query = sa.select(SNAPSHOTS).where(SNAPSHOTS.c.deleted == sa.false())
    if project_id is not None:
        query = query.where(SNAPSHOTS.c.project_id == project_id)
    for column, value in (filters or {}).items():
        query = query.where(SNAPSHOTS.c[column] == value)
    query = query.order_by(SNAPSHOTS.c.created_at.desc(),
                           SNAPSHOTS.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with context.database.reader.using(context) as session:
        return [dict(row) for row in session.execute(query).mappings()]


def snapshot_get_all_for_volume(context, volume_id: str) -> list[dict]:
    with _reading(context) as connection:
        return _snapshots_of_volume(connection, volume_id)


def _snapshots_of_volume(session, volume_id: str) -> list[dict]:
    rows = session.execute(
        sa.select(SNAPSHOTS).where(
            SNAPSHOTS.c.volume_id == volume_id,
            SNAPSHOTS.c.deleted == sa.false()
        ).order_by(SNAPSHOTS.c.created_at, SNAPSHOTS.c.id)).mappings()
    return [dict(row) for row in rows]


# Transfers

def _live_transfer(now=None):
    """Return the condition "not deleted and not expired"."""
    return sa.and_(
        TRANSFERS.c.deleted == sa.false(),
        sa.or_(TRANSFERS.c.expires_at.is_(None),
               TRANSFERS.c.expires_at > (_now() if now is None else now)))


def _transfer_query(project_id, now=None):
    """Select live transfers, visible to ``project_id`` when it is given.

    Visibility follows the volume's current owner, as in Cinder, so the
    query joins the volume only when a project limits it. ``project_id``
    and ``now`` may be bound parameters.
    """
    query = sa.select(TRANSFERS).where(_live_transfer(now))
    if project_id is not None:
        query = query.join(VOLUMES, VOLUMES.c.id == TRANSFERS.c.volume_id)
        query = query.where(VOLUMES.c.project_id == project_id)
    return query


# transfer_get's statements, built once: building one costs more than
# running it.
_TRANSFER_BY_ID = _transfer_query(None, sa.bindparam('now')).where(
    TRANSFERS.c.id == sa.bindparam('transfer_id'))
_TRANSFER_BY_ID_IN_PROJECT = _transfer_query(
    sa.bindparam('project_id'), sa.bindparam('now')).where(
    TRANSFERS.c.id == sa.bindparam('transfer_id'))


@retry_read
def transfer_get(context, transfer_id: str, project_id: str | None = None):
    """Return the live transfer, limited to ``project_id`` when given."""
    parameters = {'transfer_id': transfer_id, 'now': _now()}
    if project_id is None:
        query = _TRANSFER_BY_ID
    else:
        query = _TRANSFER_BY_ID_IN_PROJECT
        parameters['project_id'] = project_id
    rows = context.database.read_rows(context, query, parameters)
    if not rows:
        # An expired transfer is cleaned up when it is first looked up.
        transfer_expire(context, transfer_id=transfer_id)
        raise exception.TransferNotFound(transfer_id=transfer_id)
    return rows[0]


@retry_read
def transfer_get_all(context, project_id: str | None = None,
                     filters: dict | None = None,
                     sort_keys: list[str] = ('created_at', 'id'),
                     sort_dirs: list[str] = ('asc', 'asc'),
                     limit: int | None = None,
                     marker: str | None = None,
                     offset: int | None = None) -> list[dict]:
    """Return one page of live transfers.

    ``filters`` maps transfer column names to exact values, except
    ``project_id``, which filters on the volume's owner. ``marker`` is the
    id of the last transfer of the previous page; rows strictly after it in
    the sort order are returned. The sort keys must end with a unique key.
    """
    filters = dict(filters or {})
    owner_filter = filters.pop('project_id', None)
    if owner_filter is not None and project_id is not None and (
            owner_filter != project_id):
        return []
    now = _now()
    parameters = {'now': now}
    if project_id is not None:
        parameters['project_id'] = project_id
    by_owner = owner_filter is not None and project_id is None
    if by_owner:
        parameters['owner_id'] = owner_filter
    for column, value in filters.items():
        parameters[f'filter_{column}'] = value

    database = context.database
    if marker is not None:
        marker_rows = database.read_rows(
            context,
            _TRANSFER_BY_ID if project_id is None
            else _TRANSFER_BY_ID_IN_PROJECT,
            {'transfer_id': marker, 'now': now, 'project_id': project_id})
        if not marker_rows:
            raise exception.TransferNotFound(transfer_id=marker)
        for position, key in enumerate(sort_keys):
            parameters[f'marker_{position}'] = _sort_value(marker_rows[0],
                                                           key)
    query = _paged(_transfer_page_query(
        project_id is not None, by_owner, tuple(sorted(filters)),
        tuple(sort_keys), tuple(sort_dirs), marker is not None),
        limit is not None, bool(offset))
    parameters['page_limit'] = limit
    parameters['page_offset'] = offset
    return database.read_rows(context, query, parameters)


@functools.lru_cache(maxsize=512)
def _paged(query, limited: bool, offset: bool):
    """Add LIMIT and OFFSET as the parameters page_limit and page_offset."""
    if limited:
        query = query.limit(sa.bindparam('page_limit', type_=sa.Integer))
    if offset:
        query = query.offset(sa.bindparam('page_offset', type_=sa.Integer))
    return query


@functools.lru_cache(maxsize=256)
def _transfer_page_query(by_project: bool, by_owner: bool,
                         filter_columns: tuple, sort_keys: tuple,
                         sort_dirs: tuple, after_marker: bool):
    """Build the statement of a transfer_get_all page, without paging.

    Every value is a bound parameter (``now``, ``project_id``,
    ``owner_id``, ``filter_<column>`` and ``marker_<position>``), so one
    statement serves all requests of the same shape. Building it costs
    more than running it.
    """
    query = _transfer_query(
        sa.bindparam('project_id') if by_project else None,
        sa.bindparam('now'))
    if by_owner:
        query = query.join(VOLUMES, VOLUMES.c.id == TRANSFERS.c.volume_id)
        query = query.where(VOLUMES.c.project_id == sa.bindparam('owner_id'))
    for column in filter_columns:
        query = query.where(
            TRANSFERS.c[column] == sa.bindparam(f'filter_{column}'))
    if after_marker:
        marker_values = {key: sa.bindparam(f'marker_{position}')
                         for position, key in enumerate(sort_keys)}
        query = query.where(
            _after_marker(sort_keys, sort_dirs, marker_values))
    for key, direction in zip(sort_keys, sort_dirs):
        expression = _sort_expression(key)
        query = query.order_by(
            expression.asc() if direction == 'asc' else expression.desc())
    return query


def _sort_expression(key: str):
    """Return the ORDER BY expression of a transfer sort key.

    ``display_name`` may be NULL, and backends disagree on where NULL sorts,
    so it sorts as an empty string (names are never empty strings).
    """
    if key == 'display_name':
        return sa.func.coalesce(TRANSFERS.c.display_name, '')
    return TRANSFERS.c[key]


def _sort_value(row, key: str):
    value = row[key]
    return '' if key == 'display_name' and value is None else value


def _after_marker(sort_keys, sort_dirs, marker_values: dict):
    """Build the keyset condition "row comes after the marker row".

    For keys (k1, k2, ...) it is ``k1 > m1 OR (k1 = m1 AND k2 > m2) ...``,
    with ``<`` for descending keys. ``marker_values`` maps each key to the
    marker's value or to a bound parameter that will carry it.
    """
    clauses = []
    for position, key in enumerate(sort_keys):
        equal_before = [
            _sort_expression(k) == marker_values[k]
            for k in sort_keys[:position]]
        expression = _sort_expression(key)
        value = marker_values[key]
        if sort_dirs[position] == 'asc':
            later = expression > value
        else:
            later = expression < value
        clauses.append(sa.and_(*equal_before, later))
    return sa.or_(*clauses)


def _set_volume_status(session, volume_id, expected, values):
    result = session.execute(
        sa.update(VOLUMES).where(
            VOLUMES.c.id == volume_id, VOLUMES.c.deleted == sa.false(),
            VOLUMES.c.status == expected
        ).values(**values))
    return result.rowcount == 1


@retry_on_deadlock
def transfer_create(context, values: dict, check_snapshots: bool,
                    new_key_id: str | None = None) -> dict:
    """Insert a transfer and move its volume to awaiting-transfer.

    Both happen in one transaction. The volume moves only from
    ``available``. With ``check_snapshots`` it also moves only while every
    snapshot of it is ``available``. The check and the change are in the
    same transaction, so a racing create or snapshot cannot slip in
    between.
    With ``new_key_id`` the volume and its snapshots switch to that
    encryption key in the same transaction.
    """
    values = dict(values)
    values.setdefault('id', str(uuid.uuid4()))
    values.update(deleted=False, accepted=False, created_at=_now())
    volume_id = values['volume_id']
    with context.database.writer.using(context) as session:
        if not _set_volume_status(session, volume_id, 'available',
                                  {'status': 'awaiting-transfer',
                                   'updated_at': _now()}):
            raise exception.InvalidVolume(reason='status must be available')
        if check_snapshots:
            for snapshot in _snapshots_of_volume(session, volume_id):
                if snapshot['status'] != 'available':
                    raise exception.InvalidSnapshot(
                        reason=f"snapshot: {snapshot['id']} status must be "
                               f"available")
        if new_key_id:
            _set_encryption_key(session, volume_id, new_key_id)
        session.execute(sa.insert(TRANSFERS).values(**values))
    return values


def _set_encryption_key(session, volume_id: str, key_id: str) -> None:
    """Point a volume and all its snapshots at a new encryption key."""
    now = _now()
    session.execute(sa.update(VOLUMES).where(
        VOLUMES.c.id == volume_id).values(encryption_key_id=key_id,
                                          updated_at=now))
    session.execute(sa.update(SNAPSHOTS).where(
        SNAPSHOTS.c.volume_id == volume_id,
        SNAPSHOTS.c.deleted == sa.false()).values(
            encryption_key_id=key_id, updated_at=now))


def _soft_delete_transfer(session, transfer_id, extra=None):
    now = _now()
    values = {'deleted': True, 'deleted_at': now, 'updated_at': now}
    values.update(extra or {})
    result = session.execute(
        sa.update(TRANSFERS).where(
            TRANSFERS.c.id == transfer_id, _live_transfer(now)
        ).values(**values))
    return result.rowcount == 1


@retry_on_deadlock
def transfer_destroy(context, transfer_id: str,
                     new_key_id: str | None = None) -> bool:
    """Cancel a transfer and return its volume to ``available``.

    Returns whether the volume was moved back. A volume that is no longer
    ``awaiting-transfer`` (an administrator changed it) keeps its status.
    Raises TransferNotFound if the transfer is not live, for instance
    because a concurrent accept or delete won. With ``new_key_id`` the
    volume and its snapshots switch to that encryption key.
    """
    with context.database.writer.using(context) as session:
        transfer = session.execute(
            sa.select(TRANSFERS.c.volume_id).where(
                TRANSFERS.c.id == transfer_id, _live_transfer())).first()
        if transfer is None or not _soft_delete_transfer(session, transfer_id):
            raise exception.TransferNotFound(transfer_id=transfer_id)
        if new_key_id:
            _set_encryption_key(session, transfer.volume_id, new_key_id)
        return _set_volume_status(
            session, transfer.volume_id, 'awaiting-transfer',
            {'status': 'available', 'updated_at': _now()})


def _type_name(session, volume_type_id) -> str | None:
    if not volume_type_id:
        return None
    return session.execute(sa.select(VOLUME_TYPES.c.name).where(
        VOLUME_TYPES.c.id == volume_type_id)).scalar()


def _volume_deltas(volume: dict, type_name: str | None) -> dict:
    deltas = {'volumes': 1, 'gigabytes': volume['size'] or 0}
    if type_name:
        deltas[f'volumes_{type_name}'] = 1
        deltas[f'gigabytes_{type_name}'] = volume['size'] or 0
    return deltas


def _snapshot_deltas(snapshots: list, type_name: str | None,
                     count_gigabytes: bool) -> dict:
    if not snapshots:
        return {}
    size = sum(snapshot['volume_size'] or 0 for snapshot in snapshots)
    size = size if count_gigabytes else 0
    deltas = {'snapshots': len(snapshots), 'gigabytes': size}
    if type_name:
        deltas[f'snapshots_{type_name}'] = len(snapshots)
        deltas[f'gigabytes_{type_name}'] = size
    return deltas


def _negated(deltas: dict) -> dict:
    return {resource: -delta for resource, delta in deltas.items()}


def _merged(*delta_sets: dict) -> dict:
    total: dict = {}
    for deltas in delta_sets:
        for resource, delta in deltas.items():
            total[resource] = total.get(resource, 0) + delta
    return total


def _move_usage(session, volume: dict, snapshots: list, donor: str,
                recipient: str, defaults: quota.QuotaDefaults,
                check_only: bool = False) -> None:
    """Check the recipient's quotas and move usage from the donor.

    The order of checks is Cinder's: the per-volume size limit, then the
    volume's own resources, then those of its snapshots, each counted on
    top of the previous step. Raises OverQuota with the failing step's
    resources. With ``check_only`` nothing is locked or written.
    """
    type_name = _type_name(session, volume['volume_type_id'])
    volume_deltas = _volume_deltas(volume, type_name)
    snapshot_deltas = _snapshot_deltas(snapshots, type_name,
                                       not defaults.no_snapshot_gb_quota)
    resources = set(volume_deltas) | set(snapshot_deltas)

    recipient_limits = quota.limits(
        session, recipient, resources | {'per_volume_gigabytes'}, defaults)
    per_volume = recipient_limits['per_volume_gigabytes']
    if 0 <= per_volume < (volume['size'] or 0):
        raise exception.OverQuota(
            overs=['per_volume_gigabytes'],
            limits={'per_volume_gigabytes': per_volume},
            consumed={'per_volume_gigabytes': 0},
            requested={'per_volume_gigabytes': volume['size']})

    if check_only:
        rows = quota.read_usages(session, recipient, resources)
        quota.check(recipient_limits, rows, volume_deltas)
        quota.add_usage(None, rows, volume_deltas)
        quota.check(recipient_limits, rows, snapshot_deltas)
        return

    # Both projects' rows are locked in one fixed order, so that two
    # accepts moving volumes in opposite directions cannot deadlock.
    locked = {}
    for project in sorted({donor, recipient}):
        locked[project] = quota.lock_usages(session, project, resources)

    quota.check(recipient_limits, locked[recipient], volume_deltas)
    quota.add_usage(session, locked[recipient], volume_deltas)
    quota.check(recipient_limits, locked[recipient], snapshot_deltas)
    quota.add_usage(session, locked[recipient], snapshot_deltas)
    quota.add_usage(session, locked[donor],
                    _negated(_merged(volume_deltas, snapshot_deltas)))


@retry_read
def transfer_accept_quota_check(context, volume_id: str, project_id: str,
                                move_snapshots: bool,
                                quota_defaults: quota.QuotaDefaults) -> None:
    """Raise OverQuota if accepting the volume now would exceed a limit.

    A read-only pre-check, so that a refused accept is refused before any
    notification is sent. transfer_accept checks again under locks.
    """
    with context.database.reader.using(context) as session:
        volume = session.execute(sa.select(VOLUMES).where(
            VOLUMES.c.id == volume_id)).mappings().first()
        if volume is None or volume['project_id'] == project_id:
            return
        snapshots = (_snapshots_of_volume(session, volume_id)
                     if move_snapshots else [])
        _move_usage(session, dict(volume), snapshots, volume['project_id'],
                    project_id, quota_defaults, check_only=True)


@retry_on_deadlock
def transfer_accept(context, transfer_id: str, user_id: str,
                    project_id: str, move_snapshots: bool,
                    quota_defaults: quota.QuotaDefaults,
                    new_key_id: str | None = None) -> list[str]:
    """Give a transfer's volume, and its snapshots, to a new owner.

    One transaction does all of it, so any failure rolls all of it back.
    First the transfer row is marked accepted, if it is still live. Then
    the recipient's quotas are checked and usage moves from the donor.
    Last the volume moves from ``awaiting-transfer`` to ``available``
    under the new owner, and with ``move_snapshots`` so does every
    snapshot, provided each one is ``available``. With ``new_key_id``
    the volume and its snapshots switch to that encryption key. Returns
    the ids of the moved snapshots.
    """
    now = _now()
    with context.database.writer.using(context) as session:
        transfer = session.execute(
            sa.select(TRANSFERS.c.volume_id).where(
                TRANSFERS.c.id == transfer_id, _live_transfer())).first()
        accepted = transfer is not None and _soft_delete_transfer(
            session, transfer_id,
            {'accepted': True, 'destination_project_id': project_id})
        if not accepted:
            raise exception.TransferNotFound(transfer_id=transfer_id)

        volume_id = transfer.volume_id
        volume = session.execute(
            sa.select(VOLUMES).where(
                VOLUMES.c.id == volume_id,
                VOLUMES.c.deleted == sa.false()).with_for_update()
        ).mappings().first()
        if volume is None:
            raise exception.VolumeNotFound(volume_id=volume_id)
        snapshots = (_snapshots_of_volume(session, volume_id)
                     if move_snapshots else [])
        if volume['project_id'] != project_id:
            _move_usage(session, dict(volume), snapshots,
                        volume['project_id'], project_id, quota_defaults)

        owner = {'user_id': user_id, 'project_id': project_id,
                 'updated_at': now}
        if not _set_volume_status(session, volume_id, 'awaiting-transfer',
                                  dict(owner, status='available')):
            raise exception.InvalidVolume(
                reason=f'Transfer {transfer_id}: Volume id {volume_id} '
                       f'expected in awaiting-transfer state.')

        for snapshot in snapshots:
            result = session.execute(
                sa.update(SNAPSHOTS).where(
                    SNAPSHOTS.c.id == snapshot['id'],
                    SNAPSHOTS.c.deleted == sa.false(),
                    SNAPSHOTS.c.status == 'available'
                ).values(**owner))
            if result.rowcount != 1:
                raise exception.InvalidSnapshot(
                    reason=f"Transfer {transfer_id}: Snapshot "
                           f"{snapshot['id']} is not in the expected "
                           f"available state.")
        if new_key_id:
            _set_encryption_key(session, volume_id, new_key_id)
        return [snapshot['id'] for snapshot in snapshots]


# Quotas

def quota_usage_get(context, project_id: str,
                    defaults: quota.QuotaDefaults) -> dict:
    """Return {resource: (limit, in_use, reserved)} for a project.

    The resources are the base ones plus the per-type ones of every live
    volume type, as Cinder lists them.
    """
    with context.database.reader.using(context) as session:
        type_names = session.execute(sa.select(VOLUME_TYPES.c.name).where(
            VOLUME_TYPES.c.deleted == sa.false())).scalars().all()
        resources = ['volumes', 'snapshots', 'gigabytes',
                     'per_volume_gigabytes']
        for name in sorted(type_names):
            resources += [f'volumes_{name}', f'snapshots_{name}',
                          f'gigabytes_{name}']
        limits = quota.limits(session, project_id, resources, defaults)
        usage = quota.usages(session, project_id)
    return {resource: (limits[resource],) + usage.get(resource, (0, 0))
            for resource in resources}


def quota_set_limit(context, project_id: str, resource: str,
                    limit: int) -> None:
    with context.database.writer.using(context) as session:
        quota.set_limit(session, project_id, resource, limit)


# Expiry

@retry_on_deadlock
def _expire_one(context, transfer_id: str, volume_id: str, now) -> bool:
    with context.database.writer.using(context) as session:
        result = session.execute(sa.update(TRANSFERS).where(
            TRANSFERS.c.id == transfer_id,
            TRANSFERS.c.deleted == sa.false(),
            TRANSFERS.c.expires_at <= now).values(
                deleted=True, deleted_at=now, updated_at=now))
        if result.rowcount != 1:
            return False
        _set_volume_status(session, volume_id, 'awaiting-transfer',
                           {'status': 'available', 'updated_at': now})
        return True


def transfer_expire(context, transfer_id: str | None = None,
                    limit: int = 1000) -> list[dict]:
    """Cancel expired transfers; return those this call cancelled.

    Each transfer is cancelled in its own transaction with the same
    compare-and-swap as a delete, so concurrent sweeps and lookups on
    several workers cancel each transfer exactly once. Its volume returns
    to ``available`` if it is still ``awaiting-transfer``. With
    ``transfer_id`` only that transfer is considered.
    """
    now = _now()
    query = sa.select(TRANSFERS.c.id, TRANSFERS.c.volume_id).where(
        TRANSFERS.c.deleted == sa.false(),
        TRANSFERS.c.expires_at <= now).limit(limit)
    if transfer_id is not None:
        query = query.where(TRANSFERS.c.id == transfer_id)
    with context.database.reader.using(context) as session:
        candidates = session.execute(query).all()
    return [{'id': row.id, 'volume_id': row.volume_id}
            for row in candidates
            if _expire_one(context, row.id, row.volume_id, now)]


# Attempt limits

def accept_locked_until(context, transfer_id: str):
    """Return when a transfer's lockout ends, or None if it is not locked."""
    now = _now()
    with context.database.reader.using(context) as session:
        locked_until = session.execute(
            sa.select(ACCEPT_FAILURES.c.locked_until).where(
                ACCEPT_FAILURES.c.transfer_id == transfer_id)).scalar()
    return locked_until if locked_until and locked_until > now else None


@retry_on_deadlock
def accept_failure_record(context, transfer_id: str, max_failures: int,
                          window_seconds: int, lockout_seconds: int):
    """Count one failed accept; return (failures, locked_until or None).

    Failures older than the window start a new count. Reaching
    ``max_failures`` locks the transfer for ``lockout_seconds``. The count
    is one atomic UPDATE, so concurrent failures on several workers are
    all counted.
    """
    now = _now()
    window_start_limit = now - datetime.timedelta(seconds=window_seconds)
    with context.database.writer.using(context) as session:
        row = session.execute(
            sa.select(ACCEPT_FAILURES).where(
                ACCEPT_FAILURES.c.transfer_id == transfer_id
            ).with_for_update()).mappings().first()
        if row is None:
            session.execute(sa.insert(ACCEPT_FAILURES).values(
                transfer_id=transfer_id, failures=1, window_started_at=now,
                updated_at=now))
            failures = 1
        elif row['window_started_at'] < window_start_limit:
            session.execute(sa.update(ACCEPT_FAILURES).where(
                ACCEPT_FAILURES.c.transfer_id == transfer_id).values(
                    failures=1, window_started_at=now, locked_until=None,
                    updated_at=now))
            failures = 1
        else:
            session.execute(sa.update(ACCEPT_FAILURES).where(
                ACCEPT_FAILURES.c.transfer_id == transfer_id).values(
                    failures=ACCEPT_FAILURES.c.failures + 1,
                    updated_at=now))
            failures = row['failures'] + 1
        locked_until = None
        if max_failures and failures >= max_failures:
            locked_until = now + datetime.timedelta(seconds=lockout_seconds)
            session.execute(sa.update(ACCEPT_FAILURES).where(
                ACCEPT_FAILURES.c.transfer_id == transfer_id).values(
                    locked_until=locked_until, failures=0,
                    window_started_at=now))
    return failures, locked_until


def accept_failures_purge(context) -> int:
    """Delete failure counts of transfers that are no longer live."""
    with context.database.writer.using(context) as session:
        live = sa.select(TRANSFERS.c.id).where(
            TRANSFERS.c.deleted == sa.false())
        result = session.execute(sa.delete(ACCEPT_FAILURES).where(
            ACCEPT_FAILURES.c.transfer_id.not_in(live)))
        return result.rowcount
