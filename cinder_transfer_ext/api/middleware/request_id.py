"""Request ids, with Cinder's extra response header.

The behaviour is that of oslo.middleware's RequestId filter: every request
gets a new ``req-<uuid4>`` id in ``openstack.request_id`` and in the
``x-openstack-request-id`` response header, and a well-formed incoming
``X-OpenStack-Request-ID`` becomes ``openstack.global_request_id``. Cinder
also sends the id as ``x-compute-request-id``, which some tools read.

It is a plain WSGI callable: oslo.middleware's version builds a webob
request and response around every call, which cost as much as serving a
show from the database.
"""

import re
import uuid

ENV_REQUEST_ID = 'openstack.request_id'
ENV_GLOBAL_REQUEST_ID = 'openstack.global_request_id'
# The incoming header, as WSGI names it.
INBOUND_HEADER = 'HTTP_X_OPENSTACK_REQUEST_ID'
RESPONSE_HEADERS = ('x-openstack-request-id', 'x-compute-request-id')
# The form of the ids that oslo.context generates. Other values are dropped.
_GLOBAL_ID_FORMAT = re.compile(
    r'^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$')


class RequestId:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        global_id = environ.get(INBOUND_HEADER)
        if global_id and _GLOBAL_ID_FORMAT.match(global_id):
            environ[ENV_GLOBAL_REQUEST_ID] = global_id
        request_id = f'req-{uuid.uuid4()}'
        environ[ENV_REQUEST_ID] = request_id

        def add_request_id(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            headers = list(headers)
            for name in RESPONSE_HEADERS:
                if name not in present:
                    headers.append((name, request_id))
            return start_response(status, headers, exc_info)

        return self.application(environ, add_request_id)

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls
