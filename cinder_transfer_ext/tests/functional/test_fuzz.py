"""Property-based fuzzing of every route in ``router.ROUTES``, with hypothesis.

Each route has two tests. ``test_fuzz_<route>`` draws a valid request for
the route and then breaks up to three of its parts:

* the method;
* the token (odd separators, missing parts, claimed roles);
* the project segment and the suffix;
* the path ids: real ids of both projects, canonicalizable variants,
  junk, invalid UTF-8 and percent-encoded slashes;
* the query string: wrong, repeated or badly percent-encoded parameters;
* the microversion header, the Content-Type and extra headers;
* the body: wrong types, missing and extra keys, NaN, huge numbers, deep
  nesting, lone surrogates, NUL and oversized bodies.

Microversions are drawn from every boundary that changes behaviour, and
callers from every persona. Hard cases that random generation rarely
reaches (deep nesting, invalid UTF-8 in the path, an auth key sent in
place of the accept object, a project id longer than its column) also run
as explicit examples in every run. Each response must satisfy:

* the status is below 500;
* an error is Cinder's fault JSON ``{"<name>": {"code": N, "message":
  str}}`` with N equal to the status and Cinder's name for it;
* no body contains Python traceback text;
* no body contains the auth key, salt or hash of an existing transfer.
  The auth key of a transfer that the request itself creates is the only
  key a response may carry;
* a rejected request (4xx) and every GET leave the volumes, snapshots,
  transfers and quota_usages tables unchanged;
* for MEMBER2 and READER2 (project P2), the body contains no id, name or
  project id of project P1's objects, except strings that the caller put
  in the request itself.

``test_isolation_<route>`` sends well-formed requests from MEMBER2 and
READER2 that target P1's transfers, volumes, snapshots and quota, and
checks the exact status. It is 404, or 403 where policy comes first, or
400 for an accept with a wrong key (any project may try one, as in
Cinder), or 200 for a list that contains none of P1's objects.

Each test method builds the database once and reads the tables as the
baseline. After each request the tables are read again and compared with
it. When a create, accept or delete succeeded, every table is restored to
the baseline rows, so each example starts from the same state.

Run the default CI size, then a longer run, with:

    stestr run test_fuzz
    CTE_FUZZ_EXAMPLES=5000 stestr run test_fuzz

CTE_FUZZ_EXAMPLES is the number of examples (one request each) per test
method. Examples are derandomized, so CI runs repeat exactly. Set
CTE_FUZZ_RANDOM=1 to draw new ones. CTE_TEST_BACKEND picks the database,
as for the other functional tests. Each test attaches its request count
as the detail ``fuzz-requests``, and ``stestr last --all-attachments |
grep fuzz-requests`` lists them.
"""

import dataclasses
import json
import os
import re
import string
import urllib.parse

from hypothesis import example
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
import sqlalchemy as sa
from testtools import content
import webob

from cinder_transfer_ext.api import listing
from cinder_transfer_ext.api import router
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import quota as db_quota
from cinder_transfer_ext.tests import base

# With 60 examples for each of the 30 test methods, one run on SQLite took
# 49 s of test time, 35 s of wall time with stestr's two workers, on a
# shared 2-CPU machine. PostgreSQL took 56 s and MariaDB 49 s of wall time.
EXAMPLES = int(os.environ.get('CTE_FUZZ_EXAMPLES', '60'))
settings.register_profile(
    'cte-fuzz',
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get('CTE_FUZZ_RANDOM') != '1',
    # Derandomized runs repeat anyway, so the example database is off.
    # Hypothesis still caches data in a git-ignored .hypothesis directory.
    database=None,
    print_blob=True,
    # setUp builds the database once per test method and each example
    # restores what it changed, so the function-scoped fixture is safe.
    suppress_health_check=[HealthCheck.function_scoped_fixture,
                           HealthCheck.too_slow,
                           HealthCheck.data_too_large,
                           HealthCheck.large_base_example])
FUZZ_SETTINGS = settings.get_profile('cte-fuzz')

# Cinder's fault names (cinder.api.openstack.wsgi.Fault), kept apart from
# the product's own table so that the test checks it.
CINDER_FAULT_NAMES = {
    400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
    404: 'itemNotFound', 405: 'badMethod', 409: 'conflictingRequest',
    413: 'overLimit', 415: 'badMediaType', 429: 'overLimit',
    501: 'notImplemented', 503: 'serviceUnavailable',
}
CINDER_DEFAULT_FAULT_NAME = 'computeFault'

COMPARED_TABLES = (db_api.VOLUMES, db_api.SNAPSHOTS, db_api.TRANSFERS,
                   db_quota.USAGES)
# Delete order, children before parents. Inserts use the reverse order.
RESTORED_TABLES = (db_api.TRANSFERS, db_api.SNAPSHOTS, db_quota.USAGES,
                   db_api.VOLUMES)

VERSION_BOUNDARIES = ('3.0', '3.54', '3.55', '3.56', '3.57', '3.58', '3.59',
                      '3.69', '3.70', '3.71', 'latest')

# Placeholders such as @@T1@@ or @@VOL_A.upper@@ stand for the ids, keys
# and names that setUp creates. send() replaces them, so that examples
# print readably and repeat across runs.
PLACEHOLDER = re.compile(r'@@([A-Z0-9_]+)(?:\.([a-z]+))?@@')
PLACEHOLDER_BYTES = re.compile(rb'@@([A-Z0-9_]+)(?:\.([a-z]+))?@@')

P1_TRANSFERS = ('T1', 'TC')
P1_VOLUMES = ('VOL_A', 'VOL_B', 'VOL_C', 'VOL_X')
P1_SNAPSHOTS = ('SNAP_A1', 'SNAP_A2', 'SNAP_B1')
P2_TRANSFERS = ('T2', 'T0')
P2_VOLUMES = ('VOL_D', 'VOL_E')
P2_SNAPSHOTS = ('SNAP_D1', 'SNAP_E1')
KEYS = ('K1', 'K2', 'KC', 'K0')
P1_NAMES = {
    'VOL_A': 'p1-volume-alpha', 'VOL_B': 'p1-volume-bravo',
    'VOL_C': 'p1-volume-charlie', 'VOL_X': 'p1-volume-xray',
    'SNAP_A1': 'p1-snapshot-alpha-1', 'SNAP_A2': 'p1-snapshot-alpha-2',
    'SNAP_B1': 'p1-snapshot-bravo-1', 'T1': 'p1-transfer-pending',
    'TC': 'p1-transfer-cancelled',
}
P2_NAMES = {
    'VOL_D': 'moved-volume-delta', 'VOL_E': 'p2-volume-echo',
    'SNAP_D1': 'moved-snapshot-delta-1', 'SNAP_E1': 'p2-snapshot-echo-1',
    'T0': 'moved-transfer-accepted', 'T2': 'p2-transfer-pending',
}

UUID_FORMS = ('plain', 'upper', 'braces', 'urn', 'hex')
JUNK_FORMS = ('space', 'nul', 'tail', 'prefix')

PERSONAS = (base.ADMIN, base.MEMBER1, base.READER1, base.FOO1,
            base.MEMBER2, base.READER2)
P2_PERSONAS = (base.MEMBER2, base.READER2)
# Every write rule needs the member role, which these personas lack.
READ_ONLY_PERSONAS = (base.READER1, base.FOO1, base.READER2)


def _route_name(path: str) -> str:
    return re.sub(r'[^a-z0-9]+', '_', path.replace('{', '').replace(
        '}', '').lower()).strip('_')


def _route_kind(path: str) -> str:
    """Return what a route serves, to pick its parameters and bodies."""
    parts = path.strip('/').split('/')
    if parts[0] in ('volume-transfers', 'os-volume-transfer'):
        if len(parts) == 1 or parts[1] == 'detail':
            return 'transfer_list'
        return 'transfer_accept' if parts[-1] == 'accept' else 'transfer_item'
    if parts[0] in ('volumes', 'snapshots'):
        return f'{parts[0]}_list' if len(parts) == 1 or parts[1] == \
            'detail' else f'{parts[0]}_item'
    return 'quota'


# Generic values


def _percent_encode(text: str) -> str:
    # surrogatepass turns a lone surrogate into bytes that are not valid
    # UTF-8, which is exactly what a hostile client may send.
    return urllib.parse.quote(text, safe='', errors='surrogatepass')


def _ref(name: str, form: str = 'plain') -> str:
    return f'@@{name}@@' if form == 'plain' else f'@@{name}.{form}@@'


# Every code point, lone surrogates included.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()),
                   max_size=40)
# Lone surrogates, NUL, controls, non-BMP and combining characters.
EDGE_TEXT = st.sampled_from([
    '', ' ', '\t', '\x00', 'a\x00b', '\ud800', 'x\udfffy', '\u2028',
    '\x1c', '\u3000', '\ufeff', 'e\u0301', '\U0001f600', '\u202e',
    '%', '%00', '%ff', '../..', '*', '"', "'", '\\', '<script>',
    "' OR 1=1 --", 'null', 'NaN', '-1', '0', '1e999',
])
TEXT = st.one_of(ANY_TEXT, EDGE_TEXT,
                 st.integers(256, 5000).map(lambda n: 'a' * n))
LATIN1_VISIBLE = st.characters(
    codec='latin-1', exclude_characters='\x7f',
    categories=('L', 'M', 'N', 'P', 'S', 'Zs'))
HEADER_TEXT = st.text(alphabet=st.one_of(LATIN1_VISIBLE, st.just('\t')),
                      max_size=60)

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-2 ** 70, max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), TEXT)
JSON_KEYS = st.one_of(
    st.sampled_from(['transfer', 'accept', 'volume_id', 'name',
                     'no_snapshots', 'auth_key', 'Transfer', 'volume-id',
                     'id', '', ' name']),
    ANY_TEXT)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(JSON_KEYS, children, max_size=4)),
    max_leaves=12)


# Path segments


def _refs_for(param: str) -> tuple:
    if param == 'transfer_id':
        return P1_TRANSFERS + P2_TRANSFERS + ('VOL_A',)
    if param == 'volume_id':
        return P1_VOLUMES + P2_VOLUMES + ('T1', 'SNAP_A1')
    if param == 'snapshot_id':
        return P1_SNAPSHOTS + P2_SNAPSHOTS + ('VOL_A',)
    return ('P1', 'P2', 'A0', 'OWN')


RAW_SEGMENTS = st.sampled_from([
    '%ff', '%c3%28', '%ed%a0%80', '%00', 'a%00b', '%2F', '%2f..%2f', '..',
    '.', '%252F', 'detail', 'accept', '%20', '%E2%80%8B', 'null', '-1',
    '00000000-0000-0000-0000-000000000000', '%7B%7D', 'urn:uuid:',
])


def id_segments(param: str):
    """Return a strategy of one percent-encoded path segment for ``param``."""
    refs = _refs_for(param)
    return st.one_of(
        st.builds(_ref, st.sampled_from(refs), st.sampled_from(UUID_FORMS)),
        st.builds(_ref, st.sampled_from(refs), st.sampled_from(JUNK_FORMS)),
        st.uuids().map(str),
        TEXT.filter(bool).map(_percent_encode),
        RAW_SEGMENTS,
        st.integers(256, 20000).map(lambda n: 'a' * n),
    )


PROJECT_SEGMENTS = st.one_of(
    st.just(''), st.just('/@@OWN@@'), st.just('/@@OWN@@'),
    st.sampled_from(['/' + base.P1, '/' + base.P2, '/' + base.A0,
                     '/' + base.P1.upper(), '/abc-def', '/0', '/-', '/%ff',
                     '/g', '/' + 'a' * 300, '/%20' + base.P1]))
PATH_SUFFIXES = st.sampled_from(['', '', '', '.json', '/', '/extra', '//',
                                 '.xml', '%00'])


# Query strings


def _query_keys(kind: str) -> list:
    if kind == 'transfer_list':
        return sorted(listing.KNOWN_PARAMS)
    if kind == 'volumes_list':
        return ['name', 'status', 'project_id', 'all_tenants',
                'all_projects', 'limit', 'marker', 'sort']
    if kind == 'snapshots_list':
        return ['name', 'status', 'volume_id', 'project_id', 'all_tenants',
                'limit', 'sort']
    if kind == 'quota':
        return ['usage']
    return ['limit']


QUERY_VALUES = st.one_of(
    st.sampled_from(['true', 'false', 'True', '1', '0', 'yes', 'no', 'on',
                     'maybe', '', '-1', '+5', ' 5', '5 ', '1_000', '\u0665',
                     '2147483647', '2147483648', '99999999999999999999',
                     'name', 'name:asc', 'name:desc,id:asc', 'created_at:',
                     ':asc', 'id:up', 'salt', 'crypt_hash', 'volume',
                     'display_name:desc', 'volume_id,id,name,created_at',
                     'sort_key', 'desc', 'asc']),
    st.integers(min_value=-2 ** 64, max_value=2 ** 64).map(str),
    st.builds(_ref, st.sampled_from(
        P1_TRANSFERS + P2_TRANSFERS + P1_VOLUMES + P2_VOLUMES +
        ('P1', 'P2', 'SNAP_A1') + tuple(
            f'N_{name}' for name in P1_NAMES)),
        st.sampled_from(UUID_FORMS[:2])),
    TEXT)
QUERY_JUNK = st.sampled_from([
    '&&&', '=', '==', '%', '%zz', 'limit=%ff', '%00=1', 'limit=1%00',
    ';', '?', 'limit', 'a=%ed%a0%80', 'name=%c3', '&limit=1&', '+=+',
    'limit=1;offset=2', 'sort[]=id', 'limit=1&limit=2',
])


@st.composite
def query_strings(draw, kind: str) -> str:
    """Draw a raw query string: parameters of ``kind``, junk or both."""
    keys = st.one_of(st.sampled_from(_query_keys(kind)),
                     st.sampled_from(['foo', 'display_name~', 'name~',
                                      'all_tenant', 'LIMIT', '', 'usage',
                                      'status', 'project_id']),
                     ANY_TEXT)
    pairs = draw(st.lists(st.tuples(keys, QUERY_VALUES,
                                    st.booleans()), max_size=5))
    parts = []
    for key, value, with_value in pairs:
        if not with_value:
            parts.append(_percent_encode(key))
            continue
        # Placeholders pass unencoded: send() percent-encodes what they
        # resolve to.
        encoded = value if PLACEHOLDER.fullmatch(value) else \
            _percent_encode(value)
        parts.append(f'{_percent_encode(key)}={encoded}')
    if parts and draw(st.booleans()):
        # Repeat one parameter.
        parts.append(draw(st.sampled_from(parts)))
    if draw(st.integers(0, 4)) == 0:
        parts.append(draw(QUERY_JUNK))
    return '&'.join(parts)


# Headers

TOKEN_VARIANTS = st.one_of(
    st.sampled_from([
        None, '', ':', '::', ':::', 'member1', 'member1:',
        f'member1:{base.P1}:', f'member1:{base.P1}:+', f'member1:{base.P1}:,',
        f' member1:{base.P1}', f'member1 :{base.P1}',
        f'member1:{base.P1.upper()}', f'member1:{base.P1}:member:reader',
        f'member1;{base.P1}', f'member1|{base.P1}', 'admin',
        f'admin:{base.P2}:reader', f'member1:{base.P1}:admin',
        f'member2:{base.P1}', f'member1:{base.P1}\t', f':{base.P1}',
        'x' * 10000 + f':{base.P1}', f'member1:{"p" * 300}',
        f'member1:{base.P1}:' + '+' * 50,
    ]),
    HEADER_TEXT)

VERSION_HEADERS = st.one_of(
    st.none(),
    st.sampled_from(VERSION_BOUNDARIES).map(lambda v: f'volume {v}'),
    st.sampled_from(VERSION_BOUNDARIES).map(lambda v: f'volume {v}'),
    st.sampled_from([
        'block-storage 3.59', 'VOLUME 3.55', 'Volume latest', 'volume 3.72',
        'volume 2.0', 'volume 1.0', 'volume 4.0', 'volume 3.', 'volume 3.01',
        'volume 03.1', 'volume 3.1.1', 'volume -3.1', 'volume LATEST',
        'compute 2.1, volume 3.60', 'volume 3.60, volume 3.0', 'volume 3.60 x',
        '', ',', ' , ', 'volume', 'volumes 3.60', 'volume\t3.59',
        'volume 3.9999999999999999999', 'volume 99999999999999999999.0',
        'volume \u0663.\u0665', 'compute 2.1',
    ]),
    HEADER_TEXT.map(lambda text: 'volume ' + text),
    HEADER_TEXT)
CONTENT_TYPES = st.one_of(
    st.sampled_from([
        None, 'application/json', 'application/json',
        'application/vnd.openstack.volume+json',
        'application/json; charset=utf-8', 'application/JSON',
        'application/json; charset=latin-1', 'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x', 'application/xml', '*/*',
        'application/json, text/plain', ';', 'application/',
    ]),
    HEADER_TEXT)
EXTRA_HEADERS = st.dictionaries(
    st.sampled_from(['Accept', 'Accept-Language', 'X-Forwarded-Proto',
                     'X-Forwarded-Host', 'Forwarded', 'Origin',
                     'X-Openstack-Request-Id', 'X-Roles', 'X-Project-Id',
                     'X-User-Id', 'X-Identity-Status',
                     'X-Service-Catalog']),
    st.one_of(HEADER_TEXT, st.sampled_from([
        'application/json', 'application/xml', '*/*', 'https',
        'evil.example', 'admin', 'Confirmed', 'Invalid', '[]',
        'req-00000000-0000-0000-0000-000000000000'])),
    max_size=3)


# Bodies


def _json_bytes(value) -> bytes:
    """Encode a generated body; lone surrogates become \\udXXX escapes."""
    return json.dumps(value, ensure_ascii=True).encode('ascii')


NAMES = st.one_of(
    TEXT, st.none(), st.integers(), st.booleans(),
    st.sampled_from(['a' * 255, 'a' * 256, ' ' + 'a' * 255 + ' ',
                     '\U0001f600' * 255, '\U0001f600' * 256,
                     '\u00e9' * 255, ' \t\n', 'ok name', '\x85', [], {},
                     ['name'], {'name': 'x'}]))
NO_SNAPSHOTS = st.one_of(
    st.sampled_from([True, False, 'true', 'False', 'yes', 'n', '1', '0',
                     'maybe', '', 1, 0, None, [], 'TRUE', 'On']),
    JSON_SCALARS)
VOLUME_IDS = st.one_of(
    st.builds(_ref, st.sampled_from(P1_VOLUMES + P2_VOLUMES + (
        'T1', 'SNAP_A1')), st.sampled_from(UUID_FORMS + JUNK_FORMS)),
    st.uuids().map(str), JSON_SCALARS)
AUTH_KEYS = st.one_of(
    st.builds(_ref, st.sampled_from(KEYS)),
    st.builds(_ref, st.sampled_from(KEYS),
              st.sampled_from(('upper', 'space', 'nul', 'tail', 'prefix'))),
    st.text(alphabet='0123456789abcdef', min_size=16, max_size=16),
    st.integers(min_value=-2 ** 70, max_value=2 ** 70), JSON_SCALARS)

ABSENT = object()


def _maybe(strategy):
    return st.one_of(st.just(ABSENT), strategy)


def _without_absent(values: dict) -> dict:
    return {key: value for key, value in values.items()
            if value is not ABSENT}


@st.composite
def create_bodies(draw):
    """Draw a create body that is valid or one mutation away from it."""
    inner = _without_absent({
        'volume_id': draw(st.one_of(
            st.builds(_ref, st.sampled_from(('VOL_A', 'VOL_C'))),
            VOLUME_IDS, st.just(ABSENT))),
        'name': draw(_maybe(NAMES)),
        'no_snapshots': draw(_maybe(NO_SNAPSHOTS)),
    })
    inner.update(draw(st.dictionaries(JSON_KEYS, JSON_VALUES, max_size=2)))
    return draw(_mutated('transfer', inner))


@st.composite
def accept_bodies(draw):
    """Draw an accept body that is valid or one mutation away from it."""
    inner = _without_absent({'auth_key': draw(_maybe(AUTH_KEYS))})
    if draw(st.integers(0, 3)) == 0:
        inner.update(draw(st.dictionaries(JSON_KEYS, JSON_VALUES,
                                          max_size=2)))
    return draw(_mutated('accept', inner))


@st.composite
def _mutated(draw, wrapper: str, inner: dict):
    """Wrap ``inner`` under ``wrapper``, then maybe break the wrapping."""
    mutation = draw(st.sampled_from([
        'none', 'none', 'none', 'extra_outer', 'list', 'inner_only',
        'flatten', 'wrong_wrapper', 'inner_replaced', 'bare_value']))
    if mutation == 'extra_outer':
        return {wrapper: inner,
                draw(JSON_KEYS.filter(lambda k: k != wrapper)):
                    draw(JSON_VALUES)}
    if mutation == 'list':
        return [{wrapper: inner}]
    if mutation == 'inner_only':
        return inner
    if mutation == 'flatten':
        # A client that sends the value itself in place of the object,
        # such as {"accept": "<key>"}.
        return {wrapper: next(iter(inner.values()), None)}
    if mutation == 'wrong_wrapper':
        return {draw(JSON_KEYS.filter(lambda k: k != wrapper)): inner}
    if mutation == 'inner_replaced':
        return {wrapper: draw(JSON_VALUES)}
    if mutation == 'bare_value':
        return next(iter(inner.values()), '')
    return {wrapper: inner}


# Over the default [oslo_middleware] max_request_body_size of 114688.
OVERSIZED_STRING = b'"' + b'a' * 200000 + b'"'


def _nested(depth: int, kind: str) -> bytes:
    if kind == 'list':
        return b'[' * depth + b']' * depth
    return b'{"a":' * depth + b'1' + b'}' * depth


@st.composite
def raw_bodies(draw, wrapper: str, field: str) -> bytes:
    """Draw bytes that JSON parsers disagree on or reject."""
    prefix = ('{"%s": {"%s": ' % (wrapper, field)).encode()
    suffix = b'}}'
    # json parses nesting up to the recursion limit (see NESTING_DEPTHS),
    # and anything deeper must be a 400.
    depth = draw(st.one_of(
        st.sampled_from([2, 100, 500, 700, 900, 1200, 1500, 1800, 5000,
                         50000]),
        st.integers(1, 60000)))
    nested = _nested(depth, draw(st.sampled_from(['list', 'object'])))
    value = draw(st.sampled_from([
        b'NaN', b'-Infinity', b'Infinity', b'1e999', b'-0', b'1' * 5000,
        b'1' * 4301, b'0x10', b'"\\ud800"', b'"a\\udc00b"', b'"\\u0000"',
        b'"\xff\xfe"', b'"\xed\xa0\x80"', b'"@@K1@@"', b'"@@VOL_A@@"',
        b'"\\u0040\\u0040K1\\u0040\\u0040"', b'true', b'null', b'[]',
        b'{}', OVERSIZED_STRING, nested, nested, nested, b'',
        b'"unterminated',
    ]))
    return draw(st.sampled_from([
        prefix + value + suffix,
        value,
        b'\xef\xbb\xbf' + prefix + b'"x"' + suffix,
        prefix + b'"x", "%s": ' % field.encode() + value + suffix,
        prefix + b'"x"' + suffix + b' trailing',
        prefix + b'"x"',
        b'',
        b'   \n\t',
        b'\x00',
        b'{"%s": ' % wrapper.encode() + nested + b'}',
        b'{"%s": {"%s": "x", "extra": ' % (wrapper.encode(), field.encode())
        + nested + b'}}',
        (prefix + value + suffix).decode('latin-1').encode('utf-16'),
        b'{"%s": {"volume_id": "@@VOL_A@@", "name": "\\ud800"}}'
        % wrapper.encode(),
        b'{"%s": {"volume_id": "@@VOL_A@@", "name": "a\\u0000"}}'
        % wrapper.encode(),
    ]))


def bodies(kind: str):
    if kind == 'transfer_list':
        valid = create_bodies().map(_json_bytes)
        raw = raw_bodies('transfer', 'name')
    elif kind == 'transfer_accept':
        valid = accept_bodies().map(_json_bytes)
        raw = raw_bodies('accept', 'auth_key')
    else:
        # Bodies on routes that take none must be ignored or rejected.
        return st.one_of(st.none(), st.none(), st.none(),
                         JSON_VALUES.map(_json_bytes))
    return st.one_of(valid, raw, JSON_VALUES.map(_json_bytes), st.none())


# Requests


@dataclasses.dataclass
class FuzzRequest:
    """One request, with placeholders still in its path, query and body."""

    method: str
    path: str
    token: str | None
    headers: dict
    body: bytes | None
    clear_accept_failures: bool

    def __repr__(self):
        body = self.body if self.body is None or len(self.body) < 300 \
            else self.body[:300] + b'...(%d bytes)' % len(self.body)
        path = self.path if len(self.path) < 300 else \
            self.path[:300] + f'...({len(self.path)} characters)'
        return (f'FuzzRequest({self.method} {path!r}, token='
                f'{self.token!r}, headers={self.headers!r}, body={body!r}, '
                f'clear_accept_failures={self.clear_accept_failures})')


OTHER_METHODS = ('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS')

# The parts of a request that fuzz_requests may break. Each example breaks
# at most three of them and keeps the others valid, so that requests get
# past the early checks (token, version, Content-Type) to the handlers.
DIMENSIONS = ('method', 'token', 'project', 'ids', 'suffix', 'query',
              'version', 'content_type', 'body', 'headers')

ALL_TRANSFERS = P1_TRANSFERS + P2_TRANSFERS
ALL_VOLUMES = P1_VOLUMES + P2_VOLUMES
ALL_SNAPSHOTS = P1_SNAPSHOTS + P2_SNAPSHOTS
P1_PATH_REFS = {
    'transfer_id': P1_TRANSFERS,
    'volume_id': P1_VOLUMES,
    'snapshot_id': P1_SNAPSHOTS,
    'target_project_id': ('P1',),
}
ALL_PATH_REFS = {
    'transfer_id': ALL_TRANSFERS,
    'volume_id': ALL_VOLUMES,
    'snapshot_id': ALL_SNAPSHOTS,
    'target_project_id': ('P1', 'P2', 'A0', 'OWN'),
}


def _versions_from(version: str, minimum: tuple) -> bool:
    return version == 'latest' or tuple(
        int(part) for part in version.split('.')) >= minimum


@st.composite
def valid_query_pairs(draw, kind: str, transfers: tuple, volumes: tuple,
                      snapshots: tuple, projects: tuple) -> list:
    """Draw well-formed list parameters naming the given objects."""
    ids = st.sampled_from(UUID_FORMS[:2])
    if kind == 'transfer_list':
        choices = {
            'all_tenants': st.sampled_from(['true', '1', 'yes', 'on',
                                            'false']),
            'all_projects': st.sampled_from(['true', 'True', '0']),
            'project_id': st.builds(_ref, st.sampled_from(projects)),
            'volume_id': st.builds(_ref, st.sampled_from(volumes), ids),
            'id': st.builds(_ref, st.sampled_from(transfers), ids),
            'name': st.builds(_ref, st.sampled_from(
                tuple(f'N_{name}' for name in transfers))),
            'display_name': st.builds(_ref, st.sampled_from(
                tuple(f'N_{name}' for name in transfers))),
            'source_project_id': st.builds(_ref, st.sampled_from(projects)),
            'marker': st.builds(_ref, st.sampled_from(transfers), ids),
            'sort': st.sampled_from(['name:asc', 'id:desc', 'display_name',
                                     'created_at,volume_id:asc']),
            'sort_key': st.sampled_from(sorted(listing.SORT_KEYS)),
            'sort_dir': st.sampled_from(listing.SORT_DIRS),
            'limit': st.integers(0, 5).map(str),
            'offset': st.integers(0, 3).map(str),
            'no_snapshots': st.sampled_from(['true', 'false']),
        }
    elif kind in ('volumes_list', 'snapshots_list'):
        names = volumes if kind == 'volumes_list' else snapshots
        choices = {
            'all_tenants': st.sampled_from(['true', '1', 'false']),
            'project_id': st.builds(_ref, st.sampled_from(projects)),
            'name': st.builds(_ref, st.sampled_from(
                tuple(f'N_{name}' for name in names))),
            'status': st.sampled_from(['available', 'awaiting-transfer']),
            'limit': st.integers(0, 5).map(str),
        }
        if kind == 'snapshots_list':
            choices['volume_id'] = st.builds(
                _ref, st.sampled_from(volumes))
    elif kind == 'quota':
        choices = {'usage': st.sampled_from(['true', 'false'])}
    else:
        return []
    keys = draw(st.lists(st.sampled_from(sorted(choices)), unique=True,
                         max_size=4))
    if 'sort' in keys:
        keys = [key for key in keys if key not in ('sort_key', 'sort_dir')]
    return [(key, draw(choices[key])) for key in keys]


def _query_text(pairs: list) -> str:
    return '&'.join(f'{key}={value}' for key, value in pairs)


@st.composite
def valid_bodies(draw, kind: str, version: str, legacy: bool,
                 volumes: tuple, keys: st.SearchStrategy):
    """Draw a create or accept body that passes validation at ``version``."""
    if kind == 'transfer_accept':
        return _json_bytes({'accept': {'auth_key': draw(keys)}})
    transfer = {'volume_id': _ref(draw(st.sampled_from(volumes)),
                                  draw(st.sampled_from(UUID_FORMS)))}
    if draw(st.booleans()):
        transfer['name'] = draw(st.one_of(
            st.none(),
            st.text(alphabet=string.ascii_letters + ' ', min_size=1,
                    max_size=20).filter(str.strip)))
    if not legacy and _versions_from(version, (3, 55)) and draw(
            st.booleans()):
        transfer['no_snapshots'] = draw(st.sampled_from(
            [True, False, 'true', 'False', 'yes', 'n', '1', '0']))
    return _json_bytes({'transfer': transfer})


@st.composite
def fuzz_requests(draw, path: str, methods: dict) -> FuzzRequest:
    """Draw a valid request for the route, then break up to three parts."""
    kind = _route_kind(path)
    dimensions = DIMENSIONS
    if kind in ('transfer_list', 'transfer_accept'):
        # Bodies are where create and accept differ most, so break them
        # more often.
        dimensions += ('body',) * 4
    broken = draw(st.sets(st.sampled_from(dimensions), max_size=3))

    def pick(dimension, valid, fuzzed):
        return draw(fuzzed if dimension in broken else valid)

    method = pick('method', st.sampled_from(sorted(methods)),
                  st.sampled_from(OTHER_METHODS))
    token = pick('token', st.sampled_from(PERSONAS), TOKEN_VARIANTS)
    segments = {}
    for param in re.findall(r'{(\w+)}', path):
        segments[param] = pick(
            'ids',
            st.builds(_ref, st.sampled_from(ALL_PATH_REFS[param]),
                      st.sampled_from(UUID_FORMS[:3])),
            id_segments(param))
    url = '/v3' + pick('project', st.sampled_from(['', '/@@OWN@@']),
                       PROJECT_SEGMENTS)
    url += path.format(**segments)
    url += pick('suffix', st.sampled_from(['', '.json', '/']),
                PATH_SUFFIXES)
    query = pick(
        'query',
        valid_query_pairs(kind, ALL_TRANSFERS, ALL_VOLUMES, ALL_SNAPSHOTS,
                          ('P1', 'P2', 'A0')).map(_query_text),
        query_strings(kind))
    if query:
        url += '?' + query

    version = draw(st.sampled_from(VERSION_BOUNDARIES))
    headers = {'OpenStack-API-Version': f'volume {version}'}
    if 'version' in broken:
        headers = {}
        header = draw(VERSION_HEADERS)
        if header is not None:
            headers['OpenStack-API-Version'] = header

    if method == 'POST' and kind in ('transfer_list', 'transfer_accept'):
        keys = st.one_of(
            st.builds(_ref, st.sampled_from(KEYS)),
            st.text(alphabet='0123456789abcdef', min_size=16, max_size=16))
        body = pick('body', valid_bodies(
            kind, version, path.startswith('/os-volume-transfer'),
            ('VOL_A', 'VOL_C', 'VOL_B', 'VOL_E'), keys), bodies(kind))
    else:
        body = pick('body', st.none(), bodies('none'))
    content_type = pick('content_type',
                        st.sampled_from(['application/json', None]),
                        CONTENT_TYPES)
    if body is not None and content_type is not None:
        headers['Content-Type'] = content_type
    headers.update(pick('headers', st.just({}), EXTRA_HEADERS))
    return FuzzRequest(method=method, path=url, token=token,
                       headers=headers, body=body,
                       clear_accept_failures=draw(st.integers(0, 3)) > 0)


# Isolation requests: well formed, from project P2, aimed at project P1.


@st.composite
def isolation_requests(draw, path: str, methods: dict) -> FuzzRequest:
    kind = _route_kind(path)
    method = draw(st.sampled_from(sorted(methods)))
    token = draw(st.sampled_from(P2_PERSONAS))
    version = draw(st.sampled_from(VERSION_BOUNDARIES))
    segments = {}
    for param in re.findall(r'{(\w+)}', path):
        forms = ('plain',) if param == 'target_project_id' else UUID_FORMS
        segments[param] = _ref(
            draw(st.sampled_from(P1_PATH_REFS[param])),
            draw(st.sampled_from(forms)))
    url = '/v3' + draw(st.sampled_from(['', '/@@OWN@@'])) + \
        path.format(**segments) + draw(st.sampled_from(['', '.json']))
    query = _query_text(draw(valid_query_pairs(
        kind, P1_TRANSFERS, P1_VOLUMES, P1_SNAPSHOTS, ('P1',))))
    if query:
        url += '?' + query

    body = None
    if method == 'POST':
        keys = st.one_of(
            st.text(alphabet='0123456789abcdef', min_size=16, max_size=16),
            st.integers(0, 10 ** 16))
        body = draw(valid_bodies(kind, version,
                                 path.startswith('/os-volume-transfer'),
                                 P1_VOLUMES, keys))
    headers = {'OpenStack-API-Version': f'volume {version}'}
    if body is not None:
        headers['Content-Type'] = 'application/json'
    return FuzzRequest(method=method, path=url, token=token,
                       headers=headers, body=body, clear_accept_failures=True)


def _isolation_statuses(kind: str, request: FuzzRequest) -> set:
    """Return the statuses a P2 caller may get for a request at P1."""
    if kind == 'transfer_list' and request.method == 'GET':
        return {200, 404} if 'marker=' in request.path else {200}
    if kind in ('volumes_list', 'snapshots_list'):
        return {200}
    if kind == 'transfer_accept':
        if request.token == base.READER2:
            return {403}
        # Any project may try a key, as in Cinder, so a live transfer
        # returns 400 (wrong key). A cancelled one is not found.
        return {400} if '@@T1' in request.path else {404}
    if kind == 'quota':
        return {403}
    # Create, show and delete look the object up in the caller's project
    # before any policy check that names the object.
    return {404}


class FuzzTest(base.TransferTestCase):
    """Generated requests against a fixed set of volumes and transfers."""

    def setUp(self):
        super().setUp()
        self.requests_sent = 0
        self.addCleanup(self._attach_request_count)
        self._build_world()
        self.baseline = self._read_tables()
        self.baseline_rows = self._read_rows(COMPARED_TABLES)
        self.secrets = self._secrets()

    def _attach_request_count(self):
        self.addDetail('fuzz-requests', content.text_content(
            f'fuzz-requests: {self.requests_sent} ({self.id()})'))

    # The fixture

    def _build_world(self):
        """Create P1's and P2's volumes, snapshots and transfers.

        P1 has a pending transfer (T1) and a cancelled one (TC). The
        accepted transfer T0 moved VOL_D and its snapshot from P1 to P2.
        P2 has a pending transfer (T2) of its own volume.
        """
        values = {}

        def volume(name, project, user, **extra):
            row = self.create_volume(project=project, user=user,
                                     name=(P1_NAMES | P2_NAMES)[name],
                                     **extra)
            values[name] = row['id']
            return row

        def snapshot(name, parent):
            values[name] = self.create_snapshot(
                parent, display_name=(P1_NAMES | P2_NAMES)[name])['id']

        def transfer(name, parent, token, **fields):
            created = self.create_transfer(
                parent, token=token, name=(P1_NAMES | P2_NAMES)[name],
                **fields)
            values[name] = created['id']
            values['K' + name[1:]] = created['auth_key']
            return created

        vol_a = volume('VOL_A', base.P1, 'member1')
        snapshot('SNAP_A1', vol_a)
        snapshot('SNAP_A2', vol_a)
        vol_b = volume('VOL_B', base.P1, 'member1', size=2)
        snapshot('SNAP_B1', vol_b)
        transfer('T1', vol_b, base.MEMBER1)
        volume('VOL_C', base.P1, 'member1')
        vol_x = volume('VOL_X', base.P1, 'member1')
        cancelled = transfer('TC', vol_x, base.MEMBER1)
        response = self.request(
            'DELETE', self.url(None, '/' + cancelled['id']), base.MEMBER1)
        self.assertEqual(202, response.status, response)

        vol_d = volume('VOL_D', base.P1, 'member1')
        snapshot('SNAP_D1', vol_d)
        accepted = transfer('T0', vol_d, base.MEMBER1)
        response = self.request(
            'POST', self.url(None, f"/{accepted['id']}/accept"),
            base.MEMBER2, body={'accept': {'auth_key': accepted['auth_key']}})
        self.assertEqual(202, response.status, response)

        vol_e = volume('VOL_E', base.P2, 'member2')
        snapshot('SNAP_E1', vol_e)
        transfer('T2', vol_e, base.MEMBER2)

        values.update(P1=base.P1, P2=base.P2, A0=base.A0)
        for name, text in (P1_NAMES | P2_NAMES).items():
            values['N_' + name] = text
        self.world = values

    def _secrets(self) -> set:
        """Return every auth key, salt and hash of the transfers table."""
        secrets = {self.world[name] for name in KEYS}
        for row in self.baseline_rows[db_api.TRANSFERS.name]:
            secrets.add(row['salt'])
            # The column stores sha256:<hex>, and the hex alone must not
            # leak either.
            secrets.add(row['crypt_hash'].rpartition(':')[2])
        return secrets

    def _p1_strings(self) -> set:
        """Return the ids, names and project id of P1's objects."""
        names = P1_TRANSFERS + P1_VOLUMES + P1_SNAPSHOTS
        strings = {self.world[name] for name in names}
        strings.update(P1_NAMES.values())
        strings.update({base.P1, 'member1'})
        return strings

    # Table snapshots

    def _read_rows(self, tables) -> dict:
        with self.database.reader.using(self.admin_context) as session:
            return {
                table.name: [dict(row) for row in session.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                ).mappings()]
                for table in tables}

    def _read_tables(self) -> dict:
        return {name: [tuple(sorted(row.items())) for row in rows]
                for name, rows in self._read_rows(COMPARED_TABLES).items()}

    def _restore(self) -> None:
        """Put every compared table back to the rows of setUp."""
        with self.database.writer.using(self.admin_context) as session:
            session.execute(sa.delete(db_api.ACCEPT_FAILURES))
            for table in RESTORED_TABLES:
                session.execute(sa.delete(table))
            for table in reversed(RESTORED_TABLES):
                rows = self.baseline_rows[table.name]
                if rows:
                    session.execute(sa.insert(table), rows)

    def _clear_accept_failures(self) -> None:
        # A read first, because a write commit costs an fsync on SQLite.
        with self.database.reader.using(self.admin_context) as session:
            count = session.execute(sa.select(sa.func.count()).select_from(
                db_api.ACCEPT_FAILURES)).scalar()
        if count:
            with self.database.writer.using(self.admin_context) as session:
                session.execute(sa.delete(db_api.ACCEPT_FAILURES))

    # Sending

    def _resolve(self, match, token: str | None, context: str) -> str:
        name, form = match.group(1), match.group(2) or 'plain'
        if name == 'OWN':
            parts = (token or '').split(':')
            value = parts[1] if len(parts) > 1 and parts[1] else parts[0]
        else:
            value = self.world[name]
        value = {
            'plain': value, 'upper': value.upper(),
            'braces': '{' + value + '}', 'urn': 'urn:uuid:' + value,
            'hex': value.replace('-', ''), 'space': ' ' + value + ' ',
            'nul': value + '\x00', 'tail': value + 'x',
            'prefix': value[:-1],
        }[form]
        if context == 'url':
            return _percent_encode(value)
        return json.dumps(value)[1:-1]

    def _resolved(self, request: FuzzRequest) -> tuple:
        path = PLACEHOLDER.sub(
            lambda m: self._resolve(m, request.token, 'url'), request.path)
        body = request.body
        if body is not None:
            body = PLACEHOLDER_BYTES.sub(
                lambda m: self._resolve(
                    _BytesMatch(m), request.token, 'body').encode('ascii'),
                body)
        return path, body

    def send(self, request: FuzzRequest):
        """Send ``request`` through the paste pipeline; return the response."""
        path, body = self._resolved(request)
        req = webob.Request.blank(path, method=request.method)
        if request.token is not None:
            req.headers['X-Auth-Token'] = request.token
        if body is not None:
            req.body = body
        for name, value in request.headers.items():
            req.headers[name] = value
        self.requests_sent += 1
        return base.Response(req.get_response(self.app)), path, body

    # Properties

    def check(self, request: FuzzRequest, isolation_kind: str | None = None):
        """Send one request and check every property on its response."""
        if request.clear_accept_failures:
            self._clear_accept_failures()
        response, path, body = self.send(request)
        # Read and restore the tables before any assertion, so that a
        # failing example leaves the next one a clean state.
        after = self._read_tables()
        if after != self.baseline:
            self._restore()
        text = response.body.decode('utf-8', errors='replace')
        context = f'{request!r}\n-> {response!r}'

        self.assertLess(response.status, 500, context)
        self.assertNotIn('Traceback', text, context)
        self.assertNotIn('File "', text, context)
        if request.method == 'HEAD':
            # webob, like any HTTP server, sends no body with HEAD.
            self.assertEqual(b'', response.body, context)
        elif response.status >= 400:
            self._check_fault(response, context)
        elif response.body:
            self.assertIsNotNone(response.json, context)

        for secret in self.secrets:
            self.assertNotIn(secret, text, f'secret leaked\n{context}')

        if request.token in P2_PERSONAS and not self._sends_key(body):
            self._check_nothing_of_p1(path, body, text, context)
        if isolation_kind is not None:
            self.assertIn(response.status,
                          _isolation_statuses(isolation_kind, request),
                          context)

        if response.status >= 400 or request.method in ('GET', 'HEAD'):
            self.assertEqual(self.baseline, after,
                             f'state changed\n{context}')
        if request.token in READ_ONLY_PERSONAS:
            self.assertEqual(self.baseline, after,
                             f'read-only caller changed state\n{context}')

    def _check_fault(self, response, context: str) -> None:
        self.assertEqual('application/json',
                         response.headers.get('Content-Type', '').split(
                             ';')[0], context)
        self.assertIsInstance(response.json, dict, context)
        expected_name = CINDER_FAULT_NAMES.get(response.status,
                                               CINDER_DEFAULT_FAULT_NAME)
        self.assertEqual([expected_name], list(response.json), context)
        fault = response.json[expected_name]
        self.assertIsInstance(fault, dict, context)
        self.assertEqual(response.status, fault.get('code'), context)
        self.assertIsInstance(fault.get('message'), str, context)

    def _sends_key(self, body: bytes | None) -> bool:
        """Return whether ``body`` carries a real auth key, in any form.

        A P2 caller who has the key may accept P1's transfer and then
        legitimately learns the volume's id.
        """
        if not body:
            return False
        lowered = body.lower()
        return any(self.world[name].encode() in lowered for name in KEYS)

    def _check_nothing_of_p1(self, path: str, body: bytes | None,
                             text: str, context: str) -> None:
        """Check that a P2 caller sees no P1 string it did not send."""
        sent = urllib.parse.unquote(path, errors='replace')
        if body:
            sent += body.decode('utf-8', errors='replace')
            try:
                sent += json.dumps(json.loads(body), ensure_ascii=False)
            except (ValueError, RecursionError):
                pass
        sent = sent.lower().replace('-', '')
        lowered = text.lower()
        for p1_string in self._p1_strings():
            compact = p1_string.lower().replace('-', '')
            visible = p1_string.lower() in lowered or compact in lowered
            if visible and compact not in sent:
                self.fail(f'P1 string {p1_string!r} visible to P2\n'
                          f'{context}')


class _BytesMatch:
    """Presents a bytes regex match as the str match _resolve reads."""

    def __init__(self, match):
        self._match = match

    def group(self, index):
        value = self._match.group(index)
        return value.decode('ascii') if value is not None else None


def _named(test, name: str):
    """Name a generated test and give it its own derandomized seed.

    Derandomized runs seed from a digest of the test's source, which is
    the same for every generated test. Hypothesis adds this attribute to
    the digest to distinguish pytest parametrizations. If a later version
    drops it, the tests only share one seed again.
    """
    test.__name__ = name
    test.__qualname__ = f'FuzzTest.{name}'
    test._hypothesis_internal_add_digest = name.encode()
    return test


# The JSON parser and recursive Python code both stop at the recursion
# limit, 1000 by default. Hypothesis raises it to about 2000 while a test
# runs (6.170), so the deeper values repeat the default case under it.
NESTING_DEPTHS = (500, 700, 850, 1200, 1500, 1800)


def explicit_requests(path: str, methods: dict) -> list:
    """Return hard cases that random generation reaches only rarely.

    Hypothesis runs these before the generated examples, so every CI run
    tries them whatever the seed.
    """
    kind = _route_kind(path)
    method = sorted(methods)[0]
    segments = {param: _ref(ALL_PATH_REFS[param][0])
                for param in re.findall(r'{(\w+)}', path)}
    url = path.format(**segments)
    version = {'OpenStack-API-Version': 'volume 3.71'}
    json_type = dict(version, **{'Content-Type': 'application/json'})

    def request(token, url, body=None, method=method, headers=version):
        return FuzzRequest(method=method, path=url, token=token,
                           headers=dict(headers), body=body,
                           clear_accept_failures=True)

    cases = [
        # Bytes that are not UTF-8, in the project segment and in an id.
        request(base.ADMIN, '/v3/%ff' + url),
        request(base.ADMIN, '/v3' + re.sub(r'@@[A-Z0-9_]+@@', '%ff', url)),
        request(base.MEMBER1, '/v3' + url + '?name=%ed%a0%80'),
    ]
    if kind == 'quota':
        # NUL in a project id that reaches the database.
        cases.append(request(base.ADMIN, '/v3/os-quota-sets/a%00b'))
    if kind == 'transfer_list':
        # Nesting that the JSON parser accepts but that may be too deep
        # for recursive code after it. The depth that fails depends on the
        # stack already in use, so several depths are tried.
        cases += [request(
            base.MEMBER1, '/v3' + path, method='POST', headers=json_type,
            body=b'{"transfer": {"volume_id": "@@VOL_A@@", "extra": ' +
            _nested(depth, 'list') + b'}}') for depth in NESTING_DEPTHS]
    if kind == 'transfer_accept':
        accept_url = '/v3' + path.format(transfer_id='@@T1@@')
        cases += [
            request(base.MEMBER2, accept_url, method='POST',
                    headers=json_type, body=b'{"accept": ' +
                    _nested(depth, 'list') + b'}')
            for depth in NESTING_DEPTHS]
        cases += [
            # The key sent in place of the accept object, or as the body.
            request(base.MEMBER2, accept_url, method='POST',
                    headers=json_type, body=b'{"accept": "@@K1@@"}'),
            request(base.MEMBER2, accept_url, method='POST',
                    headers=json_type, body=b'"@@K1@@"'),
            # A caller whose project id does not fit the database column,
            # which the noauth token allows.
            request(f'member2:{"b" * 300}', accept_url, method='POST',
                    headers=json_type,
                    body=b'{"accept": {"auth_key": "@@K1@@"}}'),
        ]
    return cases


def _fuzz_test(path: str, methods: dict, name: str):
    def test(self, request):
        self.check(request)
    test = given(request=fuzz_requests(path, methods))(_named(test, name))
    for case in explicit_requests(path, methods):
        test = example(request=case)(test)
    return FUZZ_SETTINGS(test)


def _isolation_test(path: str, methods: dict, name: str):
    kind = _route_kind(path)

    def test(self, request):
        self.check(request, isolation_kind=kind)
    return FUZZ_SETTINGS(given(request=isolation_requests(path, methods))(
        _named(test, name)))


for _path, _methods in router.ROUTES:
    for _prefix, _factory in (('test_fuzz_', _fuzz_test),
                              ('test_isolation_', _isolation_test)):
        _name = _prefix + _route_name(_path)
        setattr(FuzzTest, _name, _factory(_path, _methods, _name))
