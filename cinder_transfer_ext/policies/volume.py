"""Rules of the read-only volume and snapshot routes of standalone mode."""

from oslo_policy import policy

from cinder_transfer_ext.policies import base

GET_POLICY = 'volume:get'
GET_ALL_POLICY = 'volume:get_all'
GET_SNAPSHOT_POLICY = 'volume:get_snapshot'
GET_ALL_SNAPSHOTS_POLICY = 'volume:get_all_snapshots'

rules = [
    policy.DocumentedRuleDefault(
        name=GET_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_READER,
        description='Show one volume.',
        operations=[{'method': 'GET', 'path': '/volumes/{volume_id}'}]),
    policy.DocumentedRuleDefault(
        name=GET_ALL_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_READER,
        description='List volumes, in summary or in detail.',
        operations=[{'method': 'GET', 'path': '/volumes'},
                    {'method': 'GET', 'path': '/volumes/detail'}]),
    policy.DocumentedRuleDefault(
        name=GET_SNAPSHOT_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_READER,
        description='Show one snapshot.',
        operations=[{'method': 'GET', 'path': '/snapshots/{snapshot_id}'}]),
    policy.DocumentedRuleDefault(
        name=GET_ALL_SNAPSHOTS_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_READER,
        description='List snapshots, in summary or in detail.',
        operations=[{'method': 'GET', 'path': '/snapshots'},
                    {'method': 'GET', 'path': '/snapshots/detail'}]),
]


def list_rules():
    return rules
