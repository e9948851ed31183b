"""moto in server mode, with two checks real AWS makes and moto leaves out.

Temporary keys from AssumeRole stop working when they expire, and a session policy passed to
AssumeRole narrows what the keys may do (the effective permissions are the role's policies
AND the session policy). The local warehouse reads staged files with forwarded keys through
this server, so a COPY INTO with expired keys, or outside the package the keys were issued
for, fails as it would on AWS.
"""

import sys

from moto.core.utils import utcnow
from moto.iam import access_control
from moto.server import main
from moto.sts.models import sts_backends

_init = access_control.AssumedRoleAccessKey.__init__


def _init_checking_expiry(self, account_id, partition, access_key_id, headers):
    _init(self, account_id, partition, access_key_id, headers)
    self._session_policy = None
    for role in sts_backends[account_id][partition].assumed_roles:
        if role.access_key_id == access_key_id:
            if role.expiration <= utcnow():
                raise access_control.CreateAccessKeyFailure(reason="InvalidToken")
            self._session_policy = role.policy


_check = access_control.IAMRequestBase.check_action_permitted


def _check_with_session_policy(self, resource):
    _check(self, resource)
    policy = getattr(self._access_key, "_session_policy", None)
    if policy and self._action != "sts:GetCallerIdentity":
        result = access_control.IAMPolicy(policy).is_action_permitted(self._action, resource)
        if result != access_control.PermissionResult.PERMITTED:
            self._raise_access_denied()


access_control.AssumedRoleAccessKey.__init__ = _init_checking_expiry
access_control.IAMRequestBase.check_action_permitted = _check_with_session_policy

if __name__ == "__main__":
    main(sys.argv[1:])
