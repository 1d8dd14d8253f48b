"""Policy enforcement on top of oslo.policy."""

import sys

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from cinder_transfer_ext import exception
from cinder_transfer_ext import policies


class PolicyEnforcer:
    """Checks rules for a request context against in-code defaults.

    A policy file named by ``[oslo_policy] policy_file`` overrides any rule.
    """

    def __init__(self, conf: cfg.ConfigOpts):
        self._enforcer = oslo_policy.Enforcer(conf)
        self._enforcer.register_defaults(policies.list_rules())
        self._enforcer.load_rules()

    def authorize(self, context, action: str, target: dict | None = None):
        """Raise PolicyNotAuthorized unless ``context`` may do ``action``.

        With no target, the caller's own project and user are the target.
        An action that was never registered raises PolicyNotRegistered, so
        a typo in a rule name fails loudly instead of falling back to the
        default rule.
        """
        if target is None:
            target = {'project_id': context.project_id,
                      'user_id': context.user_id}
        self._enforcer.authorize(
            action, target, context, do_raise=True,
            exc=exception.PolicyNotAuthorized, action=action)

    def is_admin(self, context) -> bool:
        """Return whether ``context`` passes the context_is_admin rule."""
        return self._enforcer.enforce(
            'context_is_admin', {}, context.to_policy_values())


_TOOL_OPTIONS = ('--namespace', '--output-file')


def _tool_free_args(args: list[str]) -> list[str]:
    """Drop the oslopolicy tools' own options, which ConfigOpts rejects."""
    kept, skip_value = [], False
    for arg in args:
        if skip_value:
            skip_value = False
        elif arg in _TOOL_OPTIONS:
            skip_value = True
        elif not arg.startswith(tuple(opt + '=' for opt in _TOOL_OPTIONS)):
            kept.append(arg)
    return kept


def get_enforcer() -> oslo_policy.Enforcer:
    """Return an Enforcer for the oslopolicy-* command line tools."""
    conf = cfg.ConfigOpts()
    conf(_tool_free_args(sys.argv[1:]), project='cinder-transfer-ext')
    enforcer = oslo_policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    return enforcer
