"""WSGI entry point for uwsgi, mod_wsgi or gunicorn.

Use ``cinder_transfer_ext.wsgi.api:application``. The configuration files
are the standard ones for the project cinder-transfer-ext (such as
/etc/cinder-transfer-ext/cinder-transfer-ext.conf), or those listed,
separated by commas, in the environment variable
CINDER_TRANSFER_EXT_CONFIG_FILES.
"""

import os

from cinder_transfer_ext import deploy
from cinder_transfer_ext import log_setup

CONFIG_FILES_ENV = 'CINDER_TRANSFER_EXT_CONFIG_FILES'


def init_application():
    files = os.environ.get(CONFIG_FILES_ENV)
    conf = deploy.new_conf(
        default_config_files=files.split(',') if files else None)
    log_setup.setup(conf, deploy.PROJECT)
    return deploy.loadapp(conf)


application = init_application()
