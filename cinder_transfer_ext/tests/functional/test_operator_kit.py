"""The operator's kit: status checks, generators, api-ref, logs, health."""

import json
import logging
import os
import re
import subprocess
import sys

import fixtures
from oslo_log import formatters
import testtools

from cinder_transfer_ext.api import router
from cinder_transfer_ext.cmd import status
from cinder_transfer_ext import conf as transfer_conf
from cinder_transfer_ext import deploy
from cinder_transfer_ext import log_setup
from cinder_transfer_ext import policies
from cinder_transfer_ext.tests import base
from cinder_transfer_ext.tests import fixtures as test_fixtures

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..',
                                         '..', '..'))
API_REF = os.path.join(REPO_ROOT, 'api-ref', 'source')
ETC = os.path.join(REPO_ROOT, 'etc', 'cinder-transfer-ext')
BIN_DIR = os.path.dirname(sys.executable)


class UpgradeCheckTest(base.TransferTestCase):

    def _run_checks(self, extra: str = '') -> int:
        path = self.useFixture(fixtures.TempDir()).join('status.conf')
        with open(path, 'w') as config:
            config.write(f'[database]\nconnection = '
                         f'{self.database.connection_url}\n{extra}')
        return status.main(['--config-file', path, 'upgrade', 'check'])

    def test_schema_at_head_passes(self):
        code = self._run_checks('[cinder_transfer_ext]\n'
                                'auth_strategy = keystone\n')

        self.assertEqual(0, code)

    def test_noauth_warns(self):
        code = self._run_checks('[cinder_transfer_ext]\n'
                                'auth_strategy = noauth\n')

        self.assertEqual(1, code)

    def test_old_schema_fails(self):
        engine = self.database.get_engine()
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE cinder_transfer_ext_version SET version_num = '0001'")

        code = self._run_checks('[cinder_transfer_ext]\n'
                                'auth_strategy = keystone\n')

        self.assertEqual(2, code)

    def test_broken_policy_file_fails(self):
        policy_file = self.useFixture(fixtures.TempDir()).join('policy.yaml')
        with open(policy_file, 'w') as policy:
            policy.write('"volume:get_transfer": [unclosed\n')

        code = self._run_checks(
            '[cinder_transfer_ext]\nauth_strategy = keystone\n'
            f'[oslo_policy]\npolicy_file = {policy_file}\n')

        self.assertEqual(2, code)


class GeneratorTest(testtools.TestCase):

    def test_config_sample_has_every_option(self):
        output = self.useFixture(fixtures.TempDir()).join('sample.conf')
        subprocess.run(
            [os.path.join(BIN_DIR, 'oslo-config-generator'),
             '--config-file',
             os.path.join(ETC, 'cinder-transfer-ext-config-generator.conf'),
             '--output-file', output],
            check=True, cwd=REPO_ROOT, capture_output=True, timeout=120)
        text = open(output).read()

        for group, opts in transfer_conf.list_opts():
            self.assertIn(f'[{group}]', text)
            for opt in opts:
                self.assertIn(f'#{opt.dest} =', text, opt.dest)

    def test_policy_sample_has_every_rule(self):
        output = self.useFixture(fixtures.TempDir()).join('policy.yaml')
        subprocess.run(
            [os.path.join(BIN_DIR, 'oslopolicy-sample-generator'),
             '--config-file',
             os.path.join(ETC, 'cinder-transfer-ext-policy-generator.conf'),
             '--output-file', output],
            check=True, cwd=REPO_ROOT, capture_output=True, timeout=120)
        text = open(output).read()

        for rule in policies.list_rules():
            self.assertIn(f'#"{rule.name}":', text, rule.name)


class ApiRefTest(testtools.TestCase):
    """The api-ref documents every route, and its samples stay real."""

    def _documented(self) -> set:
        documented = set()
        pattern = re.compile(r'^\.\. rest_method:: (\w+) (\S+)$')
        for name in os.listdir(API_REF):
            if name.endswith('.inc'):
                for line in open(os.path.join(API_REF, name)):
                    match = pattern.match(line.strip())
                    if match:
                        documented.add((match.group(1), match.group(2)))
        return documented

    def test_every_route_documented(self):
        documented = self._documented()

        for path, methods in router.ROUTES:
            for method in methods:
                self.assertIn((method, '/v3/{project_id}' + path),
                              documented)

    def test_no_undocumented_extra_entries(self):
        routes = {(method, '/v3/{project_id}' + path)
                  for path, methods in router.ROUTES for method in methods}
        routes.add(('GET', '/'))

        self.assertEqual(set(), self._documented() - routes)


class SampleTest(base.TransferTestCase):

    def _keys(self, value):
        if isinstance(value, dict):
            return {key: self._keys(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._keys(item) for item in value[:1]]
        return type(value).__name__

    def test_create_sample_matches_response(self):
        sample_dir = os.path.join(API_REF, 'samples')
        request = json.load(open(os.path.join(
            sample_dir, 'volume-transfer-create-request.json')))
        sample = json.load(open(os.path.join(
            sample_dir, 'volume-transfer-create-response.json')))
        volume = self.create_volume(id=request['transfer']['volume_id'])
        self.assertEqual(request['transfer']['volume_id'], volume['id'])

        response = self.request('POST', self.url(base.P1), body=request,
                                version='3.57')

        self.assertEqual(202, response.status, response)
        self.assertEqual(self._keys(sample), self._keys(response.json))


class LoggingTest(base.TransferTestCase):

    def test_no_secret_in_debug_logs(self):
        logger = self.useFixture(fixtures.FakeLogger(level='DEBUG'))
        volume = self.create_volume()
        self.create_snapshot(volume)
        transfer = self.create_transfer(volume)
        row = self.transfer_row(transfer['id'])
        wrong = self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': 'not-the-key'}})
        self.assertEqual(400, wrong.status)
        accepted = self.request(
            'POST', self.url(base.P2, f"/{transfer['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': transfer['auth_key']}})
        self.assertEqual(202, accepted.status)

        output = logger.output
        self.assertIn('Accepted transfer', output)
        for secret in (transfer['auth_key'], row['salt'], row['crypt_hash'],
                       row['crypt_hash'].split(':')[-1]):
            self.assertNotIn(secret, output)

    def test_one_info_line_per_request(self):
        logger = self.useFixture(fixtures.FakeLogger(level='INFO'))

        self.request('GET', self.url(base.P1))

        lines = [line for line in logger.output.splitlines()
                 if 'GET /v3/' in line]
        self.assertEqual(1, len(lines), logger.output)
        self.assertIn('status: 200', lines[0])
        self.assertIn('microversion: 3.0', lines[0])
        self.assertIn('request id: req-', lines[0])


class HealthcheckTest(base.TransferTestCase):

    def test_healthcheck_answers(self):
        response = self.request('GET', '/healthcheck', token=None)

        self.assertEqual(200, response.status, response)

    def test_compat_request_id_header(self):
        response = self.request('GET', self.url(base.P1))

        self.assertEqual(response.headers['x-openstack-request-id'],
                         response.headers['x-compute-request-id'])


class LogFileTest(base.TransferTestCase):
    """Request lines in a log file set up as the WSGI entry point does."""

    def setUp(self):
        super().setUp()
        self.useFixture(test_fixtures.RootLogging())
        self.log_path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'api.log')
        self.conf.set_override('log_file', self.log_path)
        log_setup.setup(self.conf, deploy.PROJECT)
        self.records = []
        collector = logging.Handler()
        collector.emit = self.records.append
        logging.getLogger().addHandler(collector)

    def test_show_line_same_as_oslo_log(self):
        transfer = self.create_transfer()
        (file_handler,) = [handler for handler in logging.getLogger().handlers
                           if isinstance(handler, logging.FileHandler)]
        # Only the show's records: the transfer was created through the
        # pipeline too.
        del self.records[:]

        response = self.request('GET', self.url(base.P1,
                                                f"/{transfer['id']}"))

        self.assertEqual(200, response.status, response)
        self.assertIsInstance(file_handler.formatter,
                              log_setup.FastContextFormatter)
        (record,) = [record for record in self.records
                     if record.name == router.__name__]
        with open(self.log_path) as log_file:
            lines = [line.rstrip('\n') for line in log_file
                     if 'cinder_transfer_ext.api.router' in line and
                     ' GET ' in line]
        self.assertEqual(1, len(lines), lines)
        oslo_formatter = formatters.ContextFormatter(
            project=file_handler.formatter.project,
            version=file_handler.formatter.version,
            datefmt=self.conf.log_date_format, config=self.conf)
        self.assertEqual(oslo_formatter.format(record), lines[0])
        request_id = response.headers['x-openstack-request-id']
        self.assertIn(f'[None {request_id} member1 {base.P1} ', lines[0])
        self.assertIn(f"GET /v3/{base.P1}/volume-transfers/{transfer['id']} "
                      f"status: 200", lines[0])
        self.assertNotIn(transfer['auth_key'], lines[0])
