"""The WSGI filters in front of the application, through the real pipeline.

Request ids, CORS, proxy headers, the body size limit and the fault
wrapper are plain WSGI callables or skip oslo.middleware's filter when it
would do nothing. These tests check that each still behaves as the
oslo.middleware filter does, and that the per-request log line carries
the request's own context.
"""

import io
import json
import linecache
import logging
import re
import threading
import uuid

import fixtures
from oslo_context import context as oslo_context
from oslo_log import formatters
from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import sizelimit
import testtools
import webob

from cinder_transfer_ext.api.middleware import fault
from cinder_transfer_ext.api.middleware import noauth
from cinder_transfer_ext.api.middleware import request_id as request_id_filter
from cinder_transfer_ext.api import router
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext import context as transfer_context
from cinder_transfer_ext import deploy
from cinder_transfer_ext.tests import base

# A request id as oslo.context generates it: "req-" and a version 4 UUID.
REQUEST_ID_RE = re.compile(
    r'^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-'
    r'[0-9a-f]{12}$')
REQUEST_ID_HEADERS = ('x-openstack-request-id', 'x-compute-request-id')
ORIGIN = 'https://dashboard.example.com'
PROXY_HOST = 'volumes.example.com'
# The default of [oslo_middleware] max_request_body_size.
DEFAULT_MAX_BODY = 114688
# fault.py's message for a 413 that sizelimit wrote as text.
SIZE_LIMIT_MESSAGE = ('The request body is larger than the configured '
                      '[oslo_middleware] max_request_body_size.')


def new_conf_with_middleware_options(*args, **kwargs):
    """Return deploy.new_conf() with oslo.middleware's options registered.

    oslo.middleware registers its options only when a filter is built, but
    TransferTestCase applies config_overrides before it builds the app,
    and set_override needs the option to be registered already.
    """
    conf = _ORIGINAL_NEW_CONF(*args, **kwargs)
    conf.register_opts(cors.OPTS, 'cors')
    conf.register_opts(http_proxy_to_wsgi.OPTS, 'oslo_middleware')
    conf.register_opts(sizelimit.OPTS, 'oslo_middleware')
    return conf


_ORIGINAL_NEW_CONF = deploy.new_conf


class EnvironRecorder:
    """Record a copy of each WSGI environ, then call ``application``."""

    def __init__(self, application):
        self.application = application
        self.environs = []

    def __call__(self, environ, start_response):
        self.environs.append(dict(environ))
        return self.application(environ, start_response)


class RecordCollector(logging.Handler):
    """Keep every log record, so tests can read its attributes."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


class PipelineTestCase(base.TransferTestCase):
    """TransferTestCase whose config_overrides may set oslo.middleware's."""

    def setUp(self):
        self.useFixture(fixtures.MonkeyPatch(
            'cinder_transfer_ext.deploy.new_conf',
            new_conf_with_middleware_options))
        super().setUp()

    def record_environ(self) -> EnvironRecorder:
        """Record the environ that reaches the application, after noauth."""
        apps = dict((path, app) for (_, path), app in self.app.applications)
        app = apps['/v3']
        for _ in range(20):
            if isinstance(app, noauth.NoAuthMiddleware):
                recorder = EnvironRecorder(app.application)
                app.application = recorder
                return recorder
            app = getattr(app, 'application', None) or getattr(
                app, 'app', None)
        raise AssertionError('NoAuthMiddleware not found in the pipeline')

    def show_url(self, transfer_id: str) -> str:
        return self.url(base.P1, f'/{transfer_id}')


class RequestIdTest(PipelineTestCase):

    def test_new_id_per_request(self):
        first = self.request('GET', self.url(base.P1))
        second = self.request('GET', self.url(base.P1))

        self.assertEqual(200, first.status, first)
        self.assertEqual(200, second.status, second)
        first_id = first.headers['x-openstack-request-id']
        second_id = second.headers['x-openstack-request-id']
        self.assertRegex(first_id, REQUEST_ID_RE)
        self.assertRegex(second_id, REQUEST_ID_RE)
        self.assertNotEqual(first_id, second_id)

    def test_ids_are_random_uuid4(self):
        ids = [request_id_filter.new_request_id() for _ in range(2000)]

        self.assertEqual(len(ids), len(set(ids)))
        for value in ids:
            self.assertRegex(value, REQUEST_ID_RE)
            parsed = uuid.UUID(value[len('req-'):])
            self.assertEqual(4, parsed.version, value)
            self.assertEqual(uuid.RFC_4122, parsed.variant, value)
        # All four variant digits occur, so the random bits reach them.
        self.assertEqual(set('89ab'), {value[23] for value in ids})

    def test_both_headers_equal(self):
        volume = self.create_volume()
        oversized = json.dumps({'transfer': {
            'volume_id': volume['id'],
            'name': 'x' * (DEFAULT_MAX_BODY + 1)}}).encode()
        responses = {
            200: self.request('GET', self.url(base.P1)),
            401: self.request('GET', self.url(base.P1), token=None),
            404: self.request('GET', self.show_url(str(uuid.uuid4()))),
            413: self.request('POST', self.url(base.P1), raw_body=oversized),
        }

        for status, response in responses.items():
            self.assertEqual(status, response.status, response)
            self.assertRegex(response.headers['x-openstack-request-id'],
                             REQUEST_ID_RE)
            self.assertEqual(response.headers['x-openstack-request-id'],
                             response.headers['x-compute-request-id'],
                             status)

    def test_each_header_sent_once(self):
        response = self.request('GET', self.url(base.P1))

        for name in REQUEST_ID_HEADERS:
            values = response.raw.headers.getall(name)
            self.assertEqual(1, len(values), (name, values))

    def test_environ_id_matches_header(self):
        recorder = self.record_environ()

        response = self.request('GET', self.url(base.P1))

        self.assertEqual(200, response.status, response)
        environ = recorder.environs[-1]
        request_id = response.headers['x-openstack-request-id']
        self.assertEqual(request_id, environ['openstack.request_id'])
        self.assertEqual(request_id,
                         environ[wsgi.ENV_CONTEXT].request_id)

    def test_valid_global_id_reaches_environ(self):
        recorder = self.record_environ()
        global_id = f'req-{uuid.uuid4()}'

        response = self.request('GET', self.url(base.P1),
                                headers={'X-OpenStack-Request-ID': global_id})

        self.assertEqual(200, response.status, response)
        environ = recorder.environs[-1]
        self.assertEqual(global_id, environ['openstack.global_request_id'])
        # The inbound id becomes the global id, and the request still gets
        # a new id of its own.
        self.assertNotEqual(global_id,
                            response.headers['x-openstack-request-id'])
        self.assertEqual(response.headers['x-openstack-request-id'],
                         environ['openstack.request_id'])

    def test_invalid_global_ids_ignored(self):
        recorder = self.record_environ()
        valid = str(uuid.uuid4())
        invalid_ids = [
            'not-a-request-id',
            valid,
            f'req-{valid.upper()}',
            f'req-{valid}x',
            f'xreq-{valid}',
            f'req-{valid.replace("-", "")}',
            'req-1234',
            '',
        ]

        for invalid_id in invalid_ids:
            response = self.request(
                'GET', self.url(base.P1),
                headers={'X-OpenStack-Request-ID': invalid_id})

            self.assertEqual(200, response.status, response)
            environ = recorder.environs[-1]
            self.assertNotIn('openstack.global_request_id', environ,
                             invalid_id)
            self.assertRegex(response.headers['x-openstack-request-id'],
                             REQUEST_ID_RE)


class CorsTest(PipelineTestCase):
    config_overrides = {('cors', 'allowed_origin'): [ORIGIN]}

    def test_matching_origin_gets_cors_headers(self):
        response = self.request('GET', self.url(base.P1),
                                headers={'Origin': ORIGIN})

        self.assertEqual(200, response.status, response)
        self.assertEqual(ORIGIN,
                         response.headers['Access-Control-Allow-Origin'])
        vary = [value.strip() for value in
                response.headers['Vary'].split(',')]
        self.assertIn('Origin', vary)
        # The application's own Vary value is kept.
        self.assertIn('OpenStack-API-Version', vary)
        exposed = response.headers['Access-Control-Expose-Headers']
        self.assertIn('X-OpenStack-Request-ID', exposed)
        self.assertIn('OpenStack-API-Version', exposed)

    def test_no_origin_no_cors_headers(self):
        response = self.request('GET', self.url(base.P1))

        self.assertEqual(200, response.status, response)
        cors_headers = [name for name in response.headers
                        if name.lower().startswith('access-control-')]
        self.assertEqual([], cors_headers)
        self.assertNotIn('Origin', response.headers['Vary'])

    def test_other_origin_not_allowed(self):
        response = self.request('GET', self.url(base.P1),
                                headers={'Origin': 'https://evil.example'})

        self.assertEqual(200, response.status, response)
        self.assertNotIn('Access-Control-Allow-Origin', response.headers)

    def test_error_response_gets_cors_headers(self):
        # A browser can read an error only if it carries the CORS headers.
        response = self.request('GET', self.url(base.P1), token=None,
                                headers={'Origin': ORIGIN})

        self.assertFault(response, 401, 'unauthorized')
        self.assertEqual(ORIGIN,
                         response.headers['Access-Control-Allow-Origin'])

    def test_preflight_gets_preflight_headers(self):
        response = self.request(
            'OPTIONS', self.url(base.P1), token=None,
            headers={'Origin': ORIGIN,
                     'Access-Control-Request-Method': 'POST',
                     'Access-Control-Request-Headers':
                         'X-Auth-Token, OpenStack-API-Version'})

        self.assertEqual(200, response.status, response)
        self.assertEqual(ORIGIN,
                         response.headers['Access-Control-Allow-Origin'])
        self.assertIn('POST',
                      response.headers['Access-Control-Allow-Methods'])
        allowed_headers = {
            name.strip().lower() for name in
            response.headers['Access-Control-Allow-Headers'].split(',')}
        self.assertIn('x-auth-token', allowed_headers)
        self.assertIn('openstack-api-version', allowed_headers)
        self.assertIn('Access-Control-Max-Age', response.headers)

    def test_preflight_other_origin_rejected(self):
        response = self.request(
            'OPTIONS', self.url(base.P1), token=None,
            headers={'Origin': 'https://evil.example',
                     'Access-Control-Request-Method': 'GET'})

        self.assertNotIn('Access-Control-Allow-Origin', response.headers)
        self.assertNotIn('Access-Control-Allow-Methods', response.headers)


class ProxyHeadersTest(PipelineTestCase):
    config_overrides = {
        ('oslo_middleware', 'enable_proxy_headers_parsing'): True}

    proxy_headers = {'X-Forwarded-Proto': 'https',
                     'X-Forwarded-Host': PROXY_HOST}

    def test_show_links_use_forwarded_host(self):
        transfer = self.create_transfer()

        response = self.request('GET', self.show_url(transfer['id']),
                                headers=self.proxy_headers)

        self.assertEqual(200, response.status, response)
        links = {link['rel']: link['href']
                 for link in response.json['transfer']['links']}
        self.assertEqual(
            f"https://{PROXY_HOST}/v3/{base.P1}/volume-transfers/"
            f"{transfer['id']}", links['self'])
        self.assertEqual(
            f"https://{PROXY_HOST}/{base.P1}/volume-transfers/"
            f"{transfer['id']}", links['bookmark'])

    def test_list_links_use_forwarded_host(self):
        self.create_transfer()
        self.create_transfer()

        response = self.request('GET', self.url(base.P1, '?limit=1'),
                                headers=self.proxy_headers)

        self.assertEqual(200, response.status, response)
        for link in response.json['transfers'][0]['links']:
            self.assertTrue(
                link['href'].startswith(f'https://{PROXY_HOST}/'), link)
        (next_link,) = response.json['transfers_links']
        self.assertTrue(
            next_link['href'].startswith(
                f'https://{PROXY_HOST}/v3/{base.P1}/volume-transfers?'),
            next_link)

    def test_request_without_proxy_headers_unchanged(self):
        transfer = self.create_transfer()

        response = self.request('GET', self.show_url(transfer['id']))

        self.assertEqual(200, response.status, response)
        for link in response.json['transfer']['links']:
            self.assertTrue(link['href'].startswith('http://localhost/'),
                            link)


class ProxyHeadersDisabledTest(PipelineTestCase):

    def test_proxy_headers_ignored_by_default(self):
        transfer = self.create_transfer()

        response = self.request(
            'GET', self.show_url(transfer['id']),
            headers={'X-Forwarded-Proto': 'https',
                     'X-Forwarded-Host': PROXY_HOST,
                     'Forwarded': f'proto=https;host={PROXY_HOST}'})

        self.assertEqual(200, response.status, response)
        for link in response.json['transfer']['links']:
            self.assertTrue(link['href'].startswith('http://localhost/'),
                            link)
            self.assertNotIn(PROXY_HOST, link['href'])


class SizeLimitTestBase(PipelineTestCase):

    max_body = DEFAULT_MAX_BODY

    def padded_body(self, volume_id: str, size: int) -> bytes:
        """Return a valid create body of exactly ``size`` bytes."""
        body = json.dumps({'transfer': {'volume_id': volume_id}}).encode()
        self.assertLessEqual(len(body), size)
        return body + b' ' * (size - len(body))

    def post_chunked(self, body: bytes) -> base.Response:
        """POST ``body`` without Content-Length, as a chunked request."""
        req = webob.Request.blank(self.url(base.P1), method='POST')
        req.headers['X-Auth-Token'] = base.MEMBER1
        req.content_type = 'application/json'
        req.body_file = io.BytesIO(body)
        req.environ.pop('CONTENT_LENGTH', None)
        req.headers['Transfer-Encoding'] = 'chunked'
        req.is_body_seekable = False
        return base.Response(req.get_response(self.app))

    def post_with_length(self, body: bytes, length: str) -> base.Response:
        """POST ``body`` with ``length`` as the raw Content-Length value."""
        req = webob.Request.blank(self.url(base.P1), method='POST')
        req.headers['X-Auth-Token'] = base.MEMBER1
        req.content_type = 'application/json'
        req.body = body
        req.environ['CONTENT_LENGTH'] = length
        return base.Response(req.get_response(self.app))

    def assertOverLimit(self, response: base.Response,
                        chunked: bool = False):
        """Check for the 413 fault of a body over ``max_body``.

        A chunked body is rejected by the handler while it reads, with
        oslo.middleware's message, which names the limit.
        """
        if chunked:
            self.assertFault(response, 413, 'overLimit')
            self.assertIn(str(self.max_body),
                          response.json['overLimit']['message'])
        else:
            self.assertFault(response, 413, 'overLimit', SIZE_LIMIT_MESSAGE)
        self.assertEqual('application/json',
                         response.headers['Content-Type'].split(';')[0])
        self.assertEqual('0', response.headers['Retry-After'])

    def assertLimitApplies(self):
        """Check that a body one byte over ``max_body`` gets 413, not at it."""
        volume = self.create_volume()

        over = self.request(
            'POST', self.url(base.P1),
            raw_body=self.padded_body(volume['id'], self.max_body + 1))
        at_limit = self.request(
            'POST', self.url(base.P1),
            raw_body=self.padded_body(volume['id'], self.max_body))

        self.assertOverLimit(over)
        self.assertEqual(202, at_limit.status, at_limit)


class SizeLimitTest(SizeLimitTestBase):

    def test_content_length_over_limit_413(self):
        volume = self.create_volume()

        response = self.request(
            'POST', self.url(base.P1),
            raw_body=self.padded_body(volume['id'], self.max_body + 1))

        self.assertOverLimit(response)
        self.assertEqual('available', self.volume_row(volume['id'])['status'])

    def test_body_at_limit_accepted(self):
        volume = self.create_volume()

        response = self.request(
            'POST', self.url(base.P1),
            raw_body=self.padded_body(volume['id'], self.max_body))

        self.assertEqual(202, response.status, response)

    def test_chunked_body_over_limit_413(self):
        volume = self.create_volume()

        response = self.post_chunked(
            self.padded_body(volume['id'], self.max_body + 1))

        self.assertOverLimit(response, chunked=True)
        self.assertEqual('available', self.volume_row(volume['id'])['status'])

    def test_chunked_body_within_limit_accepted(self):
        volume = self.create_volume()

        response = self.post_chunked(
            json.dumps({'transfer': {'volume_id': volume['id']}}).encode())

        self.assertEqual(202, response.status, response)

    def test_declared_length_over_limit_on_get_413(self):
        # oslo.middleware's filter rejects a declared length over the
        # limit whatever the method, and the skip must not change that.
        req = webob.Request.blank(self.url(base.P1), method='GET')
        req.headers['X-Auth-Token'] = base.MEMBER1
        req.environ['CONTENT_LENGTH'] = str(self.max_body + 1)

        response = base.Response(req.get_response(self.app))

        self.assertOverLimit(response)

    def test_non_digit_content_length_no_500(self):
        lengths = ['abc', '\uff11\uff12', ' 12', '12 ', '-1', '+5', '1e3',
                   '0x10', '1_0', '99999999999999999999999']

        for length in lengths:
            volume = self.create_volume()
            body = json.dumps({'transfer': {'volume_id': volume['id']}})

            response = self.post_with_length(body.encode(), length)

            self.assertLess(response.status, 500, (length, response))
            self.assertIsNotNone(response.json, (length, response))

    def test_non_digit_content_length_on_get(self):
        for length in ('abc', '-1', ' 7'):
            req = webob.Request.blank(self.url(base.P1), method='GET')
            req.headers['X-Auth-Token'] = base.MEMBER1
            req.environ['CONTENT_LENGTH'] = length

            response = base.Response(req.get_response(self.app))

            self.assertEqual(200, response.status, (length, response))


class ConfiguredSizeLimitTest(SizeLimitTestBase):
    max_body = 2048
    config_overrides = {
        ('oslo_middleware', 'max_request_body_size'): 2048}

    def test_configured_limit_applies(self):
        self.assertLimitApplies()

    def test_configured_limit_applies_chunked(self):
        volume = self.create_volume()

        response = self.post_chunked(
            self.padded_body(volume['id'], self.max_body + 1))

        self.assertOverLimit(response, chunked=True)


class PasteSectionSizeLimitTest(SizeLimitTestBase):
    """A limit set in the filter's paste section overrides the option."""

    max_body = 1024

    def setUp(self):
        super().setUp()
        with open(deploy.paste_file_path(self.conf)) as shipped:
            text = shipped.read()
        section = ('paste.filter_factory = cinder_transfer_ext.api.'
                   'middleware.oslo_filters:sizelimit_filter_factory\n')
        self.assertIn(section, text)
        text = text.replace(
            section, section + f'max_request_body_size = {self.max_body}\n')
        path = self.useFixture(fixtures.TempDir()).join('api-paste.ini')
        with open(path, 'w') as paste_file:
            paste_file.write(text)
        # The application that the base class built is replaced, so its
        # database connections are closed here.
        self._find_transfer_app().database.dispose()
        self.app = deploy.loadapp(self.conf, paste_file=path)

    def test_paste_limit_applies(self):
        self.assertLimitApplies()


class LazyBody:
    """A WSGI body that calls start_response when first iterated.

    ``close()`` calls are counted, as the WSGI server makes them.
    """

    def __init__(self, start_response, status, headers, chunks,
                 error=None):
        self.start_response = start_response
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.error = error
        self.close_calls = 0

    def __iter__(self):
        if self.error is not None:
            raise self.error
        self.start_response(self.status, self.headers)
        yield from self.chunks

    def close(self):
        self.close_calls += 1


class LazyApp:
    """A WSGI application that returns a LazyBody and keeps each one."""

    def __init__(self, status, headers, chunks, error=None):
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.error = error
        self.bodies = []

    def __call__(self, environ, start_response):
        body = LazyBody(start_response, self.status, self.headers,
                        self.chunks, self.error)
        self.bodies.append(body)
        return body


def generator_app(closed: list):
    """Return a generator application that appends to ``closed`` at the end.

    Its body is two chunks, and the generator starts the response only
    when it is first iterated.
    """
    def application(environ, start_response):
        try:
            start_response('200 OK', [('Content-Type', 'text/plain')])
            yield b'one'
            yield b'two'
        finally:
            closed.append(True)
    return application


class FaultWrapperLazyAppTest(testtools.TestCase):
    """FaultWrapper around an application that starts its response late."""

    def call(self, application):
        """Call FaultWrapper(application) as a WSGI server does.

        Checks that the server's start_response was called once, and
        returns its status and headers with the joined body.
        """
        started = []

        def start_response(status, headers, exc_info=None):
            started.append((status, headers))
            return lambda data: None

        environ = webob.Request.blank('/v3/example').environ
        app_iter = fault.FaultWrapper(application)(environ, start_response)
        try:
            body = b''.join(app_iter)
        finally:
            if hasattr(app_iter, 'close'):
                app_iter.close()
        self.assertEqual(1, len(started), started)
        status, headers = started[0]
        return status, headers, body

    def test_success_passes_through(self):
        application = LazyApp(
            '200 OK', [('Content-Type', 'text/plain'), ('X-Extra', 'kept')],
            [b'first ', b'second ', b'third'])

        status, headers, body = self.call(application)

        self.assertEqual('200 OK', status)
        self.assertIn(('X-Extra', 'kept'), headers)
        self.assertIn(('Content-Type', 'text/plain'), headers)
        self.assertEqual(b'first second third', body)
        self.assertEqual(1, application.bodies[0].close_calls)

    def test_empty_body_passes_through(self):
        application = LazyApp('204 No Content', [], [])

        status, headers, body = self.call(application)

        self.assertEqual('204 No Content', status)
        self.assertEqual(b'', body)
        self.assertEqual(1, application.bodies[0].close_calls)

    def test_generator_app_closed(self):
        closed = []
        application = generator_app(closed)

        status, _headers, body = self.call(application)

        self.assertEqual('200 OK', status)
        self.assertEqual(b'onetwo', body)
        self.assertEqual([True], closed)

    def test_generator_closed_when_body_not_read(self):
        closed = []
        started = []
        application = generator_app(closed)

        environ = webob.Request.blank('/v3/example').environ
        app_iter = fault.FaultWrapper(application)(
            environ, lambda status, headers, exc_info=None:
            started.append(status))
        # A server that stops after the headers still calls close().
        app_iter.close()

        self.assertEqual(['200 OK'], started)
        self.assertEqual([True], closed)

    def test_json_error_passes_through(self):
        fault_body = json.dumps(
            {'itemNotFound': {'code': 404, 'message': 'No such thing.'}})
        application = LazyApp(
            '404 Not Found', [('Content-Type', 'application/json')],
            [fault_body.encode()])

        status, _headers, body = self.call(application)

        self.assertEqual('404 Not Found', status)
        self.assertEqual(fault_body.encode(), body)

    def test_text_error_becomes_fault(self):
        application = LazyApp(
            '404 Not Found', [('Content-Type', 'text/html')],
            [b'<html>not ', b'found</html>'])

        status, headers, body = self.call(application)

        self.assertEqual('404 Not Found', status)
        self.assertEqual('application/json',
                         dict(headers)['Content-Type'].split(';')[0])
        self.assertEqual(
            {'itemNotFound': {'code': 404, 'message': '404 Not Found'}},
            json.loads(body))
        self.assertEqual(1, application.bodies[0].close_calls)

    def test_text_413_becomes_over_limit(self):
        application = LazyApp(
            '413 Request Entity Too Large',
            [('Content-Type', 'text/plain')], [b'too large'])

        status, headers, body = self.call(application)

        self.assertTrue(status.startswith('413 '), status)
        self.assertEqual('0', dict(headers)['Retry-After'])
        self.assertEqual(
            {'overLimit': {'code': 413, 'message': SIZE_LIMIT_MESSAGE,
                           'retryAfter': '0'}},
            json.loads(body))
        self.assertEqual(1, application.bodies[0].close_calls)

    def test_untyped_401_keeps_authenticate_header(self):
        application = LazyApp(
            '401 Unauthorized',
            [('WWW-Authenticate', 'Keystone uri="http://127.0.0.1:5000"')],
            [b'Authentication required'])

        status, headers, body = self.call(application)

        self.assertTrue(status.startswith('401 '), status)
        self.assertEqual('Keystone uri="http://127.0.0.1:5000"',
                         dict(headers)['WWW-Authenticate'])
        self.assertEqual(
            {'unauthorized': {'code': 401,
                              'message': 'Authentication required.'}},
            json.loads(body))

    def test_error_in_first_iteration_is_500(self):
        application = LazyApp('200 OK', [], [b'never sent'],
                              error=RuntimeError('failed before starting'))
        self.useFixture(fixtures.FakeLogger(level='ERROR'))

        status, _headers, body = self.call(application)

        self.assertTrue(status.startswith('500 '), status)
        self.assertEqual(500, json.loads(body)['computeFault']['code'])

    def test_app_never_starting_response_is_500(self):
        # Broken WSGI: the body ends without start_response being called.
        def application(environ, start_response):
            return iter([])

        self.useFixture(fixtures.FakeLogger(level='ERROR'))

        status, _headers, body = self.call(application)

        self.assertTrue(status.startswith('500 '), status)
        self.assertEqual(500, json.loads(body)['computeFault']['code'])


class RequestLogLineTest(PipelineTestCase):
    """The INFO line of each request shows that request's caller."""

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level='INFO'))
        self.collector = RecordCollector()
        self.useFixture(fixtures.LogHandler(self.collector,
                                            nuke_handlers=False))
        # A thread-local store of the current context for this test only,
        # so contexts made here do not leak into other tests.
        self.useFixture(fixtures.MonkeyPatch(
            'oslo_context.context._request_store', threading.local()))
        self.formatter = formatters.ContextFormatter(config=self.conf)

    def request_lines(self) -> list:
        return [record for record in self.collector.records
                if record.name == 'cinder_transfer_ext.api.router' and
                'request id:' in record.getMessage()]

    def assertCallerContext(self, record, environ, user: str,
                            project: str):
        self.assertIn('context', record.__dict__,
                      'the request line was logged without context=')
        context = record.context
        self.assertIs(environ[wsgi.ENV_CONTEXT], context)
        self.assertEqual(user, context.user_id)
        self.assertEqual(project, context.project_id)
        self.assertFalse(context.is_admin)
        self.assertNotIn('admin', context.roles)
        line = self.formatter.format(record)
        self.assertIn(f'{context.request_id} {user} {project}', line)

    def test_create_line_shows_caller(self):
        volume = self.create_volume()
        self.create_snapshot(volume)
        recorder = self.record_environ()

        response = self.request('POST', self.url(base.P1),
                                body={'transfer': {'volume_id': volume['id']}})

        self.assertEqual(202, response.status, response)
        (record,) = self.request_lines()
        self.assertIn('POST /v3/', record.getMessage())
        self.assertCallerContext(record, recorder.environs[-1], 'member1',
                                 base.P1)
        # No admin copy became the thread's current context either.
        current = oslo_context.get_current()
        self.assertFalse(current is not None and current.is_admin,
                         current and current.to_dict())

    def test_accept_line_shows_caller(self):
        transfer = self.create_transfer()
        recorder = self.record_environ()

        response = self.accept_transfer(transfer)

        self.assertEqual(202, response.status, response)
        (record,) = [record for record in self.request_lines()
                     if '/accept' in record.getMessage()]
        self.assertCallerContext(record, recorder.environs[-1], 'member2',
                                 base.P2)

    def test_service_lines_show_own_request(self):
        # Lines logged without context= use the thread's current context,
        # which must be the request's own, not an earlier request's.
        current = []
        collector = RecordCollector()
        collector.emit = lambda record: current.append(
            (record.getMessage(), oslo_context.get_current()))
        self.useFixture(fixtures.LogHandler(collector, nuke_handlers=False))
        volume = self.create_volume()
        earlier = self.request('GET', self.url(base.P2), base.MEMBER2)
        self.assertEqual(200, earlier.status, earlier)

        created = self.request(
            'POST', self.url(base.P1),
            body={'transfer': {'volume_id': volume['id']}})

        self.assertEqual(202, created.status, created)
        lines = [(message, context) for message, context in current
                 if message.startswith('Created transfer')]
        self.assertEqual(1, len(lines), current)
        context = lines[0][1]
        self.assertIsNotNone(context)
        self.assertEqual(created.headers['x-openstack-request-id'],
                         context.request_id)
        self.assertEqual('member1', context.user_id)
        self.assertFalse(context.is_admin)

    def test_line_source_position(self):
        response = self.request('GET', self.url(base.P1))

        self.assertEqual(200, response.status, response)
        (record,) = self.request_lines()
        self.assertEqual(router.__file__, record.pathname)
        self.assertEqual('_log_request', record.funcName)
        source = linecache.getline(record.pathname, record.lineno)
        # A line of the function's body, as a logging call would report.
        self.assertIn('f_lineno', source)

    def test_line_path_quoted_as_webob(self):
        raw_paths = [f'/v3/{base.P1}/volume-transfers',
                     f'/v3/{base.P1}/volume-transfers/a b',
                     '/v3/caf\xc3\xa9', "/v3/x'y;z=@:$!(*)~,+&",
                     '/v3/a"b<c>`{|}^', '/v3/%41%2F', '/v3/\xff']
        for raw_path in raw_paths:
            req = webob.Request.blank('/')
            req.environ['PATH_INFO'] = raw_path
            req.headers['X-Auth-Token'] = base.MEMBER1
            try:
                expected = webob.Request(dict(req.environ)).path
            except UnicodeDecodeError:
                # A path that is not UTF-8 is logged as the server passed it.
                expected = raw_path

            req.get_response(self.app)

            message = self.request_lines()[-1].getMessage()
            self.assertIn(f'GET {expected} status:', message, raw_path)

    def test_unauthenticated_line_has_no_identity(self):
        # A context left current in the thread, as an earlier request or
        # an elevated copy could leave it, must not appear on the line.
        transfer_context.RequestContext(
            user_id='stale-user', project_id=base.P2, roles=['admin'],
            is_admin=True, request_id=f'req-{uuid.uuid4()}')
        self.assertEqual('stale-user', oslo_context.get_current().user_id)
        authenticated = self.request('GET', self.url(base.P1))
        self.assertEqual(200, authenticated.status, authenticated)
        # The router itself returns 401 when no filter added a context.
        req = webob.Request.blank(f'/{base.P1}/volume-transfers')
        req.environ['SCRIPT_NAME'] = '/v3'
        req.environ['openstack.request_id'] = f'req-{uuid.uuid4()}'

        response = base.Response(req.get_response(self._find_transfer_app()))

        self.assertFault(response, 401, 'unauthorized')
        (first, second) = self.request_lines()
        self.assertEqual('member1', first.context.user_id)
        self.assertIn('status: 401', second.getMessage())
        self.assertIn('context', second.__dict__,
                      'the request line was logged without context=')
        self.assertIsNone(second.context)
        line = self.formatter.format(second)
        self.assertNotIn('stale-user', line)
        self.assertNotIn('member1', line)
        self.assertNotIn(base.P2, line)
