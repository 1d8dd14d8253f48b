"""Rules of the volume-transfer operations."""

from oslo_policy import policy

from cinder_transfer_ext.policies import base

CREATE_POLICY = 'volume:create_transfer'
ACCEPT_POLICY = 'volume:accept_transfer'
GET_POLICY = 'volume:get_transfer'
GET_ALL_POLICY = 'volume:get_all_transfers'
DELETE_POLICY = 'volume:delete_transfer'

_COLLECTIONS = ('/volume-transfers', '/os-volume-transfer')


def _operations(method: str, suffix: str) -> list[dict]:
    return [{'method': method, 'path': collection + suffix}
            for collection in _COLLECTIONS]


def _deprecated(name: str, check_str: str) -> policy.DeprecatedRule:
    return policy.DeprecatedRule(
        name=name, check_str=check_str,
        deprecated_reason=base.DEPRECATED_REASON, deprecated_since='X')


rules = [
    policy.DocumentedRuleDefault(
        name=GET_ALL_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_READER,
        description='List volume transfers, in summary or in detail. Only '
                    'a caller who passes context_is_admin may add '
                    'all_tenants to see other projects.',
        operations=_operations('GET', '') + _operations('GET', '/detail'),
        deprecated_rule=_deprecated(GET_ALL_POLICY, base.RULE_ADMIN_OR_OWNER)),
    policy.DocumentedRuleDefault(
        name=CREATE_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_MEMBER,
        description='Offer a volume for transfer to another project. The '
                    'target is the volume, so the caller must be a member '
                    'of the project that owns it.',
        operations=_operations('POST', ''),
        deprecated_rule=_deprecated(CREATE_POLICY, base.RULE_ADMIN_OR_OWNER)),
    policy.DocumentedRuleDefault(
        name=GET_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_READER,
        description='Show one volume transfer.',
        operations=_operations('GET', '/{transfer_id}'),
        deprecated_rule=_deprecated(GET_POLICY, base.RULE_ADMIN_OR_OWNER)),
    policy.DocumentedRuleDefault(
        name=ACCEPT_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_MEMBER,
        description='Accept a volume transfer into the caller\'s project. '
                    'The target is the caller\'s own project: knowing the '
                    'auth key is what grants the right to a given volume.',
        operations=_operations('POST', '/{transfer_id}/accept'),
        deprecated_rule=_deprecated(ACCEPT_POLICY, '')),
    policy.DocumentedRuleDefault(
        name=DELETE_POLICY,
        check_str=base.SYSTEM_ADMIN_OR_PROJECT_MEMBER,
        description='Cancel a volume transfer; the volume becomes '
                    'available again.',
        operations=_operations('DELETE', '/{transfer_id}'),
        deprecated_rule=_deprecated(DELETE_POLICY, base.RULE_ADMIN_OR_OWNER)),
]


def list_rules():
    return rules
