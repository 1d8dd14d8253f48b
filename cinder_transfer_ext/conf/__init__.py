"""Configuration options, registered on a ConfigOpts that callers pass in."""

from oslo_config import cfg

from cinder_transfer_ext.conf import api
from cinder_transfer_ext.conf import database
from cinder_transfer_ext.conf import quota
from cinder_transfer_ext.conf import transfer

GROUP = api.GROUP
_MODULES = (api, transfer, quota, database)


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register every option of this service on ``conf``."""
    for module in _MODULES:
        module.register_opts(conf)


def list_opts():
    """Return (group, options) pairs for oslo-config-generator."""
    pairs = {}
    for module in _MODULES:
        for group, opts in module.list_opts():
            pairs.setdefault(group, []).extend(opts)
    return list(pairs.items())
