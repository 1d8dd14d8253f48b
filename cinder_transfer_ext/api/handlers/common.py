"""Helpers shared by the handlers."""

import re
import uuid

from cinder_transfer_ext.api.views import links as links_view


# The form that str(uuid.UUID(...)) returns.
_CANONICAL_UUID = re.compile(
    r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')


def canonical_uuid(value: str) -> str | None:
    """Return ``value`` as a lowercase hyphenated UUID, or None."""
    # Ids that clients took from responses are in this form already, and
    # matching it costs a fraction of parsing it.
    if type(value) is str and _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return None


def link_builder(req, collection: str, project_id: str | None):
    return links_view.LinkBuilder(
        req, req.app.options.public_endpoint, project_id, collection)
