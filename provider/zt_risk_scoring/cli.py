"""`zt-risk`: operator commands against the Risk Scoring API, export to stack config, and the emulator.

Credentials and base URL resolve exactly as for the providers: stack config first (`--config-file`,
a Pulumi.<stack>.yaml), then CLOUDFLARE_API_TOKEN (or CLOUDFLARE_API_KEY + CLOUDFLARE_EMAIL),
CLOUDFLARE_BASE_URL and CLOUDFLARE_ACCOUNT_ID.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from .client import RiskScoringClient
from .config import account_id_problem, default_account_id, resolve_settings
from .errors import ConfigurationError, NotFound, RiskScoringError

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_CONFIG, EXIT_NOT_FOUND, EXIT_ABORTED = 0, 1, 2, 3, 4, 5
PROJECT = "zt-risk-scoring"


def _file_lookup(path: Path | None) -> Callable[[str], str | None]:
    """Plain (non-secret) values of a stack config file; secure values stay out of reach here."""
    values: dict[str, Any] = {}
    if path is not None:
        values = (yaml.safe_load(path.read_text()) or {}).get("config") or {}

    def lookup(key: str) -> str | None:
        value = values.get(key)
        return value if isinstance(value, str) else None

    return lookup


def _client(args: argparse.Namespace) -> RiskScoringClient:
    lookup = _file_lookup(args.config_file)
    account = args.account_id or lookup(f"{PROJECT}:accountId") or default_account_id(lookup)
    problem = account_id_problem(account)
    if problem:
        raise ConfigurationError(problem.replace("pass account_id=…", "pass --account-id"))
    settings = resolve_settings(lambda k: {"cloudflare:baseUrl": args.base_url}.get(k) or lookup(k))
    return RiskScoringClient(settings, str(account))


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "(none)"
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(columns, widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _emit(args: argparse.Namespace, data: Any, columns: Sequence[str]) -> None:
    if args.json:
        print(json.dumps(data, indent=2, sort_keys=True))
    else:
        print(_table(data if isinstance(data, list) else [data], columns))


INTEGRATION_COLUMNS = ("id", "reference_id", "tenant_url", "active", "created_at")


def cmd_summary(args: argparse.Namespace) -> int:
    rows = [asdict(u) for u in _client(args).summary()]
    _emit(args, rows, ("user_id", "email", "event_count", "max_risk_level", "last_event"))
    return EXIT_OK


def cmd_user(args: argparse.Namespace) -> int:
    risk = _client(args).user_risk(args.user_id)
    if args.json:
        _emit(args, asdict(risk), ())
        return EXIT_OK
    reset = risk.last_reset_time or "never"
    print(f"{risk.name} <{risk.email}>  risk level: {risk.risk_level or 'none'}  last reset: {reset}")
    print(_table([asdict(e) for e in risk.events], ("timestamp", "name", "risk_level", "id")))
    return EXIT_OK


def cmd_reset(args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"zt-risk: refusing to reset {args.user_id} without --yes (no terminal to confirm)", file=sys.stderr)
            return EXIT_ABORTED
        if input(f"Clear the risk score and events of user {args.user_id}? [y/N] ").strip().lower() != "y":
            print("aborted", file=sys.stderr)
            return EXIT_ABORTED
    _client(args).reset_user(args.user_id)
    print(f"reset user {args.user_id}", file=sys.stderr)
    return EXIT_OK


def cmd_behaviors(args: argparse.Namespace) -> int:
    rows = [
        {"key": b.key, "enabled": b.setting.enabled, "risk_level": b.setting.risk_level, "name": b.name}
        for b in _client(args).get_behaviors().values()
    ]
    _emit(args, rows, ("key", "enabled", "risk_level", "name"))
    return EXIT_OK


def cmd_integrations(args: argparse.Namespace) -> int:
    client = _client(args)
    if args.action == "get":
        _emit(args, asdict(client.get_integration(args.value)), INTEGRATION_COLUMNS)
    elif args.action == "by-reference":
        _emit(args, asdict(client.get_integration_by_reference(args.value)), INTEGRATION_COLUMNS)
    else:
        _emit(args, [asdict(i) for i in client.list_integrations()], INTEGRATION_COLUMNS)
    return EXIT_OK


def _resource_name(tenant_url: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", tenant_url.split("://", 1)[-1].lower()).strip("-") or "integration"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def export_config(client: RiskScoringClient) -> dict[str, Any]:
    """The stack config that makes the stack program adopt the account's live state exactly."""
    print("reading behaviors …", file=sys.stderr)
    behaviors = {k: b.setting.to_api() for k, b in sorted(client.get_behaviors().items())}
    print("reading integrations …", file=sys.stderr)
    taken: set[str] = set()
    integrations = [
        {
            "name": _resource_name(i.tenant_url, taken),
            "tenantUrl": i.tenant_url,
            "referenceId": i.reference_id,
            "active": i.active,
            "integrationId": i.id,
        }
        for i in client.list_integrations()
    ]
    print(f"found {len(behaviors)} behaviors and {len(integrations)} integrations", file=sys.stderr)
    return {
        "cloudflare:accountId": client.account_id,
        f"{PROJECT}:behaviors": behaviors,
        f"{PROJECT}:integrations": integrations,
    }


def cmd_export(args: argparse.Namespace) -> int:
    exported = export_config(_client(args))
    target: Path | None = args.stack_config
    if target is None:
        print(yaml.safe_dump({"config": exported}, sort_keys=False), end="")
        return EXIT_OK
    document = (yaml.safe_load(target.read_text()) or {}) if target.exists() else {}
    document["config"] = {**(document.get("config") or {}), **exported}
    target.write_text(yaml.safe_dump(document, sort_keys=False))
    print(f"wrote {target}; run `pulumi preview` to see the adoption (no creates of new integrations)", file=sys.stderr)
    return EXIT_OK


def _parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--account-id", help="account (default: stack config, then CLOUDFLARE_ACCOUNT_ID)")
    common.add_argument("--base-url", help="API root (default: cloudflare:baseUrl, CLOUDFLARE_BASE_URL, Cloudflare)")
    common.add_argument("--config-file", type=Path, help="a Pulumi.<stack>.yaml to read cloudflare:* settings from")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    parser = argparse.ArgumentParser(
        prog="zt-risk", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("summary", parents=[common], help="users with risk events").set_defaults(run=cmd_summary)
    user = sub.add_parser("user", parents=[common], help="a user's risk level and events")
    user.add_argument("user_id")
    user.set_defaults(run=cmd_user)
    reset = sub.add_parser("reset", parents=[common], help="clear a user's risk score (asks unless --yes)")
    reset.add_argument("user_id")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(run=cmd_reset)
    sub.add_parser("behaviors", parents=[common], help="the behaviors config").set_defaults(run=cmd_behaviors)
    integ = sub.add_parser("integrations", parents=[common], help="list, or `get ID`, or `by-reference REF`")
    integ.add_argument("action", nargs="?", choices=["list", "get", "by-reference"], default="list")
    integ.add_argument("value", nargs="?", help="the integration id or reference id")
    integ.set_defaults(run=cmd_integrations)
    export = sub.add_parser("export", parents=[common], help="write stack config that adopts the live account")
    export.add_argument("--stack-config", type=Path, help="Pulumi.<stack>.yaml to merge into (default: stdout)")
    export.set_defaults(run=cmd_export)
    emulator = sub.add_parser("emulator", help="the local emulator of the API")
    serve = emulator.add_subparsers(dest="emulator_command", required=True).add_parser("serve", help="serve it")
    return parser, serve


def main(argv: Sequence[str] | None = None) -> int:
    parser, serve = _parser()
    # Imported here so the providers' import graph never reaches the emulator.
    from .emulator import server

    server.add_arguments(serve)
    serve.set_defaults(run=server.run)
    args = parser.parse_args(argv)
    if args.command == "integrations" and args.action != "list" and not args.value:
        parser.error(f"integrations {args.action} needs a value")
    try:
        code: int = args.run(args)
        return code
    except RiskScoringError as exc:
        if getattr(args, "debug", False):
            raise
        print(f"zt-risk: {exc}", file=sys.stderr)
        if isinstance(exc, ConfigurationError):
            return EXIT_CONFIG
        return EXIT_NOT_FOUND if isinstance(exc, NotFound) else EXIT_API


if __name__ == "__main__":
    sys.exit(main())
