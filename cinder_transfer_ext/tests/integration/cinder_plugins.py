"""Test plugins that run inside the Cinder processes of the mount tests.

* ``RecordingFakeDriver``: cinder-volume's driver. It is Cinder's
  ``FakeLoggingVolumeDriver`` (shipped in the cinder wheel), whose
  ``accept_transfer`` does nothing, with three additions:

  - each ``accept_transfer`` call appends one JSON line to
    ``<state_path>/driver-accepts.jsonl`` with the volume, the new owner
    and the identity of the request context, so a test can tell that
    the accept reached the backend, and in whose name;
  - an accept into REJECTING_PROJECT fails as a backend error does;
  - an accept into RACING_PROJECT succeeds but first sets the volume's
    snapshots to ``error``, as a concurrent change would, so that the
    database step after it fails and the accept must be undone.

* ``TokenIdentity``: a paste filter that replaces keystonemiddleware's
  auth_token in the test pipelines. It turns
  ``X-Auth-Token: user:project[:role1+role2]`` into
  the identity headers that auth_token sets, for Cinder's own
  ``keystonecontext`` filter to read. Roles default to member and reader,
  plus admin for the user ``admin``.

Neither imports anything beyond the standard library at module level, so
the tests can read the constants and records without Cinder installed.
"""

import functools
import json
import os

REJECTING_PROJECT = 'fa11ed00000000000000000000000000'
RACING_PROJECT = 'eace0000000000000000000000000000'
RECORD_FILE_NAME = 'driver-accepts.jsonl'
ADMIN_USER = 'admin'


def read_records(state_path: str) -> list[dict]:
    """Return the recorded accept_transfer calls, oldest first."""
    try:
        with open(os.path.join(state_path, RECORD_FILE_NAME)) as records:
            return [json.loads(line) for line in records if line.strip()]
    except FileNotFoundError:
        return []


@functools.cache
def _driver_class():
    from cinder import exception
    from cinder import objects
    from cinder.tests import fake_driver
    from oslo_config import cfg

    class RecordingFakeDriver(fake_driver.FakeLoggingVolumeDriver):
        def accept_transfer(self, context, volume, new_user, new_project):
            record = {'volume_id': volume['id'], 'new_user': new_user,
                      'new_project': new_project,
                      'context_user': context.user_id,
                      'context_project': context.project_id}
            path = os.path.join(cfg.CONF.state_path, RECORD_FILE_NAME)
            with open(path, 'a') as records:
                records.write(json.dumps(record) + '\n')

            if new_project == REJECTING_PROJECT:
                raise exception.VolumeBackendAPIException(
                    data=f'the test backend rejects project {new_project}')
            if new_project == RACING_PROJECT:
                for snapshot in objects.SnapshotList.get_all_for_volume(
                        context.elevated(), volume['id']):
                    snapshot.status = 'error'
                    snapshot.save()
            return super().accept_transfer(context, volume, new_user,
                                           new_project)

    return RecordingFakeDriver


def __getattr__(name):
    # cinder-volume imports the driver class by name, inside cinder-volume
    # where Cinder is importable.
    if name == 'RecordingFakeDriver':
        return _driver_class()
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


# Headers that only the identity filter may set.
_IDENTITY_HEADERS = (
    'HTTP_X_IDENTITY_STATUS', 'HTTP_X_USER_ID', 'HTTP_X_USER',
    'HTTP_X_USER_NAME', 'HTTP_X_PROJECT_ID', 'HTTP_X_PROJECT_NAME',
    'HTTP_X_TENANT_ID', 'HTTP_X_TENANT', 'HTTP_X_TENANT_NAME',
    'HTTP_X_ROLES', 'HTTP_X_ROLE', 'HTTP_X_SERVICE_CATALOG',
    'HTTP_X_DOMAIN_ID', 'HTTP_X_USER_DOMAIN_ID', 'HTTP_X_PROJECT_DOMAIN_ID',
    'HTTP_X_SYSTEM_SCOPE', 'HTTP_X_IS_ADMIN_PROJECT',
)


class TokenIdentity:
    """Sets keystonemiddleware's identity headers from a plain token."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        for name in _IDENTITY_HEADERS:
            environ.pop(name, None)
        parts = environ.get('HTTP_X_AUTH_TOKEN', '').split(':')
        if not parts[0] or len(parts) > 3:
            start_response('401 Unauthorized',
                           [('Content-Type', 'text/plain')])
            return [b'Send X-Auth-Token as user:project[:role1+role2].']
        user = parts[0]
        project = parts[1] if len(parts) > 1 and parts[1] else user
        if len(parts) > 2 and parts[2]:
            roles = parts[2].split('+')
        elif user == ADMIN_USER:
            roles = ['admin', 'member', 'reader']
        else:
            roles = ['member', 'reader']
        environ.update({
            'HTTP_X_IDENTITY_STATUS': 'Confirmed',
            'HTTP_X_USER_ID': user,
            'HTTP_X_USER_NAME': user,
            'HTTP_X_PROJECT_ID': project,
            'HTTP_X_PROJECT_NAME': project,
            'HTTP_X_ROLES': ','.join(roles),
        })
        return self.application(environ, start_response)

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls
