"""cinder-transfer-status: checks to run before and after an upgrade.

``cinder-transfer-status upgrade check`` prints one row per check and
exits 0 (success), 1 (warnings) or 2 (failures), as every OpenStack
``-status`` command does.
"""

import sys

from oslo_config import cfg
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from cinder_transfer_ext import conf as transfer_conf
from cinder_transfer_ext.db import api as db_api
from cinder_transfer_ext.db import migration
from cinder_transfer_ext import deploy
from cinder_transfer_ext import policy


class Checks(upgradecheck.UpgradeCommands):
    """The upgrade checks of cinder-transfer-ext."""

    def __init__(self, conf: cfg.ConfigOpts):
        super().__init__()
        self._conf = conf

    def _check_database(self) -> upgradecheck.Result:
        database = db_api.Database(self._conf)
        try:
            current = migration.db_version(database.get_engine())
        except Exception as error:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                f'Cannot read the schema version: {type(error).__name__}. '
                f'Check [database] connection.')
        finally:
            database.dispose()
        heads = migration.head_revisions()
        if current not in heads:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                f'The database schema is at revision {current}, not at '
                f'{", ".join(heads)}. Run "cinder-transfer-manage db sync".')
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_policy_file(self) -> upgradecheck.Result:
        result = common_checks.check_policy_json(self, self._conf)
        if result.code != upgradecheck.Code.SUCCESS:
            return result
        try:
            policy.PolicyEnforcer(self._conf)
        except Exception as error:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                f'The policy file cannot be loaded: {error}')
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_auth_strategy(self) -> upgradecheck.Result:
        if self._conf[deploy.GROUP].auth_strategy == 'noauth':
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                'auth_strategy is noauth: any caller can act as any user. '
                'Use keystone outside development.')
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    @property
    def _upgrade_checks(self):
        return (
            ('Database schema', Checks._check_database),
            ('Policy file', Checks._check_policy_file),
            ('Authentication', Checks._check_auth_strategy),
        )


def main(argv: list[str] | None = None) -> int:
    conf = cfg.ConfigOpts()
    transfer_conf.register_opts(conf)
    return upgradecheck.main(
        conf, deploy.PROJECT, Checks(conf),
        argv=sys.argv[1:] if argv is None else argv)
