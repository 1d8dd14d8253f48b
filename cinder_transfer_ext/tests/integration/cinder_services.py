"""Run cinder-api, cinder-scheduler and cinder-volume in one process.

The cinder_mount integration tests start this module with the Python of a
virtualenv that has Cinder and this package installed::

    python -m cinder_transfer_ext.tests.integration.cinder_services \\
        --config-file cinder.conf

The three services talk over oslo.messaging's ``fake://`` transport, which
delivers messages only inside one process, so no message broker is
needed and concurrent test runs cannot consume each other's messages.
cinder-api loads its paste pipeline as the ``cinder-api`` command does and
binds the port of ``osapi_volume_listen_port``. With port 0 the kernel
picks a free port, and this module prints it as
``cinder-api listening on 127.0.0.1:<port>``.

It calls only the installed cinder package. The start-up steps are those
of Cinder's own ``cinder-api``, ``cinder-scheduler`` and ``cinder-volume``
commands, under one oslo.service ServiceLauncher instead of one process
each.
"""

# Cinder runs on eventlet, which has to patch the standard library before
# anything else imports it.
from cinder import monkey_patch  # noqa: I100
monkey_patch.patch()

import logging as python_logging  # noqa: E402
import sys  # noqa: E402

from oslo_config import cfg  # noqa: E402
from oslo_log import log as logging  # noqa: E402
from oslo_service import service as oslo_service  # noqa: E402

from cinder.common import config  # noqa: E402
from cinder.common import constants  # noqa: E402
from cinder import coordination  # noqa: E402
from cinder import i18n  # noqa: E402
from cinder import objects  # noqa: E402
from cinder import rpc  # noqa: E402
from cinder import service  # noqa: E402
from cinder import utils  # noqa: E402
from cinder import version  # noqa: E402

CONF = cfg.CONF
READY_LINE = 'cinder-api listening on {host}:{port}'


def main() -> None:
    i18n.enable_lazy()
    objects.register_all()
    CONF(sys.argv[1:], project='cinder', version=version.version_string())
    config.set_middleware_defaults()
    logging.setup(CONF, 'cinder')
    python_logging.captureWarnings(True)
    utils.monkey_patch()
    coordination.COORDINATOR.start()
    rpc.init(CONF)

    launcher = oslo_service.ServiceLauncher(CONF, restart_method='mutate')
    launcher.launch_service(
        service.Service.create(binary=constants.SCHEDULER_BINARY))
    for backend in filter(None, CONF.enabled_backends):
        launcher.launch_service(service.Service.create(
            host=f'{CONF.host}@{backend}', service_name=backend,
            binary=constants.VOLUME_BINARY, coordination=True))

    # Loading the API builds the paste pipeline, cinder_mount included, and
    # binds the server socket.
    api = service.WSGIService('osapi_volume')
    launcher.launch_service(api)
    print(READY_LINE.format(host=api.server.host, port=api.server.port),
          flush=True)
    launcher.wait()


if __name__ == '__main__':
    main()
