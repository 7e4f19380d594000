"""The import-file export: the plan written as a `pulumi import --file` document, whole or not at all, never over
a file of another account; and the program code declaring what it imports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .._version import __version__
from ..client import RiskScoringClient
from ..errors import ConfigurationError
from ..pulumi_command import stack_deployment
from ..text import printable
from .plan import FORMAT, META_KEY, ImportPlan, Note, accounts_key, build_plan, managed_in


def existing_problem(path: Path, account_id: str, note: Note) -> str | None:
    """Why `path` must not be replaced by an import file for `account_id`, or None."""
    where = f"--import-file {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        return f"{where}: exists and cannot be read ({getattr(exc, 'strerror', None) or type(exc).__name__})"
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    meta = document.get(META_KEY) if isinstance(document, dict) else None
    if not isinstance(meta, dict):
        return f"{where}: exists and is not an import file written by zt-risk export; pass another path or delete it"
    if meta.get("account_id") != account_id:
        return (
            f"{where}: was written for account {printable(meta.get('account_id'), quote=False)}, not {account_id}; "
            "keep one import file per account (pass another path) or delete it"
        )
    if meta.get("format") != FORMAT or meta.get("version") != __version__:
        note(
            f"{where}: replacing a file written by zt-risk-scoring {printable(meta.get('version'), quote=False)} "
            f"(import format {printable(meta.get('format'), quote=False)}); import only the new one"
        )
    return None


def _write(path: Path, text: str, flag: str) -> None:
    """Write `text` whole or not at all (a half-written import file would import half an account)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ConfigurationError(f"{flag} {path}: cannot be written ({exc.strerror or type(exc).__name__})") from None


def write_import_file(
    read: Sequence[tuple[RiskScoringClient, str]],
    target: Path,
    *,
    stack: str,
    python: Path | None = None,
    behaviors: str | None = None,
    only: Sequence[str] = (),
    note: Note = lambda _text: None,
) -> str:
    """Write the import file for `stack` of the accounts `read` names (each client with its connection's name),
    and the program code to `python`; return the code when not written."""
    reached: dict[str, str] = {}
    for client, connection in read:
        if client.account_id in reached:
            raise ConfigurationError(
                f"connections {reached[client.account_id]} and {connection} both reach account {client.account_id}: "
                "name each account's connection once; nothing written"
            )
        reached[client.account_id] = connection
    problem = existing_problem(target, accounts_key(reached), note)
    if problem:
        raise ConfigurationError(f"{problem}; nothing written")
    deployment = stack_deployment(stack)
    plans: list[ImportPlan] = []
    for client, connection in read:
        managed = managed_in(deployment, client.account_id)
        taken = {entry.name for plan in plans for entry in plan.entries}
        plans.append(build_plan(client, behaviors=behaviors, only=only, managed=managed, note=note,
                                connection=connection, taken=taken))  # fmt: skip
    plan = ImportPlan.merged(plans)
    if not plan.entries:
        raise ConfigurationError(_nothing_to_import(plan, behaviors))
    code = plan.python()
    _write(target, json.dumps(plan.document(), indent=2) + "\n", "--import-file")
    if python is not None:
        _write(python, code, "--python")
    names = ", ".join(entry.name for entry in plan.entries)
    note(
        f"wrote {target} ({len(plan.entries)} resources: {names}); next: `pulumi import --file {target} --yes "
        f"--generate-code=false --protect=false`, add the program code to your program, then "
        "`pulumi preview --expect-no-changes`"
    )
    return "" if python is not None else code


def _nothing_to_import(plan: ImportPlan, behaviors: str | None) -> str:
    return (
        f"nothing to import from account {plan.account_id}: no integrations"
        + (" the stack does not already manage" if plan.left_out else "")
        + (" and no behaviors chosen" if behaviors is None else "")
        + "; nothing written"
    )
