"""The zt-risk commands: each reads its parsed arguments, calls the API through the client and prints."""

from __future__ import annotations

import argparse
import importlib.resources
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from .. import probe, sweep
from ..errors import ConfigurationError, InvalidArgument
from ..exporting import import_file, stack_config
from ..text import printable
from . import sources
from .exits import EXIT_ABORTED, EXIT_OK
from .output import INTEGRATION_COLUMNS, emit, note, progress, shown, table


def cmd_summary(args: argparse.Namespace) -> int:
    rows = [asdict(u) for u in sources.client(args).summary()]
    emit(args.json, rows, ("user_id", "email", "event_count", "max_risk_level", "last_event"))
    return EXIT_OK


def cmd_user(args: argparse.Namespace) -> int:
    risk = sources.client(args).user_risk(args.user_id)
    if args.json:
        emit(args.json, asdict(risk), ())
        return EXIT_OK
    name, email = shown(risk.name), shown(risk.email)
    level, reset = shown(risk.risk_level or "none"), shown(risk.last_reset_time or "never")
    print(f"{name} <{email}>  risk level: {level}  last reset: {reset}")
    print(table([asdict(e) for e in risk.events], ("timestamp", "name", "risk_level", "id")))
    return EXIT_OK


def cmd_reset(args: argparse.Namespace) -> int:
    user = shown(args.user_id)
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"zt-risk: refusing to reset {user} without --yes (no terminal to confirm)", file=sys.stderr)
            return EXIT_ABORTED
        try:
            answer = input(f"Clear the risk score and events of user {user}? [y/N] ")
        except EOFError:  # Ctrl-D at the prompt is a no
            answer = ""
        if answer.strip().lower() != "y":
            print("aborted", file=sys.stderr)
            return EXIT_ABORTED
    sources.client(args).reset_user(args.user_id)
    print(f"reset user {user}", file=sys.stderr)
    return EXIT_OK


def cmd_behaviors(args: argparse.Namespace) -> int:
    rows = [{"key": b.key, **b.as_given(), "name": b.name} for b in sources.client(args).get_behaviors().values()]
    emit(args.json, rows, ("key", "enabled", "risk_level", "name"))
    return EXIT_OK


def cmd_policy_pack_path(_args: argparse.Namespace) -> int:
    """The installed guardrail policy pack's folder: `pulumi preview --policy-pack "$(zt-risk policy-pack-path)"`."""
    print(importlib.resources.files("zt_risk_scoring.policy_pack"))
    return EXIT_OK


def cmd_integrations(args: argparse.Namespace) -> int:
    client = sources.client(args)
    if args.action == "get":
        emit(args.json, asdict(client.get_integration(args.value)), INTEGRATION_COLUMNS)
    elif args.action == "by-reference":
        emit(args.json, asdict(client.get_integration_by_reference(args.value)), INTEGRATION_COLUMNS)
    else:
        rows = client.list_integrations_as_given()
        odd = [row for row in rows if row.get("problem")]
        emit(args.json, rows, (*INTEGRATION_COLUMNS, "problem") if odd else INTEGRATION_COLUMNS)
        if odd:
            note(f"{len(odd)} integration(s) have a field this version cannot manage (see PROBLEM); shown as given")
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """List (dry run) or delete (--yes) the integrations whose reference_id has the prefix."""
    problem = sweep.prefix_problem(args.reference_prefix)
    if problem:  # before any request, and before credentials are even looked for
        raise InvalidArgument(problem)
    found = sweep.sweep(sources.client(args), args.reference_prefix, delete=args.yes)
    verb = "deleted" if args.yes else "would delete"
    if args.json:
        emit(True, [asdict(i) for i in found], ())
    for integration in [] if args.json else found:
        print(
            f"{verb} integration {integration.id} reference_id {shown(integration.reference_id)} "
            f"tenant {shown(integration.tenant_url)}"
        )
    closing = "deleted" if args.yes else "to delete (a dry run: pass --yes to delete them)"
    prefix = printable(args.reference_prefix)
    print(f"{len(found)} integration(s) with reference_id prefix {prefix} {closing}", file=sys.stderr)
    return EXIT_OK


def cmd_probe(args: argparse.Namespace) -> int:
    """One line per open point of the API as this account answers it; --variants-file keeps the settled ones."""
    found = probe.probe(
        sources.client(args), args.tenant_url, write_behaviors=args.write_behaviors, reset_user=args.reset_user,
        progress=progress,
    )  # fmt: skip
    settled = {f.name: f.value for f in found if f.value is not None}
    if args.json:
        emit(True, [{"name": f.name, "value": f.value, "how": f.how} for f in found], ())
    for finding in [] if args.json else found:
        print(shown(finding.line()))
    if args.variants_file is not None:
        _write_variants(args.variants_file, settled)
    return EXIT_OK


def _write_variants(path: Path, settled: dict[str, str]) -> None:
    try:
        path.write_text(json.dumps(settled, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"--variants-file {path}: cannot be written ({exc.strerror})") from None
    note(
        f"wrote {len(settled)} settled point(s) to {path}; `zt-risk emulator serve --variants-file {path}` serves them"
    )


def cmd_export(args: argparse.Namespace) -> int:
    """The live account as stack config (stdout or merged into --stack-config) or as an import file."""
    if args.import_file is not None:
        read = [(sources.client(args, connection), connection) for connection in sources.connections(args)]
        code = import_file.write_import_file(
            read, args.import_file, stack=args.stack, python=args.python, behaviors=args.behaviors,
            only=args.integration, note=note,
        )  # fmt: skip
        print(code, end="")
        return EXIT_OK
    target: Path | None = args.stack_config
    document = _export_target(target) if target is not None else {}
    connection = sources.connections(args)[0]
    exported = stack_config.export_config(sources.client(args), progress, connection)
    if target is None:
        print(yaml.safe_dump({"config": exported}, sort_keys=False), end="")
        print(stack_config.SCOPE, file=sys.stderr)
        return EXIT_OK
    document["config"] = {**(document.get("config") or {}), **exported}
    try:
        target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigurationError(f"--stack-config {target}: cannot be written ({reason})") from None
    print(
        f"wrote {target}; run `pulumi preview` with this repository's stacks/ program to see the adoption "
        f"(no creates of new integrations). {stack_config.SCOPE}",
        file=sys.stderr,
    )
    return EXIT_OK


def _export_target(target: Path) -> dict[str, Any]:
    where = f"--stack-config {target}"
    document = sources.load_yaml(target, where, missing_ok=True)
    if document is None:
        return {}
    if not isinstance(document, dict) or not isinstance(document.get("config") or {}, dict):
        raise ConfigurationError(f"{where}: not a stack config (a map with a `config:` map); pass another file")
    return document
