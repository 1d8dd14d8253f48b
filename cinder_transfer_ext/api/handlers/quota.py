"""Read-only quota route of standalone mode, in Cinder's shape.

``GET /os-quota-sets/{project}`` returns each limit; with ``usage=true``
each resource becomes ``{"limit", "in_use", "reserved", "allocated"}``.
Limits are set with ``cinder-transfer-manage quota set``.
"""

from oslo_utils import strutils

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.policies import quota as quota_policy


# The width of the project_id columns.
_PROJECT_ID_MAX_LENGTH = 255


def _usage_flag(req) -> bool:
    try:
        values = dict(req.GET.items())
    except UnicodeDecodeError:
        raise faults.HTTPError(400, 'The query string is not valid UTF-8.')
    unknown = sorted(set(values) - {'usage'})
    if unknown:
        raise faults.HTTPError(
            400, f'Invalid query parameter(s): {", ".join(unknown)}. The '
                 f'only valid parameter is usage.')
    try:
        return strutils.bool_from_string(values.get('usage', 'false'),
                                         strict=True)
    except ValueError:
        raise faults.HTTPError(
            400, f"Invalid value {values['usage']!r} for usage: use true "
                 f"or false.")


def show(req, collection, target_project_id, project_id=None):
    """GET /os-quota-sets/{project}: 200 with limits (and usage)."""
    with_usage = _usage_flag(req)
    if (len(target_project_id) > _PROJECT_ID_MAX_LENGTH or
            not target_project_id.isprintable()):
        raise faults.HTTPError(
            404, f'Project id {target_project_id[:64]!r} is not valid: it '
                 f'must be at most {_PROJECT_ID_MAX_LENGTH} printable '
                 f'characters.')
    req.app.enforcer.authorize(req.context, quota_policy.SHOW_POLICY,
                               {'project_id': target_project_id})
    usage = db_api.quota_usage_get(req.context, target_project_id,
                                   req.app.transfer_api.quota_defaults)
    quota_set = {'id': target_project_id}
    for resource, (limit, in_use, reserved) in usage.items():
        if with_usage:
            quota_set[resource] = {'limit': limit, 'in_use': in_use,
                                   'reserved': reserved, 'allocated': 0}
        else:
            quota_set[resource] = limit
    return wsgi.json_response({'quota_set': quota_set})
