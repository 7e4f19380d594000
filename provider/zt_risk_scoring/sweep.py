"""The sweep: the integrations a test run left behind, by their reference_id prefix, and no others (`zt-risk sweep`)."""

from __future__ import annotations

from collections.abc import Collection

from .client import RiskScoringClient
from .errors import InvalidArgument
from .models import Integration
from .text import printable

# Short prefixes match too much: "zt" or "a" would sweep integrations nobody meant to name.
MIN_PREFIX = 4


def prefix_problem(prefix: str) -> str | None:
    """Why `prefix` may not select integrations to delete, or None."""
    if len(prefix.strip()) < MIN_PREFIX or prefix != prefix.strip():
        return f"--reference-prefix {printable(prefix)} must be at least {MIN_PREFIX} characters, without spaces"
    return None


def matching(client: RiskScoringClient, prefix: str) -> list[Integration]:
    """The account's integrations whose reference_id starts with `prefix`, exactly (case and all)."""
    return sorted((i for i in client.list_integrations() if i.reference_id.startswith(prefix)), key=lambda i: i.id)


def sweep(
    client: RiskScoringClient, prefix: str, *, delete: bool, expected: Collection[str] | None = None
) -> list[Integration]:
    """The integrations `prefix` selects, deleted when `delete`.

    `expected` (the reference_ids a test run made) turns a match it does not name into a refusal that
    deletes nothing: that integration is not the run's, whatever its prefix says.
    """
    problem = prefix_problem(prefix)
    if problem:
        raise InvalidArgument(f"{problem}; nothing deleted")
    found = matching(client, prefix)
    if expected is not None:
        foreign = [i for i in found if i.reference_id not in expected]
        if foreign:
            shown = ", ".join(f"{i.id} ({printable(i.reference_id)})" for i in foreign)
            raise InvalidArgument(
                f"--reference-prefix {printable(prefix)} matches integrations this run did not create: {shown}; "
                "nothing deleted"
            )
    if delete:
        for integration in found:
            client.delete_integration_if_exists(integration.id)
    return found
