"""Link bases and the cached application URL."""

import webob

import testtools

from cinder_transfer_ext.api.views import links

# (wsgi.url_scheme, HTTP_HOST, SERVER_NAME, SERVER_PORT, SCRIPT_NAME)
ORIGINS = [
    ('http', '127.0.0.1:8776', '127.0.0.1', '8776', '/v3'),
    ('http', 'volumes.example.com', 'ignored', '1', '/v3'),
    ('https', 'volumes.example.com:443', 'x', '443', '/v3'),
    ('http', 'volumes.example.com:80', 'x', '80', ''),
    ('http', '[::1]:8776', '::1', '8776', '/v3'),
    ('http', '[::1]', '::1', '80', '/v3'),
    ('http', None, 'server.example.com', '8776', '/v3'),
    ('https', None, 'server.example.com', '443', '/block storage/v3'),
    ('http', 'h:1', 'x', '1', '/v\u00c3\u00a93'),
]


def request_for(origin) -> webob.Request:
    environ = dict(zip(links._URL_KEYS, origin), REQUEST_METHOD='GET',
                   PATH_INFO='/')
    return webob.Request({key: value for key, value in environ.items()
                          if value is not None})


class ApplicationUrlTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        links._APPLICATION_URLS.clear()
        self.addCleanup(links._APPLICATION_URLS.clear)

    def test_same_as_webob(self):
        # Each origin twice: once computed, once from the cache.
        for origin in ORIGINS + ORIGINS:
            req = request_for(origin)
            self.assertEqual(req.application_url,
                             links._application_url(req), origin)
        self.assertEqual(len(ORIGINS), len(links._APPLICATION_URLS))

    def test_cache_bounded(self):
        self.patch(links, '_MAX_APPLICATION_URLS', 4)

        for number in range(10):
            req = request_for(('http', f'host{number}', 'x', '80', '/v3'))
            self.assertEqual(f'http://host{number}/v3',
                             links._application_url(req))
            self.assertLessEqual(len(links._APPLICATION_URLS), 4)

    def test_long_hosts_not_cached(self):
        host = 'h' * (links._MAX_CACHED_URL_LENGTH + 1)
        req = request_for(('http', host, 'x', '80', '/v3'))
        links._link_bases.cache_clear()

        self.assertEqual(f'http://{host}/v3', links._application_url(req))
        builder = links.LinkBuilder(req, None, 'p1', 'volume-transfers')

        self.assertEqual({}, links._APPLICATION_URLS)
        self.assertEqual(0, links._link_bases.cache_info().currsize)
        self.assertEqual(f'http://{host}/v3', builder.prefix)
        self.assertEqual(f'http://{host}/p1/volume-transfers/x',
                         builder.resource_links('x')[1]['href'])
