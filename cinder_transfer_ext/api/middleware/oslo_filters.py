"""oslo.middleware's CORS, proxy and size limit filters, run only when needed.

Each oslo.middleware filter wraps every request and response in webob
objects, even when it has nothing to do, and in this pipeline that cost
more than the database read of a show. Each factory here builds the
oslo.middleware filter and passes a request straight to the next
application when the filter would leave it as it is:

- cors: a request that is not OPTIONS and has no ``Origin`` header. The
  filter handles every OPTIONS request, with or without an origin.
- http_proxy_to_wsgi: every request while
  ``[oslo_middleware] enable_proxy_headers_parsing`` is false.
- sizelimit: a request whose Content-Length is within
  ``[oslo_middleware] max_request_body_size``, and a GET, HEAD or DELETE
  without Content-Length, whose body this service never reads.

The filters read this service's configuration (the files named by
``--config-file`` or CINDER_TRANSFER_EXT_CONFIG_FILES), and options set
in the filter's paste section override it, as with oslo.middleware's own
factories.
"""

from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import opts as middleware_opts
from oslo_middleware import sizelimit

from cinder_transfer_ext import deploy

# Methods whose handlers never read a request body.
_BODYLESS_METHODS = ('GET', 'HEAD', 'DELETE')


class _WhenNeeded:
    """Call ``oslo_filter`` for requests that ``needed`` selects, else skip.

    ``oslo_filter`` wraps ``application``, so both paths end there.
    """

    def __init__(self, application, oslo_filter, needed):
        self.application = application
        self.oslo_filter = oslo_filter
        self.needed = needed

    def __call__(self, environ, start_response):
        if self.needed(environ):
            return self.oslo_filter(environ, start_response)
        return self.application(environ, start_response)


def _cors_needed(environ) -> bool:
    return 'HTTP_ORIGIN' in environ or environ['REQUEST_METHOD'] == 'OPTIONS'


def _service_conf(global_conf: dict, local_conf: dict, list_opts):
    """Return the service's ConfigOpts with the filter's options applied.

    ``list_opts`` is oslo.middleware's list of the filter's options. They
    are registered first, so that the paste section's values, given as
    strings, are checked against their types.
    """
    conf = deploy.conf_from_paste(global_conf)
    for group, opts in list_opts():
        conf.register_opts(opts, group=group)
        for opt in opts:
            if opt.dest in local_conf:
                conf.set_override(opt.dest, local_conf[opt.dest],
                                  group=group)
    return conf


def cors_filter_factory(global_conf, **local_conf):
    deploy.set_cors_defaults()
    conf = _service_conf(global_conf, local_conf,
                         middleware_opts.list_opts_cors)

    def _filter(application):
        return _WhenNeeded(application, cors.CORS(application, conf),
                           _cors_needed)
    return _filter


def proxy_filter_factory(global_conf, **local_conf):
    conf = _service_conf(global_conf, local_conf,
                         middleware_opts.list_opts_http_proxy_to_wsgi)

    def _filter(application):
        if not conf.oslo_middleware.enable_proxy_headers_parsing:
            return application
        return http_proxy_to_wsgi.HTTPProxyToWSGI(application, conf)
    return _filter


def sizelimit_filter_factory(global_conf, **local_conf):
    conf = _service_conf(global_conf, local_conf,
                         middleware_opts.list_opts_sizelimit)

    def _filter(application):
        oslo_filter = sizelimit.RequestBodySizeLimiter(application, conf)
        max_size = conf.oslo_middleware.max_request_body_size

        def needed(environ) -> bool:
            length = environ.get('CONTENT_LENGTH')
            if not length:
                return environ['REQUEST_METHOD'] not in _BODYLESS_METHODS
            # Anything but ASCII digits goes to the filter, which reads
            # the header as webob does.
            if not (length.isascii() and length.isdigit()):
                return True
            return int(length) > max_size

        return _WhenNeeded(application, oslo_filter, needed)
    return _filter
