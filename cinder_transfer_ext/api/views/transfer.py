"""Response bodies of the transfer routes, per microversion."""

from cinder_transfer_ext.api import microversion as mv


def _timestamp(value) -> str | None:
    # Naive UTC with microseconds and no zone suffix, as Cinder writes it;
    # gophercloud fails to parse a trailing "Z".
    if not value:
        return None
    if value.tzinfo is None and value.year >= 1000:
        # The same text as the strftime below in a quarter of the time.
        return value.isoformat(timespec='microseconds')
    return value.strftime('%Y-%m-%dT%H:%M:%S.%f')


def summary(transfer, links) -> dict:
    """Return the list item and accept body: the same at every version."""
    values = transfer.field_values()
    return {
        'id': values['id'],
        'volume_id': values['volume_id'],
        'name': values['display_name'],
        'links': links.resource_links(values['id']),
    }


def detail(transfer, links, version: mv.APIVersion) -> dict:
    return _detail(transfer, links,
                   version.matches(mv.TRANSFER_WITH_SNAPSHOTS),
                   version.matches(mv.TRANSFER_WITH_HISTORY))


def _detail(transfer, links, with_snapshots: bool,
            with_history: bool) -> dict:
    values = transfer.field_values()
    body = {
        'id': values['id'],
        'created_at': _timestamp(values['created_at']),
        'name': values['display_name'],
        'volume_id': values['volume_id'],
        'links': links.resource_links(values['id']),
    }
    if with_snapshots:
        body['no_snapshots'] = values['no_snapshots']
    if with_history:
        body['source_project_id'] = values['source_project_id']
        body['destination_project_id'] = values['destination_project_id']
        body['accepted'] = values['accepted']
    return body


def create(transfer, auth_key: str, links, version: mv.APIVersion) -> dict:
    body = detail(transfer, links, version)
    body['auth_key'] = auth_key
    return {'transfer': body}


def show(transfer, links, version: mv.APIVersion) -> dict:
    return {'transfer': detail(transfer, links, version)}


def accept(transfer, links) -> dict:
    return {'transfer': summary(transfer, links)}


def collection(transfers, links, version: mv.APIVersion, detailed: bool,
               next_link: dict | None) -> dict:
    if detailed:
        # The version checks are the same for every item of the page.
        with_snapshots = version.matches(mv.TRANSFER_WITH_SNAPSHOTS)
        with_history = version.matches(mv.TRANSFER_WITH_HISTORY)
        items = [_detail(transfer, links, with_snapshots, with_history)
                 for transfer in transfers]
    else:
        items = [summary(transfer, links) for transfer in transfers]
    body = {'transfers': items}
    if next_link is not None:
        body['transfers_links'] = [next_link]
    return body
