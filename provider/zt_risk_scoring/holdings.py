"""Which resource of this deployment holds which integration, in the provider process: two never hold one.

The program refuses two resources that name one integration alike (claims.py); only the provider sees what
the names resolve to: the reference_id an `integration_id` has, a derived one equal to another's explicit one,
the integration an `adopt=True` finds. Every lifecycle call of a RiskIntegration says here what it holds,
under its URN: a second resource claiming one of those is refused before anything is written, and a delete
of an integration another resource of this deployment now holds leaves it to that one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from .errors import ConfigurationError, printable

Key = tuple[str, str]  # ("id" or "reference_id", its value in lower case)


def resource_label(urn: str) -> str:
    """A URN as messages name its resource: `RiskIntegration 'corp'`."""
    kind = urn.split("::")[-2].rsplit("$", 1)[-1].rsplit(":", 1)[-1] if urn.count("::") >= 3 else "resource"
    return f"{kind} {printable(urn.rsplit('::', 1)[-1])}"


def keys(integration_id: object = None, reference_id: object = None) -> list[Key]:
    """The keys naming one integration (those given as non-empty strings), compared without case."""
    named = (("id", integration_id), ("reference_id", reference_id))
    return [(kind, value.lower()) for kind, value in named if isinstance(value, str) and value]


class Holdings:
    """Integration keys of each account -> the URN of the resource holding them, for this process's deployment."""

    def __init__(self) -> None:
        self._holders: dict[tuple[str, str, str], str] = {}
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
                other = self._holders.get(entry)
                if other is not None and other != urn:
                    raise ClaimedElsewhere(urn, other, account, entry[1:])
            self._holders.update(dict.fromkeys(entries, urn))

    def holder(self, account: str, key: Key) -> str | None:
        with self._lock:
            return self._holders.get((account, *key))

    def reset(self) -> None:
        """Forget every holding (a new deployment; tests)."""
        with self._lock:
            self._holders.clear()


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
