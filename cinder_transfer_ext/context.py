"""Request context: who is calling, and which database serves the call."""

from oslo_context import context as oslo_context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(oslo_context.RequestContext):
    """The caller's identity, plus the ``Database`` the request runs on.

    The database travels with the context instead of living in a module
    global, so that several applications (and tests) with different
    databases can share one process.
    """

    def __init__(self, *args, database=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.database = database

    def elevated(self) -> 'RequestContext':
        """Return a copy with admin rights, for lookups across projects.

        The copy does not become the thread's current context, so log
        lines never show it in place of the request's own.
        """
        copy = RequestContext(
            user_id=self.user_id, project_id=self.project_id,
            roles=list(self.roles), is_admin=True,
            request_id=self.request_id,
            global_request_id=self.global_request_id,
            database=self.database, overwrite=False)
        if 'admin' not in copy.roles:
            copy.roles.append('admin')
        return copy

    def to_policy_values(self) -> dict:
        values = super().to_policy_values()
        values['is_admin'] = self.is_admin
        return values
