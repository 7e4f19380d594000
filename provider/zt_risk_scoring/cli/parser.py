"""zt-risk's command line: the parser, its id types, and the checks of flags that go together."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import probe, sweep
from .._version import __version__
from ..exporting import stack_config
from ..ids import id_problem
from ..text import printable
from . import commands

SUMMARY = "`zt-risk`: operator commands against the Risk Scoring API, export of the live account, and the emulator."
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


# The common options that take a value: the word after one of them is its value, not the command.
VALUED_OPTIONS = ("--account-id", "--base-url", "--stack", "--config-file", "--connection")


def command_words(argv: Sequence[str]) -> list[str]:
    """`argv` from the command on: the common options given before it (and their values) skipped."""
    at = 0
    while at < len(argv) and argv[at].startswith("-"):
        at += 2 if argv[at] in VALUED_OPTIONS else 1
    return list(argv[at:])


def values_before_command(argv: Sequence[str], option: str) -> list[str]:
    """The values `option` was given before the command (the common options' first copy)."""
    before = argv[: len(argv) - len(command_words(argv))]
    return [before[n + 1] for n, word in enumerate(before[:-1]) if word == option]


def _common_options(before_command: bool = False) -> argparse.ArgumentParser:
    """The options every API command takes: where to connect and how to print.

    They go before the command (`zt-risk --json summary`) or after it; given after, they win. The
    copy after the command has no defaults, so that leaving an option out there keeps what came before.
    """
    unset: Any = None if before_command else argparse.SUPPRESS
    flag: Any = False if before_command else argparse.SUPPRESS
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--account-id", default=unset, help="account (default: stack config, then CLOUDFLARE_ACCOUNT_ID)"
    )
    common.add_argument(
        "--base-url", default=unset, help="API root (default: cloudflare:baseUrl, CLOUDFLARE_BASE_URL, Cloudflare)"
    )
    _add_config_source(common, unset)
    common.add_argument(
        "--connection",
        action="append",
        default=unset,
        metavar="NAME",
        help="the stack config namespace to read apiToken (or apiKey and email), accountId and baseUrl from, as a "
        "resource's connection= names it (default cloudflare, which also reads the CLOUDFLARE_* variables); "
        "repeatable with export --import-file: one file of several accounts",
    )
    common.add_argument("--json", action="store_true", default=flag, help="machine-readable output")
    common.add_argument("--debug", action="store_true", default=flag, help="show tracebacks (credentials redacted)")
    return common


def _add_config_source(common: argparse.ArgumentParser, unset: Any) -> None:
    """--stack or --config-file, one or the other: where the stack config comes from."""
    source = common.add_mutually_exclusive_group()
    source.add_argument(
        "--stack",
        default=unset,
        metavar="NAME",
        help="read the stack's config, secrets included, with `pulumi config --show-secrets` "
        "(run in the project directory, where Pulumi.yaml is)",
    )
    source.add_argument(
        "--config-file",
        default=unset,
        type=Path,
        metavar="FILE",
        help="a Pulumi.<stack>.yaml to read plain cloudflare:* values from (not secrets: "
        "use --stack or export CLOUDFLARE_API_TOKEN)",
    )


def _add_export(sub: Any, common: argparse.ArgumentParser) -> None:
    """`export`: the live account as stack config for stacks/, or as a `pulumi import --file` spec."""
    export = sub.add_parser(
        "export",
        parents=[common],
        help=f"write {stack_config.PROJECT}:* stack config for this repository's stacks/ program "
        "that adopts the live account",
        description="Write cloudflare:accountId, zt-risk-scoring:behaviors and zt-risk-scoring:integrations "
        "(each with its integrationId), so that the next `pulumi up` of stacks/ adopts the live state. "
        + stack_config.SCOPE,
    )
    export.add_argument("--stack-config", type=Path, help="Pulumi.<stack>.yaml to merge into (default: stdout)")
    _add_import_file(export)
    export.set_defaults(run=commands.cmd_export)


def build() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser, argparse.ArgumentParser]:
    """The parser, and the `integrations` and `emulator serve` subparsers main() finishes."""
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="zt-risk",
        description=f"{SUMMARY}\n\n{DESCRIPTION}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common_options(before_command=True)],
    )
    parser.add_argument("--version", action="version", version=f"zt-risk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_users(sub, common)
    sub.add_parser("behaviors", parents=[common], help="the behaviors config").set_defaults(run=commands.cmd_behaviors)
    integ = sub.add_parser("integrations", parents=[common], help="list, or `get ID`, or `by-reference REF`")
    integ.add_argument("action", nargs="?", choices=["list", "get", "by-reference"], default="list")
    integ.add_argument("value", nargs="?", metavar="ID|REF", type=path_id, help="the integration or reference id")
    integ.set_defaults(run=commands.cmd_integrations)
    _add_export(sub, common)
    _add_sweep(sub, common)
    _add_probe(sub, common)
    sub.add_parser(
        "policy-pack-path", help="the folder of the guardrail policy pack installed with this package"
    ).set_defaults(run=commands.cmd_policy_pack_path)
    emulator = sub.add_parser("emulator", help="the local emulator of the API")
    serve = emulator.add_subparsers(dest="emulator_command", required=True).add_parser("serve", help="serve it")
    return parser, integ, serve


def _add_users(sub: Any, common: argparse.ArgumentParser) -> None:
    """`summary`, `user` and `reset`: the account's users and their risk."""
    sub.add_parser("summary", parents=[common], help="users with risk events").set_defaults(run=commands.cmd_summary)
    user = sub.add_parser("user", parents=[common], help="a user's risk level and events")
    user.add_argument("user_id", metavar="USER_ID", type=id_of("user_id"))
    user.set_defaults(run=commands.cmd_user)
    reset = sub.add_parser("reset", parents=[common], help="clear a user's risk score (asks unless --yes)")
    reset.add_argument("user_id", metavar="USER_ID", type=id_of("user_id"))
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(run=commands.cmd_reset)


def _add_sweep(sub: Any, common: argparse.ArgumentParser) -> None:
    """`sweep`: what an interrupted acceptance run left behind, by reference_id prefix."""
    parser = sub.add_parser(
        "sweep",
        parents=[common],
        help="list (or with --yes delete) the integrations whose reference_id starts with a prefix",
        description="Remove what an interrupted acceptance run left behind: every integration whose reference_id "
        f"starts with PREFIX (at least {sweep.MIN_PREFIX} characters, matched exactly), and nothing else. "
        "Without --yes it only lists them.",
    )
    parser.add_argument("--reference-prefix", required=True, metavar="PREFIX", help="e.g. zt-acc-")
    parser.add_argument("--yes", action="store_true", help="delete them (default: a dry run that lists them)")
    parser.set_defaults(run=commands.cmd_sweep)


def _add_probe(sub: Any, common: argparse.ArgumentParser) -> None:
    """`probe`: the API's open points, as the account at hand answers them."""
    parser = sub.add_parser(
        "probe",
        parents=[common],
        help="settle the API's open points against the account (one throwaway integration, deleted)",
        description="Settle each point of the API that public evidence leaves open (docs/emulator.md, 'Open points "
        "as switches') against this account and print one line each: the value observed, or why not settled. It "
        f"reads, and creates one throwaway integration (reference_id {probe.PREFIX}...) that it deletes; it writes "
        "the behaviors only with --write-behaviors and resets a user only with --reset-user.",
    )
    parser.add_argument(
        "--tenant-url", default=probe.TENANT_URL, metavar="URL", help=f"the throwaway's (default {probe.TENANT_URL})"
    )
    parser.add_argument(
        "--write-behaviors",
        action="store_true",
        help="also settle the behaviors_put_* points: PUTs the behaviors (a key briefly flipped), then every key "
        "back as read",
    )
    parser.add_argument(
        "--reset-user", type=id_of("user_id"), metavar="USER_ID", help="also settle reset_events: resets this user"
    )
    parser.add_argument(
        "--variants-file", type=Path, metavar="FILE", help="write the settled values there, for `zt-risk emulator "
        "serve --variants-file FILE`"
    )  # fmt: skip
    parser.set_defaults(run=commands.cmd_probe)


def _add_import_file(parser: argparse.ArgumentParser) -> None:
    """The `export` flags that write an import file instead of stack config."""
    parser.add_argument(
        "--import-file",
        type=Path,
        metavar="FILE",
        help="write a `pulumi import --file FILE` spec of the account's integrations (and --behaviors) instead",
    )
    parser.add_argument(
        "--python", type=Path, metavar="FILE", help="with --import-file: write the program code there (default: stdout)"
    )
    parser.add_argument(
        "--behaviors",
        metavar="KEY,KEY|all",
        help="with --import-file: also import these behavior keys (managed as RiskBehaviors, restored on destroy)",
    )
    parser.add_argument(
        "--integration",
        action="append",
        default=[],
        metavar="ID",
        help="with --import-file: import only this integration (repeatable; default: every integration)",
    )


def export_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the combination of export flags, or None."""
    if args.import_file is None:
        used = [flag for flag, value in (("--python", args.python), ("--behaviors", args.behaviors)) if value]
        used += ["--integration"] if args.integration else []
        return f"{', '.join(used)} only go with --import-file FILE" if used else None
    if not args.stack:
        # The engine imports an id already in the stack under another name as a second owner of it;
        # only the stack's state tells which integrations it already manages.
        return "--import-file needs --stack NAME: the stack to import into, so that what it already manages is left out"
    if getattr(args, "stack_config", None) is not None:
        return "--import-file and --stack-config are two ways to bring the account under management; use one"
    if len(args.connection or ()) > 1 and (args.integration or args.account_id or args.base_url):
        return (
            "--integration, --account-id and --base-url go with one --connection: with several, each connection's "
            "accountId and baseUrl are read"
        )
    for value in args.integration:
        problem = id_problem("integration_id", value)
        if problem:
            return f"--integration: {problem}"
    return None
