"""FastContextFormatter writes what oslo.log's ContextFormatter writes."""

import logging as std_logging
import os
import sys
import tempfile
import threading
import time
from unittest import mock

import fixtures
from oslo_config import cfg
from oslo_log import formatters
from oslo_log import log as logging
import testtools

from cinder_transfer_ext import context as transfer_context
from cinder_transfer_ext import log_setup
from cinder_transfer_ext.tests import fixtures as test_fixtures

# Option values to try, each on top of oslo.log's defaults.
CONF_VARIANTS = [
    {},
    {'logging_context_format_string':
        '%(asctime)s %(isotime)s %(levelname)s [%(request_id)s '
        '%(global_request_id)s %(user_identity)s] %(instance)s%(color)s'
        '%(resource)s%(user_name)s %(project_name)s %(message)s '
        '%(error_summary)s %(project)s %(version)s',
     'logging_default_format_string':
        '%(isotime)s %(process)d %(name)s %(instance)s %(message)s '
        '%(error_summary)s',
     'logging_user_identity_format':
        '%(user)s/%(project_name)s/%(domain)s/%(is_admin)s',
     'instance_format': '[inst %(uuid)s] ',
     'instance_uuid_format': '[uuid %(uuid)s] ',
     'log_date_format': '%H:%M:%S'},
    {'logging_context_format_string': '%(message)s',
     'logging_default_format_string': '%(levelname)s %(message)s'},
]


def make_context(**kwargs):
    kwargs.setdefault('overwrite', False)
    return transfer_context.RequestContext(**kwargs)


def context_variants() -> dict:
    with_instance = make_context(user_id='u3', project_id='p3')
    with_instance.instance = 'inst-1'
    with_instance_uuid = make_context(user_id='u4', project_id='p4')
    with_instance_uuid.instance_uuid = 'uuid-1'
    return {
        'member': make_context(user_id='u1', project_id='p1',
                               roles=['member'],
                               global_request_id='req-global'),
        'admin token': make_context(user_id='admin', project_id='p2',
                                    roles=['admin'], is_admin=True,
                                    auth_token='secret-token',
                                    user_name='Admin',
                                    project_name='Project Two'),
        'resource uuid': make_context(user_id='u5', project_id='p5',
                                      resource_uuid='res-1'),
        'no request id': make_context(user_id='u6', request_id=''),
        'instance': with_instance,
        'instance uuid': with_instance_uuid,
        'dict': {'user': 'du', 'project_name': 'dp', 'request_id': 'req-d'},
        'empty dict': {},
        'other object': object(),
        'none': None,
    }


class FormatterCase:
    """Builds pairs of equal records and formats them both ways."""

    def __init__(self, conf):
        self.oslo = formatters.ContextFormatter(
            project='cinder-transfer-ext', version='1.2',
            datefmt=conf.log_date_format, config=conf)
        self.fast = log_setup.FastContextFormatter.from_formatter(self.oslo)

    @staticmethod
    def record(level=std_logging.INFO, message='%(a)s is %(b)s',
               args=({'a': 'x', 'b': 1},), exc_info=None,
               created=1700000123.456789, **extra):
        record = std_logging.LogRecord(
            'cinder_transfer_ext.api.router', level, '/src/router.py', 42,
            message, args, exc_info, func='handler')
        record.__dict__.update(extra)
        # Both records of a pair carry the same time.
        record.created = created
        record.msecs = (created - int(created)) * 1000
        return record

    def outputs(self, **kwargs) -> tuple[str, str]:
        return (self.oslo.format(self.record(**kwargs)),
                self.fast.format(self.record(**kwargs)))


class FastContextFormatterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # Contexts made here never become another test's current one.
        self.useFixture(fixtures.MonkeyPatch(
            'oslo_context.context._request_store', threading.local()))
        self.cases = []
        for variant in CONF_VARIANTS:
            conf = cfg.ConfigOpts()
            logging.register_options(conf)
            conf([], project='cinder-transfer-ext')
            for name, value in variant.items():
                conf.set_override(name, value)
            self.cases.append(FormatterCase(conf))

    def assertSameLines(self, **kwargs):
        for number, case in enumerate(self.cases):
            expected, actual = case.outputs(**kwargs)
            self.assertEqual(expected, actual, (number, kwargs))

    def test_info_with_each_context(self):
        for name, context in context_variants().items():
            with self.subTest(context=name):
                self.assertSameLines(context=context)

    def test_info_without_context_key(self):
        self.assertSameLines()
        make_context(user_id='current', project_id='p9', overwrite=True)
        self.assertSameLines()

    def test_info_with_extra_values(self):
        context = make_context(user_id='u1', project_id='p1')
        self.assertSameLines(context=context, resource='[volume-1] ',
                             color='\x1b[0m', user_name='given')
        self.assertSameLines(context=None, project_name='given')

    def test_info_at_whole_second(self):
        context = make_context(user_id='u1', project_id='p1')
        self.assertSameLines(context=context, created=1700000000.0)

    def test_other_records_use_oslo_code(self):
        context = make_context(user_id='u1', project_id='p1')
        try:
            raise ValueError('broken')
        except ValueError:
            exc_info = sys.exc_info()
        for kwargs in (
                {'level': std_logging.DEBUG},
                {'level': std_logging.WARNING},
                {'level': std_logging.ERROR, 'exc_info': exc_info},
                {'instance': {'uuid': 'inst-2'}},
                {'instance_uuid': 'uuid-2'},
                {'stack_info': 'Stack (most recent call last):'}):
            with self.subTest(**{key: str(value)
                                 for key, value in kwargs.items()}):
                self.assertSameLines(context=context, **kwargs)

    def test_mismatched_arguments(self):
        context = make_context(user_id='u1', project_id='p1')
        # oslo.log rewrites the line when the arguments do not fit.
        self.assertSameLines(context=context, message='%d')
        # The rewrite keeps the instance text as it was.
        with_resource = make_context(user_id='u1', resource_uuid='r-1')
        self.assertSameLines(context=with_resource, message='%d')
        # Errors that the rewrite does not cure reach the handler.
        for case in self.cases:
            for formatter in (case.oslo, case.fast):
                self.assertRaises(
                    KeyError, formatter.format,
                    case.record(context=context, message='%(missing)d'))
                self.assertRaises(
                    TypeError, formatter.format,
                    case.record(context=context, message='%d %d',
                                args=(1,)))

    def test_dict_context_values_merged_first(self):
        # oslo.log copies these values onto the record before it checks
        # the record for exception and stack text.
        for context in ({'request_id': 'req-d', 'stack_info': 'STACK'},
                        {'request_id': 'req-d', 'exc_text': 'EXC'}):
            with self.subTest(context=context):
                self.assertSameLines(context=context)
        for case in self.cases:
            for formatter in (case.oslo, case.fast):
                self.assertRaises(TypeError, formatter.format, case.record(
                    context={'request_id': 'req-d', 1: 'not a name'}))

    def test_time_zone_change(self):
        self.addCleanup(time.tzset)
        context = make_context(user_id='u1', project_id='p1')
        for zone in ('UTC', 'Asia/Kolkata', 'America/New_York'):
            self.useFixture(fixtures.EnvironmentVariable('TZ', zone))
            time.tzset()
            with self.subTest(zone=zone):
                self.assertSameLines(context=context)

    def test_daylight_saving_change(self):
        self.addCleanup(time.tzset)
        self.useFixture(fixtures.EnvironmentVariable('TZ',
                                                     'America/New_York'))
        time.tzset()
        # 2026-11-01 06:00 UTC: local time goes from 01:59:59 EDT back to
        # 01:00:00 EST, so each local second of that hour comes twice.
        change = 1793512800
        times = [change + offset + fraction
                 for offset in (-3601, -3600, -1, 0, 1, 3599, 3600)
                 for fraction in (0.0, 0.25, 0.999999)]
        # The same local second in both hours, one after the other.
        twins = [change - 3600 + 0.5, change + 0.5, change - 3600 + 0.75]
        for created in times + times[::-1] + twins:
            with self.subTest(created=created):
                self.assertSameLines(context=None, created=created)

    def test_iso_time_always_set(self):
        # A later formatter of the same record may read it.
        for case in self.cases:
            for formatter in (case.oslo, case.fast):
                record = case.record(context=None)
                formatter.format(record)
                self.assertIn('isotime', vars(record))

    def test_info_skips_oslo_code(self):
        context = make_context(user_id='u1', project_id='p1')
        case = self.cases[0]
        with mock.patch.object(formatters.ContextFormatter, 'format',
                               autospec=True) as oslo_format:
            line = case.fast.format(case.record(context=context))
            case.fast.format(case.record(level=std_logging.DEBUG))

        self.assertIn('x is 1', line)
        self.assertEqual(1, oslo_format.call_count)


class SetupTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(test_fixtures.RootLogging())
        self.directory = self.useFixture(fixtures.TempDir()).path

    def conf(self, **overrides) -> cfg.ConfigOpts:
        conf = cfg.ConfigOpts()
        logging.register_options(conf)
        conf([], project='cinder-transfer-ext')
        conf.set_override('log_file',
                          os.path.join(self.directory, 'api.log'))
        for name, value in overrides.items():
            conf.set_override(name, value)
        return conf

    def formatter_types(self) -> list:
        return [type(handler.formatter)
                for handler in std_logging.getLogger().handlers]

    def test_oslo_handlers_get_fast_formatter(self):
        log_setup.setup(self.conf(), 'cinder-transfer-ext')

        self.assertEqual([log_setup.FastContextFormatter],
                         self.formatter_types())

    def test_json_formatter_kept(self):
        log_setup.setup(self.conf(use_json=True), 'cinder-transfer-ext')

        self.assertEqual([formatters.JSONFormatter], self.formatter_types())

    def test_config_file_formatters_kept(self):
        with tempfile.NamedTemporaryFile(
                'w', suffix='.conf', dir=self.directory,
                delete=False) as config_file:
            config_file.write(
                '[loggers]\nkeys=root\n'
                '[handlers]\nkeys=file\n'
                '[formatters]\nkeys=context\n'
                '[logger_root]\nlevel=INFO\nhandlers=file\n'
                '[handler_file]\nclass=FileHandler\nformatter=context\n'
                f"args=('{self.directory}/file.log',)\n"
                '[formatter_context]\n'
                'class=oslo_log.formatters.ContextFormatter\n')

        log_setup.setup(self.conf(log_config_append=config_file.name),
                        'cinder-transfer-ext')

        self.assertEqual([formatters.ContextFormatter],
                         self.formatter_types())
