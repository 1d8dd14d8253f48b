"""Query parameters of the transfer lists."""

import testtools
import webob

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api import listing

MAX_LIMIT = 1000


def parse(query: str, max_limit: int = MAX_LIMIT,
          default_dir: str = 'asc') -> listing.ListParams:
    request = webob.Request.blank('/v3/volume-transfers' + query)
    return listing.parse(request, max_limit, default_dir)


class ParseTest(testtools.TestCase):

    def assertRejected(self, query: str, message: str | None = None):
        error = self.assertRaises(faults.HTTPError, parse, query)
        self.assertEqual(400, error.status, query)
        if message is not None:
            self.assertEqual(message, error.message, query)
        return error

    def test_empty_query_gives_defaults(self):
        params = parse('')
        self.assertEqual({}, params.filters)
        self.assertFalse(params.all_tenants)
        self.assertEqual(['created_at', 'id'], params.sort_keys)
        self.assertEqual(['asc', 'asc'], params.sort_dirs)
        self.assertEqual(MAX_LIMIT, params.limit)
        self.assertIsNone(params.marker)
        self.assertIsNone(params.offset)
        self.assertEqual([], params.query_pairs)

    def test_default_direction_applies(self):
        params = parse('', default_dir='desc')
        self.assertEqual(['desc', 'desc'], params.sort_dirs)

    def test_string_filters_map_to_columns(self):
        cases = {
            'name': 'display_name',
            'display_name': 'display_name',
            'id': 'id',
            'volume_id': 'volume_id',
            'source_project_id': 'source_project_id',
            'project_id': 'project_id',
        }
        for name, column in cases.items():
            params = parse(f'?{name}=some%20value')
            self.assertEqual({column: 'some value'}, params.filters, name)

    def test_boolean_filter_is_parsed(self):
        for text, value in (('true', True), ('1', True), ('yes', True),
                            ('false', False), ('0', False), ('off', False)):
            params = parse(f'?no_snapshots={text}')
            self.assertEqual({'no_snapshots': value}, params.filters, text)

    def test_invalid_boolean_filter_rejected(self):
        self.assertRejected(
            '?no_snapshots=maybe',
            "Invalid value 'maybe' for no_snapshots: use true or false.")

    def test_all_tenants_spellings_accepted(self):
        for query in ('?all_tenants=1', '?all_tenants=true',
                      '?all_tenants=True', '?all_projects=1',
                      '?all_projects=yes',
                      '?all_tenants=0&all_projects=1'):
            self.assertTrue(parse(query).all_tenants, query)

    def test_all_tenants_false_values(self):
        for query in ('?all_tenants=0', '?all_tenants=false',
                      '?all_projects=no', '?all_tenants=0&all_projects=0'):
            self.assertFalse(parse(query).all_tenants, query)

    def test_all_tenants_is_not_a_filter(self):
        self.assertEqual({}, parse('?all_tenants=1&all_projects=1').filters)

    def test_invalid_all_tenants_rejected(self):
        self.assertRejected('?all_tenants=everyone')

    def test_limit_is_parsed(self):
        self.assertEqual(5, parse('?limit=5').limit)

    def test_limit_zero_is_kept(self):
        self.assertEqual(0, parse('?limit=0').limit)

    def test_limit_capped_at_maximum(self):
        self.assertEqual(MAX_LIMIT, parse('?limit=5000').limit)

    def test_invalid_limit_rejected(self):
        self.assertRejected('?limit=-1',
                            'limit param must be positive or zero, not -1.')
        self.assertRejected('?limit=abc',
                            "limit param must be an integer, not 'abc'.")
        self.assertRejected('?limit=')
        self.assertRejected('?limit=1.5')

    def test_offset_is_parsed(self):
        self.assertEqual(2, parse('?offset=2').offset)

    def test_invalid_offset_rejected(self):
        self.assertRejected('?offset=-1',
                            'offset param must be positive or zero, not -1.')
        self.assertRejected('?offset=abc',
                            "offset param must be an integer, not 'abc'.")
        self.assertRejected(f'?offset={2 ** 31}')

    def test_largest_offset_accepted(self):
        self.assertEqual(2 ** 31 - 1, parse(f'?offset={2 ** 31 - 1}').offset)

    def test_marker_is_kept(self):
        self.assertEqual('abc', parse('?marker=abc').marker)

    def test_empty_marker_is_none(self):
        self.assertIsNone(parse('?marker=').marker)

    def test_sort_parameter_sets_order(self):
        params = parse('?sort=name:desc,id:asc')
        self.assertEqual(['display_name', 'id', 'created_at'],
                         params.sort_keys)
        self.assertEqual(['desc', 'asc', 'desc'], params.sort_dirs)

    def test_sort_without_direction_uses_default(self):
        params = parse('?sort=volume_id', default_dir='desc')
        self.assertEqual(['volume_id', 'created_at', 'id'], params.sort_keys)
        self.assertEqual(['desc', 'desc', 'desc'], params.sort_dirs)

    def test_repeated_sort_key_counted_once(self):
        params = parse('?sort=id:asc,id:desc')
        self.assertEqual(['id', 'created_at'], params.sort_keys)
        self.assertEqual(['asc', 'asc'], params.sort_dirs)

    def test_name_aliases_share_column(self):
        params = parse('?sort=name:asc,display_name:desc')
        self.assertEqual(['display_name', 'created_at', 'id'],
                         params.sort_keys)

    def test_sort_key_and_dir_accepted(self):
        params = parse('?sort_key=id&sort_dir=desc')
        self.assertEqual(['id', 'created_at'], params.sort_keys)
        self.assertEqual(['desc', 'desc'], params.sort_dirs)

    def test_sort_dir_alone_keeps_created_at(self):
        params = parse('?sort_dir=desc')
        self.assertEqual(['created_at', 'id'], params.sort_keys)
        self.assertEqual(['desc', 'desc'], params.sort_dirs)

    def test_sort_with_sort_key_rejected(self):
        message = ("The 'sort_key' and 'sort_dir' parameters are deprecated "
                   "and cannot be used with the 'sort' parameter.")
        self.assertRejected('?sort=id&sort_key=id', message)
        self.assertRejected('?sort=id&sort_dir=asc', message)

    def test_invalid_sort_key_rejected(self):
        for key in ('bogus', 'salt', 'crypt_hash', 'project_id', 'deleted',
                    ''):
            error = self.assertRejected(f'?sort={key}')
            self.assertIn('Invalid sort key', error.message, key)
            error = self.assertRejected(f'?sort_key={key}')
            self.assertIn('Invalid sort key', error.message, key)

    def test_invalid_sort_dir_rejected(self):
        for query in ('?sort=id:up', '?sort_dir=up', '?sort=id:ASC'):
            error = self.assertRejected(query)
            self.assertIn('Unknown sort direction', error.message, query)

    def test_unknown_parameter_rejected(self):
        for name in ('status', 'name~', 'display_name~', 'salt',
                     'crypt_hash', 'deleted', 'all_tenant'):
            error = self.assertRejected(f'?{name}=x')
            self.assertIn(name, error.message, name)

    def test_repeated_parameter_rejected(self):
        self.assertRejected(
            '?limit=1&limit=2',
            'Query parameter limit is given more than once; give it once.')

    def test_nul_character_rejected(self):
        self.assertRejected('?name=a%00b')
        self.assertRejected('?marker=%00')

    def test_invalid_utf8_rejected(self):
        self.assertRejected('?name=%ff',
                            'The query string is not valid UTF-8.')

    def test_query_pairs_keep_request_order(self):
        params = parse('?name=tx&limit=2&sort=id:asc')
        self.assertEqual([('name', 'tx'), ('limit', '2'), ('sort', 'id:asc')],
                         params.query_pairs)
