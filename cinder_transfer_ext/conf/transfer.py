"""Options of the transfer service logic."""

from oslo_config import cfg

from cinder_transfer_ext.conf import api

transfer_opts = [
    cfg.IntOpt(
        'volume_transfer_key_length', default=16, min=16, max=128,
        help='Length of the generated auth key, in lowercase hexadecimal '
             'characters (4 bits each). The default of 16 gives 64 bits and '
             'fits the 16-character auth key field of the Horizon dashboard; '
             'longer keys are harder to guess but Horizon cannot accept them.'),
    cfg.StrOpt(
        'auth_key_hash', default='sha256', choices=[
            ('sha256', 'salted HMAC-SHA256, stored as sha256:<hex>'),
            ('cinder-sha1', 'salted HMAC-SHA1, the format Cinder writes and '
                            'reads'),
        ],
        help='How new auth keys are hashed. Both formats are always '
             'accepted. Choose cinder-sha1 only while Cinder\'s built-in '
             'transfer API may still have to accept transfers created '
             'here, such as during a rollout that may be rolled back.'),
    cfg.IntOpt(
        'volume_transfer_salt_length', default=16, min=8, max=64,
        help='Length of the random salt stored with each auth key hash, in '
             'hexadecimal characters.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(transfer_opts, group=api.GROUP)


def list_opts():
    return [(api.GROUP, transfer_opts)]
