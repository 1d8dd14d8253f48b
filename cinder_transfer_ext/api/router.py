"""The route table and the WSGI application behind /v3.

One declarative table produces every route: each collection with and
without a ``{project_id}`` segment, with an optional ``.json`` suffix. A
known path with an unknown method is 405 and an unknown path 404, both in
Cinder's fault format.
"""

import logging as std_logging
import re
import sys
import time

from oslo_log import log as logging
import routes
import webob

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import microversion as mv
from cinder_transfer_ext.api import versions
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext.api.handlers import quota
from cinder_transfer_ext.api.handlers import transfer
from cinder_transfer_ext.api.handlers import volume
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext import deploy
from cinder_transfer_ext import policy
from cinder_transfer_ext.transfer import api as transfer_api

LOG = logging.getLogger(__name__)


def _transfer_routes(collection: str) -> list:
    return [
        (f'/{collection}', {'GET': transfer.index, 'POST': transfer.create}),
        (f'/{collection}/detail', {'GET': transfer.detail}),
        (f'/{collection}/{{transfer_id}}',
         {'GET': transfer.show, 'DELETE': transfer.delete}),
        (f'/{collection}/{{transfer_id}}/accept', {'POST': transfer.accept}),
    ]


# (path below /v3[/{project_id}], {method: handler}). Fixed segments come
# before parameters so that "detail" is never taken for an id.
ROUTES = (
    _transfer_routes(transfer.COLLECTION) +
    _transfer_routes(transfer.LEGACY_COLLECTION) + [
        ('/volumes', {'GET': volume.volume_index}),
        ('/volumes/detail', {'GET': volume.volume_detail}),
        ('/volumes/{volume_id}', {'GET': volume.volume_show}),
        ('/snapshots', {'GET': volume.snapshot_index}),
        ('/snapshots/detail', {'GET': volume.snapshot_detail}),
        ('/snapshots/{snapshot_id}', {'GET': volume.snapshot_show}),
        ('/os-quota-sets/{target_project_id}', {'GET': quota.show}),
    ])


class RouteTable:
    """The routes of ROUTES, looked up by the collection segment of a path.

    The project id is one path segment that fully matches
    ``project_id_regex``. A routes Mapper tries its routes one after
    another, at several times the cost of trying only those that can match.
    These are the routes of the path's first segment, then, when that
    segment is a project id, the routes of its second segment. They are
    tried in the Mapper's order, longest fixed start first, so a path gets
    the route that a Mapper would give it, except that a path ending in a
    newline matches nothing.
    """

    def __init__(self, project_id_regex: str):
        self._project_id = re.compile(project_id_regex)
        self.handlers = {}
        mapper = routes.Mapper()
        for index, (path, methods) in enumerate(ROUTES):
            collection = path.split('/')[1]
            for prefix in ('', '/{project_id}'):
                name = f'{index}{prefix}'
                self.handlers[name] = methods
                mapper.connect(
                    name, prefix + path, route_name=name,
                    collection=collection,
                    requirements={'project_id': '[^/]+',
                                  'transfer_id': '[^/]+',
                                  'volume_id': '[^/]+',
                                  'snapshot_id': '[^/]+',
                                  'target_project_id': '[^/]+'})
        mapper.create_regs()

        # Route lists by collection, without and with a project segment.
        self._unprefixed: dict[str, list] = {}
        self._prefixed: dict[str, list] = {}
        for route in mapper.matchlist:
            table = (self._prefixed
                     if route.routepath.startswith('/{project_id}/')
                     else self._unprefixed)
            table.setdefault(route.defaults['collection'], []).append(route)
        for table in (self._unprefixed, self._prefixed):
            for route_list in table.values():
                # A stable sort keeps the order of ROUTES among equals.
                route_list.sort(key=_fixed_start_length, reverse=True)

    def match(self, path: str) -> dict | None:
        """Return the match of a path below /v3, or None.

        The dict contains the path's parameters and ``route_name``.
        """
        # The routes' patterns end in "$", which also matches before a
        # final newline, so a Mapper would take "/volumes\n" for
        # "/volumes". No path of this API ends in a newline.
        if path.endswith('\n'):
            return None
        segments = path.split('/', 3)
        if len(segments) < 2 or segments[0]:
            return None
        for route in self._unprefixed.get(segments[1], ()):
            found = route.match(path)
            if found:
                return found
        if len(segments) > 2 and self._project_id.fullmatch(segments[1]):
            for route in self._prefixed.get(segments[2], ()):
                found = route.match(path)
                if found:
                    return found
        return None


def _fixed_start_length(route) -> int:
    """Return the length of a route's path before its first parameter."""
    return len(route.routepath.split('{', 1)[0].rstrip('/'))


class TransferApp:
    """Routes a request, negotiates its microversion and renders faults.

    ``volume_driver`` is the backend hook that TransferAPI calls on accept.
    The cinder_mount filter passes one that calls cinder-volume, and a
    standalone service has none.
    """

    def __init__(self, conf, volume_driver=None):
        self.conf = conf
        self.options = conf[deploy.GROUP]
        self.enforcer = policy.PolicyEnforcer(conf)
        self.database = db_api.Database(conf)
        self.transfer_api = transfer_api.TransferAPI(
            conf, self.enforcer, volume_driver=volume_driver)
        self._routes = RouteTable(self.options.project_id_regex)

    def __call__(self, environ, start_response):
        started = time.monotonic()
        req = wsgi.Request(environ)
        version = None
        try:
            version = mv.parse(environ.get(mv.ENVIRON_KEY))
            response = self._dispatch(req, version)
        except mv.MalformedVersion as error:
            response = faults.fault_response(400, str(error))
        except mv.UnsupportedVersion as error:
            version = error.version
            response = faults.fault_response(406, str(error))
        except Exception as error:
            response = faults.response_for_exception(error)

        if version is not None:
            response.headers[mv.HEADER] = f'{mv.SERVICE_NAME} {version}'
        response.headers['Vary'] = mv.HEADER
        self._log_request(req, response, version, started)
        return response(environ, start_response)

    def _log_request(self, req, response, version, started):
        logger = LOG.logger
        if not logger.isEnabledFor(std_logging.INFO):
            return
        environ = req.environ
        path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
        if not _UNQUOTED_PATH.fullmatch(path):
            # Quoting leaves the common path as it is, so only other paths
            # pay for it.
            try:
                path = req.path
            except UnicodeDecodeError:
                # A path that is not UTF-8 is logged as the server passed it.
                path = req.script_name + environ.get('PATH_INFO', '')
        # The request's own context, or None before authentication, so
        # that the line never shows an identity left from another request.
        extra = dict(LOG.extra, context=req.environ.get(wsgi.ENV_CONTEXT))
        extra['extra_keys'] = sorted(extra)
        values = {'method': req.method, 'path': path,
                  'status': response.status_int, 'version': version,
                  'request_id': req.environ.get('openstack.request_id'),
                  'duration': time.monotonic() - started}
        # The record is built here, with the extra values that oslo.log's
        # adapter would add, and handed to the logger. That skips the
        # adapter's keyword handling and the standard library's lookup of
        # the caller's frame, which this line, written for every request,
        # does not need.
        record = logger.makeRecord(
            logger.name, std_logging.INFO, _LOG_REQUEST_CODE.co_filename,
            sys._getframe().f_lineno, _REQUEST_LINE, (values,), None,
            func=_LOG_REQUEST_CODE.co_name, extra=extra)
        logger.handle(record)

    def _match(self, path: str):
        if path.endswith('.json'):
            path = path[:-len('.json')]
        if len(path) > 1 and path.endswith('/'):
            path = path[:-1]
        return self._routes.match(path) if path not in ('', '/') else None

    def _dispatch(self, req, version) -> webob.Response:
        req.environ[wsgi.ENV_VERSION] = version
        req.environ[wsgi.ENV_APP] = self
        try:
            path = req.path_info
        except UnicodeDecodeError:
            # No route has a segment that is not UTF-8.
            raise faults.HTTPError(404, 'The resource could not be found.')
        if path in ('', '/'):
            return self._versions(req)

        match = self._match(path)
        if match is None:
            raise faults.HTTPError(404, 'The resource could not be found.')
        methods = self._routes.handlers[match.pop('route_name')]
        handler = methods.get(req.method)
        if handler is None:
            allowed = ', '.join(sorted(methods))
            raise faults.HTTPError(
                405, f'The method {req.method} is not allowed for this '
                     f'resource; allowed: {allowed}.', {'Allow': allowed})

        context = self._context(req)
        project_id = match.get('project_id')
        if project_id is not None and project_id != context.project_id:
            raise faults.HTTPError(400, 'Malformed request url')
        return handler(req, **match)

    def _context(self, req):
        context = req.environ.get(wsgi.ENV_CONTEXT)
        if context is None:
            raise faults.HTTPError(401, 'Authentication required.')
        context.database = self.database
        context.is_admin = self.enforcer.is_admin(context)
        return context

    def _versions(self, req) -> webob.Response:
        if req.method not in ('GET', 'HEAD'):
            raise faults.HTTPError(405, f'The method {req.method} is not '
                                        f'allowed for this resource; '
                                        f'allowed: GET.', {'Allow': 'GET'})
        base = versions.unversioned_url(req, self.options.public_endpoint)
        return wsgi.json_response(versions.versions_document(base))


# Paths that webob's Request.path returns unchanged: the characters that
# its URL quoting keeps.
_UNQUOTED_PATH = re.compile(r"[A-Za-z0-9_.~/!$&'()*+,;=:@-]*")
_REQUEST_LINE = ('%(method)s %(path)s status: %(status)s microversion: '
                 '%(version)s request id: %(request_id)s time: '
                 '%(duration).4f')
# The function whose file and name request lines report (pathname and
# funcName).
_LOG_REQUEST_CODE = TransferApp._log_request.__code__


def app_factory(global_conf, **local_conf):
    return TransferApp(deploy.conf_from_paste(global_conf))
