"""Last-resort fault wrapper for the middleware of the pipeline.

An exception in any middleware becomes a 500, and an error response that
a library middleware wrote as text or HTML (sizelimit's 413, for
instance) is rewritten in Cinder's fault format, so that clients always
get JSON they can parse.
"""

from oslo_log import log as logging
import webob

from cinder_transfer_ext.api import faults

LOG = logging.getLogger(__name__)

_MESSAGES = {
    401: 'Authentication required.',
    413: 'The request body is larger than the configured '
         '[oslo_middleware] max_request_body_size.',
}


class FaultWrapper:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        # Successful responses pass through as they are; only an error
        # response that is not JSON becomes a webob response to rewrite.
        captured = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers, exc_info]
            return _no_write

        try:
            app_iter = self.application(environ, capture)
            if not captured:
                # An application may call start_response only when its
                # body is first iterated.
                app_iter = _started(app_iter)
            if not captured:
                raise RuntimeError('the application returned without '
                                   'calling start_response')
        except Exception:
            LOG.exception('Unexpected error in the WSGI pipeline')
            response = faults.fault_response(500,
                                             faults.SERVER_ERROR_MESSAGE)
            return response(environ, start_response)
        status, headers, exc_info = captured
        if int(status.split(' ', 1)[0]) >= 400 and (
                _content_type(headers) != 'application/json'):
            response = webob.Response(status=status, headerlist=headers)
            if hasattr(app_iter, 'close'):
                app_iter.close()
            return self._as_fault(response)(environ, start_response)
        start_response(status, headers, exc_info)
        return app_iter

    @staticmethod
    def _as_fault(response):
        message = _MESSAGES.get(response.status_int, response.status)
        fault = faults.fault_response(response.status_int, message)
        for name in ('Allow', 'WWW-Authenticate', 'Retry-After'):
            if name in response.headers:
                fault.headers[name] = response.headers[name]
        return fault


def _started(app_iter):
    """Return an iterable with the same items, after taking the first."""
    iterator = iter(app_iter)
    try:
        first = [next(iterator)]
    except StopIteration:
        first = []
    return _Chained(first, iterator, app_iter)


class _Chained:
    """An iterable of the items of ``first``, then of ``rest``.

    close() closes ``source``, as the WSGI server expects.
    """

    def __init__(self, first, rest, source):
        self._first = first
        self._rest = rest
        self._source = source

    def __iter__(self):
        yield from self._first
        yield from self._rest

    def close(self):
        if hasattr(self._source, 'close'):
            self._source.close()


def _no_write(data):
    # No application in this pipeline uses the WSGI write() callable.
    raise NotImplementedError('write() is not supported; return the body.')


def _content_type(headers: list) -> str | None:
    """Return the media type of a WSGI header list, as webob reads it."""
    for name, value in headers:
        if name.lower() == 'content-type':
            return value.split(';', 1)[0]
    return None


def filter_factory(global_conf, **local_conf):
    return FaultWrapper
