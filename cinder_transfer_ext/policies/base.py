"""Persona rules that the operation rules are built from."""

from oslo_policy import policy

RULE_ADMIN_API = 'rule:context_is_admin'
RULE_ADMIN_OR_OWNER = 'rule:admin_or_owner'
SYSTEM_ADMIN_OR_PROJECT_MEMBER = 'rule:xena_system_admin_or_project_member'
SYSTEM_ADMIN_OR_PROJECT_READER = 'rule:xena_system_admin_or_project_reader'

DEPRECATED_REASON = (
    'Cinder moved to role-based defaults that tell members and readers '
    'apart; the owner-only rule let any role of the project change '
    'transfers.')

rules = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        description='Decides who is an administrator of the deployment.'),
    policy.RuleDefault(
        'admin_or_owner',
        'is_admin:True or (role:admin and is_admin_project:True) or '
        'project_id:%(project_id)s',
        description='Legacy rule: an administrator, or any user of the '
                    'owning project whatever their role.'),
    policy.RuleDefault(
        'xena_system_admin_or_project_member',
        '(role:admin) or (role:member and project_id:%(project_id)s)',
        description='An administrator, or a member of the owning project.'),
    policy.RuleDefault(
        'xena_system_admin_or_project_reader',
        '(role:admin) or (role:reader and project_id:%(project_id)s)',
        description='An administrator, or a reader of the owning project.'),
]


def list_rules():
    return rules
