"""Absolute links to resources, as Cinder builds them."""

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
        application_url = req.application_url
        if public_endpoint:
            # Keep the request's path (such as /v3) after the endpoint.
            path = urllib.parse.urlsplit(application_url).path
            application_url = public_endpoint.rstrip('/') + path
        self.prefix = application_url.rstrip('/')
        self.project_id = project_id
        self.collection = collection
        # A list page builds links for every item, so the parts that all
        # items share are joined once here.
        split = urllib.parse.urlsplit(self.prefix)
        unversioned = _VERSION_SEGMENT.sub('', split.path)
        self._bookmark_base = urllib.parse.urlunsplit(
            (split.scheme, split.netloc, unversioned, '', ''))
        self._collection_path = self._path(project_id, collection)

    def _path(self, *parts: str | None) -> str:
        return '/' + '/'.join(part for part in parts if part)

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
