"""Parsing of the OpenStack-API-Version header."""

import testtools

from cinder_transfer_ext.api import microversion as mv


class ParseTest(testtools.TestCase):

    def assertParsed(self, expected: str, header: str | None):
        self.assertEqual(mv.APIVersion.from_string(expected),
                         mv.parse(header), repr(header))

    def test_absent_header_is_minimum(self):
        self.assertParsed('3.0', None)

    def test_empty_header_is_minimum(self):
        self.assertParsed('3.0', '')

    def test_volume_entry_is_read(self):
        for header, expected in (('volume 3.0', '3.0'),
                                 ('volume 3.55', '3.55'),
                                 ('volume 3.59', '3.59'),
                                 ('volume 3.71', '3.71'),
                                 ('volume  3.60', '3.60'),
                                 (' volume 3.60 ', '3.60'),
                                 ('volume\t3.60', '3.60')):
            self.assertParsed(expected, header)

    def test_block_storage_entry_is_read(self):
        self.assertParsed('3.60', 'block-storage 3.60')

    def test_latest_is_maximum(self):
        self.assertParsed('3.71', 'volume latest')

    def test_other_services_are_ignored(self):
        for header in ('compute 2.1', 'compute 2.1, identity 3.14',
                       'volumes 3.60', 'compute 9.x'):
            self.assertParsed('3.0', header)

    def test_volume_entry_found_among_others(self):
        for header in ('compute 2.1, volume 3.60',
                       'compute 2.1,volume 3.60',
                       'volume 3.60, compute 2.1'):
            self.assertParsed('3.60', header)

    def test_first_volume_entry_wins(self):
        self.assertParsed('3.60', 'volume 3.60, volume 3.61')

    def test_malformed_versions_raise(self):
        for text in ('3', '3.07', '3.060', '03.60', '3.9a', '3.', '.5',
                     '3.60.1', '-3.60', 'Latest', 'LATEST', 'v3.60',
                     '\u0663.60'):
            error = self.assertRaises(mv.MalformedVersion, mv.parse,
                                      f'volume {text}')
            self.assertEqual(
                f'API Version String {text} is of invalid format. Must be '
                f'of format MajorNum.MinorNum.', str(error))

    def test_wrong_token_count_raises(self):
        for header in ('volume 3.60 x', 'volume', 'compute 2.1, volume'):
            self.assertRaises(mv.MalformedVersion, mv.parse, header)

    def test_out_of_range_raises(self):
        for text in ('3.72', '4.0', '2.0', '1.0', '3.100', '99999.0'):
            error = self.assertRaises(mv.UnsupportedVersion, mv.parse,
                                      f'volume {text}')
            self.assertEqual(text, str(error.version))

    def test_out_of_range_message(self):
        error = self.assertRaises(mv.UnsupportedVersion, mv.parse,
                                  'volume 3.72')
        self.assertEqual('Version 3.72 is not supported by the API. '
                         'Minimum is 3.0 and maximum is 3.71.', str(error))

    def test_repeated_headers_parse_alike(self):
        # Parsed values are kept, and errors are raised every time.
        for _ in range(3):
            self.assertEqual((3, 59), mv.parse('volume 3.59'))
            self.assertRaises(mv.UnsupportedVersion, mv.parse, 'volume 3.72')
            self.assertRaises(mv.MalformedVersion, mv.parse, 'volume 3.x')


class APIVersionTest(testtools.TestCase):

    def test_versions_order_numerically(self):
        self.assertLess(mv.APIVersion.from_string('3.9'),
                        mv.APIVersion.from_string('3.10'))

    def test_matches_includes_minimum(self):
        version = mv.APIVersion.from_string('3.55')
        self.assertTrue(version.matches(mv.TRANSFER_WITH_SNAPSHOTS))

    def test_matches_rejects_older(self):
        version = mv.APIVersion.from_string('3.54')
        self.assertFalse(version.matches(mv.TRANSFER_WITH_SNAPSHOTS))

    def test_string_round_trips(self):
        for text in ('3.0', '3.55', '3.71'):
            self.assertEqual(text, str(mv.APIVersion.from_string(text)))

    def test_named_versions_are_in_range(self):
        for text in (mv.TRANSFER_WITH_SNAPSHOTS, mv.TRANSFER_WITH_HISTORY,
                     mv.SUPPORT_TRANSFER_PAGINATION,
                     mv.PROJECT_ID_OPTIONAL_IN_URL,
                     mv.TRANSFER_ENCRYPTED_VOLUME):
            version = mv.APIVersion.from_string(text)
            self.assertTrue(mv.MIN_VERSION <= version <= mv.MAX_VERSION,
                            text)
