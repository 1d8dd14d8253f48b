"""Serve the transfer API from inside cinder-api, on Cinder's database.

``filter_factory`` is a paste filter for cinder-api's api-paste.ini. A
``[filter:cinder_mount]`` section names it with ``paste.filter_factory``,
and the filter goes in every v3 pipeline line right before ``apiv3``,
after Cinder's own authentication and context middleware::

    keystone = request_id ... authtoken keystonecontext cinder_mount apiv3

doc/source/cinder-mount.rst has the exact lines.

Requests for ``volume-transfers`` and ``os-volume-transfer``, with or
without a project id, are served by this service's TransferApp. Every
other request goes to Cinder untouched. The caller is the identity that
Cinder's middleware put in ``environ['cinder.context']``.

Configuration comes from the files cinder-api read, parsed into a
ConfigOpts of this module's own, so no option is registered on Cinder's
global ``cfg.CONF``. The URL project id pattern and the quota defaults
are always Cinder's ``[DEFAULT]`` values, so that routing and accept
limits match Cinder's. On accept, the volume's cinder-volume service
hears about the new owner through Cinder's RPC client, as it does from
Cinder's own transfer API.

Cinder is imported inside functions only, so that this module, and its
helpers that need no Cinder, import without Cinder installed.
"""

import re

from oslo_config import cfg
from oslo_log import log as logging
import sqlalchemy as sa

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import router
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext import conf as transfer_conf
from cinder_transfer_ext import context as transfer_context
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import migration

LOG = logging.getLogger(__name__)

GROUP = transfer_conf.GROUP
CINDER_CONTEXT_KEY = 'cinder.context'
COLLECTIONS = ('volume-transfers', 'os-volume-transfer')

# Cinder's tables that the transfer service reads or writes. cinder-manage
# db sync creates them.
CINDER_TABLES = ('volumes', 'snapshots', 'volume_types', 'transfers',
                 'quotas', 'quota_classes', 'quota_usages')

# Options of the [cinder_transfer_ext] group that always take the value of
# Cinder's [DEFAULT] option of the same name, with the Cinder module that
# registers it. Routing and quota checks must match Cinder's exactly.
CINDER_OPTIONS = (
    ('project_id_regex', 'cinder.api.openstack'),
    ('quota_volumes', 'cinder.quota'),
    ('quota_snapshots', 'cinder.quota'),
    ('quota_gigabytes', 'cinder.quota'),
    ('per_volume_size_limit', 'cinder.quota'),
    ('no_snapshot_gb_quota', 'cinder.common.config'),
    ('use_default_quota_class', 'cinder.quota'),
)

# Options that take Cinder's [DEFAULT] value unless [cinder_transfer_ext]
# sets them: links, page size and the notification publisher then match
# Cinder's own responses and events.
CINDER_DEFAULTED_OPTIONS = (
    ('public_endpoint', 'cinder.api.views.versions'),
    ('osapi_max_limit', 'cinder.api.common'),
    ('host', 'cinder.common.config'),
)

# Identity attributes copied from Cinder's request context to ours.
_IDENTITY_ATTRIBUTES = (
    'user_id', 'project_id', 'user_name', 'project_name', 'domain_id',
    'user_domain_id', 'project_domain_id', 'system_scope',
    'is_admin_project', 'auth_token', 'request_id', 'global_request_id',
)


class MountConfigError(Exception):
    """The mount filter cannot run with the configuration it found."""


def transfer_path_pattern(project_id_regex: str) -> re.Pattern:
    """Return the pattern of the PATH_INFO values that this service serves.

    PATH_INFO is relative to ``/v3``, as paste's urlmap leaves it: an
    optional project id, one of the two collections, an optional
    ``.json`` suffix, then the end or a slash.
    """
    collections = '|'.join(re.escape(name) for name in COLLECTIONS)
    return re.compile(rf'^/(?:(?:{project_id_regex})/)?(?:{collections})'
                      rf'(?:\.json)?(?:/|$)')


def context_from_cinder(cinder_context) -> transfer_context.RequestContext:
    """Return this service's request context for Cinder's one.

    Only identity travels: user, project, roles, domains, scope, token and
    request ids. Whether the caller is an administrator is decided again
    by this service's policy, from the roles.
    """
    values = {name: getattr(cinder_context, name)
              for name in _IDENTITY_ATTRIBUTES}
    return transfer_context.RequestContext(
        roles=list(cinder_context.roles), overwrite=False, **values)


def cinder_request_context(context):
    """Return a Cinder request context with the identity of ``context``."""
    from cinder import context as cinder_context

    values = {name: getattr(context, name) for name in _IDENTITY_ATTRIBUTES}
    return cinder_context.RequestContext(
        roles=list(context.roles), is_admin=context.is_admin,
        overwrite=False, **values)


# Configuration

def _config_arguments(cinder_conf: cfg.ConfigOpts) -> list[str]:
    """Return the command line that names cinder-api's configuration files.

    Files come before directories, as in oslo.config's own default search.
    A cinder-api started with ``--config-dir`` before ``--config-file``
    parsed them in the other order, which cannot be recovered here.
    """
    try:
        files = list(cinder_conf.config_file or [])
        directories = list(cinder_conf.config_dir or [])
    except cfg.NoSuchOptError:
        raise MountConfigError(
            'Cinder\'s configuration is not loaded: the cinder_mount filter '
            'works only inside cinder-api, which loads it before the paste '
            'pipeline.')
    if not files and not directories:
        raise MountConfigError(
            'cinder-api read no configuration file, so cinder_mount has no '
            '[database] connection. Start cinder-api with --config-file.')
    arguments = [argument for path in files
                 for argument in ('--config-file', path)]
    arguments += [argument for path in directories
                  for argument in ('--config-dir', path)]
    return arguments


def _cinder_value(cinder_conf: cfg.ConfigOpts, name: str, module: str):
    """Return Cinder's [DEFAULT] ``name``, importing the module that owns it.

    An ImportError or NoSuchOptError here means this Cinder release moved
    or renamed the option, which the mount cannot work around.
    """
    cinder_conf.import_opt(name, module)
    return cinder_conf[name]


def _is_set_by_operator(conf: cfg.ConfigOpts, name: str) -> bool:
    location = conf.get_location(name, GROUP)
    return location is not None and location.location.is_user_controlled


def _apply_cinder_options(conf: cfg.ConfigOpts,
                          cinder_conf: cfg.ConfigOpts) -> None:
    for name, module in CINDER_OPTIONS:
        value = _cinder_value(cinder_conf, name, module)
        if _is_set_by_operator(conf, name) and conf[GROUP][name] != value:
            LOG.warning('[%(group)s] %(name)s = %(ours)s is ignored inside '
                        'cinder-api; Cinder\'s [DEFAULT] %(name)s = '
                        '%(value)s applies', {'group': GROUP, 'name': name,
                                              'ours': conf[GROUP][name],
                                              'value': value})
        conf.set_override(name, value, group=GROUP)
    for name, module in CINDER_DEFAULTED_OPTIONS:
        value = _cinder_value(cinder_conf, name, module)
        if value is not None and not _is_set_by_operator(conf, name):
            conf.set_override(name, value, group=GROUP)


def _check_database_option(conf: cfg.ConfigOpts,
                           cinder_conf: cfg.ConfigOpts) -> None:
    connection = conf.database.connection
    if not connection:
        raise MountConfigError(
            '[database] connection is missing from the files cinder-api '
            'read. The cinder_mount filter works on Cinder\'s database and '
            'needs it.')
    try:
        cinder_connection = cinder_conf.database.connection
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return
    # Both come from the same files. They differ when Cinder got its value
    # elsewhere, or when files and directories set it in an order that
    # _config_arguments cannot reproduce. Writing to another database
    # would corrupt both.
    if cinder_connection and cinder_connection != connection:
        raise MountConfigError(
            'The [database] connection read from cinder-api\'s files differs '
            'from the one cinder-api uses. Set it in exactly one of '
            'cinder-api\'s configuration files, and not on the command line '
            'or in the environment.')


def mounted_conf(cinder_conf: cfg.ConfigOpts) -> cfg.ConfigOpts:
    """Return this service's configuration inside cinder-api.

    It is read from the files that ``cinder_conf`` (cinder-api's
    ``cfg.CONF``) was loaded from, then Cinder's values replace the
    options listed in CINDER_OPTIONS and, unless set, those in
    CINDER_DEFAULTED_OPTIONS. Raises MountConfigError, or oslo.config's
    error for an invalid value, so that cinder-api fails at start-up
    instead of serving with a broken configuration.
    """
    conf = cfg.ConfigOpts()
    transfer_conf.register_opts(conf)
    conf(_config_arguments(cinder_conf), project='cinder',
         default_config_files=[], default_config_dirs=[])
    # oslo.config checks a value only when it is read: read them all now.
    for name in conf[GROUP]:
        conf[GROUP][name]
    _check_database_option(conf, cinder_conf)
    _apply_cinder_options(conf, cinder_conf)
    return conf


def check_schema(conf: cfg.ConfigOpts, config_arguments: list[str]) -> None:
    """Raise MountConfigError unless the database has every table needed.

    ``cinder-manage db sync`` creates Cinder's tables, and
    ``cinder-transfer-manage db sync --cinder-schema`` this service's own;
    ``config_arguments`` name cinder-api's files in the error message.
    The engine is disposed afterwards, so that cinder-api's worker
    processes, forked after the paste pipeline is built, share no
    connection.
    """
    database = db_api.Database(conf)
    try:
        engine = database.get_engine()
        tables = set(sa.inspect(engine).get_table_names())
        missing = [name for name in CINDER_TABLES if name not in tables]
        if missing:
            raise MountConfigError(
                f'The database of [database] connection has no '
                f'{", ".join(missing)} table: point it at Cinder\'s '
                f'database and run "cinder-manage db sync".')
        current = migration.db_version(engine)
        heads = migration.head_revisions()
        if current not in heads:
            command = ' '.join(['cinder-transfer-manage', *config_arguments,
                                'db', 'sync', '--cinder-schema'])
            raise MountConfigError(
                f'The cinder-transfer-ext tables in Cinder\'s database are '
                f'at revision {current}, not {", ".join(heads)}. Run '
                f'"{command}" before starting cinder-api with the '
                f'cinder_mount filter.')
    finally:
        database.dispose()


# The accept step of the volume's backend driver

class CinderVolumeDriver:
    """TransferAPI's ``volume_driver``, served by cinder-volume over RPC.

    It makes the call that Cinder's own accept makes, with Cinder's
    volume object, so the backend driver's ``accept_transfer`` can update
    what it ties to the owner (CHAP credentials, for instance). The call
    is synchronous and waits up to Cinder's ``rpc_response_timeout``.
    """

    def __init__(self):
        from cinder import objects

        objects.register_all()
        self._rpc_api = None

    @property
    def rpc_api(self):
        # Built on first use: cinder-api forks its workers after the paste
        # pipeline is loaded, and each worker needs its own RPC client.
        if self._rpc_api is None:
            from cinder.volume import rpcapi

            self._rpc_api = rpcapi.VolumeAPI()
        return self._rpc_api

    def _accept_transfer(self, context, volume_id: str, new_user: str,
                         new_project: str, no_snapshots: bool):
        from cinder import objects

        cinder_context = cinder_request_context(context)
        cinder_volume = objects.Volume.get_by_id(cinder_context.elevated(),
                                                 volume_id)
        return self.rpc_api.accept_transfer(
            cinder_context, cinder_volume, new_user, new_project,
            no_snapshots=no_snapshots)

    def accept(self, context, volume, new_user: str, new_project: str,
               no_snapshots: bool) -> None:
        """Tell the volume's backend that ``new_project`` owns it now.

        Any error propagates, before the database changes.
        """
        try:
            self._accept_transfer(context, volume.id, new_user, new_project,
                                  no_snapshots)
        except Exception as error:
            LOG.error('The backend of volume %(volume)s on host %(host)s '
                      'failed to accept it for project %(project)s: '
                      '%(error)s', {'volume': volume.id,
                                    'host': volume.host,
                                    'project': new_project,
                                    'error': error})
            raise

    def undo_accept(self, context, volume, no_snapshots: bool) -> None:
        """Give the volume back to its donor at the backend.

        ``volume`` is the volume as it was before the accept. TransferAPI
        calls this when the database change failed after ``accept``. A
        failure here is logged and not raised, so that the caller sees the
        original error.
        """
        try:
            self._accept_transfer(context, volume.id, volume.user_id,
                                  volume.project_id, no_snapshots)
        except Exception:
            LOG.exception('The backend of volume %(volume)s accepted it for '
                          'a new owner, but the transfer failed and giving '
                          'it back to project %(project)s failed too; '
                          'check the volume\'s export on host %(host)s',
                          {'volume': volume.id, 'project': volume.project_id,
                           'host': volume.host})


# The paste filter

class CinderMount:
    """Sends transfer requests to TransferApp and the rest to Cinder."""

    def __init__(self, application, transfer_app, path_pattern: re.Pattern):
        self.application = application
        self.transfer_app = transfer_app
        self._path_pattern = path_pattern

    def __call__(self, environ, start_response):
        if not self._path_pattern.match(environ.get('PATH_INFO', '')):
            return self.application(environ, start_response)
        cinder_context = environ.get(CINDER_CONTEXT_KEY)
        if cinder_context is None:
            # Serving without an identity would bypass authentication.
            LOG.error('No Cinder request context for %(method)s %(path)s: '
                      'in api-paste.ini, put cinder_mount after Cinder\'s '
                      'noauth, noauth_include_project_id or keystonecontext '
                      'filter', {'method': environ.get('REQUEST_METHOD'),
                                 'path': environ.get('PATH_INFO')})
            response = faults.fault_response(500,
                                             faults.SERVER_ERROR_MESSAGE)
            return response(environ, start_response)
        environ[wsgi.ENV_CONTEXT] = context_from_cinder(cinder_context)
        return self.transfer_app(environ, start_response)


def filter_factory(global_conf, **local_conf):
    """Build the filter from the configuration that cinder-api loaded.

    Raises MountConfigError, or oslo.config's error for an invalid value,
    so that a broken configuration stops cinder-api at start-up.
    """
    try:
        from cinder.common import config as cinder_config  # noqa: F401
    except ImportError as error:
        raise MountConfigError(
            f'The cinder_mount filter runs only inside cinder-api, and '
            f'cinder cannot be imported here: {error}')

    conf = mounted_conf(cfg.CONF)
    check_schema(conf, _config_arguments(cfg.CONF))
    transfer_app = router.TransferApp(conf,
                                      volume_driver=CinderVolumeDriver())
    path_pattern = transfer_path_pattern(conf[GROUP].project_id_regex)
    options = conf[GROUP]
    LOG.info('cinder-transfer-ext serves volume transfers inside '
             'cinder-api; quota defaults from Cinder: volumes '
             '%(volumes)s, snapshots %(snapshots)s, gigabytes '
             '%(gigabytes)s, per-volume size %(per_volume)s',
             {'volumes': options.quota_volumes,
              'snapshots': options.quota_snapshots,
              'gigabytes': options.quota_gigabytes,
              'per_volume': options.per_volume_size_limit})

    def _filter(application):
        return CinderMount(application, transfer_app, path_pattern)
    return _filter
