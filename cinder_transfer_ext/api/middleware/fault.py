"""Last-resort fault wrapper for the middleware of the pipeline.

An exception in any middleware becomes a 500, and an error response that
a library middleware wrote as text or HTML (sizelimit's 413, for
instance) is rewritten in Cinder's fault format, so that clients always
get JSON they can parse.
"""

from oslo_log import log as logging
import webob.dec

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

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            response = req.get_response(self.application)
        except Exception:
            LOG.exception('Unexpected error in the WSGI pipeline')
            return faults.fault_response(500, faults.SERVER_ERROR_MESSAGE)
        if response.status_int >= 400 and (
                response.content_type != 'application/json'):
            return self._as_fault(response)
        return response

    @staticmethod
    def _as_fault(response):
        message = _MESSAGES.get(response.status_int, response.status)
        fault = faults.fault_response(response.status_int, message)
        for name in ('Allow', 'WWW-Authenticate', 'Retry-After'):
            if name in response.headers:
                fault.headers[name] = response.headers[name]
        return fault


def filter_factory(global_conf, **local_conf):
    return FaultWrapper
