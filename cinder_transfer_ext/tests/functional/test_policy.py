"""Policy rules per persona, checked through the HTTP API.

Each scenario is one persona, and each test method is one rule, so every
cell of the persona tables below is a test of its own. A test repeats its
request on both transfer collections, with and without the project id in
the URL, because the rule must not depend on the route spelling.
"""

import os
import uuid

import fixtures
from oslo_policy import policy as oslo_policy
import sqlalchemy as sa
import testscenarios
import testtools
import yaml

from cinder_transfer_ext.db import models
from cinder_transfer_ext import policies
from cinder_transfer_ext.tests import base

load_tests = testscenarios.load_tests_apply_scenarios

CREATE = 'volume:create_transfer'
ACCEPT = 'volume:accept_transfer'
GET = 'volume:get_transfer'
GET_ALL = 'volume:get_all_transfers'
DELETE = 'volume:delete_transfer'
VOLUME_GET = 'volume:get'
VOLUME_GET_ALL = 'volume:get_all'
SNAPSHOT_GET = 'volume:get_snapshot'
SNAPSHOT_GET_ALL = 'volume:get_all_snapshots'
QUOTA_SHOW = 'volume_extension:quotas:show'

# Column order of the tables below.
PERSONAS = [
    ('admin', {'token': base.ADMIN, 'column': 0}),
    ('member', {'token': base.MEMBER1, 'column': 1}),
    ('reader', {'token': base.READER1, 'column': 2}),
    ('foo', {'token': base.FOO1, 'column': 3}),
    ('other_member', {'token': base.MEMBER2, 'column': 4}),
    ('other_reader', {'token': base.READER2, 'column': 5}),
]

# Status of each rule's request on resources of project P1, with
# enforce_new_defaults=True (the default of oslo.policy 6.0.1). Show, list
# and accept check policy before they look anything up, so a forbidden
# persona gets 403. Create and delete look the volume or transfer up first,
# so another project gets 404.
#                     admin member reader foo other_member other_reader
NEW_DEFAULTS = {
    CREATE:           (202, 202, 403, 403, 404, 404),
    GET:              (200, 200, 200, 403, 404, 404),
    GET_ALL:          (200, 200, 200, 403, 200, 200),
    DELETE:           (202, 202, 403, 403, 404, 404),
    ACCEPT:           (202, 202, 403, 403, 202, 403),
    VOLUME_GET:       (200, 200, 200, 403, 404, 404),
    VOLUME_GET_ALL:   (200, 200, 200, 403, 200, 200),
    SNAPSHOT_GET:     (200, 200, 200, 403, 404, 404),
    SNAPSHOT_GET_ALL: (200, 200, 200, 403, 200, 200),
    QUOTA_SHOW:       (200, 200, 200, 403, 403, 403),
}

# The same requests on an id that does not exist: a persona that policy
# rejects before the lookup still gets 403.
NEW_DEFAULTS_UNKNOWN_ID = {
    CREATE:           (404, 404, 404, 404, 404, 404),
    GET:              (404, 404, 404, 403, 404, 404),
    DELETE:           (404, 404, 404, 404, 404, 404),
    ACCEPT:           (404, 404, 403, 403, 404, 403),
    VOLUME_GET:       (404, 404, 404, 403, 404, 404),
    SNAPSHOT_GET:     (404, 404, 404, 403, 404, 404),
}

# With enforce_new_defaults=False each transfer rule is its new default OR
# its deprecated rule. That is admin_or_owner (any role of the owning
# project), except for accept, whose deprecated rule allows everyone.
LEGACY_DEFAULTS = {
    CREATE:           (202, 202, 202, 202, 404, 404),
    GET:              (200, 200, 200, 200, 404, 404),
    GET_ALL:          (200, 200, 200, 200, 200, 200),
    DELETE:           (202, 202, 202, 202, 404, 404),
    ACCEPT:           (202, 202, 202, 202, 202, 202),
}

LEGACY_DEFAULTS_UNKNOWN_ID = {
    CREATE:           (404, 404, 404, 404, 404, 404),
    GET:              (404, 404, 404, 404, 404, 404),
    DELETE:           (404, 404, 404, 404, 404, 404),
    ACCEPT:           (404, 404, 404, 404, 404, 404),
}

TRANSFER_COLLECTIONS = ('volume-transfers', 'os-volume-transfer')
# (collection, whether the URL carries the caller's project id)
TRANSFER_URL_FORMS = [(collection, scoped)
                      for collection in TRANSFER_COLLECTIONS
                      for scoped in (True, False)]


def forbidden_message(rule: str) -> str:
    return f"Policy doesn't allow {rule} to be performed."


class RuleCoverageTest(testtools.TestCase):

    def test_table_covers_every_rule(self):
        # Rules with operations guard a route. The others (context_is_admin
        # and the persona rules) are only building blocks of those.
        registered = {rule.name for rule in policies.list_rules()
                      if isinstance(rule, oslo_policy.DocumentedRuleDefault)}
        self.assertEqual(registered, set(NEW_DEFAULTS))

    def test_legacy_table_covers_deprecated_rules(self):
        deprecated = {rule.name for rule in policies.list_rules()
                      if getattr(rule, 'deprecated_rule', None)}
        self.assertEqual(deprecated, set(LEGACY_DEFAULTS))


class PersonaMatrixBase(base.TransferTestCase):
    """Helpers of the persona tables, which subclasses set."""

    scenarios = PERSONAS
    table: dict = {}
    unknown_id_table: dict = {}

    def expected(self, rule: str, table: dict | None = None) -> int:
        return (table or self.table)[rule][self.column]

    def persona_url(self, collection: str, suffix: str = '',
                    scoped: bool = True) -> str:
        project = base.project_of(self.token) if scoped else None
        return self.url(project, suffix, collection)

    def assertOutcome(self, response, expected: int, rule: str,
                      not_found_message: str | None, where: str):
        """Check the status and, for a fault, its name and message."""
        self.assertEqual(expected, response.status, f'{where}: {response}')
        if expected == 403:
            self.assertFault(response, 403, 'forbidden',
                             forbidden_message(rule))
        elif expected == 404:
            self.assertFault(response, 404, 'itemNotFound',
                             not_found_message)

    def lists_p1_resources(self) -> bool:
        """Return whether the persona's own lists include P1's resources."""
        return base.project_of(self.token) == base.P1


class TransferRulesMixin:
    """One test per transfer rule, for the persona of the scenario."""

    def test_create_matches_table(self):
        expected = self.expected(CREATE)
        for collection, scoped in TRANSFER_URL_FORMS:
            where = f'POST {collection}, project in URL: {scoped}'
            volume = self.create_volume()

            response = self.request(
                'POST', self.persona_url(collection, scoped=scoped),
                self.token, body={'transfer': {'volume_id': volume['id']}})

            self.assertOutcome(response, expected, CREATE,
                               f"Volume {volume['id']} could not be found.",
                               where)
            status = self.volume_row(volume['id'])['status']
            if expected == 202:
                self.assertEqual('awaiting-transfer', status, where)
                self.assertEqual(volume['id'],
                                 response.json['transfer']['volume_id'])
            else:
                self.assertEqual('available', status, where)

    def test_show_matches_table(self):
        expected = self.expected(GET)
        transfer = self.create_transfer()
        for collection, scoped in TRANSFER_URL_FORMS:
            where = f'GET {collection}/<id>, project in URL: {scoped}'

            response = self.request(
                'GET', self.persona_url(collection, f"/{transfer['id']}",
                                        scoped), self.token)

            self.assertOutcome(
                response, expected, GET,
                f"Transfer {transfer['id']} could not be found.", where)
            if expected == 200:
                self.assertEqual(transfer['id'],
                                 response.json['transfer']['id'], where)

    def _check_transfer_list(self, suffix: str):
        expected = self.expected(GET_ALL)
        transfer = self.create_transfer()
        visible = [transfer['id']] if self.lists_p1_resources() else []
        for collection, scoped in TRANSFER_URL_FORMS:
            where = f'GET {collection}{suffix}, project in URL: {scoped}'

            response = self.request(
                'GET', self.persona_url(collection, suffix, scoped),
                self.token)

            self.assertOutcome(response, expected, GET_ALL, None, where)
            if expected == 200:
                listed = [item['id'] for item in response.json['transfers']]
                self.assertEqual(visible, listed, where)

    def test_list_matches_table(self):
        self._check_transfer_list('')

    def test_list_detail_matches_table(self):
        self._check_transfer_list('/detail')

    def test_delete_matches_table(self):
        expected = self.expected(DELETE)
        for collection, scoped in TRANSFER_URL_FORMS:
            where = f'DELETE {collection}/<id>, project in URL: {scoped}'
            volume = self.create_volume()
            transfer = self.create_transfer(volume)

            response = self.request(
                'DELETE', self.persona_url(collection, f"/{transfer['id']}",
                                           scoped), self.token)

            self.assertOutcome(
                response, expected, DELETE,
                f"Transfer {transfer['id']} could not be found.", where)
            row = self.transfer_row(transfer['id'])
            status = self.volume_row(volume['id'])['status']
            if expected == 202:
                self.assertTrue(row['deleted'], where)
                self.assertEqual('available', status, where)
            else:
                self.assertFalse(row['deleted'], where)
                self.assertEqual('awaiting-transfer', status, where)

    def test_accept_matches_table(self):
        expected = self.expected(ACCEPT)
        for collection, scoped in TRANSFER_URL_FORMS:
            where = f'POST {collection}/<id>/accept, project in URL: {scoped}'
            volume = self.create_volume()
            transfer = self.create_transfer(volume)

            response = self.request(
                'POST', self.persona_url(
                    collection, f"/{transfer['id']}/accept", scoped),
                self.token,
                body={'accept': {'auth_key': transfer['auth_key']}})

            self.assertOutcome(response, expected, ACCEPT, None, where)
            row = self.volume_row(volume['id'])
            if expected == 202:
                self.assertEqual(base.project_of(self.token),
                                 row['project_id'], where)
                self.assertEqual(base.user_of(self.token), row['user_id'],
                                 where)
                self.assertTrue(self.transfer_row(transfer['id'])['accepted'],
                                where)
            else:
                self.assertEqual(base.P1, row['project_id'], where)
                self.assertEqual('awaiting-transfer', row['status'], where)
                self.assertFalse(self.transfer_row(transfer['id'])['deleted'],
                                 where)

    def test_create_unknown_volume_matches_table(self):
        expected = self.expected(CREATE, self.unknown_id_table)
        volume_id = str(uuid.uuid4())
        for collection, scoped in TRANSFER_URL_FORMS:
            where = f'POST {collection}, project in URL: {scoped}'

            response = self.request(
                'POST', self.persona_url(collection, scoped=scoped),
                self.token, body={'transfer': {'volume_id': volume_id}})

            self.assertOutcome(response, expected, CREATE,
                               f'Volume {volume_id} could not be found.',
                               where)

    def test_show_unknown_id_matches_table(self):
        expected = self.expected(GET, self.unknown_id_table)
        transfer_id = str(uuid.uuid4())
        for collection, scoped in TRANSFER_URL_FORMS:
            where = f'GET {collection}/<unknown>, project in URL: {scoped}'

            response = self.request(
                'GET', self.persona_url(collection, f'/{transfer_id}',
                                        scoped), self.token)

            self.assertOutcome(response, expected, GET,
                               f'Transfer {transfer_id} could not be found.',
                               where)

    def test_delete_unknown_id_matches_table(self):
        expected = self.expected(DELETE, self.unknown_id_table)
        transfer_id = str(uuid.uuid4())
        for collection, scoped in TRANSFER_URL_FORMS:
            where = f'DELETE {collection}/<unknown>, project in URL: {scoped}'

            response = self.request(
                'DELETE', self.persona_url(collection, f'/{transfer_id}',
                                           scoped), self.token)

            self.assertOutcome(response, expected, DELETE,
                               f'Transfer {transfer_id} could not be found.',
                               where)

    def test_accept_unknown_id_matches_table(self):
        expected = self.expected(ACCEPT, self.unknown_id_table)
        transfer_id = str(uuid.uuid4())
        for collection, scoped in TRANSFER_URL_FORMS:
            where = (f'POST {collection}/<unknown>/accept, project in URL: '
                     f'{scoped}')

            response = self.request(
                'POST', self.persona_url(
                    collection, f'/{transfer_id}/accept', scoped),
                self.token, body={'accept': {'auth_key': '0' * 16}})

            self.assertOutcome(response, expected, ACCEPT,
                               f'Transfer {transfer_id} could not be found.',
                               where)


class ReadOnlyRulesMixin:
    """One test per rule of the read-only volume, snapshot and quota routes.
    """

    def _check_show(self, rule: str, collection: str, resource_id: str,
                    not_found_message: str, table: dict | None = None):
        expected = self.expected(rule, table)
        # "volumes" -> "volume", "snapshots" -> "snapshot"
        body_key = collection[:-1]
        for scoped in (True, False):
            where = f'GET {collection}/<id>, project in URL: {scoped}'

            response = self.request(
                'GET', self.persona_url(collection, f'/{resource_id}',
                                        scoped), self.token)

            self.assertOutcome(response, expected, rule, not_found_message,
                               where)
            if expected == 200:
                self.assertEqual(resource_id, response.json[body_key]['id'],
                                 where)

    def _check_list(self, rule: str, collection: str, resource_id: str):
        expected = self.expected(rule)
        visible = [resource_id] if self.lists_p1_resources() else []
        for suffix in ('', '/detail'):
            for scoped in (True, False):
                where = f'GET {collection}{suffix}, project in URL: {scoped}'

                response = self.request(
                    'GET', self.persona_url(collection, suffix, scoped),
                    self.token)

                self.assertOutcome(response, expected, rule, None, where)
                if expected == 200:
                    listed = [item['id']
                              for item in response.json[collection]]
                    self.assertEqual(visible, listed, where)

    def test_volume_show_matches_table(self):
        volume = self.create_volume()
        self._check_show(VOLUME_GET, 'volumes', volume['id'],
                         f"Volume {volume['id']} could not be found.")

    def test_volume_list_matches_table(self):
        volume = self.create_volume()
        self._check_list(VOLUME_GET_ALL, 'volumes', volume['id'])

    def test_snapshot_show_matches_table(self):
        snapshot = self.create_snapshot(self.create_volume())
        self._check_show(SNAPSHOT_GET, 'snapshots', snapshot['id'],
                         f"Snapshot {snapshot['id']} could not be found.")

    def test_snapshot_list_matches_table(self):
        snapshot = self.create_snapshot(self.create_volume())
        self._check_list(SNAPSHOT_GET_ALL, 'snapshots', snapshot['id'])

    def test_volume_unknown_id_matches_table(self):
        volume_id = str(uuid.uuid4())
        self._check_show(VOLUME_GET, 'volumes', volume_id,
                         f'Volume {volume_id} could not be found.',
                         self.unknown_id_table)

    def test_snapshot_unknown_id_matches_table(self):
        snapshot_id = str(uuid.uuid4())
        self._check_show(SNAPSHOT_GET, 'snapshots', snapshot_id,
                         f'Snapshot {snapshot_id} could not be found.',
                         self.unknown_id_table)

    def test_quota_show_matches_table(self):
        expected = self.expected(QUOTA_SHOW)
        for scoped in (True, False):
            where = f'GET os-quota-sets/<P1>, project in URL: {scoped}'

            response = self.request(
                'GET', self.persona_url('os-quota-sets', f'/{base.P1}',
                                        scoped), self.token)

            self.assertOutcome(response, expected, QUOTA_SHOW, None, where)
            if expected == 200:
                self.assertEqual(base.P1, response.json['quota_set']['id'],
                                 where)


class NewDefaultsPolicyTest(TransferRulesMixin, ReadOnlyRulesMixin,
                            PersonaMatrixBase):
    table = NEW_DEFAULTS
    unknown_id_table = NEW_DEFAULTS_UNKNOWN_ID


class LegacyDefaultsPolicyTest(TransferRulesMixin, PersonaMatrixBase):
    """The transfer rules with the deprecated rules OR-ed in."""

    config_overrides = {('oslo_policy', 'enforce_new_defaults'): False}
    table = LEGACY_DEFAULTS
    unknown_id_table = LEGACY_DEFAULTS_UNKNOWN_ID


class AllTenantsTest(base.TransferTestCase):
    """all_tenants and project_id on the lists, for admins and others."""

    def setUp(self):
        super().setUp()
        self.volume_p1 = self.create_volume(project=base.P1)
        self.volume_p2 = self.create_volume(project=base.P2, user='member2')
        self.transfer_p1 = self.create_transfer(self.volume_p1,
                                                token=base.MEMBER1)
        self.transfer_p2 = self.create_transfer(self.volume_p2,
                                                token=base.MEMBER2)
        self.snapshot_p1 = self.create_snapshot(self.volume_p1)
        self.snapshot_p2 = self.create_snapshot(self.volume_p2)

    def _listed(self, collection: str, token: str, query: str) -> list:
        response = self.request(
            'GET', self.url(base.project_of(token), query, collection),
            token)
        self.assertEqual(200, response.status, f'{query}: {response}')
        key = 'transfers' if 'transfer' in collection else collection
        return sorted(item['id'] for item in response.json[key])

    def test_transfer_lists_follow_table(self):
        p1, p2 = self.transfer_p1['id'], self.transfer_p2['id']
        # (token, query, ids listed)
        cases = [
            (base.ADMIN, '', []),
            (base.ADMIN, '?all_tenants=1', [p1, p2]),
            (base.ADMIN, '?all_tenants=true', [p1, p2]),
            (base.ADMIN, '?all_projects=1', [p1, p2]),
            (base.ADMIN, '?all_tenants=0', []),
            (base.ADMIN, '?all_tenants=1&project_id=' + base.P2, [p2]),
            (base.ADMIN, '?all_projects=1&project_id=' + base.P1, [p1]),
            (base.ADMIN, '?project_id=' + base.P2, []),
            (base.MEMBER1, '', [p1]),
            (base.MEMBER1, '?all_tenants=1', [p1]),
            (base.MEMBER1, '?all_projects=1', [p1]),
            (base.MEMBER1, '?project_id=' + base.P2, [p1]),
            (base.MEMBER1, '?all_tenants=1&project_id=' + base.P2, [p1]),
            (base.READER2, '?all_tenants=1', [p2]),
            (base.READER2, '?project_id=' + base.P1, [p2]),
        ]
        for collection in TRANSFER_COLLECTIONS:
            for suffix in ('', '/detail'):
                for token, query, expected in cases:
                    where = f'{base.user_of(token)} GET {collection}' \
                            f'{suffix}{query}'
                    listed = self._listed(collection, token, suffix + query)
                    self.assertEqual(sorted(expected), listed, where)

    def test_admin_narrows_volumes_by_project(self):
        # cinderclient 9.10 (list --tenant) and openstacksdk 4.22 send
        # project_id with all_tenants to list one project's resources.
        query = '?all_tenants=1&project_id=' + base.P2
        for collection, resource in (('volumes', self.volume_p2),
                                     ('snapshots', self.snapshot_p2)):
            listed = self._listed(collection, base.ADMIN, query)
            self.assertEqual([resource['id']], listed, collection)

    def test_volume_lists_follow_table(self):
        p1, p2 = self.volume_p1['id'], self.volume_p2['id']
        cases = [
            (base.ADMIN, '', []),
            (base.ADMIN, '?all_tenants=1', [p1, p2]),
            (base.ADMIN, '?all_projects=1', [p1, p2]),
            (base.ADMIN, '?all_tenants=0', []),
            (base.MEMBER1, '?all_tenants=1', [p1]),
            (base.MEMBER1, '?all_projects=1', [p1]),
            (base.READER2, '?all_tenants=1', [p2]),
        ]
        for suffix in ('', '/detail'):
            for token, query, expected in cases:
                where = f'{base.user_of(token)} GET volumes{suffix}{query}'
                listed = self._listed('volumes', token, suffix + query)
                self.assertEqual(sorted(expected), listed, where)

    def test_snapshot_lists_follow_table(self):
        p1, p2 = self.snapshot_p1['id'], self.snapshot_p2['id']
        cases = [
            (base.ADMIN, '', []),
            (base.ADMIN, '?all_tenants=1', [p1, p2]),
            (base.ADMIN, '?all_projects=1', [p1, p2]),
            (base.ADMIN, '?all_tenants=0', []),
            (base.MEMBER1, '?all_tenants=1', [p1]),
            (base.MEMBER1, '?all_projects=1', [p1]),
            (base.READER2, '?all_tenants=1', [p2]),
        ]
        for suffix in ('', '/detail'):
            for token, query, expected in cases:
                where = f'{base.user_of(token)} GET snapshots{suffix}{query}'
                listed = self._listed('snapshots', token, suffix + query)
                self.assertEqual(sorted(expected), listed, where)


class PolicyFileTestBase(base.TransferTestCase):
    """Writes ``policy_rules`` to a YAML policy file that the app loads."""

    policy_rules: dict = {}

    def setUp(self):
        directory = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(directory, 'policy.yaml')
        with open(path, 'w') as policy_file:
            yaml.safe_dump(self.policy_rules, policy_file)
        self.config_overrides = dict(self.config_overrides)
        self.config_overrides[('oslo_policy', 'policy_file')] = path
        super().setUp()


class PolicyFileTest(PolicyFileTestBase):

    policy_rules = {
        GET: '!',
        CREATE: 'role:reader',
    }

    def test_denied_show_rejects_member(self):
        transfer = self.create_transfer()

        response = self.request(
            'GET', self.url(base.P1, f"/{transfer['id']}"), base.MEMBER1)

        self.assertFault(response, 403, 'forbidden', forbidden_message(GET))

    def test_denied_show_rejects_admin(self):
        transfer = self.create_transfer()

        response = self.request(
            'GET', self.url(base.A0, f"/{transfer['id']}"), base.ADMIN)

        self.assertFault(response, 403, 'forbidden', forbidden_message(GET))

    def test_reader_rule_lets_reader_create(self):
        volume = self.create_volume()

        response = self.request(
            'POST', self.url(base.P1), base.READER1,
            body={'transfer': {'volume_id': volume['id']}})

        self.assertEqual(202, response.status, response)
        self.assertEqual('awaiting-transfer',
                         self.volume_row(volume['id'])['status'])

    def test_reader_rule_rejects_foo_create(self):
        volume = self.create_volume()

        response = self.request(
            'POST', self.url(base.P1), base.FOO1,
            body={'transfer': {'volume_id': volume['id']}})

        self.assertFault(response, 403, 'forbidden',
                         forbidden_message(CREATE))
        self.assertEqual('available', self.volume_row(volume['id'])['status'])

    def test_rules_not_in_file_keep_defaults(self):
        transfer = self.create_transfer()

        response = self.request(
            'DELETE', self.url(base.P1, f"/{transfer['id']}"), base.READER1)

        self.assertFault(response, 403, 'forbidden',
                         forbidden_message(DELETE))


class EachRuleDeniedTest(PolicyFileTestBase):
    """Every rule, set to "!" in the policy file, rejects even an admin."""

    scenarios = [(rule, {'rule': rule, 'policy_rules': {rule: '!'}})
                 for rule in NEW_DEFAULTS]

    def _request_for_rule(self) -> tuple[str, str, dict | None]:
        """Return (method, path, body) of a request that ``rule`` governs.

        Resources exist and belong to P1, so only the rule can stop the
        admin's request.
        """
        volume = self.create_volume()
        if self.rule == CREATE:
            return ('POST', self.url(base.A0),
                    {'transfer': {'volume_id': volume['id']}})
        if self.rule == VOLUME_GET:
            return ('GET', self.url(base.A0, f"/{volume['id']}", 'volumes'),
                    None)
        if self.rule == VOLUME_GET_ALL:
            return ('GET', self.url(base.A0, '/detail', 'volumes'), None)
        if self.rule == SNAPSHOT_GET:
            snapshot = self.create_snapshot(volume)
            return ('GET', self.url(base.A0, f"/{snapshot['id']}",
                                    'snapshots'), None)
        if self.rule == SNAPSHOT_GET_ALL:
            return ('GET', self.url(base.A0, '/detail', 'snapshots'), None)
        if self.rule == QUOTA_SHOW:
            return ('GET', self.url(base.A0, f'/{base.P1}', 'os-quota-sets'),
                    None)

        transfer = self.create_transfer(volume)
        if self.rule == ACCEPT:
            return ('POST', self.url(base.A0, f"/{transfer['id']}/accept"),
                    {'accept': {'auth_key': transfer['auth_key']}})
        if self.rule == GET:
            return ('GET', self.url(base.A0, f"/{transfer['id']}"), None)
        if self.rule == GET_ALL:
            return ('GET', self.url(base.A0, '/detail?all_tenants=1'), None)
        if self.rule == DELETE:
            return ('DELETE', self.url(base.A0, f"/{transfer['id']}"), None)
        self.fail(f'No request is known for rule {self.rule}')

    def _database_rows(self) -> dict:
        rows = {}
        with self.database.get_engine().connect() as connection:
            for table in models.Base.metadata.sorted_tables:
                query = sa.select(table).order_by(*table.primary_key)
                rows[table.name] = [
                    dict(row) for row in connection.execute(query).mappings()]
        return rows

    def test_denied_rule_rejects_admin(self):
        method, path, body = self._request_for_rule()
        before = self._database_rows()

        response = self.request(method, path, base.ADMIN, body=body)

        self.assertFault(response, 403, 'forbidden',
                         forbidden_message(self.rule))
        self.assertEqual(before, self._database_rows())
