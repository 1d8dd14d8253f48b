"""List transfers: GET /volume-transfers and /volume-transfers/detail.

Every query parameter works on both collections at every microversion.
Only the default order changes: newest first on volume-transfers from 3.59,
oldest first everywhere else.
"""

import datetime
import urllib.parse
import uuid

import sqlalchemy as sa

from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext import deploy
from cinder_transfer_ext.tests import base

SUMMARY_KEYS = {'id', 'volume_id', 'name', 'links'}
DETAIL_KEYS_3_0 = {'id', 'created_at', 'name', 'volume_id', 'links'}
DETAIL_KEYS_3_55 = DETAIL_KEYS_3_0 | {'no_snapshots'}
DETAIL_KEYS_3_57 = DETAIL_KEYS_3_55 | {'source_project_id',
                                       'destination_project_id', 'accepted'}
COLLECTIONS = ('volume-transfers', 'os-volume-transfer')
# None sends no header, which means 3.0.
VERSIONS = (None, '3.55', '3.58', '3.59', '3.71')
# MySQL DATETIME keeps whole seconds, so rows get created_at values one
# second apart to make the default order the same on every backend.
BASE_TIME = datetime.datetime(2024, 1, 1, 12, 0, 0)


def newest_first(collection: str, version: str | None) -> bool:
    return (collection == 'volume-transfers' and version is not None and
            tuple(map(int, version.split('.'))) >= (3, 59))


class ListTestBase(base.TransferTestCase):

    def setUp(self):
        super().setUp()
        self.clock = 0

    def set_created_at(self, transfer_id: str, when: datetime.datetime):
        with self.database.writer.using(self.admin_context) as session:
            session.execute(
                sa.update(db_api.TRANSFERS).where(
                    db_api.TRANSFERS.c.id == transfer_id
                ).values(created_at=when))

    def make_transfers(self, count: int, token=base.MEMBER1,
                       names=None, version=None, **fields) -> list:
        """Create transfers one second apart and return their ids in order."""
        ids = []
        for index in range(count):
            if names is not None:
                fields['name'] = names[index]
            transfer = self.create_transfer(token=token, version=version,
                                            **fields)
            self.set_created_at(
                transfer['id'],
                BASE_TIME + datetime.timedelta(seconds=self.clock))
            self.clock += 1
            ids.append(transfer['id'])
        return ids

    def list(self, query: str = '', token=base.MEMBER1, project=base.P1,
             version=None, collection='volume-transfers', detail=False):
        suffix = '/detail' if detail else ''
        if query:
            suffix += '?' + query
        return self.request('GET', self.url(project, suffix, collection),
                            token, version=version)

    def follow(self, link: dict, token=base.MEMBER1, version=None):
        """GET a link href through the test application."""
        split = urllib.parse.urlsplit(link['href'])
        self.assertEqual('localhost', split.netloc)
        path = split.path + ('?' + split.query if split.query else '')
        return self.request('GET', path, token, version=version)

    def ids(self, response) -> list:
        self.assertEqual(200, response.status, response)
        return [item['id'] for item in response.json['transfers']]

    def next_link(self, response) -> dict | None:
        links = response.json.get('transfers_links')
        if links is None:
            return None
        self.assertEqual(1, len(links), links)
        self.assertEqual('next', links[0]['rel'])
        return links[0]

    def walk(self, query: str, **kwargs) -> list:
        """Follow next links from the first page; return all ids in order."""
        response = self.list(query, **kwargs)
        ids = self.ids(response)
        link = self.next_link(response)
        pages = 1
        while link is not None:
            self.assertLess(pages, 50, 'next links do not end')
            response = self.follow(link, token=kwargs.get('token',
                                                          base.MEMBER1),
                                   version=kwargs.get('version'))
            ids += self.ids(response)
            link = self.next_link(response)
            pages += 1
        return ids


class ListViewTest(ListTestBase):

    def test_list_at_3_55_oldest_first(self):
        first, second = self.make_transfers(2)

        response = self.list(version='3.55')

        self.assertEqual([first, second], self.ids(response))
        self.assertNotIn('transfers_links', response.json)

    def test_list_items_have_summary_keys(self):
        self.make_transfers(1, name='tx')

        for version in VERSIONS:
            response = self.list(version=version)

            self.assertEqual(200, response.status, response)
            self.assertEqual(SUMMARY_KEYS,
                             set(response.json['transfers'][0]), version)

    def test_list_never_returns_auth_key(self):
        transfer = self.create_transfer()

        for detail in (False, True):
            response = self.list(version='3.71', detail=detail)

            self.assertEqual(200, response.status, response)
            self.assertNotIn(transfer['auth_key'].encode(), response.body)

    def test_list_item_links(self):
        (transfer_id,) = self.make_transfers(1)

        response = self.list()

        self.assertEqual(
            [{'rel': 'self',
              'href': f'http://localhost/v3/{base.P1}/volume-transfers/'
                      f'{transfer_id}'},
             {'rel': 'bookmark',
              'href': f'http://localhost/{base.P1}/volume-transfers/'
                      f'{transfer_id}'}],
            response.json['transfers'][0]['links'])

    def test_legacy_list_item_links(self):
        (transfer_id,) = self.make_transfers(1)

        response = self.list(collection='os-volume-transfer', project=None)

        self.assertEqual(
            f'http://localhost/v3/os-volume-transfer/{transfer_id}',
            response.json['transfers'][0]['links'][0]['href'])

    def test_detail_at_3_0_has_five_keys(self):
        self.make_transfers(1)

        response = self.list(detail=True)

        self.assertEqual(200, response.status, response)
        self.assertEqual(DETAIL_KEYS_3_0, set(response.json['transfers'][0]))
        self.assertEqual('2024-01-01T12:00:00.000000',
                         response.json['transfers'][0]['created_at'])

    def test_detail_at_3_55_adds_no_snapshots(self):
        self.make_transfers(1)

        response = self.list(detail=True, version='3.55')

        item = response.json['transfers'][0]
        self.assertEqual(DETAIL_KEYS_3_55, set(item))
        self.assertIs(False, item['no_snapshots'])

    def test_detail_at_3_57_adds_history(self):
        self.make_transfers(1)

        response = self.list(detail=True, version='3.57')

        item = response.json['transfers'][0]
        self.assertEqual(DETAIL_KEYS_3_57, set(item))
        self.assertEqual(base.P1, item['source_project_id'])
        self.assertIsNone(item['destination_project_id'])
        self.assertIs(False, item['accepted'])

    def test_legacy_detail_at_3_57(self):
        self.make_transfers(1)

        response = self.list(detail=True, version='3.57',
                             collection='os-volume-transfer')

        self.assertEqual(DETAIL_KEYS_3_57, set(response.json['transfers'][0]))

    def test_list_with_trailing_slash(self):
        first, second = self.make_transfers(2)

        response = self.request('GET', self.url(base.P1, '/'))

        self.assertEqual([first, second], self.ids(response))

    def test_list_url_project_mismatch(self):
        response = self.list(project=base.P2)

        self.assertFault(response, 400, 'badRequest', 'Malformed request url')


class ListOrderTest(ListTestBase):

    def test_list_at_3_59_newest_first(self):
        first, second = self.make_transfers(2)

        response = self.list(version='3.59')

        self.assertEqual([second, first], self.ids(response))

    def test_detail_at_3_59_newest_first(self):
        first, second = self.make_transfers(2)

        response = self.list(version='3.59', detail=True)

        self.assertEqual([second, first], self.ids(response))

    def test_default_order_per_collection_version(self):
        ids = self.make_transfers(3)

        for collection in COLLECTIONS:
            for version in VERSIONS:
                expected = ids[::-1] if newest_first(collection,
                                                     version) else ids

                response = self.list(version=version, collection=collection)

                self.assertEqual(expected, self.ids(response),
                                 (collection, version))

    def test_equal_created_at_orders_by_id(self):
        ids = self.make_transfers(3)
        for transfer_id in ids:
            self.set_created_at(transfer_id, BASE_TIME)

        oldest_first = self.ids(self.list())
        newest_first_ids = self.ids(self.list(version='3.59'))

        self.assertEqual(sorted(ids), oldest_first)
        self.assertEqual(sorted(ids, reverse=True), newest_first_ids)

    def test_sort_key_id_ascending(self):
        ids = self.make_transfers(3)

        response = self.list('sort_key=id&sort_dir=asc', version='3.59')

        self.assertEqual(sorted(ids), self.ids(response))

    def test_sort_key_id_descending(self):
        ids = self.make_transfers(3)

        response = self.list('sort_key=id&sort_dir=desc', version='3.59')

        self.assertEqual(sorted(ids, reverse=True), self.ids(response))

    def test_sort_key_without_direction(self):
        ids = self.make_transfers(3)

        newest = self.list('sort_key=id', version='3.59')
        oldest = self.list('sort_key=id', version='3.58')

        self.assertEqual(sorted(ids, reverse=True), self.ids(newest))
        self.assertEqual(sorted(ids), self.ids(oldest))

    def test_sort_parameter_with_directions(self):
        first, second, third = self.make_transfers(3, names=['b', 'a', 'b'])

        response = self.list('sort=name:asc,created_at:desc', version='3.59')

        self.assertEqual([second, third, first], self.ids(response))

    def test_sort_by_name_puts_null_first(self):
        first, second, third = self.make_transfers(3, names=['b', None, 'a'])

        ascending = self.list('sort=name:asc')
        descending = self.list('sort=name:desc')

        self.assertEqual([second, third, first], self.ids(ascending))
        self.assertEqual([first, third, second], self.ids(descending))

    def test_sort_rejects_unknown_key(self):
        self.make_transfers(1)

        for query in ('sort=bogus', 'sort_key=bogus', 'sort=volume',
                      'sort=salt', 'sort_key=crypt_hash'):
            response = self.list(query, version='3.59')

            self.assertEqual(400, response.status, (query, response))
            self.assertTrue(
                response.json['badRequest']['message'].startswith(
                    'Invalid input received: Invalid sort key'), response)

    def test_sort_rejects_unknown_direction(self):
        for query in ('sort_dir=up', 'sort=id:up', 'sort=created_at:asc:x'):
            response = self.list(query, version='3.59')

            self.assertEqual(400, response.status, (query, response))
            self.assertTrue(
                response.json['badRequest']['message'].startswith(
                    'Invalid input received: Unknown sort direction'),
                response)

    def test_sort_with_sort_key_rejected(self):
        response = self.list('sort=id&sort_key=id', version='3.59')

        self.assertFault(
            response, 400, 'badRequest',
            "The 'sort_key' and 'sort_dir' parameters are deprecated and "
            "cannot be used with the 'sort' parameter.")

    def test_sort_with_sort_dir_rejected(self):
        response = self.list('sort=id&sort_dir=asc', version='3.59')

        self.assertFault(
            response, 400, 'badRequest',
            "The 'sort_key' and 'sort_dir' parameters are deprecated and "
            "cannot be used with the 'sort' parameter.")

    def test_sort_honoured_below_3_59(self):
        ids = self.make_transfers(3)

        for collection in COLLECTIONS:
            for version in (None, '3.58'):
                response = self.list('sort_key=id&sort_dir=desc',
                                     version=version, collection=collection)

                self.assertEqual(sorted(ids, reverse=True),
                                 self.ids(response), (collection, version))


class ListPagingTest(ListTestBase):

    def test_limit_adds_next_link(self):
        first, second = self.make_transfers(2)

        response = self.list('limit=1', version='3.59')

        self.assertEqual([second], self.ids(response))
        self.assertEqual(
            [{'rel': 'next',
              'href': f'http://localhost/v3/{base.P1}/volume-transfers'
                      f'?limit=1&marker={second}'}],
            response.json['transfers_links'])

    def test_next_link_returns_next_page(self):
        first, second = self.make_transfers(2)
        page = self.list('limit=1', version='3.59')

        response = self.follow(self.next_link(page), version='3.59')

        self.assertEqual([first], self.ids(response))
        self.assertNotIn('transfers_links', response.json)

    def test_limit_equal_to_count_has_no_link(self):
        self.make_transfers(2)

        response = self.list('limit=2', version='3.59')

        self.assertEqual(2, len(self.ids(response)))
        self.assertNotIn('transfers_links', response.json)

    def test_detail_next_link_keeps_detail(self):
        first, second = self.make_transfers(2)

        response = self.list('limit=1', version='3.59', detail=True)

        self.assertEqual(
            f'http://localhost/v3/{base.P1}/volume-transfers/detail'
            f'?limit=1&marker={second}',
            self.next_link(response)['href'])
        following = self.follow(self.next_link(response), version='3.59')
        self.assertEqual([first], self.ids(following))
        self.assertEqual(DETAIL_KEYS_3_57,
                         set(following.json['transfers'][0]))

    def test_next_link_without_project_segment(self):
        first, second = self.make_transfers(2)

        response = self.list('limit=1', project=None)

        self.assertEqual(
            f'http://localhost/v3/volume-transfers?limit=1&marker={first}',
            self.next_link(response)['href'])

    def test_next_link_keeps_filters(self):
        ids = self.make_transfers(3, names=['tx', 'other', 'tx'])

        response = self.list('name=tx&limit=1')
        following = self.follow(self.next_link(response))

        self.assertEqual([ids[0]], self.ids(response))
        self.assertEqual(
            f'http://localhost/v3/{base.P1}/volume-transfers'
            f'?name=tx&limit=1&marker={ids[0]}',
            self.next_link(response)['href'])
        self.assertEqual([ids[2]], self.ids(following))
        self.assertIsNone(self.next_link(following))

    def test_next_links_walk_every_row(self):
        ids = self.make_transfers(5)

        for collection in COLLECTIONS:
            for version in VERSIONS:
                expected = ids[::-1] if newest_first(collection,
                                                     version) else ids

                walked = self.walk('limit=2', version=version,
                                   collection=collection)

                self.assertEqual(expected, walked, (collection, version))

    def test_walk_sorted_by_name(self):
        names = ['b', None, 'a', 'b', None, 'a', 'c']
        ids = self.make_transfers(len(names), names=names)
        by_name = sorted(zip(names, ids), key=lambda pair: (pair[0] or '',
                                                            pair[1]))
        expected = [transfer_id for _, transfer_id in by_name]

        walked = self.walk('sort=name:asc,id:asc&limit=2')

        self.assertEqual(expected, walked)

    def test_walk_matches_single_page(self):
        # Names that collations compare in different ways: case, accents
        # and NULL.
        names = ['b', 'B', None, 'a', 'A', '\u00e9', 'e', 'b', None]
        self.make_transfers(len(names), names=names)

        for sort in ('name:asc', 'name:desc', 'name:asc,id:desc',
                     'volume_id:asc', 'created_at:asc', 'id:desc'):
            single = self.ids(self.list(f'sort={sort}'))
            walked = self.walk(f'sort={sort}&limit=2')

            self.assertEqual(len(names), len(single), sort)
            self.assertEqual(single, walked, sort)

    def test_walk_with_equal_created_at(self):
        ids = self.make_transfers(5)
        for transfer_id in ids:
            self.set_created_at(transfer_id, BASE_TIME)

        walked = self.walk('limit=2', version='3.59')

        self.assertEqual(sorted(ids, reverse=True), walked)

    def test_marker_returns_older(self):
        first, second = self.make_transfers(2)

        response = self.list(f'marker={second}', version='3.59')

        self.assertEqual([first], self.ids(response))

    def test_marker_of_last_row_is_empty(self):
        first, second = self.make_transfers(2)

        response = self.list(f'marker={first}', version='3.59')

        self.assertEqual([], self.ids(response))
        self.assertNotIn('transfers_links', response.json)

    def test_marker_unknown_is_404(self):
        self.make_transfers(1)

        for marker in ('bogus', str(uuid.uuid4())):
            response = self.list(f'marker={marker}', version='3.59')

            self.assertFault(response, 404, 'itemNotFound',
                             f'Transfer {marker} could not be found.')

    def test_marker_other_project_is_404(self):
        (other,) = self.make_transfers(1, token=base.MEMBER2)

        response = self.list(f'marker={other}', version='3.59')

        self.assertFault(response, 404, 'itemNotFound',
                         f'Transfer {other} could not be found.')

    def test_marker_deleted_transfer_is_404(self):
        first, second = self.make_transfers(2)
        deleted = self.request('DELETE', self.url(base.P1, f'/{second}'))
        self.assertEqual(202, deleted.status, deleted)

        response = self.list(f'marker={second}', version='3.59')

        self.assertFault(response, 404, 'itemNotFound',
                         f'Transfer {second} could not be found.')

    def test_limit_rejects_negative(self):
        response = self.list('limit=-1', version='3.59')

        self.assertFault(response, 400, 'badRequest')
        self.assertTrue(response.json['badRequest']['message'].startswith(
            'limit param must be positive'), response)

    def test_limit_rejects_non_integer(self):
        for value in ('abc', '1.5', ''):
            response = self.list(f'limit={value}', version='3.59')

            self.assertEqual(400, response.status, (value, response))
            self.assertTrue(
                response.json['badRequest']['message'].startswith(
                    'limit param must be an integer'), response)

    def test_offset_rejects_negative(self):
        response = self.list('offset=-1', version='3.59')

        self.assertFault(response, 400, 'badRequest')
        self.assertIn('offset', response.json['badRequest']['message'])

    def test_offset_rejects_non_integer(self):
        response = self.list('offset=abc', version='3.59')

        self.assertFault(response, 400, 'badRequest')
        self.assertIn('offset', response.json['badRequest']['message'])

    def test_offset_rejects_huge_value(self):
        response = self.list('offset=99999999999999999999', version='3.59')

        self.assertFault(response, 400, 'badRequest')

    def test_huge_limit_is_capped(self):
        ids = self.make_transfers(2)

        response = self.list('limit=99999999999999999999')

        self.assertEqual(ids, self.ids(response))
        self.assertNotIn('transfers_links', response.json)

    def test_offset_applied_once(self):
        ids = self.make_transfers(4)

        response = self.list('offset=1', version='3.59')

        self.assertEqual(ids[2::-1], self.ids(response))
        self.assertNotIn('transfers_links', response.json)

    def test_offset_with_limit_links_next(self):
        ids = self.make_transfers(4)

        response = self.list('offset=1&limit=2', version='3.59')
        link = self.next_link(response)
        following = self.follow(link, version='3.59')

        self.assertEqual([ids[2], ids[1]], self.ids(response))
        self.assertEqual(
            f'http://localhost/v3/{base.P1}/volume-transfers'
            f'?limit=2&marker={ids[1]}', link['href'])
        self.assertEqual([ids[0]], self.ids(following))

    def test_offset_past_end_is_empty(self):
        self.make_transfers(2)

        response = self.list('offset=5', version='3.59')

        self.assertEqual([], self.ids(response))

    def test_limit_zero_returns_empty(self):
        self.make_transfers(2)

        for collection in COLLECTIONS:
            response = self.list('limit=0', version='3.59',
                                 collection=collection)

            self.assertEqual({'transfers': []}, response.json, collection)

    def test_limit_honoured_below_3_59(self):
        ids = self.make_transfers(3)

        for version in (None, '3.58'):
            response = self.list('limit=2', version=version)

            self.assertEqual(ids[:2], self.ids(response), version)
            self.assertEqual(
                f'http://localhost/v3/{base.P1}/volume-transfers'
                f'?limit=2&marker={ids[1]}',
                self.next_link(response)['href'])

    def test_marker_honoured_below_3_59(self):
        ids = self.make_transfers(3)

        for version in (None, '3.58'):
            response = self.list(f'marker={ids[0]}', version=version)

            self.assertEqual(ids[1:], self.ids(response), version)

    def test_offset_honoured_below_3_59(self):
        ids = self.make_transfers(3)

        for version in (None, '3.58'):
            response = self.list('offset=1', version=version)

            self.assertEqual(ids[1:], self.ids(response), version)

    def test_legacy_list_paginates(self):
        ids = self.make_transfers(3)

        for version in (None, '3.59', '3.71'):
            response = self.list('limit=2', version=version,
                                 collection='os-volume-transfer')
            link = self.next_link(response)
            following = self.follow(link, version=version)

            self.assertEqual(ids[:2], self.ids(response), version)
            self.assertEqual(
                f'http://localhost/v3/{base.P1}/os-volume-transfer'
                f'?limit=2&marker={ids[1]}', link['href'])
            self.assertEqual(ids[2:], self.ids(following), version)

    def test_legacy_rejects_negative_limit(self):
        response = self.list('limit=-1', collection='os-volume-transfer')

        self.assertFault(response, 400, 'badRequest')
        self.assertTrue(response.json['badRequest']['message'].startswith(
            'limit param must be positive'), response)

    def test_repeated_parameter_rejected(self):
        self.make_transfers(2)

        for query in ('limit=1&limit=2', 'name=a&name=b',
                      'marker=x&marker=y'):
            response = self.list(query, version='3.59')

            self.assertEqual(400, response.status, (query, response))
            self.assertEqual(['badRequest'], list(response.json), query)


class ListMaxLimitTest(ListTestBase):

    config_overrides = {(deploy.GROUP, 'osapi_max_limit'): 2}

    def test_max_limit_truncates_with_link(self):
        ids = self.make_transfers(3)

        response = self.list()

        self.assertEqual(ids[:2], self.ids(response))
        self.assertEqual(
            f'http://localhost/v3/{base.P1}/volume-transfers'
            f'?marker={ids[1]}', self.next_link(response)['href'])

    def test_max_limit_link_returns_rest(self):
        ids = self.make_transfers(3)
        page = self.list()

        response = self.follow(self.next_link(page))

        self.assertEqual(ids[2:], self.ids(response))
        self.assertNotIn('transfers_links', response.json)

    def test_limit_above_max_is_capped(self):
        ids = self.make_transfers(3)

        response = self.list('limit=10', version='3.59')

        self.assertEqual(ids[:0:-1], self.ids(response))
        self.assertEqual(
            f'http://localhost/v3/{base.P1}/volume-transfers'
            f'?limit=10&marker={ids[1]}', self.next_link(response)['href'])


class ListFilterTest(ListTestBase):

    def test_name_filter_exact_match(self):
        ids = self.make_transfers(4, names=['tx0', 'tx1', 'tx2', 'tx3'])

        for version in (None, '3.59'):
            response = self.list('name=tx1', version=version)

            self.assertEqual([ids[1]], self.ids(response), version)

    def test_display_name_filter(self):
        ids = self.make_transfers(3, names=['tx0', 'tx1', 'tx10'])

        response = self.list('display_name=tx1')

        self.assertEqual([ids[1]], self.ids(response))

    def test_name_filter_on_legacy(self):
        ids = self.make_transfers(2, names=['tx0', 'tx1'])

        response = self.list('name=tx0', collection='os-volume-transfer',
                             detail=True)

        self.assertEqual([ids[0]], self.ids(response))

    def test_id_filter(self):
        ids = self.make_transfers(3)

        response = self.list(f'id={ids[1]}', version='3.59')

        self.assertEqual([ids[1]], self.ids(response))

    def test_volume_id_filter(self):
        ids = self.make_transfers(2)
        volume_id = self.transfer_row(ids[0])['volume_id']

        response = self.list(f'volume_id={volume_id}')

        self.assertEqual([ids[0]], self.ids(response))

    def test_source_project_id_filter(self):
        ids = self.make_transfers(2)

        mine = self.list(f'source_project_id={base.P1}')
        theirs = self.list(f'source_project_id={base.P2}')

        self.assertEqual(ids, self.ids(mine))
        self.assertEqual([], self.ids(theirs))

    def test_no_snapshots_filter(self):
        (kept,) = self.make_transfers(1, version='3.55', no_snapshots=False)
        (left,) = self.make_transfers(1, version='3.55', no_snapshots=True)

        for version in (None, '3.59'):
            with_snapshots = self.list('no_snapshots=false', version=version)
            without = self.list('no_snapshots=true', version=version)

            self.assertEqual([kept], self.ids(with_snapshots), version)
            self.assertEqual([left], self.ids(without), version)

    def test_no_snapshots_rejects_non_boolean(self):
        response = self.list('no_snapshots=maybe')

        self.assertFault(response, 400, 'badRequest')

    def test_unknown_filter_rejected(self):
        self.make_transfers(1, name='tx')

        for query in ('status=x', 'name~=tx', 'display_name~=tx', 'salt=x',
                      'crypt_hash=x', 'deleted=1'):
            response = self.list(query)

            self.assertEqual(400, response.status, (query, response))
            self.assertEqual(['badRequest'], list(response.json), query)

    def test_unknown_filter_rejected_on_legacy(self):
        response = self.list('status=x', collection='os-volume-transfer',
                             version='3.59')

        self.assertFault(response, 400, 'badRequest')

    def test_nul_in_query_rejected(self):
        response = self.list('name=a%00b')

        self.assertFault(response, 400, 'badRequest')

    def test_invalid_utf8_query_rejected(self):
        response = self.list('name=%ff%fe')

        self.assertFault(response, 400, 'badRequest')

    def test_filter_combined_with_paging(self):
        ids = self.make_transfers(5, names=['a', 'b', 'a', 'a', 'b'])

        walked = self.walk('name=a&limit=1', version='3.59')

        self.assertEqual([ids[3], ids[2], ids[0]], walked)


class ListScopeTest(ListTestBase):

    def setUp(self):
        super().setUp()
        self.mine = self.make_transfers(2)
        self.theirs = self.make_transfers(2, token=base.MEMBER2)

    def test_member_sees_own_project(self):
        response = self.list()

        self.assertEqual(self.mine, self.ids(response))

    def test_reader_sees_own_project(self):
        response = self.list(token=base.READER1)

        self.assertEqual(self.mine, self.ids(response))

    def test_member_all_tenants_sees_own(self):
        for query in ('all_tenants=1', 'all_projects=true'):
            response = self.list(query)

            self.assertEqual(self.mine, self.ids(response), query)

    def test_member_project_filter_ignored(self):
        response = self.list(f'all_tenants=1&project_id={base.P2}')

        self.assertEqual(self.mine, self.ids(response))

    def test_admin_sees_own_project_only(self):
        response = self.list(token=base.ADMIN, project=base.A0)

        self.assertEqual([], self.ids(response))

    def test_admin_all_tenants_sees_all(self):
        for query in ('all_tenants=1', 'all_tenants=true',
                      'all_projects=1'):
            response = self.list(query, token=base.ADMIN, project=base.A0)

            self.assertEqual(self.mine + self.theirs, self.ids(response),
                             query)

    def test_admin_all_tenants_with_project(self):
        response = self.list(f'all_tenants=true&project_id={base.P2}',
                             token=base.ADMIN, project=base.A0)

        self.assertEqual(self.theirs, self.ids(response))

    def test_admin_all_tenants_false(self):
        for query in ('all_tenants=0', 'all_tenants=false'):
            response = self.list(query, token=base.ADMIN, project=base.A0)

            self.assertEqual([], self.ids(response), query)

    def test_all_tenants_rejects_non_boolean(self):
        response = self.list('all_tenants=maybe', token=base.ADMIN,
                             project=base.A0)

        self.assertFault(response, 400, 'badRequest')

    def test_admin_all_tenants_paging(self):
        everything = self.mine + self.theirs

        walked = self.walk('all_tenants=1&limit=3', token=base.ADMIN,
                           project=base.A0, version='3.59')

        self.assertEqual(everything[::-1], walked)

    def test_other_member_sees_only_theirs(self):
        response = self.list(token=base.MEMBER2, project=base.P2)

        self.assertEqual(self.theirs, self.ids(response))

    def test_other_reader_sees_no_p1(self):
        response = self.list(token=base.READER2, project=base.P2,
                             detail=True)

        self.assertEqual(self.theirs, self.ids(response))

    def test_foo_role_list_forbidden(self):
        for detail in (False, True):
            response = self.list(token=base.FOO1, detail=detail)

            self.assertFault(
                response, 403, 'forbidden',
                "Policy doesn't allow volume:get_all_transfers to be "
                "performed.")

    def test_accepted_transfer_leaves_lists(self):
        transfer = self.create_transfer()
        accepted = self.accept_transfer(transfer)
        self.assertEqual(202, accepted.status, accepted)

        for token, project, query in (
                (base.MEMBER1, base.P1, ''),
                (base.MEMBER2, base.P2, ''),
                (base.ADMIN, base.A0, 'all_tenants=1')):
            for detail in (False, True):
                response = self.list(query, token=token, project=project,
                                     detail=detail)

                self.assertNotIn(transfer['id'], self.ids(response),
                                 (token, detail))

    def test_deleted_transfer_leaves_lists(self):
        deleted = self.request('DELETE', self.url(base.P1,
                                                  f'/{self.mine[0]}'))
        self.assertEqual(202, deleted.status, deleted)

        for token, project, query in (
                (base.MEMBER1, base.P1, ''),
                (base.ADMIN, base.A0, 'all_tenants=1')):
            for detail in (False, True):
                response = self.list(query, token=token, project=project,
                                     detail=detail)

                self.assertNotIn(self.mine[0], self.ids(response),
                                 (token, detail))
