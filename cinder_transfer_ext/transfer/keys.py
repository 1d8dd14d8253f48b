"""Moving the encryption key of an encrypted volume between owners.

A key manager (Barbican or Vault through castellan, set in
``[key_manager]``) keeps each key under the project that stored it. While
a transfer is pending, the key belongs to this service's own identity.
Accept gives it to the recipient, and cancel gives it back to the owner.

Each move copies the secret to the new owner first and deletes the old
copy only after the database transaction that records the new key id has
committed. If anything fails before that commit, the new copy is deleted
and the old key, which the volume still names, is untouched.
"""

from castellan.common import exception as castellan_exception
from castellan.common import utils as castellan_utils
from castellan import key_manager
from oslo_config import cfg
from oslo_log import log as logging

from cinder_transfer_ext import exception

LOG = logging.getLogger(__name__)


class KeyTransfer:
    """Copies and deletes keys through the configured key manager."""

    def __init__(self, conf: cfg.ConfigOpts):
        self._conf = conf
        self._manager = None

    @property
    def manager(self):
        # Loaded on first use, so deployments without encrypted volumes
        # need no key manager configuration at all.
        if self._manager is None:
            self._manager = key_manager.API(self._conf)
        return self._manager

    def service_context(self, request_context):
        """Return the credential of this service's own identity.

        It comes from the [key_manager] auth options. Without them, the
        request's context is used instead, which only a key manager that
        does not check ownership accepts.
        """
        if self._conf.key_manager.auth_type:
            return castellan_utils.credential_factory(conf=self._conf)
        return request_context

    def copy(self, from_context, to_context, key_id: str) -> str:
        """Store a copy of a key for a new owner; return the new key id."""
        try:
            secret = self.manager.get(from_context, key_id)
            return self.manager.store(to_context, secret)
        except castellan_exception.KeyManagerError as error:
            LOG.error('Failed to copy encryption key %(key)s to its new '
                      'owner: %(error)s', {'key': key_id, 'error': error})
            raise exception.KeyTransferFailed(key_id=key_id)

    def delete(self, context, key_id: str) -> None:
        """Delete a key copy that is no longer needed; failures are logged.

        The volume already names another key, so a copy that cannot be
        deleted is an orphan to clean up, not a broken volume.
        """
        try:
            self.manager.delete(context, key_id)
        except castellan_exception.KeyManagerError as error:
            LOG.warning('Failed to delete encryption key %(key)s after '
                        'moving it; delete it in the key manager: '
                        '%(error)s', {'key': key_id, 'error': error})
