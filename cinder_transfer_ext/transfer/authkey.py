"""Auth keys: generation, salted hashing and constant-time verification.

A key is random lowercase hexadecimal from ``secrets``. It is shown once, in
the create response, and stored only as a salted HMAC-SHA256, written
``sha256:<hex digest>`` in the ``crypt_hash`` column. Rows that Cinder wrote
hold a bare 40-character HMAC-SHA1 digest; those still verify, so that
transfers created by Cinder can be accepted here.
"""

import hashlib
import hmac
import secrets

SHA256_PREFIX = 'sha256:'
_LEGACY_SHA1_LENGTH = 40


def generate_hex(length: int) -> str:
    """Return ``length`` random lowercase hexadecimal characters."""
    return secrets.token_hex((length + 1) // 2)[:length]


def hash_key(salt: str, auth_key: str, algorithm: str = 'sha256') -> str:
    """Return the value to store in ``crypt_hash`` for ``auth_key``.

    ``algorithm`` is ``sha256`` or ``cinder-sha1``, the bare HMAC-SHA1
    that Cinder writes.
    """
    if algorithm == 'cinder-sha1':
        return _legacy_sha1(salt, auth_key)
    digest = hmac.new(salt.encode('utf-8'), auth_key.encode('utf-8'),
                      hashlib.sha256).hexdigest()
    return SHA256_PREFIX + digest


def _legacy_sha1(salt: str, auth_key: str) -> str:
    return hmac.new(salt.encode('utf-8'), auth_key.encode('utf-8'),
                    hashlib.sha1).hexdigest()


def verify_key(salt: str | None, crypt_hash: str | None,
               auth_key: str) -> bool:
    """Return whether ``auth_key`` matches the stored salt and hash.

    The comparison takes the same time wherever the first difference is, so
    response times reveal nothing about the stored hash.
    """
    if not salt or not crypt_hash:
        return False
    if crypt_hash.startswith(SHA256_PREFIX):
        expected = hash_key(salt, auth_key)
    elif len(crypt_hash) == _LEGACY_SHA1_LENGTH:
        expected = _legacy_sha1(salt, auth_key)
    else:
        return False
    return hmac.compare_digest(expected.encode('ascii'),
                               crypt_hash.encode('ascii', 'replace'))
