"""Handlers of the volume-transfer routes.

The same handlers serve ``volume-transfers`` and the legacy
``os-volume-transfer`` collection, and the ``collection`` argument
names the one a request addressed.
"""

from oslo_utils import strutils

from cinder_transfer_ext.api import listing
from cinder_transfer_ext.api import microversion as mv
from cinder_transfer_ext.api import validation
from cinder_transfer_ext.api import wsgi
from cinder_transfer_ext.api.handlers import common
from cinder_transfer_ext.api.schemas import transfer as schemas
from cinder_transfer_ext.api.views import transfer as views
from cinder_transfer_ext import exception

COLLECTION = 'volume-transfers'
LEGACY_COLLECTION = 'os-volume-transfer'


def _transfer_id(transfer_id: str) -> str:
    """Return the canonical form of a path id, or raise TransferNotFound.

    Transfer ids are UUIDs, so anything else cannot exist and never
    reaches the database.
    """
    canonical = common.canonical_uuid(transfer_id)
    if canonical is None:
        raise exception.TransferNotFound(transfer_id=transfer_id)
    return canonical


def create(req, collection, project_id=None):
    """POST /volume-transfers: offer a volume; 202 with the auth key."""
    version = req.api_version
    legacy = collection == LEGACY_COLLECTION
    body = req.json_body_object()
    with_snapshot_choice = (not legacy and
                            version.matches(mv.TRANSFER_WITH_SNAPSHOTS))
    validation.validate(
        body, schemas.create_v355 if with_snapshot_choice else schemas.create)

    params = body['transfer']
    name = params.get('name')
    no_snapshots = strutils.bool_from_string(
        params.get('no_snapshots', False), strict=True)
    allow_encrypted = (not legacy and
                       version.matches(mv.TRANSFER_ENCRYPTED_VOLUME))
    transfer, auth_key = req.app.transfer_api.create(
        req.context, common.canonical_uuid(params['volume_id']),
        name.strip() if name else None, no_snapshots=no_snapshots,
        allow_encrypted=allow_encrypted)

    links = common.link_builder(req, collection, project_id)
    return wsgi.json_response(
        views.create(transfer, auth_key, links, version), status=202)


def accept(req, collection, transfer_id, project_id=None):
    """POST /volume-transfers/{id}/accept: take the volume; 202."""
    body = req.json_body_object()
    validation.validate(body, schemas.accept, secret_scalars=True)
    transfer = req.app.transfer_api.accept(
        req.context, _transfer_id(transfer_id), body['accept']['auth_key'])
    links = common.link_builder(req, collection, project_id)
    return wsgi.json_response(views.accept(transfer, links), status=202)


def show(req, collection, transfer_id, project_id=None):
    """GET /volume-transfers/{id}: 200 with the transfer's details."""
    transfer = req.app.transfer_api.get(req.context,
                                        _transfer_id(transfer_id))
    links = common.link_builder(req, collection, project_id)
    return wsgi.json_response(views.show(transfer, links, req.api_version))


def delete(req, collection, transfer_id, project_id=None):
    """DELETE /volume-transfers/{id}: cancel the transfer; 202, no body."""
    req.app.transfer_api.delete(req.context, _transfer_id(transfer_id))
    return wsgi.empty_response(202)


def _list(req, collection, project_id, detailed: bool):
    version = req.api_version
    newest_first = (collection == COLLECTION and
                    version.matches(mv.SUPPORT_TRANSFER_PAGINATION))
    params = listing.parse(req, req.app.options.osapi_max_limit,
                           default_dir='desc' if newest_first else 'asc')
    if params.limit == 0:
        return wsgi.json_response({'transfers': []})

    # One row more than the page shows whether a next page exists.
    transfers = req.app.transfer_api.get_all(
        req.context, params.filters, all_tenants=params.all_tenants,
        sort_keys=params.sort_keys, sort_dirs=params.sort_dirs,
        limit=params.limit + 1, marker=params.marker, offset=params.offset)
    # Slicing the TransferList itself would coerce every item again.
    page = transfers.objects[:params.limit]

    links = common.link_builder(req, collection, project_id)
    next_link = None
    if len(transfers) > params.limit:
        # The marker already skips what the offset skipped.
        query = [(key, value) for key, value in params.query_pairs
                 if key != 'offset']
        next_link = links.next_link('detail' if detailed else None, query,
                                    page[-1].id)
    return wsgi.json_response(
        views.collection(page, links, version, detailed, next_link))


def index(req, collection, project_id=None):
    """GET /volume-transfers: 200 with a summary of each transfer."""
    return _list(req, collection, project_id, detailed=False)


def detail(req, collection, project_id=None):
    """GET /volume-transfers/detail: 200 with each transfer's details."""
    return _list(req, collection, project_id, detailed=True)
