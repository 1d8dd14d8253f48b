"""Development server: the API on 127.0.0.1 with the embedded database.

It uses the noauth pipeline unless the configuration sets another, and
upgrades the database schema before it starts. Production deployments run
``cinder_transfer_ext.wsgi.api:application`` under a real WSGI server.
"""

import socketserver
import sys
from wsgiref import simple_server

from oslo_config import cfg
from oslo_log import log as logging

from cinder_transfer_ext import conf as transfer_conf
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import migration
from cinder_transfer_ext import deploy
from cinder_transfer_ext import log_setup

LOG = logging.getLogger(__name__)

cli_opts = [
    cfg.HostAddressOpt('bind-host', default='127.0.0.1',
                       help='Address to listen on.'),
    cfg.PortOpt('bind-port', default=8776, help='TCP port to listen on.'),
]


class _ThreadingServer(socketserver.ThreadingMixIn,
                       simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):
        # The application logs one line per request already.
        pass


def main(argv: list[str] | None = None) -> None:
    conf = cfg.ConfigOpts()
    transfer_conf.register_opts(conf)
    logging.register_options(conf)
    conf.register_cli_opts(cli_opts)
    conf.set_default('auth_strategy', 'noauth', group=deploy.GROUP)
    conf(sys.argv[1:] if argv is None else argv, project=deploy.PROJECT)
    log_setup.setup(conf, deploy.PROJECT)

    database = db_api.Database(conf)
    migration.db_sync(database.get_engine())
    database.dispose()

    app = deploy.loadapp(conf)
    server = simple_server.make_server(
        conf.bind_host, conf.bind_port, app, server_class=_ThreadingServer,
        handler_class=_QuietHandler)
    LOG.info('Serving the volume-transfer API on http://%(host)s:%(port)s/v3 '
             '(auth_strategy=%(auth)s)',
             {'host': conf.bind_host, 'port': server.server_port,
              'auth': conf[deploy.GROUP].auth_strategy})
    print(f'cinder-transfer-api listening on '
          f'http://{conf.bind_host}:{server.server_port}/v3', flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        LOG.info('Stopping on interrupt')
    finally:
        server.server_close()
