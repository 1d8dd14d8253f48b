"""Rule of the read-only quota route of standalone mode."""

from oslo_policy import policy

from cinder_transfer_ext.policies import base

SHOW_POLICY = 'volume_extension:quotas:show'

rules = [
    policy.DocumentedRuleDefault(
        name=SHOW_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_READER,
        description='Show the quota limits, and with usage=true the usage, '
                    'of a project.',
        operations=[{'method': 'GET',
                     'path': '/os-quota-sets/{project_id}'}]),
]


def list_rules():
    return rules
