"""Development authentication: the token names the caller.

The ``X-Auth-Token`` header is ``user:project`` or
``user:project:role1+role2``. Unlike Cinder's noauth, which makes every
caller an administrator, the roles here default to member and reader, so
that each persona (administrator, member, reader, a user of another
project) can be tried without Keystone. The user ``admin`` also gets the
admin role, and ``[cinder_transfer_ext] noauth_user_roles`` can name roles
per user.

Never deploy this pipeline where untrusted clients can reach it.
"""

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext import context as transfer_context
from cinder_transfer_ext import deploy

DEFAULT_ROLES = ('member', 'reader')
# The width of the user_id and project_id columns.
ID_MAX_LENGTH = 255
ADMIN_USER = 'admin'


def _valid_ids(ids: list[str]) -> bool:
    """Return whether user and project ids fit the database columns.

    Keystone ids are short printable strings; anything else would only
    fail later, in a database driver.
    """
    return all(len(value) <= ID_MAX_LENGTH and value.isprintable()
               for value in ids)


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

    def __call__(self, environ, start_response):
        # A plain WSGI callable: it only reads one header and adds the
        # context, so it builds no webob request or response on the way.
        token = environ.get('HTTP_X_AUTH_TOKEN', '')
        parts = token.split(':')
        if (not token or len(parts) > 3 or not parts[0] or
                not _valid_ids(parts[:2])):
            response = faults.fault_response(
                401, 'Authentication required: send X-Auth-Token as '
                     'user:project or user:project:role1+role2.')
            return response(environ, start_response)
        user_id = parts[0]
        project_id = parts[1] if len(parts) > 1 and parts[1] else user_id
        roles = self._roles_for(user_id, parts[2] if len(parts) > 2 else None)
        environ[wsgi.ENV_CONTEXT] = transfer_context.RequestContext(
            user_id=user_id, project_id=project_id, roles=roles,
            request_id=environ.get('openstack.request_id'),
            global_request_id=environ.get('openstack.global_request_id'),
            # The request's context becomes the thread's current one, so
            # that every log line of the request shows its ids.
            overwrite=True)
        return self.application(environ, start_response)


def filter_factory(global_conf, **local_conf):
    conf = deploy.conf_from_paste(global_conf)

    def _filter(application):
        return NoAuthMiddleware(application, conf)
    return _filter
