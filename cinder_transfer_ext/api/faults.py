"""Cinder's fault format, and the one mapping from exceptions to statuses.

A fault body is ``{"<faultName>": {"code": <status>, "message": "..."}}``;
413 adds ``retryAfter`` and a ``Retry-After`` header.
"""

from oslo_db import exception as db_exception
from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob

from cinder_transfer_ext import exception

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: 'badRequest',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'itemNotFound',
    405: 'badMethod',
    409: 'conflictingRequest',
    413: 'overLimit',
    429: 'overLimit',
    415: 'badMediaType',
    501: 'notImplemented',
    503: 'serviceUnavailable',
}
# Every other status, 406 and 500 included, uses this name.
DEFAULT_FAULT_NAME = 'computeFault'
SERVER_ERROR_MESSAGE = ('The server has either erred or is incapable of '
                        'performing the requested operation.')

_EXCEPTION_STATUSES = (
    (exception.NotFound, 404),
    (exception.Invalid, 400),
    (exception.Forbidden, 403),
    (exception.Conflict, 409),
    (exception.QuotaExceeded, 413),
    (exception.KeyTransferFailed, 503),
)


class HTTPError(Exception):
    """A client error raised by the API layer, rendered as a fault."""

    def __init__(self, status: int, message: str,
                 headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def fault_body(status: int, message: str, retry_after: int = 0) -> dict:
    name = FAULT_NAMES.get(status, DEFAULT_FAULT_NAME)
    fault = {'code': status, 'message': message}
    if status in (413, 429):
        fault['retryAfter'] = str(retry_after)
    return {name: fault}


def fault_response(status: int, message: str, headers: dict | None = None,
                   retry_after: int = 0) -> webob.Response:
    """Return a fault; 413 and 429 also carry the retry delay in seconds.

    Over quota (413) has a retry time of 0, which Cinder's clients read
    as "do not retry".
    """
    response = webob.Response(status=status,
                              content_type='application/json',
                              charset='utf-8')
    response.body = jsonutils.dump_as_bytes(
        fault_body(status, message, retry_after))
    if status in (413, 429):
        response.headers['Retry-After'] = str(retry_after)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def response_for_exception(error: Exception) -> webob.Response:
    """Render any exception a handler raised as a fault response.

    Known client errors keep their message. Anything else is a server
    error: it is logged with its traceback and the client gets a generic
    message, so that no internal detail leaks into the body.
    """
    if isinstance(error, HTTPError):
        return fault_response(error.status, error.message, error.headers)
    if isinstance(error, exception.AcceptLocked):
        return fault_response(429, str(error),
                              retry_after=error.retry_after)
    for exception_type, status in _EXCEPTION_STATUSES:
        if isinstance(error, exception_type):
            return fault_response(status, str(error))
    if isinstance(error, (db_exception.DBConnectionError,
                          db_exception.DBDeadlock)):
        # The transaction was rolled back, so the request changed nothing
        # and the client may simply send it again.
        LOG.warning('Database unavailable while serving a request: %s',
                    type(error).__name__)
        return fault_response(
            503, 'The database is temporarily unavailable; nothing was '
                 'changed. Retry the request.')
    LOG.exception('Unexpected error while serving a request')
    return fault_response(500, SERVER_ERROR_MESSAGE)
