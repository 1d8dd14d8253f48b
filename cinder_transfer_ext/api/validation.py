"""JSON-schema validation of request bodies, with Cinder's error texts."""

import jsonschema
from oslo_utils import uuidutils

from cinder_transfer_ext.api import faults

NAME_MAX_LENGTH = 255

_format_checker = jsonschema.FormatChecker()


@_format_checker.checks('uuid')
def _is_uuid(value) -> bool:
    return not isinstance(value, str) or uuidutils.is_uuid_like(value)


@_format_checker.checks('resource_name')
def _is_resource_name(value) -> bool:
    """Accept 1 to 255 characters once surrounding whitespace is removed."""
    if not isinstance(value, str):
        return True
    return 0 < len(value.strip()) <= NAME_MAX_LENGTH


_FORMAT_MESSAGES = {
    'uuid': "'{value}' is not a 'uuid'",
    'resource_name': ('the name must have 1 to 255 characters after '
                      'leading and trailing whitespace are removed'),
}

_validators: dict[int, jsonschema.Draft4Validator] = {}


def _validator(schema: dict) -> jsonschema.Draft4Validator:
    # Schemas are module constants, so a validator is built once per schema.
    validator = _validators.get(id(schema))
    if validator is None:
        validator = jsonschema.Draft4Validator(
            schema, format_checker=_format_checker)
        _validators[id(schema)] = validator
    return validator


def _unsafe_string_path(value, path=()):
    """Return the path of the first string that a database cannot store.

    NUL characters and lone surrogates (which JSON allows as escapes) are
    rejected before they reach a database driver that would fail on them.
    """
    if isinstance(value, str):
        if '\x00' in value:
            return path
        try:
            value.encode('utf-8')
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _unsafe_string_path(key) is not None:
            return path + (key,)
        found = _unsafe_string_path(item, path + (key,))
        if found is not None:
            return found
    return None


_SECRET_FIELDS = frozenset(['auth_key'])
_VALUE_MAX_LENGTH = 200


def _masked(value):
    """Return ``value`` with secrets replaced, for use in a message.

    Scalars come back as the same object, so callers can tell whether
    anything was replaced.
    """
    if isinstance(value, dict):
        return {key: '***' if key in _SECRET_FIELDS else _masked(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _shortened(text: str) -> str:
    if len(text) <= _VALUE_MAX_LENGTH:
        return text
    return text[:_VALUE_MAX_LENGTH] + '...'


def _message(error: jsonschema.ValidationError,
             secret_scalars: bool = False) -> str:
    """Build Cinder's "Invalid input for field/attribute" message.

    Values are echoed with any auth key masked: an object that fails (for
    an extra property, say) may still contain the real key, and so may a
    wrongly typed auth_key such as a list holding it.
    """
    field = error.path[-1] if error.path else None
    carries_key = not isinstance(error.instance, (bool, float, type(None)))
    if carries_key and (field in _SECRET_FIELDS or (
            secret_scalars and isinstance(error.instance, (str, int)))):
        # Only text, integers and containers can carry a key.
        masked = '***'
    else:
        masked = _masked(error.instance)
    instance = _shortened(str(masked))
    if error.validator == 'format':
        text = _FORMAT_MESSAGES[error.validator_value].format(value=instance)
    elif masked is not error.instance:
        text = _shortened(error.message.replace(repr(error.instance),
                                                repr(masked)))
    else:
        text = _shortened(error.message)
    if field is None:
        return text
    return (f'Invalid input for field/attribute {field}. '
            f'Value: {instance}. {text}')


def validate(body, schema: dict, secret_scalars: bool = False) -> None:
    """Raise a 400 fault naming the field unless ``body`` fits ``schema``.

    With ``secret_scalars`` every string or integer in the body may be an
    auth key sent in the wrong place, so none is echoed in the message.
    """
    unsafe = _unsafe_string_path(body)
    if unsafe is not None:
        field = unsafe[-1] if unsafe else 'body'
        raise faults.HTTPError(
            400, f'Invalid input for field/attribute {field}: it contains a '
                 f'NUL character or text that is not valid Unicode.')
    error = jsonschema.exceptions.best_match(
        _validator(schema).iter_errors(body))
    if error is not None:
        raise faults.HTTPError(400, _message(error, secret_scalars))
