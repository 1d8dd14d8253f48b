"""Building the WSGI application from a ConfigOpts and the paste file.

Paste factories receive only strings, so ``loadapp`` registers the
ConfigOpts under a key that it passes in the paste global configuration.
A factory called without that key (uwsgi or mod_wsgi loading the paste
file directly) reads the configuration files itself.
"""

import os
import sys

from oslo_config import cfg
from oslo_log import log as logging
from oslo_middleware import cors
from paste import deploy as paste_deploy

from cinder_transfer_ext import conf as transfer_conf

GROUP = transfer_conf.GROUP
PROJECT = 'cinder-transfer-ext'
PASTE_FILE = 'api-paste.ini'
_CONF_KEY = 'cinder_transfer_ext_conf_id'
_CONFIGS: dict[str, cfg.ConfigOpts] = {}


def new_conf(args: list[str] | None = None,
             default_config_files: list[str] | None = None) -> cfg.ConfigOpts:
    """Return a ConfigOpts with every option registered and parsed."""
    conf = cfg.ConfigOpts()
    transfer_conf.register_opts(conf)
    logging.register_options(conf)
    conf(args if args is not None else [], project=PROJECT,
         default_config_files=default_config_files)
    return conf


def conf_from_paste(global_conf: dict) -> cfg.ConfigOpts:
    key = global_conf.get(_CONF_KEY)
    if key in _CONFIGS:
        return _CONFIGS[key]
    conf = new_conf()
    _CONFIGS[str(id(conf))] = conf
    global_conf[_CONF_KEY] = str(id(conf))
    return conf


def paste_file_path(conf: cfg.ConfigOpts) -> str:
    """Return the paste file next to the config files, or the shipped one."""
    found = conf.find_file(PASTE_FILE)
    if found:
        return os.path.abspath(found)
    package_dir = os.path.dirname(os.path.abspath(__file__))
    for candidate in (
            os.path.join(package_dir, '..', 'etc', PROJECT, PASTE_FILE),
            os.path.join(sys.prefix, 'etc', PROJECT, PASTE_FILE)):
        if os.path.exists(candidate):
            return os.path.abspath(candidate)
    raise RuntimeError(f'Cannot find {PASTE_FILE}; put it next to the '
                       f'configuration file.')


def set_cors_defaults() -> None:
    """Let browsers send and read the microversion and request id headers."""
    cors.set_defaults(
        allow_headers=['X-Auth-Token', 'X-OpenStack-Request-ID',
                       'OpenStack-API-Version', 'Content-Type'],
        expose_headers=['X-OpenStack-Request-ID', 'OpenStack-API-Version'],
        allow_methods=['GET', 'POST', 'DELETE', 'HEAD'])


def loadapp(conf: cfg.ConfigOpts, name: str = 'main',
            paste_file: str | None = None):
    """Load the named paste application for ``conf``."""
    set_cors_defaults()
    key = str(id(conf))
    _CONFIGS[key] = conf
    path = paste_file or paste_file_path(conf)
    return paste_deploy.loadapp(f'config:{path}', name=name,
                                global_conf={_CONF_KEY: key})
