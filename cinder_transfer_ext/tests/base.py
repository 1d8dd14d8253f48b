"""Base test case: the real paste pipeline on a fresh database.

Requests go through ``deploy.loadapp`` with the noauth pipeline, so each
test exercises routing, microversions, policy, validation, the service
and the database exactly as a server would, without a socket.
"""

import json

from oslo_policy import opts as policy_opts
import sqlalchemy as sa
import testtools
import webob

from cinder_transfer_ext.api import router
from cinder_transfer_ext.cmd import manage
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import migration
from cinder_transfer_ext import deploy
from cinder_transfer_ext.tests import fixtures as test_fixtures

# Projects and personas. Project ids match Cinder's default
# project_id_regex, [0-9a-f-]+.
P1 = 'aaaa0000000000000000000000000001'
P2 = 'bbbb0000000000000000000000000002'
A0 = 'adadadad000000000000000000000000'

ADMIN = f'admin:{A0}:admin+member+reader'
MEMBER1 = f'member1:{P1}:member+reader'
READER1 = f'reader1:{P1}:reader'
FOO1 = f'foo1:{P1}:foo'
MEMBER2 = f'member2:{P2}:member+reader'
READER2 = f'reader2:{P2}:reader'


def project_of(token: str) -> str:
    return token.split(':')[1]


def user_of(token: str) -> str:
    return token.split(':')[0]


class Response:
    """A webob response with the decoded JSON body as ``json``."""

    def __init__(self, response: webob.Response):
        self.raw = response
        self.status = response.status_int
        self.headers = response.headers
        self.body = response.body
        try:
            self.json = json.loads(response.body) if response.body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f'<Response {self.status} {self.body[:300]!r}>'


class TransferTestCase(testtools.TestCase):
    """Runs requests through the real pipeline against a fresh database."""

    backend = None
    config_overrides: dict = {}

    def setUp(self):
        super().setUp()
        database_url = test_fixtures.use_database(self, self.backend)
        self.conf = deploy.new_conf([])
        self.conf.set_override('connection', database_url,
                               group='database')
        self.conf.set_override('auth_strategy', 'noauth',
                               group=deploy.GROUP)
        # oslo.policy registers its [oslo_policy] options only when the app
        # builds its Enforcer, so register them here for the overrides.
        policy_opts.set_defaults(self.conf)
        for (group, name), value in self.config_overrides.items():
            self.conf.set_override(name, value, group=group)

        self.database = db_api.Database(self.conf)
        self.addCleanup(self.database.dispose)
        migration.db_sync(self.database.get_engine())
        self.app = deploy.loadapp(self.conf)
        self.addCleanup(self._dispose_app_database)
        self.admin_context = manage._admin_context(self.database)

    def _dispose_app_database(self):
        self._find_transfer_app().database.dispose()

    def _find_transfer_app(self):
        """Return the TransferApp at the end of the /v3 pipeline."""
        apps = dict((path, app) for (_, path), app in self.app.applications)
        app = apps['/v3']
        for _ in range(20):
            if isinstance(app, router.TransferApp):
                return app
            app = getattr(app, 'application', None) or getattr(
                app, 'app', None)
        raise AssertionError('TransferApp not found in the pipeline')

    # Requests

    def request(self, method: str, path: str, token: str | None = MEMBER1,
                body=None, version: str | None = None,
                headers: dict | None = None, raw_body: bytes | None = None,
                content_type: str | None = 'application/json') -> Response:
        req = webob.Request.blank(path, method=method)
        if token is not None:
            req.headers['X-Auth-Token'] = token
        if version is not None:
            req.headers['OpenStack-API-Version'] = f'volume {version}'
        if body is not None:
            req.body = json.dumps(body).encode('utf-8')
        elif raw_body is not None:
            req.body = raw_body
        if (body is not None or raw_body is not None) and content_type:
            req.content_type = content_type
        for name, value in (headers or {}).items():
            req.headers[name] = value
        return Response(req.get_response(self.app))

    def url(self, project: str | None, suffix: str = '',
            collection: str = 'volume-transfers') -> str:
        base = f'/v3/{project}/{collection}' if project else \
            f'/v3/{collection}'
        return base + suffix

    # Factories

    def create_volume(self, project: str = P1, user: str = 'member1',
                      size: int = 1, status: str = 'available',
                      volume_type: str = db_api.DEFAULT_VOLUME_TYPE,
                      **values) -> dict:
        volume_type_row = db_api.volume_type_get_or_create(
            self.admin_context, volume_type)
        row = dict(project_id=project, user_id=user, size=size,
                   status=status, display_name=values.pop('name', None),
                   volume_type_id=volume_type_row['id'],
                   attach_status='detached', availability_zone='nova')
        row.update(values)
        return db_api.volume_create(self.admin_context, row)

    def create_snapshot(self, volume: dict, status: str = 'available',
                        **values) -> dict:
        row = dict(volume_id=volume['id'], project_id=volume['project_id'],
                   user_id=volume['user_id'], status=status)
        row.update(values)
        return db_api.snapshot_create(self.admin_context, row)

    def create_transfer(self, volume: dict | None = None,
                        token: str = MEMBER1, version: str | None = None,
                        **fields) -> dict:
        """Create a transfer through the API; return its create body."""
        volume = volume or self.create_volume(project=project_of(token))
        body = {'transfer': dict({'volume_id': volume['id']}, **fields)}
        response = self.request('POST', self.url(project_of(token)), token,
                                body=body, version=version)
        self.assertEqual(202, response.status, response)
        return response.json['transfer']

    def accept_transfer(self, transfer: dict,
                        token: str = MEMBER2) -> Response:
        """Accept a transfer with its key through the API.

        ``transfer`` is a create body, which contains the auth key. Returns
        the response.
        """
        return self.request(
            'POST', self.url(project_of(token), f"/{transfer['id']}/accept"),
            token, body={'accept': {'auth_key': transfer['auth_key']}})

    # Database reads

    def volume_row(self, volume_id: str) -> dict:
        return db_api.volume_get(self.admin_context, volume_id)

    def snapshot_row(self, snapshot_id: str) -> dict:
        return db_api.snapshot_get(self.admin_context, snapshot_id)

    def transfer_row(self, transfer_id: str) -> dict:
        """Return the transfer row, live or soft-deleted."""
        with self.database.reader.using(self.admin_context) as session:
            row = session.execute(sa.select(db_api.TRANSFERS).where(
                db_api.TRANSFERS.c.id == transfer_id)).mappings().first()
        return dict(row) if row else None

    def assertFault(self, response: Response, status: int, name: str,
                    message: str | None = None):
        self.assertEqual(status, response.status, response)
        self.assertEqual([name], list(response.json), response)
        self.assertEqual(status, response.json[name]['code'])
        if message is not None:
            self.assertEqual(message, response.json[name]['message'])
