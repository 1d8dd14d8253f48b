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

import os
import re

ENV_REQUEST_ID = 'openstack.request_id'
ENV_GLOBAL_REQUEST_ID = 'openstack.global_request_id'
# The incoming header, as WSGI names it.
INBOUND_HEADER = 'HTTP_X_OPENSTACK_REQUEST_ID'
RESPONSE_HEADERS = ('x-openstack-request-id', 'x-compute-request-id')
# The form of the ids that oslo.context generates. Other values are dropped.
_GLOBAL_ID_FORMAT = re.compile(
    r'^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$')


# The variant digit of an RFC 4122 UUID, indexed by the two random bits
# that the variant leaves in it.
_VARIANT_DIGITS = '89ab'


def new_request_id() -> str:
    """Return ``req-`` and a new random (version 4) UUID.

    The UUID is the one uuid.uuid4() would make from the same random
    bytes, built from their hex form in less than half the time (measured
    with CPython 3.11).
    """
    digits = os.urandom(16).hex()
    variant = _VARIANT_DIGITS[int(digits[16], 16) & 3]
    return (f'req-{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-'
            f'{variant}{digits[17:20]}-{digits[20:]}')


class RequestId:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        global_id = environ.get(INBOUND_HEADER)
        if global_id and _GLOBAL_ID_FORMAT.match(global_id):
            environ[ENV_GLOBAL_REQUEST_ID] = global_id
        request_id = new_request_id()
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
