"""Request and response helpers shared by the handlers."""

import json

from oslo_serialization import jsonutils
import webob
import webob.exc

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import microversion

JSON_TYPES = ('application/json', 'application/vnd.openstack.volume+json')

ENV_CONTEXT = 'cinder_transfer_ext.context'
ENV_VERSION = 'cinder_transfer_ext.api_version'
ENV_APP = 'cinder_transfer_ext.app'

# No valid body nests deeper than 3 levels; the limit keeps validation and
# error messages, which recurse, far from Python's recursion limit.
MAX_BODY_DEPTH = 32


def _depth_exceeds(value, limit: int) -> bool:
    """Return whether JSON ``value`` nests deeper than ``limit``."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class Request(webob.Request):
    """A webob request with this API's context, version and services."""

    @property
    def context(self):
        return self.environ[ENV_CONTEXT]

    @property
    def api_version(self) -> microversion.APIVersion:
        return self.environ[ENV_VERSION]

    @property
    def app(self):
        return self.environ[ENV_APP]

    def json_body_object(self) -> object:
        """Decode the JSON request body.

        Raises a 415 fault for a body that is not JSON, a 413 fault for a
        body over the size limit and a 400 fault for a missing or
        unparsable body. A body without Content-Type is accepted as JSON,
        as Cinder's clients sometimes omit it.
        """
        content_type = self.content_type
        if content_type and content_type not in JSON_TYPES:
            raise faults.HTTPError(
                415, f'Unsupported Content-Type "{content_type}": send '
                     f'application/json.')
        try:
            body = self.body
        except webob.exc.HTTPRequestEntityTooLarge as error:
            # oslo.middleware's sizelimit raises this while a body without
            # Content-Length (a chunked one) is read past the limit.
            raise faults.HTTPError(413, error.explanation)
        if not body.strip():
            raise faults.HTTPError(
                400, 'The request body is missing: send a JSON object.')
        try:
            decoded = json.loads(body)
        except (ValueError, RecursionError):
            raise faults.HTTPError(
                400, 'Malformed request body: it is not valid JSON.')
        if _depth_exceeds(decoded, MAX_BODY_DEPTH):
            raise faults.HTTPError(
                400, f'The request body is nested more than '
                     f'{MAX_BODY_DEPTH} levels deep.')
        return decoded


# The encoder of oslo.serialization's jsonutils.dump_as_bytes, built once:
# json.dumps builds a new one for every call that passes ``default``.
_JSON_ENCODER = json.JSONEncoder(default=jsonutils.to_primitive)


def json_response(body: dict, status: int = 200) -> webob.Response:
    data = _JSON_ENCODER.encode(body).encode('utf-8')
    # The header list is given whole: webob's content type and charset
    # setters parse and rebuild the header, which costs more than the
    # JSON encoding of a small body. The headers are those webob sets.
    return webob.Response(
        body=data, status=status,
        headerlist=[('Content-Type', 'application/json'),
                    ('Content-Length', str(len(data)))])


def empty_response(status: int = 202) -> webob.Response:
    response = webob.Response(status=status)
    response.content_type = 'text/html'
    response.charset = 'UTF-8'
    response.body = b''
    return response
