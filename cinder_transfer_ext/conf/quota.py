"""Quota options, with the names Cinder gives them.

They live in this service's own group so that mounting it in cinder-api
cannot clash with Cinder's options of the same names.
"""

from oslo_config import cfg

from cinder_transfer_ext.conf import api

quota_opts = [
    cfg.IntOpt('quota_volumes', default=10,
               help='Default number of volumes a project may own. -1 means '
                    'no limit. A row in the quotas table overrides it for '
                    'one project.'),
    cfg.IntOpt('quota_snapshots', default=10,
               help='Default number of snapshots a project may own. -1 '
                    'means no limit.'),
    cfg.IntOpt('quota_gigabytes', default=1000,
               help='Default total size, in GiB, of the volumes and '
                    'snapshots a project may own. -1 means no limit.'),
    cfg.IntOpt('per_volume_size_limit', default=-1,
               help='Default maximum size, in GiB, of one volume a project '
                    'may own or receive. -1 means no limit.'),
    cfg.BoolOpt('no_snapshot_gb_quota', default=False,
                help='Whether snapshot sizes are left out of the gigabytes '
                     'quota.'),
    cfg.BoolOpt('use_default_quota_class', default=True,
                help='Whether limits in the "default" row set of the '
                     'quota_classes table override the defaults above.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(quota_opts, group=api.GROUP)


def list_opts():
    return [(api.GROUP, quota_opts)]
