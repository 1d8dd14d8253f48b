"""Last-resort fault wrapper: an error in any middleware becomes a 500."""

from oslo_log import log as logging
import webob.dec

from cinder_transfer_ext.api import faults

LOG = logging.getLogger(__name__)


class FaultWrapper:
    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        try:
            return req.get_response(self.application)
        except Exception:
            LOG.exception('Unexpected error in the WSGI pipeline')
            return faults.fault_response(500, faults.SERVER_ERROR_MESSAGE)


def filter_factory(global_conf, **local_conf):
    return FaultWrapper
