"""Policy enforcement on top of oslo.policy."""

import collections.abc
import operator
import sys
import threading
import time

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from cinder_transfer_ext import exception
from cinder_transfer_ext import policies

# Seconds between checks of the policy files for changes: an edited rule
# takes effect within this time.
RULES_CHECK_INTERVAL = 1.0
# Cached decisions at most; the cache starts again when it is full.
MAX_CACHED_DECISIONS = 4096


class PolicyEnforcer:
    """Checks rules for a request context against in-code defaults.

    A policy file named by ``[oslo_policy] policy_file`` overrides any rule.
    """

    def __init__(self, conf: cfg.ConfigOpts):
        self._enforcer = oslo_policy.Enforcer(conf)
        self._enforcer.register_defaults(policies.list_rules())
        self._enforcer.load_rules()
        # oslo.policy looks for the policy file and policy.d on every call,
        # which costs more than the rule itself. Decisions are therefore
        # kept per (rule, target, credentials) and dropped whenever the
        # files are checked again, at most RULES_CHECK_INTERVAL seconds
        # apart.
        self._decisions: dict = {}
        self._rules_checked_at = time.monotonic()

    def _cached_decisions(self) -> dict:
        now = time.monotonic()
        if (now - self._rules_checked_at >= RULES_CHECK_INTERVAL or
                len(self._decisions) >= MAX_CACHED_DECISIONS):
            self._enforcer.load_rules()
            self._decisions.clear()
            self._rules_checked_at = now
        return self._decisions

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
        decisions = self._cached_decisions()
        key = _decision_key(action, target, context)
        allowed = decisions.get(key) if key is not None else None
        if allowed is None:
            try:
                self._enforcer.authorize(
                    action, target, context, do_raise=True,
                    exc=exception.PolicyNotAuthorized, action=action)
                allowed = True
            except exception.PolicyNotAuthorized:
                allowed = False
            if key is not None:
                decisions[key] = allowed
        if not allowed:
            raise exception.PolicyNotAuthorized(action=action)

    def is_admin(self, context) -> bool:
        """Return whether ``context`` passes the context_is_admin rule."""
        decisions = self._cached_decisions()
        key = _decision_key('context_is_admin', {}, context)
        allowed = decisions.get(key) if key is not None else None
        if allowed is None:
            allowed = bool(self._enforcer.enforce(
                'context_is_admin', {}, context.to_policy_values()))
            if key is not None:
                decisions[key] = allowed
        return allowed


def _frozen(value):
    """Return a hashable copy of a policy target or credential value."""
    if type(value) in _PLAIN_TYPES:
        # Role names and ids are the common case, and the Mapping check
        # below goes through an abstract base class, which is slow.
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(_frozen(item) for item in value)
    if isinstance(value, collections.abc.Mapping):
        return tuple((key, _frozen(item)) for key, item in value.items())
    return value


def _frozen_mapping(values) -> tuple:
    # The common case first: string, boolean and None values, and lists
    # of strings (the roles). Items stay in the order the mapping gives,
    # so the same code path always builds the same key.
    items = []
    for key, value in values.items():
        if type(value) is list:
            value = tuple(_frozen(item) for item in value)
        elif not isinstance(value, (str, bool, int, type(None))):
            value = _frozen(value)
        items.append((key, value))
    return tuple(items)


def _credential_names(context_class) -> tuple | None:
    """Return the attribute names behind ``to_policy_values()``, or None.

    oslo.context (5.x and 6.x) fills each policy value from the context
    attribute of the same name, so a decision key can read the attributes
    directly instead of building and walking that mapping, which cost more
    than the cached decision saves. The names are checked on a sample context
    with every value distinct; if a later oslo.context breaks the
    correspondence, None selects the generic key.
    """
    # oslo.context makes a new context the thread's current one when the
    # thread has none, so the sample lives in a thread of its own.
    samples = []
    maker = threading.Thread(
        target=lambda: samples.append(context_class(overwrite=False)))
    maker.start()
    maker.join()
    sample = samples[0]
    names = tuple(sample.to_policy_values())
    for position, name in enumerate(names):
        try:
            setattr(sample, name, f'probe-{position}')
        except AttributeError:
            return None
    values = sample.to_policy_values()
    if any(values[name] != f'probe-{position}'
           for position, name in enumerate(names)):
        return None
    return names


# An attrgetter of the credential names per context class, or None for
# the generic key.
_CREDENTIAL_GETTERS: dict = {}
# Types whose values are hashable and immutable as they are.
_PLAIN_TYPES = frozenset((str, bool, int, type(None)))


def _credentials_key(context) -> tuple:
    context_class = type(context)
    if context_class not in _CREDENTIAL_GETTERS:
        names = _credential_names(context_class)
        # attrgetter returns a tuple only for two names or more.
        _CREDENTIAL_GETTERS[context_class] = (
            operator.attrgetter(*names) if names and len(names) > 1
            else None)
    getter = _CREDENTIAL_GETTERS[context_class]
    if getter is None:
        return _frozen_mapping(context.to_policy_values())
    values = getter(context)
    # The common values are strings, booleans, None and lists of strings
    # (the roles), and one comprehension freezes them all.
    key = tuple([tuple(value) if type(value) is list else value
                 for value in values])
    try:
        hash(key)
    except TypeError:
        # Nested lists, sets or mappings.
        key = tuple([_frozen(value) for value in values])
    return key


def _decision_key(action: str, target: dict, context) -> tuple | None:
    """Return the cache key of one decision, or None if it cannot have one.

    A rule can read any target or credential value, so the key contains
    all of them.
    """
    try:
        key = (action, _frozen_mapping(target), _credentials_key(context),
               context.is_admin)
        hash(key)
    except TypeError:
        return None
    return key


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
