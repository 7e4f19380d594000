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

from .errors import ConfigurationError
from .pulumi_private import current_run


class ClaimError(ConfigurationError, pulumi.RunError, ValueError):
    """Two resources of one program would manage one thing; the language host prints it as one message."""


class Owner:
    """One resource being constructed, as a claimant: two resources of one name (under two parents) are two."""

    def __init__(self, label: str) -> None:
        self.label = label


# Which resource claimed what, per program run. A run is its resource monitor: the Automation API runs many
# programs in one process one after another, and each pulumi.runtime.set_mocks of a user's unit tests
# makes a new one (while keeping the root Stack resource).
_CLAIMS: weakref.WeakKeyDictionary[object, dict[tuple[str, str, str], Owner]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class _NoRun:
    """The key of claims made outside any program run (unit tests calling a constructor's check directly)."""


_NO_RUN = _NoRun()


def claim(owner: Owner, account: str, things: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Claim `things` ((kind, key) pairs) of `account` for `owner` in this run; when another owner holds
    any of them, claim nothing and return each such (kind, key) with that owner's label."""
    wanted = [(account, kind, key) for kind, key in things]
    with _LOCK:
        owners = _CLAIMS.setdefault(current_run() or _NO_RUN, {})
        taken = {(kind, key): owners[(a, kind, key)] for a, kind, key in wanted if (a, kind, key) in owners}
        clashes = {thing: other.label for thing, other in taken.items() if other is not owner}
        if not clashes:
            owners.update(dict.fromkeys(wanted, owner))
        return clashes


def forget_claims() -> None:
    """Forget every claim (for tests that run several programs in one process with mocks)."""
    with _LOCK:
        _CLAIMS.clear()
