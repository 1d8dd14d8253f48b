"""Request ids, with Cinder's extra response header."""

from oslo_middleware import request_id


class RequestId(request_id.RequestId):
    """oslo.middleware's request id, also sent as x-compute-request-id.

    Cinder sends both headers, and some tools read the older one.
    """

    compat_headers = ['x-compute-request-id']
