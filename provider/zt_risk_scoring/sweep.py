"""`zt-risk sweep`: delete the integrations a test run left behind, by their reference_id prefix, and no others."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Collection
from dataclasses import asdict
from functools import partial
from typing import Any

from .client import RiskScoringClient
from .errors import InvalidArgument, printable
from .models import Integration

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


def command(args: argparse.Namespace, client_of: Callable[[argparse.Namespace], RiskScoringClient]) -> int:
    """List (dry run) or delete (--yes) the integrations with the prefix."""
    problem = prefix_problem(args.reference_prefix)
    if problem:  # before any request, and before credentials are even looked for
        raise InvalidArgument(problem)
    found = sweep(client_of(args), args.reference_prefix, delete=args.yes)
    verb = "deleted" if args.yes else "would delete"
    if args.json:
        sys.stdout.write(json.dumps([asdict(i) for i in found], indent=2, sort_keys=True) + "\n")
    for integration in [] if args.json else found:
        sys.stdout.write(
            f"{verb} integration {integration.id} reference_id {printable(integration.reference_id, quote=False)} "
            f"tenant {printable(integration.tenant_url, quote=False)}\n"
        )
    closing = "deleted" if args.yes else "to delete (a dry run: pass --yes to delete them)"
    prefix = printable(args.reference_prefix)
    sys.stderr.write(f"{len(found)} integration(s) with reference_id prefix {prefix} {closing}\n")
    return 0


def add_command(sub: Any, common: argparse.ArgumentParser, client_of: Callable[[argparse.Namespace], Any]) -> None:
    """Register `sweep` on the CLI's subcommands."""
    parser = sub.add_parser(
        "sweep",
        parents=[common],
        help="list (or with --yes delete) the integrations whose reference_id starts with a prefix",
        description="Remove what an interrupted acceptance run left behind: every integration whose reference_id "
        f"starts with PREFIX (at least {MIN_PREFIX} characters, matched exactly), and nothing else. "
        "Without --yes it only lists them.",
    )
    parser.add_argument("--reference-prefix", required=True, metavar="PREFIX", help="e.g. zt-acc-")
    parser.add_argument("--yes", action="store_true", help="delete them (default: a dry run that lists them)")
    parser.set_defaults(run=partial(command, client_of=client_of))
