"""Build the request context from the headers keystonemiddleware sets."""

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

    def __call__(self, environ, start_response):
        # A plain WSGI callable, like the noauth filter: it reads headers
        # and adds the context, with no webob request or response.
        if environ.get('HTTP_X_IDENTITY_STATUS',
                       'Confirmed') != 'Confirmed':
            response = faults.fault_response(401, 'Authentication required.')
            return response(environ, start_response)
        # The request's context becomes the thread's current one, so that
        # every log line of the request shows its ids.
        context = transfer_context.RequestContext.from_environ(
            environ, overwrite=True)
        if not context.user_id:
            response = faults.fault_response(
                401, 'Authentication required: the token names no user.')
            return response(environ, start_response)
        environ[wsgi.ENV_CONTEXT] = context
        return self.application(environ, start_response)


def filter_factory(global_conf, **local_conf):
    def _filter(application):
        return KeystoneContextMiddleware(application)
    return _filter
