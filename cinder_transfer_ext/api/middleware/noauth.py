"""Development authentication: the caller is whoever the token names.

The ``X-Auth-Token`` header is ``user:project`` or
``user:project:role1+role2``. Unlike Cinder's noauth, which makes every
caller an administrator, the roles here default to member and reader, so
that each persona (administrator, member, reader, a user of another
project) can be tried without Keystone. The user ``admin`` also gets the
admin role, and ``[cinder_transfer_ext] noauth_user_roles`` can name roles
per user.

Never deploy this pipeline where untrusted clients can reach it.
"""

import webob.dec

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext import context as transfer_context
from cinder_transfer_ext import deploy

DEFAULT_ROLES = ('member', 'reader')
ADMIN_USER = 'admin'


def _split_roles(text: str) -> list[str]:
    return [role for role in text.replace(',', '+').split('+') if role]


class NoAuthMiddleware:
    def __init__(self, application, conf):
        self.application = application
        self._user_roles = conf[deploy.GROUP].noauth_user_roles

    def _roles_for(self, user_id: str, token_roles: str | None) -> list:
        if token_roles:
            return _split_roles(token_roles)
        if user_id in self._user_roles:
            return _split_roles(self._user_roles[user_id])
        roles = list(DEFAULT_ROLES)
        if user_id == ADMIN_USER:
            roles.insert(0, 'admin')
        return roles

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        token = req.headers.get('X-Auth-Token', '')
        parts = token.split(':')
        if not token or len(parts) > 3 or not parts[0]:
            return faults.fault_response(
                401, 'Authentication required: send X-Auth-Token as '
                     'user:project or user:project:role1+role2.')
        user_id = parts[0]
        project_id = parts[1] if len(parts) > 1 and parts[1] else user_id
        roles = self._roles_for(user_id, parts[2] if len(parts) > 2 else None)
        req.environ[wsgi.ENV_CONTEXT] = transfer_context.RequestContext(
            user_id=user_id, project_id=project_id, roles=roles,
            request_id=req.environ.get('openstack.request_id'),
            overwrite=False)
        return req.get_response(self.application)


def filter_factory(global_conf, **local_conf):
    conf = deploy.conf_from_paste(global_conf)

    def _filter(application):
        return NoAuthMiddleware(application, conf)
    return _filter
