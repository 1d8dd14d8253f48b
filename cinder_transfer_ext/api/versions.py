"""Version discovery documents at / and /v3/, shaped as Cinder's."""

import re

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import microversion as mv
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext import deploy

_VERSION_SUFFIX = re.compile(r'/v\d+(\.\d+)?/?$')


def versions_document(base_url: str) -> dict:
    """Return the version list; ``base_url`` is the unversioned endpoint."""
    return {'versions': [{
        'id': 'v3.0',
        'status': 'CURRENT',
        'version': mv.MAX_VERSION_STRING,
        'min_version': mv.MIN_VERSION_STRING,
        'updated': mv.MAX_VERSION_UPDATED,
        'links': [
            {'rel': 'describedby', 'type': 'text/html',
             'href': 'https://docs.openstack.org/'},
            {'rel': 'self', 'href': base_url.rstrip('/') + '/v3/'},
        ],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.volume+json;version=3',
        }],
    }]}


def unversioned_url(req, public_endpoint: str | None) -> str:
    if public_endpoint:
        return _VERSION_SUFFIX.sub('', public_endpoint.rstrip('/'))
    return _VERSION_SUFFIX.sub('', req.application_url)


class VersionsApp:
    """The unauthenticated root: 300 Multiple Choices with the list."""

    def __init__(self, conf):
        self._public_endpoint = conf[deploy.GROUP].public_endpoint

    def __call__(self, environ, start_response):
        req = wsgi.Request(environ)
        if req.method not in ('GET', 'HEAD'):
            response = faults.fault_response(
                405, f'Method {req.method} is not allowed on the version '
                     f'list; use GET.', {'Allow': 'GET, HEAD'})
            return response(environ, start_response)
        base = unversioned_url(req, self._public_endpoint)
        response = wsgi.json_response(versions_document(base), status=300)
        return response(environ, start_response)


def app_factory(global_conf, **local_conf):
    return VersionsApp(deploy.conf_from_paste(global_conf))
