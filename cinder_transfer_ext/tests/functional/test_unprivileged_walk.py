"""Every route of the route table, called without the rights to use it.

The routes come from ``router.ROUTES``, so a route added there is walked
without a change here. Path parameters name resources that exist, and
request bodies are valid, so that only authentication and policy can stop
a request.
"""

import re

import sqlalchemy as sa

from cinder_transfer_ext.api import router
from cinder_transfer_ext.api.handlers import transfer as transfer_handlers
from cinder_transfer_ext.db import models
from cinder_transfer_ext.tests import base

# Statuses that show a request was stopped without a server error.
REJECTED = (401, 403, 404)
_PARAMETER = re.compile(r'\{(\w+)\}')


class UnprivilegedWalkTest(base.TransferTestCase):

    def setUp(self):
        super().setUp()
        volume = self.create_volume()
        self.snapshot = self.create_snapshot(volume)
        self.transfer = self.create_transfer(volume)
        self.free_volume = self.create_volume()
        self.parameters = {
            'transfer_id': self.transfer['id'],
            'volume_id': volume['id'],
            'snapshot_id': self.snapshot['id'],
            # The caller's own project, where a project rule is easiest to
            # pass.
            'target_project_id': base.P1,
        }

    def _body_for(self, handler):
        """Return a valid body for the handlers that read one, else None."""
        if handler is transfer_handlers.create:
            return {'transfer': {'volume_id': self.free_volume['id']}}
        if handler is transfer_handlers.accept:
            return {'accept': {'auth_key': self.transfer['auth_key']}}
        return None

    def _path(self, template: str) -> str:
        """Fill a route template's parameters with existing resources."""
        for name in _PARAMETER.findall(template):
            if name not in self.parameters:
                self.fail(f'Path parameter {{{name}}} of route {template} '
                          f'has no value: add one to self.parameters.')
        return _PARAMETER.sub(
            lambda match: self.parameters[match.group(1)], template)

    def _requests(self):
        """Yield (method, path, body) for every route and route spelling."""
        for template, methods in router.ROUTES:
            path = self._path(template)
            for prefix in ('/v3', f'/v3/{base.P1}'):
                for suffix in ('', '.json'):
                    for method, handler in sorted(methods.items()):
                        yield (method, prefix + path + suffix,
                               self._body_for(handler))

    def _database_rows(self) -> dict:
        rows = {}
        with self.database.get_engine().connect() as connection:
            for table in models.Base.metadata.sorted_tables:
                query = sa.select(table).order_by(*table.primary_key)
                rows[table.name] = [
                    dict(row) for row in connection.execute(query).mappings()]
        return rows

    def test_every_route_rejects_unprivileged(self):
        before = self._database_rows()
        requests = list(self._requests())
        # Each route with and without the project, with and without .json.
        self.assertEqual(
            4 * sum(len(methods) for _, methods in router.ROUTES),
            len(requests))

        for token, name in ((base.FOO1, 'foo1'), (None, 'no token')):
            for method, path, body in requests:
                response = self.request(method, path, token, body=body)
                self.assertIn(response.status, REJECTED,
                              f'{name}: {method} {path}: {response}')
                if token is None:
                    self.assertEqual(401, response.status,
                                     f'{name}: {method} {path}: {response}')

        self.assertEqual(before, self._database_rows())
