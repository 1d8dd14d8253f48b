"""Logging set-up: oslo.log, with a faster formatter for its own handlers.

The API writes an INFO line for every request. For each record, oslo.log's
ContextFormatter reads several options through ConfigOpts, builds the
context's logging values twice, creates a local time zone object and
compiles a format style. FastContextFormatter writes the same text with
those prepared once, which took about 11 of the 175 microseconds of a
show served in-process (CPython 3.11). It takes over only the handlers
that oslo.log itself created with a ContextFormatter, so a logging
configuration file (``log_config_append``) and JSON logging keep the
formatters they name.
"""

import datetime
import logging as std_logging
import time

from dateutil import tz
from oslo_context import context as oslo_context
from oslo_log import formatters
from oslo_log import log as logging

# Record attributes that a format string may name, set to '' when neither
# the record nor the context provides them (as oslo.log does).
_OPTIONAL_KEYS = ('color', 'user_identity', 'resource', 'user_name',
                  'project_name', 'global_request_id')
_ERROR_SUMMARY = '%(error_summary)s'
# The attributes of every LogRecord. Context values with one of these names
# would change how oslo.log formats the record, so such records take
# oslo.log's own code.
_RECORD_ATTRIBUTES = frozenset(vars(std_logging.LogRecord(
    'name', std_logging.INFO, 'path', 1, 'message', None, None)))


def setup(conf, project: str) -> None:
    """Set up logging with oslo.log and speed up the handlers it made."""
    logging.setup(conf, project)
    if conf.log_config_append:
        return
    for handler in std_logging.getLogger().handlers:
        if type(handler.formatter) is formatters.ContextFormatter:
            handler.setFormatter(
                FastContextFormatter.from_formatter(handler.formatter))


class _DashForFalse(dict):
    """Logging values that show '-' for a missing or false value."""

    def __getitem__(self, key):
        return self.get(key) or '-'


class _Style:
    """A format string of the options, compiled once."""

    def __init__(self, fmt: str):
        self.percent_style = std_logging.PercentStyle(fmt)
        self.uses_time = self.percent_style.usesTime()
        # oslo.log fills a missing error summary with '-' only for format
        # strings that name it.
        self.error_summary = '-' if _ERROR_SUMMARY in fmt else ''


class FastContextFormatter(formatters.ContextFormatter):
    """oslo.log's ContextFormatter, with a shorter path for INFO lines.

    An INFO record without exception, stack or instance data, and with no
    context or an oslo.context RequestContext, is formatted here with the
    options read at construction. Any other record goes to oslo.log's own
    code. The options it reads cannot change at run time: none of them is
    mutable.
    """

    @classmethod
    def from_formatter(cls, formatter: formatters.ContextFormatter):
        """Return a FastContextFormatter with the settings of ``formatter``."""
        return cls(datefmt=formatter.datefmt, project=formatter.project,
                   version=formatter.version, config=formatter.conf)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        conf = self.conf
        self._context_style = _Style(conf.logging_context_format_string)
        self._default_style = _Style(conf.logging_default_format_string)
        self._user_identity_format = conf.logging_user_identity_format
        self._instance_format = conf.instance_format
        self._instance_uuid_format = conf.instance_uuid_format
        # The state of the time module that dateutil's local time zone was
        # read from (time.tzset() changes it), the zone, and the last local
        # second with its UTC offset text.
        self._local_zone = (_zone_state(), tz.tzlocal(), None, '')

    def format(self, record: std_logging.LogRecord) -> str:
        values = record.__dict__
        if (record.levelno != std_logging.INFO or record.exc_info or
                record.exc_text or record.stack_info or
                values.get('instance') or values.get('instance_uuid')):
            return super().format(record)

        context = values.get('context', oslo_context.get_current())
        context_values = None
        if context:
            # Dict contexts, which oslo.log still accepts, and other objects
            # are rare enough to leave to oslo.log.
            if not isinstance(context, oslo_context.RequestContext):
                return super().format(record)
            context_values = context.get_logging_values()
            if not _RECORD_ATTRIBUTES.isdisjoint(context_values):
                return super().format(record)

        values['project'] = self.project
        values['version'] = self.version
        instance = ''
        if context:
            values.update(context_values)
            instance = self._instance_text(context)
        values['instance'] = instance
        for key in _OPTIONAL_KEYS:
            if key not in values:
                values[key] = ''
        if context:
            values['user_identity'] = (
                self._user_identity_format % _DashForFalse(context_values))

        style = (self._context_style if values.get('request_id')
                 else self._default_style)
        values['error_summary'] = style.error_summary
        # Set even when the format string does not name it, as oslo.log
        # does, for other formatters of the same record.
        values['isotime'] = self._iso_time(record.created)
        try:
            return self._format_with(style, record)
        except TypeError as error:
            # oslo.log's replacement for a message whose arguments do not
            # fit. An error here goes to the handler, as from oslo.log.
            record.msg = (f'Error formatting log line msg={record.msg!r} '
                          f'err={error!r}').replace('%', '*')
            return self._format_with(style, record)

    def _instance_text(self, context) -> str:
        instance = getattr(context, 'instance', None)
        if instance:
            return self._instance_format % {'uuid': instance}
        uuid = (getattr(context, 'instance_uuid', None) or
                getattr(context, 'resource_uuid', None))
        if uuid:
            return self._instance_uuid_format % {'uuid': uuid}
        return ''

    def _iso_time(self, created: float) -> str:
        state, zone, second, offset = self._local_zone
        if state != _zone_state():
            state, zone, second = _zone_state(), tz.tzlocal(), None
        local = datetime.datetime.fromtimestamp(created)
        naive = local.isoformat()
        # dateutil works the UTC offset out in Python from the local time's
        # whole second (and fold), so it is kept per second.
        key = (local.replace(microsecond=0), local.fold)
        if key != second:
            second = key
            offset = local.replace(tzinfo=zone).isoformat()[len(naive):]
            self._local_zone = (state, zone, second, offset)
        text = naive + offset
        if created == int(created):
            # isoformat() leaves out zero microseconds, and the lines
            # keep one width.
            text = f'{text[:-6]}.000000{text[-6:]}'
        return text

    def _format_with(self, style: _Style, record) -> str:
        # logging.Formatter.format for a record without exception or stack
        # text, with a style of its own instead of the shared self._style.
        record.message = record.getMessage()
        if style.uses_time:
            record.asctime = self.formatTime(record, self.datefmt)
        return style.percent_style.format(record)


def _zone_state() -> tuple:
    """Return the time module's zone settings, which tzlocal() reads."""
    return (time.timezone, time.altzone, time.daylight, time.tzname)
