"""Options of the HTTP API layer."""

import socket

from oslo_config import cfg

# One group for all of this service's own options, so that mounting it in
# cinder-api can never clash with an option that Cinder registers.
GROUP = 'cinder_transfer_ext'

api_opts = [
    cfg.IntOpt(
        'osapi_max_limit', default=1000, min=1,
        help='Maximum number of transfers returned in one list page. A '
             'larger value means fewer round trips for clients but longer '
             'responses and more memory per request.'),
    cfg.StrOpt(
        'public_endpoint',
        help='Public URL of this API, such as '
             'https://cloud.example.com/volume. When set it replaces the '
             'scheme, host and path prefix of the request in every link the '
             'API returns. Leave unset to build links from the request.'),
    cfg.StrOpt(
        'project_id_regex', default=r'[0-9a-f\-]+',
        help='Regular expression that a project id in the URL path must '
             'match. It is the same as Cinder\'s option of that name: a path '
             'segment that the expression does not match whole is not '
             'treated as a project id. A project id is always one segment.'),
    cfg.StrOpt(
        'auth_strategy', default='keystone', choices=['keystone', 'noauth'],
        help='Which authentication pipeline the API uses. "noauth" trusts '
             'the X-Auth-Token header and is for development only.'),
    cfg.DictOpt(
        'noauth_user_roles', default={},
        help='Roles given to a user by the noauth pipeline, as '
             'user:role1+role2 pairs. A token of the form '
             'user:project:role1+role2 overrides this. Users not listed get '
             'member and reader, except the user "admin", who also gets '
             'admin.'),
    cfg.StrOpt(
        'host', default=socket.gethostname(), sample_default='<hostname>',
        help='Name of this host in notifications, whose publisher id is '
             'volume.<host>, as Cinder sends them.'),
    cfg.StrOpt(
        'state_path', default='~/.local/share/cinder-transfer-ext',
        help='Directory of the embedded SQLite database used when '
             '[database] connection is not set.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(api_opts, group=GROUP)


def list_opts():
    return [(GROUP, api_opts)]
