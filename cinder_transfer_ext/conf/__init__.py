"""Configuration options, registered on a ConfigOpts that callers pass in."""

from castellan import options as castellan_options
from oslo_config import cfg
from oslo_messaging import opts as messaging_opts

from cinder_transfer_ext.conf import api
from cinder_transfer_ext.conf import database
from cinder_transfer_ext.conf import quota
from cinder_transfer_ext.conf import transfer

GROUP = api.GROUP
_MODULES = (api, transfer, quota, database)


NOTIFICATIONS_GROUP = 'oslo_messaging_notifications'
KEY_MANAGER_GROUP = 'key_manager'


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register every option of this service on ``conf``.

    oslo.messaging's notification options and castellan's key manager
    options are registered too, so that they can be read or overridden
    before the first notifier or key manager exists.
    """
    for module in _MODULES:
        module.register_opts(conf)
    for group, opts in messaging_opts.list_opts():
        if group == NOTIFICATIONS_GROUP:
            conf.register_opts(opts, group=group)
    for group, opts in castellan_options.list_opts():
        if group == KEY_MANAGER_GROUP:
            conf.register_opts(opts, group=group)


def list_opts():
    """Return (group, options) pairs for oslo-config-generator."""
    pairs = {}
    for module in _MODULES:
        for group, opts in module.list_opts():
            pairs.setdefault(group, []).extend(opts)
    return list(pairs.items())
