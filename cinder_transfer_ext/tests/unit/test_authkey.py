"""Auth key generation, hashing and verification."""

import re
import string

import testtools

from cinder_transfer_ext.transfer import authkey

KEY = '1112345678901234'
SALT = 'a1b2c3d4e5f60718'
# HMAC-SHA256 of KEY with SALT as the key, from
# `printf %s KEY | openssl dgst -sha256 -hmac SALT`.
SHA256_HASH = ('sha256:ad74f71178fd03908e67cb214a9683c2'
               '9244a6ab2a8c695519870d7830812eb0')
# A row written by Cinder: 8-character salt and a bare HMAC-SHA1 digest,
# from `printf %s KEY | openssl dgst -sha1 -hmac LEGACY_SALT`.
LEGACY_SALT = 'abcd1234'
LEGACY_HASH = '9188a85e9a98af83bf105d0da6cb23343aab46d9'

HEX_DIGITS = set(string.digits + 'abcdef')


class GenerateHexTest(testtools.TestCase):

    def test_length_matches_request(self):
        for length in (1, 8, 15, 16, 17, 64, 128):
            self.assertEqual(length, len(authkey.generate_hex(length)),
                             f'length {length}')

    def test_alphabet_is_lowercase_hex(self):
        key = authkey.generate_hex(128)
        self.assertLessEqual(set(key), HEX_DIGITS, key)

    def test_keys_differ_between_calls(self):
        keys = {authkey.generate_hex(16) for _ in range(50)}
        self.assertEqual(50, len(keys))


class HashKeyTest(testtools.TestCase):

    def test_hash_matches_known_value(self):
        self.assertEqual(SHA256_HASH, authkey.hash_key(SALT, KEY))

    def test_hash_has_prefix_and_digest(self):
        value = authkey.hash_key(authkey.generate_hex(16),
                                 authkey.generate_hex(16))
        self.assertIsNotNone(re.fullmatch(r'sha256:[0-9a-f]{64}', value),
                             value)

    def test_hash_fits_column(self):
        # crypt_hash is VARCHAR(255).
        self.assertLessEqual(len(authkey.hash_key(SALT, KEY)), 255)

    def test_salt_changes_hash(self):
        self.assertNotEqual(authkey.hash_key(SALT, KEY),
                            authkey.hash_key(SALT[::-1], KEY))

    def test_hash_omits_key(self):
        self.assertNotIn(KEY, authkey.hash_key(SALT, KEY))


class VerifyKeyTest(testtools.TestCase):

    def test_right_key_verifies(self):
        self.assertTrue(authkey.verify_key(SALT, SHA256_HASH, KEY))

    def test_generated_key_round_trips(self):
        key = authkey.generate_hex(16)
        salt = authkey.generate_hex(16)
        self.assertTrue(authkey.verify_key(salt,
                                           authkey.hash_key(salt, key), key))

    def test_wrong_key_fails(self):
        for wrong in (KEY[:-1] + '5', KEY[:-1], KEY + '0', '', ' ' + KEY,
                      KEY + '\n'):
            self.assertFalse(authkey.verify_key(SALT, SHA256_HASH, wrong),
                             repr(wrong))

    def test_wrong_salt_fails(self):
        self.assertFalse(authkey.verify_key(SALT[::-1], SHA256_HASH, KEY))

    def test_legacy_sha1_row_verifies(self):
        self.assertTrue(authkey.verify_key(LEGACY_SALT, LEGACY_HASH, KEY))

    def test_legacy_sha1_wrong_key_fails(self):
        self.assertFalse(authkey.verify_key(LEGACY_SALT, LEGACY_HASH,
                                            KEY[::-1]))

    def test_legacy_sha1_wrong_salt_fails(self):
        self.assertFalse(authkey.verify_key('abcd1235', LEGACY_HASH, KEY))

    def test_missing_salt_or_hash_fails(self):
        for salt, crypt_hash in ((None, SHA256_HASH), ('', SHA256_HASH),
                                 (SALT, None), (SALT, '')):
            self.assertFalse(authkey.verify_key(salt, crypt_hash, KEY),
                             f'salt={salt!r} crypt_hash={crypt_hash!r}')

    def test_unknown_hash_formats_fail(self):
        digest = SHA256_HASH[len('sha256:'):]
        formats = [
            digest,                           # SHA-256 without its prefix
            'SHA256:' + digest,               # prefix in upper case
            'sha512:' + digest,               # unknown algorithm
            'sha256:',                        # prefix and nothing else
            LEGACY_HASH[:-1],                 # 39 hex characters
            LEGACY_HASH + '0',                # 41 hex characters
            'sha256:' + LEGACY_HASH,          # SHA-1 digest, SHA-256 prefix
            '\u00e9' * 40,                    # 40 characters, not hex
        ]
        for crypt_hash in formats:
            self.assertFalse(authkey.verify_key(SALT, crypt_hash, KEY),
                             repr(crypt_hash))
