"""JSON schemas of the transfer request bodies, per microversion."""

import copy

# Cinder's boolean parameter: JSON booleans and these strings.
BOOLEAN = {
    'type': ['boolean', 'string'],
    'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on',
             'YES', 'Yes', 'yes', 'y', 't',
             False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off',
             'NO', 'No', 'no', 'n', 'f'],
}

NAME = {'type': ['string', 'null'], 'format': 'resource_name'}

create = {
    'type': 'object',
    'properties': {
        'transfer': {
            'type': 'object',
            'properties': {
                'volume_id': {'type': 'string', 'format': 'uuid'},
                'name': NAME,
            },
            'required': ['volume_id'],
            'additionalProperties': False,
        },
    },
    'required': ['transfer'],
    'additionalProperties': False,
}

# From 3.55 a transfer may leave the volume's snapshots behind.
create_v355 = copy.deepcopy(create)
create_v355['properties']['transfer']['properties']['no_snapshots'] = BOOLEAN

accept = {
    'type': 'object',
    'properties': {
        'accept': {
            'type': 'object',
            'properties': {
                # An integer is accepted because Cinder's clients may send
                # an all-digit key as a JSON number.
                'auth_key': {'type': ['string', 'integer']},
            },
            'required': ['auth_key'],
            'additionalProperties': False,
        },
    },
    'required': ['accept'],
    'additionalProperties': False,
}
