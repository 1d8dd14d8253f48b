"""Quota limits and usage, read and changed inside a caller's transaction.

Cinder's quota engine reserves usage in one transaction and commits it in
another, so a failure between the two can leak reservations. Here usage
moves in the same transaction as the ownership change: the recipient's
usage rows are locked (SELECT ... FOR UPDATE), checked against the limits,
and changed together with the volume, so a refused or failed accept
leaves every usage row exactly as it was. ``reserved`` is read, because
Cinder counts it as consumed, but never changed.
"""

import dataclasses

from oslo_utils import timeutils
import sqlalchemy as sa

from cinder_transfer_ext.db import models
from cinder_transfer_ext import exception

QUOTAS = models.Quota.__table__
QUOTA_CLASSES = models.QuotaClass.__table__
USAGES = models.QuotaUsage.__table__

DEFAULT_CLASS = 'default'
UNLIMITED = -1


@dataclasses.dataclass(frozen=True)
class QuotaDefaults:
    """Configured default limits; per-project rows override them."""

    volumes: int = 10
    snapshots: int = 10
    gigabytes: int = 1000
    per_volume_gigabytes: int = UNLIMITED
    no_snapshot_gb_quota: bool = False
    use_default_quota_class: bool = True

    def default_for(self, resource: str) -> int:
        """Return the configured limit of ``resource``.

        Per-volume-type resources (``volumes_gold``) have no configured
        default, so they are unlimited unless a row sets them.
        """
        return getattr(self, resource, UNLIMITED) \
            if resource in _BASE_RESOURCES else UNLIMITED


_BASE_RESOURCES = ('volumes', 'snapshots', 'gigabytes',
                   'per_volume_gigabytes')


def limits(session, project_id: str, resources, defaults: QuotaDefaults):
    """Return {resource: limit} for ``project_id``.

    A live row of the quotas table wins, then the "default" quota class
    (when enabled), then the configured default.
    """
    resources = list(resources)
    result = {resource: defaults.default_for(resource)
              for resource in resources}
    if defaults.use_default_quota_class:
        rows = session.execute(sa.select(
            QUOTA_CLASSES.c.resource, QUOTA_CLASSES.c.hard_limit).where(
                QUOTA_CLASSES.c.class_name == DEFAULT_CLASS,
                QUOTA_CLASSES.c.resource.in_(resources),
                QUOTA_CLASSES.c.deleted == sa.false()))
        for row in rows:
            if row.hard_limit is not None:
                result[row.resource] = row.hard_limit
    rows = session.execute(sa.select(
        QUOTAS.c.resource, QUOTAS.c.hard_limit).where(
            QUOTAS.c.project_id == project_id,
            QUOTAS.c.resource.in_(resources),
            QUOTAS.c.deleted == sa.false()))
    for row in rows:
        if row.hard_limit is not None:
            result[row.resource] = row.hard_limit
    return result


def lock_usages(session, project_id: str, resources) -> dict:
    """Return {resource: usage row} for update, creating missing rows.

    Creating a row that a concurrent transaction also creates fails on
    the unique key with DBDuplicateEntry; the caller's retry then finds
    the row.
    """
    resources = sorted(set(resources))
    query = sa.select(USAGES).where(
        USAGES.c.project_id == project_id,
        USAGES.c.resource.in_(resources),
        USAGES.c.deleted == sa.false()).order_by(USAGES.c.resource)
    rows = {row['resource']: dict(row) for row in
            session.execute(query.with_for_update()).mappings()}
    missing = [resource for resource in resources if resource not in rows]
    for resource in missing:
        session.execute(sa.insert(USAGES).values(
            project_id=project_id, resource=resource, in_use=0, reserved=0,
            race_preventer=True, deleted=False,
            created_at=timeutils.utcnow()))
    if missing:
        rows = {row['resource']: dict(row) for row in
                session.execute(query.with_for_update()).mappings()}
    return rows


def read_usages(session, project_id: str, resources) -> dict:
    """Return {resource: usage values} without locking or inserting.

    A resource without a row counts as nothing used; only a pre-check
    uses this, and the transaction that changes usage checks again.
    """
    rows = {resource: {'in_use': 0, 'reserved': 0}
            for resource in resources}
    query = sa.select(USAGES).where(
        USAGES.c.project_id == project_id,
        USAGES.c.resource.in_(list(resources)),
        USAGES.c.deleted == sa.false())
    for row in session.execute(query).mappings():
        rows[row['resource']] = dict(row)
    return rows


def add_usage(session, usage_rows: dict, deltas: dict) -> None:
    """Add ``deltas`` to ``in_use`` of locked rows, never below zero.

    With ``session`` None only the given row dictionaries change, which
    is how a pre-check counts one step on top of the previous one.
    """
    for resource, delta in deltas.items():
        if not delta:
            continue
        row = usage_rows[resource]
        in_use = max(0, row['in_use'] + delta)
        if session is not None:
            session.execute(sa.update(USAGES).where(
                USAGES.c.id == row['id']).values(
                    in_use=in_use, updated_at=timeutils.utcnow()))
        row['in_use'] = in_use


def check(limits_by_resource: dict, usage_rows: dict, deltas: dict) -> None:
    """Raise OverQuota naming every resource that ``deltas`` would exceed.

    Consumed means ``in_use`` plus ``reserved``, as Cinder counts it.
    """
    overs = []
    for resource, delta in deltas.items():
        limit = limits_by_resource[resource]
        if limit < 0 or delta <= 0:
            continue
        row = usage_rows[resource]
        if row['in_use'] + row['reserved'] + delta > limit:
            overs.append(resource)
    if overs:
        raise exception.OverQuota(
            overs=sorted(overs),
            limits={name: limits_by_resource[name] for name in overs},
            consumed={name: usage_rows[name]['in_use'] +
                      usage_rows[name]['reserved'] for name in overs},
            requested={name: deltas[name] for name in overs})


def set_limit(session, project_id: str, resource: str, limit: int) -> None:
    """Set a project's limit of one resource (an upsert)."""
    result = session.execute(sa.update(QUOTAS).where(
        QUOTAS.c.project_id == project_id, QUOTAS.c.resource == resource,
        QUOTAS.c.deleted == sa.false()).values(
            hard_limit=limit, updated_at=timeutils.utcnow()))
    if result.rowcount == 0:
        session.execute(sa.insert(QUOTAS).values(
            project_id=project_id, resource=resource, hard_limit=limit,
            allocated=0, deleted=False, created_at=timeutils.utcnow()))


def usages(session, project_id: str) -> dict:
    """Return {resource: (in_use, reserved)} of a project's live rows."""
    rows = session.execute(sa.select(
        USAGES.c.resource, USAGES.c.in_use, USAGES.c.reserved).where(
            USAGES.c.project_id == project_id,
            USAGES.c.deleted == sa.false()))
    return {row.resource: (row.in_use, row.reserved) for row in rows}


def project_resources(session, project_id: str) -> set:
    """Return the resources with a limit row for the project or default."""
    names = set(session.execute(sa.select(QUOTAS.c.resource).where(
        QUOTAS.c.project_id == project_id,
        QUOTAS.c.deleted == sa.false())).scalars())
    names.update(session.execute(sa.select(QUOTA_CLASSES.c.resource).where(
        QUOTA_CLASSES.c.class_name == DEFAULT_CLASS,
        QUOTA_CLASSES.c.deleted == sa.false())).scalars())
    return names
