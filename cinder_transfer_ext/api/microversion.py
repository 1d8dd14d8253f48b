"""Microversions: the OpenStack-API-Version header and the named versions.

A request without the header runs at the minimum version, 3.0. The header
may list several services separated by commas (``compute 2.1, volume
3.60``). Only the entry for ``volume``, or its official service type
``block-storage``, is read, and entries for other services are ignored.
"""

import functools
import re
from typing import NamedTuple

HEADER = 'OpenStack-API-Version'
# The header's key in a WSGI environ.
ENVIRON_KEY = 'HTTP_OPENSTACK_API_VERSION'
SERVICE_NAME = 'volume'
_SERVICE_NAMES = ('volume', 'block-storage')
_VERSION_RE = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')

# Named versions that change transfer behaviour.
TRANSFER_WITH_SNAPSHOTS = '3.55'
TRANSFER_WITH_HISTORY = '3.57'
SUPPORT_TRANSFER_PAGINATION = '3.59'
PROJECT_ID_OPTIONAL_IN_URL = '3.67'
TRANSFER_ENCRYPTED_VOLUME = '3.70'

MIN_VERSION_STRING = '3.0'
MAX_VERSION_STRING = '3.71'
# When the maximum version last changed, as Cinder 29 reports it.
MAX_VERSION_UPDATED = '2023-08-31T00:00:00Z'


class APIVersion(NamedTuple):
    major: int
    minor: int

    @classmethod
    def from_string(cls, text: str) -> 'APIVersion':
        match = _VERSION_RE.match(text)
        if match is None:
            raise MalformedVersion(text)
        return cls(int(match.group(1)), int(match.group(2)))

    def matches(self, minimum: str) -> bool:
        """Return whether this version is ``minimum`` or later."""
        parsed = _PARSED_MINIMUMS.get(minimum)
        if parsed is None:
            parsed = _PARSED_MINIMUMS[minimum] = APIVersion.from_string(
                minimum)
        return self >= parsed

    def __str__(self) -> str:
        return f'{self.major}.{self.minor}'


# Parsed forms of the version strings given to APIVersion.matches: views
# call it for every item of a list page.
_PARSED_MINIMUMS: dict[str, APIVersion] = {}

MIN_VERSION = APIVersion.from_string(MIN_VERSION_STRING)
MAX_VERSION = APIVersion.from_string(MAX_VERSION_STRING)


class MalformedVersion(ValueError):
    """The header's volume entry cannot be parsed."""

    def __init__(self, text: str, message: str | None = None):
        self.text = text
        super().__init__(message or (
            f'API Version String {text} is of invalid format. Must be of '
            f'format MajorNum.MinorNum.'))


class UnsupportedVersion(ValueError):
    """The requested version is well formed but outside the range."""

    def __init__(self, version: APIVersion):
        self.version = version
        super().__init__(
            f'Version {version} is not supported by the API. Minimum is '
            f'{MIN_VERSION} and maximum is {MAX_VERSION}.')


def _volume_entry(header: str) -> str | None:
    for entry in header.split(','):
        tokens = entry.split()
        if tokens and tokens[0].lower() in _SERVICE_NAMES:
            if len(tokens) != 2:
                raise MalformedVersion(
                    entry.strip(),
                    f'Invalid {HEADER} header entry "{entry.strip()}": '
                    f'expected "volume <major>.<minor>" or "volume latest".')
            return tokens[1]
    return None


# Clients send few distinct header values, so each is parsed once. A value
# that raises an error is not cached.
@functools.lru_cache(maxsize=256)
def parse(header: str | None) -> APIVersion:
    """Return the version that a header value requests.

    Raises MalformedVersion for an unparsable volume entry and
    UnsupportedVersion for a version outside MIN_VERSION..MAX_VERSION.
    """
    if header is None:
        return MIN_VERSION
    text = _volume_entry(header)
    if text is None:
        return MIN_VERSION
    if text == 'latest':
        return MAX_VERSION
    version = APIVersion.from_string(text)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise UnsupportedVersion(version)
    return version
