"""Absolute links to resources, as Cinder builds them."""

import functools
import re
import urllib.parse

_VERSION_SEGMENT = re.compile(r'^/v\d+(\.\d+)?')


class LinkBuilder:
    """Builds self, bookmark and next links for one request.

    ``prefix`` is the versioned base URL (``http://host:8776/v3``): the
    configured public endpoint if there is one, else the request's own.
    ``project_id`` is the URL's project segment, or None when the request
    came without one, so that links keep the form the client used.
    ``collection`` is the collection the request addressed, such as
    ``volume-transfers``, so that links lead back to the same routes.
    """

    def __init__(self, req, public_endpoint: str | None,
                 project_id: str | None, collection: str):
        self.project_id = project_id
        self.collection = collection
        application_url = _application_url(req)
        link_bases = (_link_bases
                      if len(application_url) <= _MAX_CACHED_URL_LENGTH
                      else _link_bases.__wrapped__)
        (self.prefix, self._bookmark_base,
         self._collection_path) = link_bases(
            application_url, public_endpoint, project_id, collection)

    def _path(self, *parts: str | None) -> str:
        return _path(*parts)

    def resource_links(self, resource_id: str) -> list:
        if resource_id:
            path = f'{self._collection_path}/{resource_id}'
        else:
            path = self._collection_path
        return [
            {'rel': 'self', 'href': self.prefix + path},
            {'rel': 'bookmark', 'href': self._bookmark_base + path},
        ]

    def next_link(self, sub_path: str | None, params: list,
                  marker: str) -> dict:
        """Return the link to the page after ``marker``.

        ``sub_path`` is ``detail`` for the detailed list, else None.
        ``params`` are the request's query pairs; any marker among them is
        replaced by the new one.
        """
        query = [(key, value) for key, value in params if key != 'marker']
        query.append(('marker', marker))
        path = self._path(self.project_id, self.collection, sub_path)
        href = self.prefix + path + '?' + urllib.parse.urlencode(query)
        return {'rel': 'next', 'href': href}


def _path(*parts: str | None) -> str:
    return '/' + '/'.join(part for part in parts if part)


# The environ values that webob's Request.application_url is built from.
_URL_KEYS = ('wsgi.url_scheme', 'HTTP_HOST', 'SERVER_NAME', 'SERVER_PORT',
             'SCRIPT_NAME')


def _application_url(req) -> str:
    """Return ``req.application_url``, computed once per distinct origin."""
    environ = req.environ
    key = tuple([environ.get(name) for name in _URL_KEYS])
    if sum(len(value) for value in key if value) > _MAX_CACHED_URL_LENGTH:
        return req.application_url
    url = _APPLICATION_URLS.get(key)
    if url is None:
        if len(_APPLICATION_URLS) >= _MAX_APPLICATION_URLS:
            _APPLICATION_URLS.clear()
        url = _APPLICATION_URLS[key] = req.application_url
    return url


# Application URLs by _URL_KEYS values. Clients choose the Host header, so
# the cache starts again when it is full. URLs longer than
# _MAX_CACHED_URL_LENGTH, which no real endpoint has, are not cached, which
# keeps the cache within about a megabyte (an estimate).
_APPLICATION_URLS: dict = {}
_MAX_APPLICATION_URLS = 1024
_MAX_CACHED_URL_LENGTH = 256


@functools.lru_cache(maxsize=1024)
def _link_bases(application_url: str, public_endpoint: str | None,
                project_id: str | None, collection: str) -> tuple:
    """Return the versioned prefix, bookmark base and collection path.

    They depend only on the arguments, and a server gets few distinct
    combinations, so they are computed once each instead of per request.
    """
    if public_endpoint:
        # Keep the request's path (such as /v3) after the endpoint.
        path = urllib.parse.urlsplit(application_url).path
        application_url = public_endpoint.rstrip('/') + path
    prefix = application_url.rstrip('/')
    split = urllib.parse.urlsplit(prefix)
    unversioned = _VERSION_SEGMENT.sub('', split.path)
    bookmark_base = urllib.parse.urlunsplit(
        (split.scheme, split.netloc, unversioned, '', ''))
    return prefix, bookmark_base, _path(project_id, collection)
