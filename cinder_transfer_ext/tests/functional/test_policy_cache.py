"""The policy decision cache keys on every credential of the context.

PolicyEnforcer caches each decision under a key made from the rule, the
target and the caller's credentials. The key reads the context attributes
that to_policy_values() reports when they correspond one to one, and falls
back to the mapping itself for a context class where they do not.
"""

import fixtures
from oslo_policy import opts as policy_opts
import testtools
import yaml

from cinder_transfer_ext import context as transfer_context
from cinder_transfer_ext import deploy
from cinder_transfer_ext import exception
from cinder_transfer_ext import policy
from cinder_transfer_ext.tests import base

CREATE = 'volume:create_transfer'
GET = 'volume:get_transfer'
TARGET = {'project_id': base.P1, 'user_id': 'member1'}


class DerivedCredentialContext(transfer_context.RequestContext):
    """A context with a policy value that no same-named attribute stores."""

    def to_policy_values(self) -> dict:
        values = super().to_policy_values()
        values['owner_scope'] = self.project_id or self.domain_id
        return values


class ReadOnlyCredentialContext(transfer_context.RequestContext):
    """A context with a policy value read from a property without setter."""

    @property
    def tenant(self):
        return self.project_id

    def to_policy_values(self) -> dict:
        values = super().to_policy_values()
        values['tenant'] = self.tenant
        return values


def make_context(context_class=transfer_context.RequestContext, **values):
    """Return a member of project P1, with ``values`` replacing defaults."""
    credentials = dict(user_id='member1', project_id=base.P1,
                       roles=['member', 'reader'])
    credentials.update(values)
    return context_class(overwrite=False, **credentials)


def changed_value(value, name: str):
    """Return a value of the same kind as ``value`` but different."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, list):
        return value + [f'changed-{name}']
    return f'changed-{name}'


class PolicyCacheTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = deploy.new_conf([])
        policy_opts.set_defaults(self.conf)

    def enforcer(self) -> policy.PolicyEnforcer:
        """Return a PolicyEnforcer that counts calls to oslo.policy."""
        enforcer = policy.PolicyEnforcer(self.conf)
        self.oslo_calls = []
        authorize = enforcer._enforcer.authorize

        def counting_authorize(rule, target, creds, *args, **kwargs):
            self.oslo_calls.append((rule, creds))
            return authorize(rule, target, creds, *args, **kwargs)

        enforcer._enforcer.authorize = counting_authorize
        return enforcer

    def use_policy_file(self, rules: dict) -> None:
        path = self.useFixture(fixtures.TempDir()).join('policy.yaml')
        with open(path, 'w') as policy_file:
            yaml.safe_dump(rules, policy_file)
        self.conf.set_override('policy_file', path, group='oslo_policy')

    def assertAllowed(self, enforcer, context, action: str):
        enforcer.authorize(context, action, TARGET)

    def assertDenied(self, enforcer, context, action: str):
        self.assertRaises(exception.PolicyNotAuthorized, enforcer.authorize,
                          context, action, TARGET)

    def test_roles_not_shared_either_order(self):
        # Whichever decision is cached first must not decide the other.
        for member_first in (True, False):
            enforcer = self.enforcer()
            checks = [(self.assertAllowed, make_context()),
                      (self.assertDenied, make_context(roles=['reader']))]
            if not member_first:
                checks.reverse()

            for check, context in checks:
                check(enforcer, context, CREATE)

            self.assertEqual(2, len(self.oslo_calls), member_first)

    def test_system_scope_not_shared(self):
        self.use_policy_file({GET: 'system_scope:all'})
        enforcer = self.enforcer()
        system = make_context(roles=['reader'], system_scope='all')
        project = make_context(roles=['reader'])

        self.assertAllowed(enforcer, system, GET)
        self.assertDenied(enforcer, project, GET)
        self.assertAllowed(enforcer, system, GET)

        self.assertEqual(2, len(self.oslo_calls))

    def test_same_credentials_share_decision(self):
        enforcer = self.enforcer()

        for _ in range(3):
            self.assertAllowed(enforcer, make_context(), CREATE)
            self.assertDenied(enforcer, make_context(roles=['reader']),
                              CREATE)

        self.assertEqual(2, len(self.oslo_calls))

    def test_names_match_policy_values(self):
        names = policy._credential_names(transfer_context.RequestContext)

        self.assertIsNotNone(names)
        self.assertEqual(
            list(make_context().to_policy_values()), list(names))
        for name in ('user_id', 'project_id', 'roles', 'system_scope',
                     'is_admin', 'domain_id', 'service_roles'):
            self.assertIn(name, names)

    def test_every_credential_changes_key(self):
        names = policy._credential_names(transfer_context.RequestContext)
        reference = make_context()
        reference_key = policy._decision_key(CREATE, TARGET, reference)

        for name in names:
            changed = make_context()
            setattr(changed, name,
                    changed_value(getattr(changed, name), name))

            key = policy._decision_key(CREATE, TARGET, changed)

            self.assertIsNotNone(key, name)
            self.assertNotEqual(reference_key, key, name)

    def test_nested_values_still_keyed(self):
        plain = policy._decision_key(CREATE, TARGET, make_context())
        nested = make_context()
        nested.roles = ['member', ['reader']]
        with_set = make_context()
        with_set.system_scope = {'all'}

        for context in (nested, with_set):
            key = policy._decision_key(CREATE, TARGET, context)
            self.assertIsNotNone(key)
            self.assertNotEqual(plain, key)
        nested.roles[1].append('admin')
        self.assertNotEqual(
            policy._decision_key(CREATE, TARGET, make_context(
                roles=['member', ['reader']])),
            policy._decision_key(CREATE, TARGET, nested))

    def test_derived_value_selects_generic_key(self):
        self.assertIsNone(policy._credential_names(DerivedCredentialContext))

    def test_read_only_value_selects_generic_key(self):
        self.assertIsNone(
            policy._credential_names(ReadOnlyCredentialContext))

    def test_generic_key_separates_contexts(self):
        for context_class in (DerivedCredentialContext,
                              ReadOnlyCredentialContext):
            member = make_context(context_class)
            same_member = make_context(context_class)
            reader = make_context(context_class, roles=['reader'])
            other_project = make_context(context_class, project_id=base.P2)

            member_key = policy._decision_key(CREATE, TARGET, member)

            self.assertIsNotNone(member_key, context_class)
            self.assertEqual(
                member_key,
                policy._decision_key(CREATE, TARGET, same_member))
            self.assertNotEqual(
                member_key, policy._decision_key(CREATE, TARGET, reader))
            self.assertNotEqual(
                member_key,
                policy._decision_key(CREATE, TARGET, other_project))

    def test_generic_key_decisions(self):
        enforcer = self.enforcer()
        member = make_context(DerivedCredentialContext)
        reader = make_context(DerivedCredentialContext, roles=['reader'])
        other_project = make_context(DerivedCredentialContext,
                                     project_id=base.P2)

        self.assertAllowed(enforcer, member, CREATE)
        self.assertDenied(enforcer, reader, CREATE)
        self.assertDenied(enforcer, other_project, CREATE)
        self.assertAllowed(enforcer, make_context(DerivedCredentialContext),
                           CREATE)

        self.assertEqual(3, len(self.oslo_calls))
