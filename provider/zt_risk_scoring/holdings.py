"""Which resource of this deployment holds which integration, in the provider process: two never hold one; and
what this process's deletes deleted or left, which the replacement that follows may take.

The program refuses two resources that name one integration alike (claims.py); only the provider sees what
the names resolve to: the reference_id an `integration_id` has, a derived one equal to another's explicit one,
the integration an `adopt=True` finds. Every lifecycle call of a RiskIntegration says here what it holds,
under its URN: a second resource claiming one of those is refused before anything is written, and a delete
of an integration another resource of this deployment now holds leaves it to that one. What a resource's state
holds (its diff's id and `prior`) is kept too: its replacement's create may meet that integration still there
when the engine never asked for its delete (`retain_on_delete`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from .errors import ConfigurationError
from .text import printable
from .unknowns import is_unknown

Key = tuple[str, str]  # ("id" or "reference_id", its value in lower case)


def resource_label(urn: str) -> str:
    """A URN as messages name its resource: `RiskIntegration 'corp'`."""
    kind = urn.split("::")[-2].rsplit("$", 1)[-1].rsplit(":", 1)[-1] if urn.count("::") >= 3 else "resource"
    return f"{kind} {printable(urn.rsplit('::', 1)[-1])}"


def keys(integration_id: object = None, reference_id: object = None) -> list[Key]:
    """The keys naming one integration (those given as non-empty strings), compared without case."""
    named = (("id", integration_id), ("reference_id", reference_id))
    # A value still unknown (an Output at preview) names nothing yet: two of them are not one integration.
    return [
        (kind, value.lower()) for kind, value in named if isinstance(value, str) and value and not is_unknown(value)
    ]


class Holdings:
    """Integration keys of each account -> the URN of the resource holding them, for this process's deployment."""

    def __init__(self) -> None:
        self._holders: dict[tuple[str, str, str], str] = {}
        self._contested: dict[tuple[str, str, str], set[str]] = {}
        self._values: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def take(self, urn: str | None, account: str, wanted: Iterable[Key]) -> None:
        """Record that `urn` holds `wanted` of `account`; a ClaimedElsewhere when another resource holds one.

        Without a URN (outside the engine's provider host) nothing is recorded or refused.
        """
        if not urn:
            return
        entries = [(account, kind, value) for kind, value in wanted]
        with self._lock:
            for entry in entries:
                others = {self._holders.get(entry), *self._contested.get(entry, ())} - {None, urn}
                if others:
                    # Contested for good: whichever of the two asks again (a check refused, a create that follows)
                    # is refused, so the order in which the engine checks them decides nothing.
                    self._contested.setdefault(entry, set()).update({urn, *others})
                    raise ClaimedElsewhere(urn, sorted(others)[0], account, entry[1:])
            self._holders.update(dict.fromkeys(entries, urn))

    def holder(self, account: str, key: Key) -> str | None:
        with self._lock:
            return self._holders.get((account, *key))

    def expect(self, urn: str | None, account: str, integration_id: str, values: dict[str, Any]) -> None:
        """Record the values `urn`'s state says its integration has (seen at its diff, or just written)."""
        if urn and account:
            with self._lock:
                known = {name: value for name, value in values.items() if value is not None}
                self._values[(account, integration_id.lower(), urn)] = known

    def let_go(self, urn: str | None, account: str, integration_id: str, reference_id: Any = None) -> None:
        """`urn`'s own delete ran (a replacement's, a move's): it holds that integration no more, so another's
        delete follows its own `on_delete` (a replacement's create takes it again)."""
        with self._lock:
            self._values.pop((account, integration_id.lower(), urn or ""), None)
            for kind, value in keys(integration_id, reference_id):
                if urn and self._holders.get((account, kind, value)) == urn:
                    del self._holders[(account, kind, value)]

    def expected(self, urn: str, account: str, integration_id: str) -> dict[str, Any]:
        """What `urn`'s state says the integration holds, as recorded in this deployment ({} when never seen)."""
        with self._lock:
            return dict(self._values.get((account, integration_id.lower(), urn), {}))

    def reset(self) -> None:
        """Forget every holding (a new deployment; tests)."""
        with self._lock:
            self._holders.clear()
            self._contested.clear()
            self._values.clear()


class ClaimedElsewhere(ConfigurationError):
    """Two resources of one deployment would manage one integration."""

    def __init__(self, urn: str, other: str, account: str, key: Key) -> None:
        self.urn, self.other, self.key = urn, other, key
        kind, value = key
        super().__init__(
            f"{resource_label(urn)} and {resource_label(other)} would both manage the integration with {kind} "
            f"{printable(value)} in account {printable(account)} (one names it by integration_id, another by "
            "reference_id, adopt=True or a derived reference_id); declare each integration in one resource, "
            "and give the other its own reference_id. Nothing was written"
        )


HELD = Holdings()


class Deletions:
    """What this provider process deleted (ids and reference_ids): a replacement's create may take its place."""

    def __init__(self) -> None:
        self._keys: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def add(self, account_id: str, integration_id: str, reference_id: Any) -> None:
        with self._lock:
            self._keys.add((account_id, integration_id.lower()))
            if isinstance(reference_id, str) and reference_id:
                self._keys.add((account_id, f"reference:{reference_id}"))

    def deleted(self, account_id: str, integration_id: str, reference_id: str) -> bool:
        """Whether this process deleted that integration, or the one with that reference_id (a later replacement)."""
        with self._lock:
            keys = {(account_id, integration_id.lower()), (account_id, f"reference:{reference_id}")}
            return bool(keys & self._keys)

    def reset(self) -> None:
        with self._lock:
            self._keys.clear()


DELETED = Deletions()


class Left:
    """The integrations this process's deletes left on the account (given back or retained), by resource: the
    replacement that follows (a `--replace`) may adopt its own again, whatever its reference_id looks like."""

    def __init__(self) -> None:
        self._left: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def add(self, account: str, integration_id: str, owner: str | None) -> None:
        if owner:
            with self._lock:
                self._left.add((account, integration_id.lower(), owner))

    def left_by(self, account: str, integration_id: str, owner: str | None) -> bool:
        with self._lock:
            return bool(owner) and (account, integration_id.lower(), owner) in self._left

    def reset(self) -> None:
        with self._lock:
            self._left.clear()


LEFT = Left()


class Predecessors:
    """The integration each resource's state holds (seen at its diff), with the values to give back it recorded:
    a replacement's create that finds it still there (the engine skips the delete of a `retain_on_delete`
    resource, and a reference_id cannot be held twice) takes it again, as the same resource, with the same origin."""

    def __init__(self) -> None:
        self._prior: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def add(self, account: str, integration_id: str, owner: str | None, prior: Any) -> None:
        if owner and account:
            with self._lock:
                self._prior[(account, integration_id.lower(), owner)] = dict(prior) if isinstance(prior, dict) else {}

    def prior_of(self, account: str, integration_id: str, owner: str | None) -> dict[str, Any] | None:
        """The recorded `prior` of `owner`'s own predecessor, or None when that integration is not it."""
        with self._lock:
            found = self._prior.get((account, integration_id.lower(), owner or ""))
            return None if found is None else dict(found)

    def reset(self) -> None:
        with self._lock:
            self._prior.clear()


PREDECESSORS = Predecessors()
