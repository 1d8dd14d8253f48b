"""Query parameters of the transfer lists: filters, sorting and paging.

Every parameter is honoured on both collections and at every microversion,
and an unknown parameter is a 400, so that a list is never silently
emptied by a typo. Only the default order depends on the request: from
3.59 on ``volume-transfers`` it is newest first, elsewhere oldest first.
"""

import dataclasses

from oslo_utils import strutils

from cinder_transfer_ext.api import faults

# Public sort key -> column.
SORT_KEYS = {
    'id': 'id',
    'created_at': 'created_at',
    'name': 'display_name',
    'display_name': 'display_name',
    'volume_id': 'volume_id',
}
SORT_DIRS = ('asc', 'desc')

# Public filter -> column; values are matched exactly.
STRING_FILTERS = {
    'name': 'display_name',
    'display_name': 'display_name',
    'id': 'id',
    'volume_id': 'volume_id',
    'source_project_id': 'source_project_id',
    'project_id': 'project_id',
}
BOOLEAN_FILTERS = {'no_snapshots': 'no_snapshots'}
# all_projects is openstacksdk's spelling of all_tenants.
ALL_TENANTS_PARAMS = ('all_tenants', 'all_projects')
PAGING_PARAMS = ('limit', 'marker', 'offset', 'sort', 'sort_key', 'sort_dir')
KNOWN_PARAMS = (set(STRING_FILTERS) | set(BOOLEAN_FILTERS) |
                set(ALL_TENANTS_PARAMS) | set(PAGING_PARAMS))
# Offsets above this cannot be stored in a database integer.
MAX_OFFSET = 2 ** 31 - 1


@dataclasses.dataclass
class ListParams:
    filters: dict
    all_tenants: bool
    sort_keys: list
    sort_dirs: list
    limit: int
    marker: str | None
    offset: int | None
    # The request's own query pairs, kept to build the next link.
    query_pairs: list


def _bad(message: str) -> faults.HTTPError:
    return faults.HTTPError(400, message)


def single_values(req) -> tuple[dict, list]:
    try:
        pairs = list(req.GET.items())
    except UnicodeDecodeError:
        raise _bad('The query string is not valid UTF-8.')
    values = {}
    for key, value in pairs:
        if key in values:
            raise _bad(f'Query parameter {key} is given more than once; '
                       f'give it once.')
        if '\x00' in key or '\x00' in value:
            raise _bad(f'Query parameter {key!r} contains a NUL character.')
        values[key] = value
    return values, pairs


def _parse_int(name: str, text: str, maximum: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _bad(f'{name} param must be an integer, not {text!r}.')
    if value < 0:
        raise _bad(f'{name} param must be positive or zero, not {value}.')
    if maximum is not None and value > maximum:
        raise _bad(f'{name} param must be at most {maximum}, not {value}.')
    return value


def parse_bool(name: str, text: str) -> bool:
    try:
        return strutils.bool_from_string(text, strict=True)
    except ValueError:
        raise _bad(f'Invalid value {text!r} for {name}: use true or false.')


def _parse_sort(values: dict, default_dir: str) -> tuple[list, list]:
    if 'sort' in values and ('sort_key' in values or 'sort_dir' in values):
        raise _bad("The 'sort_key' and 'sort_dir' parameters are deprecated "
                   "and cannot be used with the 'sort' parameter.")
    pairs = []
    if 'sort' in values:
        for item in values['sort'].split(','):
            key, _, direction = item.strip().partition(':')
            pairs.append((key.strip(), direction.strip() or default_dir))
    elif 'sort_key' in values or 'sort_dir' in values:
        pairs.append((values.get('sort_key', 'created_at'),
                      values.get('sort_dir', default_dir)))

    keys, dirs = [], []
    for key, direction in pairs:
        if key not in SORT_KEYS:
            raise _bad(f'Invalid input received: Invalid sort key {key!r}; '
                       f'valid keys are {", ".join(sorted(SORT_KEYS))}.')
        if direction not in SORT_DIRS:
            raise _bad(f"Invalid input received: Unknown sort direction "
                       f"{direction!r}, must be 'desc' or 'asc'.")
        if SORT_KEYS[key] not in keys:
            keys.append(SORT_KEYS[key])
            dirs.append(direction)

    # created_at and then id make the order total, which markers need.
    tail_dir = dirs[0] if dirs else default_dir
    for key in ('created_at', 'id'):
        if key not in keys:
            keys.append(key)
            dirs.append(tail_dir)
    return keys, dirs


def parse(req, max_limit: int, default_dir: str) -> ListParams:
    """Parse and check a list request's query string."""
    values, pairs = single_values(req)
    unknown = sorted(set(values) - KNOWN_PARAMS)
    if unknown:
        raise _bad(f'Invalid filter key(s): {", ".join(unknown)}. Valid '
                   f'query parameters are '
                   f'{", ".join(sorted(KNOWN_PARAMS))}.')

    filters = {}
    for name, column in STRING_FILTERS.items():
        if name in values:
            filters[column] = values[name]
    for name, column in BOOLEAN_FILTERS.items():
        if name in values:
            filters[column] = parse_bool(name, values[name])
    all_tenants = any(parse_bool(name, values[name])
                      for name in ALL_TENANTS_PARAMS if name in values)

    limit = max_limit
    if 'limit' in values:
        limit = min(_parse_int('limit', values['limit']), max_limit)
    offset = None
    if 'offset' in values:
        offset = _parse_int('offset', values['offset'], MAX_OFFSET)
    sort_keys, sort_dirs = _parse_sort(values, default_dir)
    return ListParams(filters=filters, all_tenants=all_tenants,
                      sort_keys=sort_keys, sort_dirs=sort_dirs, limit=limit,
                      marker=values.get('marker') or None, offset=offset,
                      query_pairs=pairs)
