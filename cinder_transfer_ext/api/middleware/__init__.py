"""WSGI middleware of the paste pipelines."""

from cinder_transfer_ext import deploy


def pipeline_factory(loader, global_conf, **local_conf):
    """Build the pipeline named by ``auth_strategy`` in the local options.

    Each option of the composite section is one pipeline, a list of filter
    names ending with the application, as in Cinder's api-paste.ini.
    """
    conf = deploy.conf_from_paste(global_conf)
    strategy = conf[deploy.GROUP].auth_strategy
    if strategy not in local_conf:
        raise ValueError(f'api-paste.ini has no pipeline for auth_strategy '
                         f'"{strategy}"; add a "{strategy} =" line to the '
                         f'composite section.')
    names = local_conf[strategy].split()
    app = loader.get_app(names[-1])
    for name in reversed(names[:-1]):
        app = loader.get_filter(name)(app)
    return app
