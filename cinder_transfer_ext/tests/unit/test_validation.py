"""Validation of request bodies and path ids."""

import uuid

import testtools

from cinder_transfer_ext.api import faults
from cinder_transfer_ext.api.handlers import common
from cinder_transfer_ext.api.schemas import transfer as schemas
from cinder_transfer_ext.api import validation

VOLUME_ID = '2b6f5c3e-1111-4222-8333-444455556666'
SECRET = 'f00dfeedcafe4242'

NO_SNAPSHOTS_VALUES = [
    True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
    'y', 't', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off',
    'NO', 'No', 'no', 'n', 'f']


def create_body(**fields) -> dict:
    return {'transfer': dict({'volume_id': VOLUME_ID}, **fields)}


class ValidateTestBase(testtools.TestCase):

    def assertValid(self, body, schema):
        self.assertIsNone(validation.validate(body, schema), repr(body))

    def assertInvalid(self, body, schema, message: str | None = None):
        error = self.assertRaises(faults.HTTPError, validation.validate,
                                  body, schema)
        self.assertEqual(400, error.status, repr(body))
        if message is not None:
            self.assertEqual(message, error.message, repr(body))
        return error


class CreateSchemaTest(ValidateTestBase):

    def test_minimal_body_is_valid(self):
        self.assertValid(create_body(), schemas.create)

    def test_name_forms_are_valid(self):
        for name in ('tx', None, 'a' * 255, '  ' + 'a' * 255 + '\n\t',
                     '\u00e9' * 255, 'two words'):
            self.assertValid(create_body(name=name), schemas.create)

    def test_uuid_spellings_are_valid(self):
        for volume_id in (VOLUME_ID.upper(), VOLUME_ID.replace('-', ''),
                          '{' + VOLUME_ID + '}', 'urn:uuid:' + VOLUME_ID):
            self.assertValid({'transfer': {'volume_id': volume_id}},
                             schemas.create)

    def test_non_object_body_rejected(self):
        for body, text in ((None, 'None'), ([], '[]'), ('x', "'x'"),
                           (1, '1')):
            self.assertInvalid(body, schemas.create,
                               f"{text} is not of type 'object'")

    def test_missing_transfer_rejected(self):
        self.assertInvalid({}, schemas.create,
                           "'transfer' is a required property")

    def test_missing_volume_id_rejected(self):
        self.assertInvalid(
            {'transfer': {}}, schemas.create,
            "Invalid input for field/attribute transfer. Value: {}. "
            "'volume_id' is a required property")

    def test_top_level_extra_property_rejected(self):
        self.assertInvalid(
            dict(create_body(), x=1), schemas.create,
            "Additional properties are not allowed ('x' was unexpected)")

    def test_nested_extra_property_rejected(self):
        self.assertInvalid(
            create_body(x=1), schemas.create,
            f"Invalid input for field/attribute transfer. Value: "
            f"{{'volume_id': '{VOLUME_ID}', 'x': 1}}. Additional "
            f"properties are not allowed ('x' was unexpected)")

    def test_invalid_volume_id_rejected(self):
        self.assertInvalid(
            {'transfer': {'volume_id': 'abc'}}, schemas.create,
            "Invalid input for field/attribute volume_id. Value: abc. "
            "'abc' is not a 'uuid'")

    def test_non_string_volume_id_rejected(self):
        self.assertInvalid(
            {'transfer': {'volume_id': 1}}, schemas.create,
            "Invalid input for field/attribute volume_id. Value: 1. "
            "1 is not of type 'string'")

    def test_blank_or_long_name_rejected(self):
        for name in ('', '   ', '\n', 'a' * 256, ' ' + 'a' * 256 + ' '):
            error = self.assertInvalid(create_body(name=name),
                                       schemas.create)
            self.assertTrue(error.message.startswith(
                'Invalid input for field/attribute name.'), error.message)
            self.assertIn('1 to 255 characters', error.message)

    def test_non_string_name_rejected(self):
        for name, text in ((1, '1'), (True, 'True'), ([], '[]'),
                           ({}, '{}'), (1.5, '1.5')):
            self.assertInvalid(
                create_body(name=name), schemas.create,
                f"Invalid input for field/attribute name. Value: {text}. "
                f"{text} is not of type 'string', 'null'")

    def test_no_snapshots_rejected_before_355(self):
        self.assertInvalid(
            create_body(no_snapshots=True), schemas.create,
            f"Invalid input for field/attribute transfer. Value: "
            f"{{'volume_id': '{VOLUME_ID}', 'no_snapshots': True}}. "
            f"Additional properties are not allowed ('no_snapshots' was "
            f"unexpected)")

    def test_no_snapshots_values_accepted_at_355(self):
        for value in NO_SNAPSHOTS_VALUES:
            self.assertValid(create_body(no_snapshots=value),
                             schemas.create_v355)

    def test_invalid_no_snapshots_rejected(self):
        for value in ('Y', 'T', 'maybe', '', 'tRUE'):
            error = self.assertInvalid(create_body(no_snapshots=value),
                                       schemas.create_v355)
            self.assertTrue(error.message.startswith(
                f'Invalid input for field/attribute no_snapshots. Value: '
                f'{value}. {value!r} is not one of ['), error.message)

    def test_non_boolean_no_snapshots_rejected(self):
        self.assertInvalid(
            create_body(no_snapshots=1), schemas.create_v355,
            "Invalid input for field/attribute no_snapshots. Value: 1. "
            "1 is not of type 'boolean', 'string'")

    def test_nul_character_rejected(self):
        self.assertInvalid(
            create_body(name='a\x00b'), schemas.create,
            'Invalid input for field/attribute name: it contains a NUL '
            'character or text that is not valid Unicode.')

    def test_lone_surrogate_rejected(self):
        self.assertInvalid(
            create_body(name='\ud800'), schemas.create,
            'Invalid input for field/attribute name: it contains a NUL '
            'character or text that is not valid Unicode.')

    def test_nul_in_property_name_rejected(self):
        error = self.assertInvalid({'transfer\x00': {}}, schemas.create)
        self.assertIn('NUL character', error.message)

    def test_long_value_shortened_in_message(self):
        error = self.assertInvalid({'transfer': {'volume_id': 'x' * 5000}},
                                   schemas.create)
        self.assertLess(len(error.message), 600)
        self.assertIn('...', error.message)


class AcceptSchemaTest(ValidateTestBase):

    def test_string_and_integer_keys_valid(self):
        for auth_key in (SECRET, '1112345678901234', 1112345678901234, 0):
            self.assertValid({'accept': {'auth_key': auth_key}},
                             schemas.accept)

    def test_missing_accept_rejected(self):
        self.assertInvalid({'': {}}, schemas.accept,
                           "'accept' is a required property")

    def test_missing_auth_key_rejected(self):
        self.assertInvalid(
            {'accept': {}}, schemas.accept,
            "Invalid input for field/attribute accept. Value: {}. "
            "'auth_key' is a required property")

    def test_null_auth_key_rejected(self):
        self.assertInvalid(
            {'accept': {'auth_key': None}}, schemas.accept,
            "Invalid input for field/attribute auth_key. Value: None. "
            "None is not of type 'string', 'integer'")

    def test_other_key_types_rejected(self):
        for auth_key in (1.5, True, False):
            self.assertInvalid({'accept': {'auth_key': auth_key}},
                               schemas.accept)

    def test_auth_key_masked_beside_extra_property(self):
        error = self.assertInvalid(
            {'accept': {'auth_key': SECRET, 'x': 1}}, schemas.accept,
            "Invalid input for field/attribute accept. Value: "
            "{'auth_key': '***', 'x': 1}. Additional properties are not "
            "allowed ('x' was unexpected)")
        self.assertNotIn(SECRET, error.message)

    def test_auth_key_absent_from_top_level_error(self):
        error = self.assertInvalid(
            {'accept': {'auth_key': SECRET}, 'x': 1}, schemas.accept)
        self.assertNotIn(SECRET, error.message)

    def test_auth_key_masked_in_wrong_type(self):
        for auth_key in ([SECRET], {'key': SECRET}):
            error = self.assertInvalid({'accept': {'auth_key': auth_key}},
                                       schemas.accept)
            self.assertNotIn(SECRET, error.message, repr(auth_key))

    def test_auth_key_masked_in_non_object_accept(self):
        error = self.assertInvalid({'accept': [{'auth_key': SECRET}]},
                                   schemas.accept)
        self.assertNotIn(SECRET, error.message)


class CanonicalUuidTest(testtools.TestCase):

    def test_canonical_form_unchanged(self):
        self.assertEqual(VOLUME_ID, common.canonical_uuid(VOLUME_ID))

    def test_other_spellings_canonicalized(self):
        for spelling in (VOLUME_ID.upper(), VOLUME_ID.replace('-', ''),
                         '{' + VOLUME_ID + '}', 'urn:uuid:' + VOLUME_ID):
            self.assertEqual(VOLUME_ID, common.canonical_uuid(spelling),
                             spelling)

    def test_same_result_as_uuid_module(self):
        for value in (VOLUME_ID, VOLUME_ID.upper(), VOLUME_ID + '\n',
                      ' ' + VOLUME_ID, VOLUME_ID[:-1] + 'g',
                      VOLUME_ID.replace('-', '_'), VOLUME_ID[:-1], ''):
            try:
                expected = str(uuid.UUID(value))
            except ValueError:
                expected = None
            self.assertEqual(expected, common.canonical_uuid(value),
                             repr(value))

    def test_non_strings_are_none(self):
        for value in (None, 42, b'2b6f5c3e11114222833344445555666',
                      ['x'], {'id': VOLUME_ID}):
            self.assertIsNone(common.canonical_uuid(value), repr(value))
