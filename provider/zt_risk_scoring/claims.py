"""What each resource of one program run manages, so that two never manage one thing (runs in the program).

Two RiskBehaviors declaring one key of an account would undo each other's writes; two RiskIntegrations
with one reference_id (or adopting one integration_id) would be one integration that both rewrite, and
the API refuses a second integration with a reference_id. Either is refused when the second resource is
constructed, at preview, before anything is registered. Values still unknown then (Outputs) are not seen.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable

import pulumi


class ClaimError(pulumi.RunError, ValueError):
    """Two resources of one program would manage one thing; the language host prints it as one message."""


# Which resource claimed what, per program run: keyed by the run's root Stack resource, since the
# Automation API runs many programs (and stacks) in one process, one after another.
_CLAIMS: weakref.WeakKeyDictionary[object, dict[tuple[str, str, str], str]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class _NoStack:
    """The key of claims made with no root Stack resource (unit tests' mocks before a stack exists)."""


_NO_STACK = _NoStack()


def claim(owner: str, account: str, things: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Claim `things` ((kind, key) pairs) of `account` for `owner` in this run; when another owner holds
    any of them, claim nothing and return each such (kind, key) with its owner."""
    wanted = [(account, kind, key) for kind, key in things]
    with _LOCK:
        root = pulumi.runtime.get_root_resource()
        owners = _CLAIMS.setdefault(_NO_STACK if root is None else root, {})
        taken = {(a, kind, key): owners[(a, kind, key)] for a, kind, key in wanted if (a, kind, key) in owners}
        clashes = {(kind, key): other for (_, kind, key), other in taken.items() if other != owner}
        if not clashes:
            owners.update(dict.fromkeys(wanted, owner))
        return clashes


def forget_claims() -> None:
    """Forget every claim (for tests that run several programs in one process with mocks)."""
    with _LOCK:
        _CLAIMS.clear()
