"""The [database] options of oslo.db, with the embedded SQLite default."""

import os

from oslo_config import cfg
from oslo_db import options as db_options

from cinder_transfer_ext.conf import api

SQLITE_FILE_NAME = 'cinder_transfer_ext.sqlite'


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(db_options.database_opts, group='database')


def embedded_connection_url(conf: cfg.ConfigOpts) -> str:
    """Return the SQLite URL under ``state_path``, creating the directory."""
    state_path = os.path.expanduser(conf[api.GROUP].state_path)
    os.makedirs(state_path, exist_ok=True)
    return 'sqlite:///' + os.path.join(state_path, SQLITE_FILE_NAME)


def connection_url(conf: cfg.ConfigOpts) -> str:
    """Return ``[database] connection``, or the embedded SQLite URL."""
    return conf.database.connection or embedded_connection_url(conf)


def list_opts():
    return [('database', db_options.database_opts)]
