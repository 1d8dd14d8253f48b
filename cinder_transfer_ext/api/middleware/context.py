"""Build the request context from the headers keystonemiddleware sets."""

import webob.dec

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext import context as transfer_context


class KeystoneContextMiddleware:
    """Turns auth_token's X-User-Id, X-Project-Id and X-Roles into a context.

    A request that auth_token did not confirm, or that names no user, gets
    401.
    """

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        if req.headers.get('X-Identity-Status', 'Confirmed') != 'Confirmed':
            return faults.fault_response(401, 'Authentication required.')
        context = transfer_context.RequestContext.from_environ(
            req.environ, overwrite=False)
        if not context.user_id:
            return faults.fault_response(
                401, 'Authentication required: the token names no user.')
        req.environ[wsgi.ENV_CONTEXT] = context
        return req.get_response(self.application)


def filter_factory(global_conf, **local_conf):
    def _filter(application):
        return KeystoneContextMiddleware(application)
    return _filter
