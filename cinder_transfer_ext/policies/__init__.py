"""Policy rules in code, with Cinder's names and defaults."""

import itertools

from cinder_transfer_ext.policies import base
from cinder_transfer_ext.policies import quota
from cinder_transfer_ext.policies import transfer
from cinder_transfer_ext.policies import volume


def list_rules():
    return list(itertools.chain(
        base.list_rules(), transfer.list_rules(), volume.list_rules(),
        quota.list_rules()))
