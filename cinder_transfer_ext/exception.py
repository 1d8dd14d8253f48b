"""Domain exceptions, free of HTTP.

Each class states what went wrong; ``api/faults.py`` is the one place that
maps them to status codes. Messages match Cinder's wording so that clients
and operators see the same text from either implementation.
"""


class TransferExtError(Exception):
    """Base class; ``message`` is a template filled from keyword arguments."""

    message = 'An unknown error occurred.'

    def __init__(self, message: str | None = None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            message = self.message % kwargs if kwargs else self.message
        self.msg = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.msg


class NotFound(TransferExtError):
    message = 'Resource could not be found.'


class TransferNotFound(NotFound):
    message = 'Transfer %(transfer_id)s could not be found.'


class VolumeNotFound(NotFound):
    message = 'Volume %(volume_id)s could not be found.'


class SnapshotNotFound(NotFound):
    message = 'Snapshot %(snapshot_id)s could not be found.'


class Invalid(TransferExtError):
    message = 'Unacceptable parameters.'


class InvalidInput(Invalid):
    message = 'Invalid input received: %(reason)s'


class InvalidVolume(Invalid):
    message = 'Invalid volume: %(reason)s'


class InvalidSnapshot(Invalid):
    message = 'Invalid snapshot: %(reason)s'


class InvalidAuthKey(Invalid):
    message = 'Invalid auth key: %(reason)s'


class Conflict(TransferExtError):
    message = 'The request conflicts with the current state.'


class Forbidden(TransferExtError):
    message = 'Not authorized.'


class PolicyNotAuthorized(Forbidden):
    message = "Policy doesn't allow %(action)s to be performed."


class QuotaExceeded(TransferExtError):
    """Over quota; the message is complete and carries no class prefix."""

    message = 'Quota exceeded.'


class OverQuota(TransferExtError):
    """The database found resources over their limit.

    ``overs`` lists the resources, sorted; ``limits``, ``consumed`` and
    ``requested`` map each of them to numbers. The service layer turns
    this into a QuotaExceeded with Cinder's message.
    """

    message = 'Quota exceeded for resources: %(overs)s.'


class KeyTransferFailed(TransferExtError):
    """The key manager failed; the volume still uses its old key."""

    message = ('The key manager failed to move the volume\'s encryption key '
               'to its new owner; nothing was changed. Retry later.')


class AcceptLocked(TransferExtError):
    """Too many failed accepts: the transfer refuses accepts for a while.

    ``retry_after`` is the number of seconds until the lockout ends.
    """

    message = ('Transfer %(transfer_id)s is locked after too many accepts '
               'with a wrong auth key; retry in %(retry_after)d seconds.')

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.retry_after = kwargs['retry_after']
