"""Helpers shared by the handlers."""

import uuid

from cinder_transfer_ext.api.views import links as links_view


def canonical_uuid(value: str) -> str | None:
    """Return ``value`` as a lowercase hyphenated UUID, or None."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        return None


def link_builder(req, collection: str, project_id: str | None):
    return links_view.LinkBuilder(
        req, req.app.options.public_endpoint, project_id, collection)
