"""Options of the transfer service logic."""

from oslo_config import cfg

from cinder_transfer_ext.conf import api

transfer_opts = [
    cfg.IntOpt(
        'volume_transfer_key_length', default=16, min=16, max=128,
        help='Length of the generated auth key, in lowercase hexadecimal '
             'characters (4 bits each). The default of 16 gives 64 bits and '
             'fits the 16-character auth key field of the Horizon dashboard. '
             'Longer keys are harder to guess, but Horizon cannot accept '
             'them.'),
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
        'accept_max_failures', default=5, min=0,
        help='Number of accepts with a wrong auth key that one transfer '
             'tolerates within accept_failure_window before further '
             'accepts of it are refused for accept_lockout_time. 0 turns '
             'the limit off. A lower number slows key guessing further '
             'but lets a stranger who knows the transfer id block it '
             'sooner.'),
    cfg.IntOpt(
        'accept_failure_window', default=600, min=1,
        help='Seconds over which failed accepts of one transfer are '
             'counted.'),
    cfg.IntOpt(
        'accept_lockout_time', default=900, min=1,
        help='Seconds during which a transfer rejects every accept, even '
             'with the right key, once it reached accept_max_failures.'),
    cfg.IntOpt(
        'transfer_lifetime', default=0, min=0,
        help='Seconds after which a pending transfer expires: it can no '
             'longer be shown or accepted and its volume becomes '
             'available again. 0, the default as in Cinder, means '
             'transfers never expire.'),
    cfg.IntOpt(
        'volume_transfer_salt_length', default=16, min=8, max=64,
        help='Length of the random salt stored with each auth key hash, in '
             'hexadecimal characters.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(transfer_opts, group=api.GROUP)


def list_opts():
    return [(api.GROUP, transfer_opts)]
