"""The helpers of the cinder_mount filter that need no Cinder installed.

The filter inside a real cinder-api is tested in
tests/integration/test_cinder_mount.py.
"""

import json
import os

import fixtures
from oslo_config import cfg
from oslo_context import context as oslo_context
import testtools
import webob

from cinder_transfer_ext.api.middleware import cinder_mount
from cinder_transfer_ext.api import wsgi

DEFAULT_REGEX = r'[0-9a-f\-]+'
PROJECT = 'aaaa0000000000000000000000000001'


class TransferPathPatternTest(testtools.TestCase):

    def test_transfer_paths_match(self):
        pattern = cinder_mount.transfer_path_pattern(DEFAULT_REGEX)
        for path in (f'/{PROJECT}/volume-transfers',
                     f'/{PROJECT}/volume-transfers/',
                     f'/{PROJECT}/volume-transfers/detail',
                     f'/{PROJECT}/volume-transfers/some-id/accept',
                     f'/{PROJECT}/os-volume-transfer',
                     f'/{PROJECT}/os-volume-transfer.json',
                     '/volume-transfers',
                     '/volume-transfers.json',
                     '/os-volume-transfer/some-id'):
            self.assertIsNotNone(pattern.match(path), path)

    def test_other_paths_do_not_match(self):
        pattern = cinder_mount.transfer_path_pattern(DEFAULT_REGEX)
        for path in ('', '/', f'/{PROJECT}/volumes',
                     f'/{PROJECT}/volumes/volume-transfers',
                     f'/{PROJECT}/volume-transfersx',
                     f'/{PROJECT}/volume-transfers.xml',
                     '/PROJECT-IN-CAPITALS/volume-transfers',
                     f'/{PROJECT}/{PROJECT}/volume-transfers',
                     '/os-volume-transfers'):
            self.assertIsNone(pattern.match(path), path)

    def test_project_id_regex_is_honoured(self):
        pattern = cinder_mount.transfer_path_pattern(r'[A-Za-z0-9_]+')
        self.assertIsNotNone(pattern.match('/Project_1/volume-transfers'))
        self.assertIsNone(pattern.match(f'/{PROJECT}-x/volume-transfers'))

    def test_alternation_in_regex_stays_grouped(self):
        pattern = cinder_mount.transfer_path_pattern(r'admin|[0-9a-f]+')
        self.assertIsNotNone(pattern.match('/admin/volume-transfers'))
        self.assertIsNone(pattern.match('/admin'))


def cinder_like_context(**overrides) -> oslo_context.RequestContext:
    values = dict(user_id='alice', project_id=PROJECT,
                  roles=['member', 'reader'], auth_token='token-1',
                  request_id='req-1', global_request_id='req-global',
                  project_name='project-one', user_domain_id='default',
                  project_domain_id='default', overwrite=False)
    values.update(overrides)
    return oslo_context.RequestContext(**values)


class ContextFromCinderTest(testtools.TestCase):

    def test_identity_is_copied(self):
        source = cinder_like_context()

        context = cinder_mount.context_from_cinder(source)

        self.assertEqual('alice', context.user_id)
        self.assertEqual(PROJECT, context.project_id)
        self.assertEqual(['member', 'reader'], context.roles)
        self.assertEqual('token-1', context.auth_token)
        self.assertEqual('req-1', context.request_id)
        self.assertEqual('req-global', context.global_request_id)
        self.assertEqual('project-one', context.project_name)
        self.assertEqual('default', context.user_domain_id)
        self.assertEqual('default', context.project_domain_id)

    def test_roles_are_a_copy(self):
        source = cinder_like_context()

        context = cinder_mount.context_from_cinder(source)
        context.roles.append('admin')

        self.assertEqual(['member', 'reader'], source.roles)

    def test_admin_flag_is_not_copied(self):
        # The policy of this service decides it again from the roles.
        source = cinder_like_context(is_admin=True, roles=['member'])

        context = cinder_mount.context_from_cinder(source)

        self.assertFalse(context.is_admin)


class CinderMountTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.calls = []
        self.mount = cinder_mount.CinderMount(
            self._app('cinder'), self._app('transfer'),
            cinder_mount.transfer_path_pattern(DEFAULT_REGEX))

    def _app(self, name):
        def application(environ, start_response):
            self.calls.append((name, environ))
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [name.encode()]
        return application

    def request(self, path, cinder_context=None):
        environ = webob.Request.blank('/v3' + path).environ
        environ['SCRIPT_NAME'] = '/v3'
        environ['PATH_INFO'] = path
        if cinder_context is not None:
            environ[cinder_mount.CINDER_CONTEXT_KEY] = cinder_context
        return webob.Request(environ).get_response(self.mount)

    def test_other_paths_go_to_cinder(self):
        response = self.request(f'/{PROJECT}/volumes/detail',
                                cinder_like_context())

        self.assertEqual(b'cinder', response.body)
        self.assertEqual(['cinder'], [name for name, _ in self.calls])

    def test_transfer_paths_go_to_transfer_app(self):
        response = self.request(f'/{PROJECT}/volume-transfers',
                                cinder_like_context())

        self.assertEqual(b'transfer', response.body)
        self.assertEqual(['transfer'], [name for name, _ in self.calls])
        context = self.calls[0][1][wsgi.ENV_CONTEXT]
        self.assertEqual(('alice', PROJECT),
                         (context.user_id, context.project_id))

    def test_missing_cinder_context_is_server_error(self):
        logger = self.useFixture(fixtures.FakeLogger())

        response = self.request(f'/{PROJECT}/volume-transfers')

        self.assertEqual(500, response.status_int)
        self.assertEqual(500, json.loads(response.body)['computeFault']
                         ['code'])
        self.assertEqual([], self.calls)
        self.assertIn('put cinder_mount after', logger.output)


class MountedConfTest(testtools.TestCase):
    """Configuration errors that surface before Cinder's options are read."""

    def setUp(self):
        super().setUp()
        self.directory = self.useFixture(fixtures.TempDir()).path

    def cinder_conf(self, text: str | None) -> cfg.ConfigOpts:
        conf = cfg.ConfigOpts()
        arguments = []
        if text is not None:
            path = os.path.join(self.directory, 'cinder.conf')
            with open(path, 'w') as config_file:
                config_file.write(text)
            arguments = ['--config-file', path]
        conf(arguments, project='cinder', default_config_files=[],
             default_config_dirs=[])
        return conf

    def test_unloaded_cinder_conf_is_rejected(self):
        error = self.assertRaises(cinder_mount.MountConfigError,
                                  cinder_mount.mounted_conf,
                                  cfg.ConfigOpts())
        self.assertIn('only inside cinder-api', str(error))

    def test_no_config_file_is_rejected(self):
        error = self.assertRaises(cinder_mount.MountConfigError,
                                  cinder_mount.mounted_conf,
                                  self.cinder_conf(None))
        self.assertIn('--config-file', str(error))

    def test_missing_database_connection_is_rejected(self):
        error = self.assertRaises(
            cinder_mount.MountConfigError, cinder_mount.mounted_conf,
            self.cinder_conf('[DEFAULT]\nhost = test\n'))
        self.assertIn('[database] connection', str(error))

    def test_invalid_option_value_is_rejected(self):
        conf = self.cinder_conf(
            '[database]\nconnection = sqlite://\n'
            '[cinder_transfer_ext]\nvolume_transfer_key_length = 8\n')

        error = self.assertRaises(cfg.ConfigFileValueError,
                                  cinder_mount.mounted_conf, conf)
        self.assertIn('volume_transfer_key_length', str(error))
