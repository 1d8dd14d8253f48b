"""Fingerprints of the versioned objects.

A fingerprint hashes an object's fields and remotable methods. When a
test here fails, bump the object's VERSION, describe the change in its
version history comment and put the new fingerprint below.
"""

from oslo_versionedobjects import fixture
import testtools

from cinder_transfer_ext import objects
from cinder_transfer_ext.objects import base
from cinder_transfer_ext.objects import transfer as transfer_obj

objects.register_all()

EXPECTED_FINGERPRINTS = {
    'Snapshot': '1.0-13b1838ac2795712941d1d70f8136130',
    'SnapshotList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'Transfer': '1.0-1dde1ec309eaaa01c23d78e4de4436b7',
    'TransferList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
    'Volume': '1.0-b310634992962229a98238e4303a3b6d',
    'VolumeList': '1.0-15ecf022a68ddbb8c2a6739cfc9f8f5e',
}


class ObjectVersionTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.checker = fixture.ObjectVersionChecker(
            base.TransferExtObjectRegistry.obj_classes())

    def test_fingerprints_match_versions(self):
        expected, actual = self.checker.test_hashes(EXPECTED_FINGERPRINTS)
        self.assertEqual(expected, actual,
                         'Fields or remotable methods changed: bump VERSION '
                         'and update EXPECTED_FINGERPRINTS.')

    def test_registry_holds_expected_objects(self):
        self.assertEqual(sorted(EXPECTED_FINGERPRINTS),
                         sorted(self.checker.get_hashes()))

    def test_objects_use_project_namespace(self):
        for name, classes in base.TransferExtObjectRegistry.obj_classes(
                ).items():
            for cls in classes:
                self.assertEqual('cinder_transfer_ext',
                                 cls.OBJ_PROJECT_NAMESPACE, name)


class TransferSecretsTest(testtools.TestCase):

    def test_repr_masks_salt_and_hash(self):
        transfer = transfer_obj.Transfer(
            id='2b6f5c3e-1111-4222-8333-444455556666',
            volume_id='2b6f5c3e-1111-4222-8333-444455556667',
            salt='saltsaltsalt', crypt_hash='sha256:hashhashhash')

        text = repr(transfer)

        self.assertNotIn('saltsaltsalt', text)
        self.assertNotIn('hashhashhash', text)
        self.assertIn("salt='***'", text)
        self.assertIn('id=2b6f5c3e-1111-4222-8333-444455556666', text)

    def test_repr_keeps_object_values(self):
        transfer = transfer_obj.Transfer(salt='saltsaltsalt',
                                         crypt_hash='sha256:hashhashhash')

        repr(transfer)

        self.assertEqual('saltsaltsalt', transfer.salt)
        self.assertEqual('sha256:hashhashhash', transfer.crypt_hash)


class ListFromItemsTest(testtools.TestCase):
    """A list made from built items equals one that coerced them."""

    def items(self) -> list:
        items = [transfer_obj.Transfer(
            id=f'2b6f5c3e-1111-4222-8333-44445555666{number}',
            volume_id='2b6f5c3e-1111-4222-8333-444455556667',
            display_name=f'transfer {number}') for number in range(3)]
        # As loaded from rows: nothing changed since.
        for item in items:
            item.obj_reset_changes()
        return items

    def test_same_as_coerced_list(self):
        items = self.items()
        coerced = transfer_obj.TransferList(objects=items)
        coerced.obj_reset_changes()

        built = transfer_obj.TransferList._from_items(None, items)

        self.assertEqual(coerced.obj_to_primitive(), built.obj_to_primitive())
        self.assertEqual(items, built.objects)
        self.assertEqual(3, len(built))
        self.assertEqual(set(), coerced.obj_what_changed())
        self.assertEqual(set(), built.obj_what_changed())

    def test_items_kept_in_order(self):
        items = self.items()

        built = transfer_obj.TransferList._from_items(None, items)

        self.assertEqual([item.id for item in items],
                         [item.id for item in built])
        self.assertIs(items[2], built[2])
