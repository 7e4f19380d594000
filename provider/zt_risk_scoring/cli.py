"""`zt-risk`: operator commands against the Risk Scoring API, export to stack config, and the emulator."""

from __future__ import annotations

import argparse
import importlib.resources
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from . import importing, stack_cli, sweep
from ._version import __version__
from .behaviors import validate_behaviors
from .client import RiskScoringClient
from .config import API_KEY, TOKEN, account_id_problem, default_account_id, resolve_settings
from .errors import ConfigurationError, InvalidArgument, NotFound, RiskScoringError, printable, redact
from .ids import id_problem
from .integration import FIELDS as INTEGRATION_FIELDS
from .models import RISK_LEVELS

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_CONFIG, EXIT_NOT_FOUND, EXIT_ABORTED = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
# The reader of stdout went away (`| head`): the status a shell reports for any tool SIGPIPE ends (128 + 13),
# so `set -o pipefail` sees the same as for `cat`, and output that was cut short is not reported as success.
EXIT_BROKEN_PIPE = 141
PROJECT = "zt-risk-scoring"
DESCRIPTION = """\
Credentials, base URL and account resolve as for the providers: stack config first, then
CLOUDFLARE_API_TOKEN (or CLOUDFLARE_API_KEY + CLOUDFLARE_EMAIL), CLOUDFLARE_BASE_URL and
CLOUDFLARE_ACCOUNT_ID. For the stack config, run zt-risk in the Pulumi project directory with
`--stack NAME` (reads the stack's config, secrets included, through `pulumi config --show-secrets`;
decrypted values stay in memory), or pass `--config-file Pulumi.<stack>.yaml` (its plain values only:
an encrypted cloudflare:apiToken there cannot be read, so export CLOUDFLARE_API_TOKEN=… with it).

Exit codes: 0 ok, 1 API or unexpected error, 2 usage, 3 configuration, 4 not found, 5 not confirmed,
130 interrupted, 141 stdout closed early (as by `| head`; nothing is printed about it).
"""
STACK_CONFIG_FIX = "pass a Pulumi.<stack>.yaml (a YAML map whose `config:` is a map of key: value)"


# terminal safety ---------------------------------------------------------------------------------
# Long enough for any id, name or URL the API returns; a longer value is cut rather than flood the table.
SHOWN_MAX = 1000


def shown(value: object) -> str:
    """`value` for the terminal: controls, escapes, bidi overrides and line breaks made visible (\\x1b)."""
    return "" if value is None else printable(value, SHOWN_MAX, quote=False)


# configuration -----------------------------------------------------------------------------------
def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "value")


def _load_yaml(path: Path, where: str, *, missing_ok: bool = False) -> Any:
    """A YAML file's document (None when empty, or missing and `missing_ok`), or one ConfigurationError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return None
        raise ConfigurationError(f"{where}: no such file; {STACK_CONFIG_FIX}, or use --stack NAME") from None
    except IsADirectoryError:
        raise ConfigurationError(f"{where}: is a directory; {STACK_CONFIG_FIX}") from None
    except PermissionError:
        raise ConfigurationError(f"{where}: permission denied; make it readable or use --stack NAME") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{where}: not UTF-8 text; {STACK_CONFIG_FIX}") from None
    except OSError as exc:
        raise ConfigurationError(f"{where}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # Only the position: the YAML error's snippet could quote a value of the file.
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise ConfigurationError(f"{where}: not valid YAML{at}; {STACK_CONFIG_FIX}") from None


def _read_config_file(path: Path) -> dict[str, Any]:
    """The `config:` map of a stack config file, or ConfigurationError naming the file and the fix."""
    where = f"--config-file {path}"
    document = _load_yaml(path, where)
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigurationError(f"{where}: is a YAML {_kind(document)}, not a map; {STACK_CONFIG_FIX}")
    config = document.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ConfigurationError(f"{where}: its `config` is a YAML {_kind(config)}, not a map; {STACK_CONFIG_FIX}")
    return config


def _read_stack(stack: str) -> tuple[dict[str, Any], list[str]]:
    """The stack's config values and its secret values, from `pulumi config` in the current directory."""
    raw = stack_cli.pulumi_json(
        stack,
        "config",
        "--json",
        "--show-secrets",
        missing=f"install it, or export CLOUDFLARE_API_TOKEN=… and pass --config-file Pulumi.{stack}.yaml "
        "for the plain values",
        fix=f"{stack_cli.RUN_HERE}, with PULUMI_CONFIG_PASSPHRASE set if the stack uses a passphrase",
    )
    values: dict[str, Any] = {}
    secrets: list[str] = []
    for key, entry in raw.items():
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            values[key] = entry["value"]
            if entry.get("secret"):
                secrets.append(entry["value"])
    return values, secrets


def _project_hint(args: argparse.Namespace) -> str:
    """When run in a Pulumi project without a stack config source, how to point zt-risk at one."""
    if args.stack or args.config_file is not None or not Path("Pulumi.yaml").is_file():
        return ""
    stacks = sorted(shown(p.name.removeprefix("Pulumi.").removesuffix(".yaml")) for p in Path().glob("Pulumi.*.yaml"))
    here = f" (stack configs here: {', '.join(stacks)})" if stacks else ""
    return (
        f"; this is a Pulumi project directory: pass --stack {stacks[0] if stacks else 'NAME'} to use its config{here}"
    )


def _credential_problem(config: dict[str, Any], lookup: Callable[[str], str | None], args: argparse.Namespace) -> str:
    """'' when a credential is available, else what a CLI user should do."""
    for key, env in (TOKEN, API_KEY):
        if lookup(key) or os.environ.get(env):
            return ""
    encrypted = [key for key in (TOKEN[0], API_KEY[0]) if isinstance(config.get(key), dict)]
    if encrypted and args.config_file is not None:
        return (
            f"--config-file {args.config_file} holds {encrypted[0]} encrypted, which zt-risk cannot decrypt from "
            "the file: run zt-risk in the project directory with --stack NAME instead, "
            "or export CLOUDFLARE_API_TOKEN=…"
        )
    where = f" (stack {args.stack} sets neither cloudflare:apiToken nor cloudflare:apiKey)" if args.stack else ""
    return (
        f"no Cloudflare credentials{where}: export CLOUDFLARE_API_TOKEN=… (or CLOUDFLARE_API_KEY and "
        "CLOUDFLARE_EMAIL), or run zt-risk in the project directory with --stack NAME to use the stack's "
        "cloudflare:apiToken (--config-file reads plain values only, never secrets)"
    )


def _client(args: argparse.Namespace) -> RiskScoringClient:
    config: dict[str, Any] = {}
    if args.stack:
        config, stack_secrets = _read_stack(args.stack)
        args.secrets.extend(stack_secrets)
    elif args.config_file is not None:
        config = _read_config_file(args.config_file)

    def lookup(key: str) -> str | None:
        value = config.get(key)
        return value if isinstance(value, str) else None

    args.secrets.extend(v for v in (lookup(TOKEN[0]), lookup(API_KEY[0])) if v)
    account = args.account_id or lookup(f"{PROJECT}:accountId") or default_account_id(lookup)
    problem = account_id_problem(account)
    if problem:
        raise ConfigurationError(problem.replace("pass account_id=…", "pass --account-id") + _project_hint(args))
    problem = _credential_problem(config, lookup, args)
    if problem:
        raise ConfigurationError(problem + _project_hint(args))
    settings = resolve_settings(lambda k: {"cloudflare:baseUrl": args.base_url}.get(k) or lookup(k))
    args.secrets.extend(settings.secrets())
    return RiskScoringClient(settings, str(account))


# output ------------------------------------------------------------------------------------------
def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[shown(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def _emit(args: argparse.Namespace, data: Any, columns: Sequence[str]) -> None:
    if args.json:
        print(json.dumps(data, indent=2, sort_keys=True))
    else:
        print(_table(data if isinstance(data, list) else [data], columns))


INTEGRATION_COLUMNS = ("id", "reference_id", "tenant_url", "active", "created_at")


# commands ----------------------------------------------------------------------------------------
def cmd_summary(args: argparse.Namespace) -> int:
    rows = [asdict(u) for u in _client(args).summary()]
    _emit(args, rows, ("user_id", "email", "event_count", "max_risk_level", "last_event"))
    return EXIT_OK


def cmd_user(args: argparse.Namespace) -> int:
    risk = _client(args).user_risk(args.user_id)
    if args.json:
        _emit(args, asdict(risk), ())
        return EXIT_OK
    name, email = shown(risk.name), shown(risk.email)
    level, reset = shown(risk.risk_level or "none"), shown(risk.last_reset_time or "never")
    print(f"{name} <{email}>  risk level: {level}  last reset: {reset}")
    print(_table([asdict(e) for e in risk.events], ("timestamp", "name", "risk_level", "id")))
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
    _client(args).reset_user(args.user_id)
    print(f"reset user {user}", file=sys.stderr)
    return EXIT_OK


def cmd_behaviors(args: argparse.Namespace) -> int:
    rows = [{"key": b.key, **b.as_given(), "name": b.name} for b in _client(args).get_behaviors().values()]
    _emit(args, rows, ("key", "enabled", "risk_level", "name"))
    return EXIT_OK


def cmd_policy_pack_path(_args: argparse.Namespace) -> int:
    """The installed guardrail policy pack's folder: `pulumi preview --policy-pack "$(zt-risk policy-pack-path)"`."""
    print(importlib.resources.files("zt_risk_scoring.policy_pack"))
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


def _exported_behaviors(client: RiskScoringClient) -> dict[str, Any]:
    behaviors = {k: b.as_given() for k, b in sorted(client.get_behaviors().items())}
    for key, setting in behaviors.items():
        # Exported as the API gave it, so the file stays a true copy; the resource will refuse it.
        for problem in validate_behaviors({key: setting})[1]:
            print(
                f"warning: behavior {shown(key)}: {shown(problem)}, which this version cannot write: "
                "`pulumi up` will refuse it until zt-risk-scoring knows it; or set it in the stack config "
                f"(enabled true or false, risk_level {', '.join(RISK_LEVELS)})",
                file=sys.stderr,
            )
    return behaviors


def _exported_integrations(client: RiskScoringClient) -> list[dict[str, Any]]:
    # The item keys are RiskIntegration's fields that users set and the API reports (its field table).
    keys = [(f.config_key, f.api) for f in INTEGRATION_FIELDS.inputs if f.config_key and f.api]
    taken: set[str] = set()
    return [
        {"name": importing.unique(importing.resource_name(i.tenant_url), taken)}
        | {key: getattr(i, api) for key, api in keys}
        for i in client.list_integrations()
    ]


def export_config(client: RiskScoringClient) -> dict[str, Any]:
    """The stack config that makes the stack program adopt the account's live state exactly."""
    print("reading behaviors …", file=sys.stderr)
    behaviors = _exported_behaviors(client)
    print("reading integrations …", file=sys.stderr)
    integrations = _exported_integrations(client)
    print(f"found {len(behaviors)} behaviors and {len(integrations)} integrations", file=sys.stderr)
    return {
        "cloudflare:accountId": client.account_id,
        f"{PROJECT}:behaviors": behaviors,
        f"{PROJECT}:integrations": integrations,
    }


EXPORT_SCOPE = (
    f"The {PROJECT}:* keys are read only by this repository's stack program (stacks/__main__.py); "
    "in your own Pulumi program, adopt existing integrations in code with "
    "RiskIntegration(..., integration_id=ID) or adopt=True (RiskBehaviors adopts the live values by itself). "
    "To import them with `pulumi import` instead, use export --import-file FILE."
)


def _export_target(target: Path) -> dict[str, Any]:
    where = f"--stack-config {target}"
    document = _load_yaml(target, where, missing_ok=True)
    if document is None:
        return {}
    if not isinstance(document, dict) or not isinstance(document.get("config") or {}, dict):
        raise ConfigurationError(f"{where}: not a stack config (a map with a `config:` map); pass another file")
    return document


def cmd_export(args: argparse.Namespace) -> int:
    problem = importing.usage_problem(args)
    if problem:
        raise InvalidArgument(problem)
    if args.import_file is not None:
        code = importing.run(args, _client(args), note=lambda text: print(f"zt-risk: {shown(text)}", file=sys.stderr))
        print(code, end="")
        return EXIT_OK
    target: Path | None = args.stack_config
    document = _export_target(target) if target is not None else {}
    exported = export_config(_client(args))
    if target is None:
        print(yaml.safe_dump({"config": exported}, sort_keys=False), end="")
        print(EXPORT_SCOPE, file=sys.stderr)
        return EXIT_OK
    document["config"] = {**(document.get("config") or {}), **exported}
    try:
        target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigurationError(f"--stack-config {target}: cannot be written ({reason})") from None
    print(
        f"wrote {target}; run `pulumi preview` with this repository's stacks/ program to see the adoption "
        f"(no creates of new integrations). {EXPORT_SCOPE}",
        file=sys.stderr,
    )
    return EXIT_OK


# command line ------------------------------------------------------------------------------------
def path_id(value: str) -> str:
    """An id that goes into a URL path: never empty, a dot segment or a path (they would reach another endpoint)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    if value in (".", ".."):
        raise argparse.ArgumentTypeError(f"{value!r} is a path segment, not an id")
    if "/" in value or "\\" in value:
        raise argparse.ArgumentTypeError(f"{printable(value)} is not an id (ids contain no slashes)")
    return value


def id_of(kind: str) -> Callable[[str], str]:
    """An argparse type for a `kind` id (see ids.py), refused before any prompt or request."""

    def check(value: str) -> str:
        problem = id_problem(kind, path_id(value))
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    return check


INTEGRATION_VALUE_KINDS = {"get": "integration_id", "by-reference": "reference_id"}


def _common_options() -> argparse.ArgumentParser:
    """The options every API command takes: where to connect and how to print."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--account-id", help="account (default: stack config, then CLOUDFLARE_ACCOUNT_ID)")
    common.add_argument("--base-url", help="API root (default: cloudflare:baseUrl, CLOUDFLARE_BASE_URL, Cloudflare)")
    source = common.add_mutually_exclusive_group()
    source.add_argument(
        "--stack",
        metavar="NAME",
        help="read the stack's config, secrets included, with `pulumi config --show-secrets` "
        "(run in the project directory, where Pulumi.yaml is)",
    )
    source.add_argument(
        "--config-file",
        type=Path,
        metavar="FILE",
        help="a Pulumi.<stack>.yaml to read plain cloudflare:* values from (not secrets: "
        "use --stack or export CLOUDFLARE_API_TOKEN)",
    )
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("--debug", action="store_true", help="show tracebacks (credentials redacted)")
    return common


def _add_export(sub: Any, common: argparse.ArgumentParser) -> None:
    """`export`: the live account as stack config for stacks/, or as a `pulumi import --file` spec."""
    export = sub.add_parser(
        "export",
        parents=[common],
        help=f"write {PROJECT}:* stack config for this repository's stacks/ program that adopts the live account",
        description="Write cloudflare:accountId, zt-risk-scoring:behaviors and zt-risk-scoring:integrations "
        "(each with its integrationId), so that the next `pulumi up` of stacks/ adopts the live state. " + EXPORT_SCOPE,
    )
    export.add_argument("--stack-config", type=Path, help="Pulumi.<stack>.yaml to merge into (default: stdout)")
    importing.add_arguments(export)
    export.set_defaults(run=cmd_export)


def _parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser, argparse.ArgumentParser]:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="zt-risk", description=f"{__doc__}\n\n{DESCRIPTION}", formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"zt-risk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("summary", parents=[common], help="users with risk events").set_defaults(run=cmd_summary)
    user = sub.add_parser("user", parents=[common], help="a user's risk level and events")
    user.add_argument("user_id", metavar="USER_ID", type=id_of("user_id"))
    user.set_defaults(run=cmd_user)
    reset = sub.add_parser("reset", parents=[common], help="clear a user's risk score (asks unless --yes)")
    reset.add_argument("user_id", metavar="USER_ID", type=id_of("user_id"))
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(run=cmd_reset)
    sub.add_parser("behaviors", parents=[common], help="the behaviors config").set_defaults(run=cmd_behaviors)
    integ = sub.add_parser("integrations", parents=[common], help="list, or `get ID`, or `by-reference REF`")
    integ.add_argument("action", nargs="?", choices=["list", "get", "by-reference"], default="list")
    integ.add_argument("value", nargs="?", metavar="ID|REF", type=path_id, help="the integration or reference id")
    integ.set_defaults(run=cmd_integrations)
    _add_export(sub, common)
    sweep.add_command(sub, common, _client)
    sub.add_parser(
        "policy-pack-path", help="the folder of the guardrail policy pack installed with this package"
    ).set_defaults(run=cmd_policy_pack_path)
    emulator = sub.add_parser("emulator", help="the local emulator of the API")
    serve = emulator.add_subparsers(dest="emulator_command", required=True).add_parser("serve", help="serve it")
    return parser, integ, serve


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, ConfigurationError):
        return EXIT_CONFIG
    if isinstance(exc, InvalidArgument):
        return EXIT_USAGE
    return EXIT_NOT_FOUND if isinstance(exc, NotFound) else EXIT_API


def _report(exc: BaseException, args: argparse.Namespace) -> int:
    """One line on stderr for `exc` (after a traceback with --debug), never with a credential in it."""
    secrets: list[str] = getattr(args, "secrets", [])
    if getattr(args, "debug", False):
        text = redact("".join(traceback.format_exception(exc)), secrets)
        print("\n".join(shown(line) for line in text.splitlines()), file=sys.stderr)
    if isinstance(exc, KeyboardInterrupt):
        message = "interrupted"
    elif isinstance(exc, RiskScoringError):
        message = str(exc)
    else:
        hint = "" if getattr(args, "debug", False) else "; rerun with --debug for the traceback"
        message = f"unexpected error: {type(exc).__name__}: {exc}{hint}"
    print(f"zt-risk: {shown(redact(message, secrets))}", file=sys.stderr)
    return _exit_code(exc)


def _add_emulator(serve: argparse.ArgumentParser, argv: Sequence[str]) -> int | None:
    """`emulator serve`'s own arguments, when that is the command; an exit code when its extra is missing.

    Imported only for that command: the emulator's web server is an extra (`[emulator]`), and no other
    command, nor the providers' import graph, may need it.
    """
    if list(argv[:2]) != ["emulator", "serve"]:
        return None
    try:
        from .emulator import server
    except ModuleNotFoundError as exc:
        missing = (exc.name or "werkzeug").partition(".")[0]
        print(
            f"zt-risk: the emulator needs {missing}, which a plain install leaves out: "
            "pip install 'zt-risk-scoring[emulator]'",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    server.add_arguments(serve)
    serve.set_defaults(run=server.run)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser, integ, serve = _parser()
    missing = _add_emulator(serve, argv)
    if missing is not None:
        return missing
    args = parser.parse_args(argv)
    if args.command == "integrations":
        if args.action != "list" and not args.value:
            integ.error(f"integrations {args.action} needs a value")
        if args.action == "list" and args.value:
            integ.error("integrations list takes no value")
        problem = args.value and id_problem(INTEGRATION_VALUE_KINDS[args.action], args.value)
        if problem:
            integ.error(f"argument ID|REF: {problem}")
    # Known before anything runs, so that even an error while resolving them is redacted.
    args.secrets = [v for v in (os.environ.get(TOKEN[1]), os.environ.get(API_KEY[1])) if v]
    try:
        code: int = args.run(args)
        sys.stdout.flush()  # what is still buffered fails here, not in the interpreter's flush after main returns
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the one place every error becomes one line
        return _report(exc, args)


def _stdout_closed() -> int:
    """End quietly: stdout pointed at /dev/null, so the interpreter's last flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # a stdout without a file descriptor (replaced, or already closed)
        pass
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
