"""Where zt-risk's settings come from: a stack's config through pulumi, a stack config file, the environment."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .. import pulumi_command
from ..client import RiskScoringClient
from ..config import (
    API_KEY,
    BASE_URL,
    DEFAULT_CONNECTION,
    TOKEN,
    account_id_problem,
    connection_credential_fix,
    connection_problem,
    default_account_id,
    has_credential,
    keys_of,
    missing_credentials,
    resolve_settings,
)
from ..errors import ConfigurationError
from ..exporting.stack_config import PROJECT
from .output import shown

STACK_CONFIG_FIX = "pass a Pulumi.<stack>.yaml (a YAML map whose `config:` is a map of key: value)"

# How an operator sets the credential for zt-risk (a program's user is told config.PROGRAM_CREDENTIAL_FIX).
CLI_CREDENTIAL_FIX = (
    "export CLOUDFLARE_API_TOKEN=… (or CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL), or run zt-risk in the project "
    "directory with --stack NAME to use the stack's cloudflare:apiToken (--config-file reads plain values only, "
    "never secrets)"
)


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "value")


def load_yaml(path: Path, where: str, *, missing_ok: bool = False) -> Any:
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
    document = load_yaml(path, where)
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
    raw = pulumi_command.pulumi_json(
        stack,
        "config",
        "--json",
        "--show-secrets",
        missing=f"install it, or export CLOUDFLARE_API_TOKEN=… and pass --config-file Pulumi.{stack}.yaml "
        "for the plain values",
        fix=f"{pulumi_command.RUN_HERE}, with PULUMI_CONFIG_PASSPHRASE set if the stack uses a passphrase",
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


def _credential_problem(
    config: dict[str, Any], lookup: Callable[[str], str | None], args: argparse.Namespace, connection: str
) -> str:
    """'' when a credential is available, else what a CLI user should do."""
    if has_credential(lookup, connection=connection):
        return ""
    token, api_key = keys_of(TOKEN, connection), keys_of(API_KEY, connection)
    encrypted = [key for key in (token[0], api_key[0]) if isinstance(config.get(key), dict)]
    if encrypted and args.config_file is not None:
        return (
            f"--config-file {args.config_file} holds {encrypted[0]} encrypted, which zt-risk cannot decrypt from "
            "the file: run zt-risk in the project directory with --stack NAME instead, "
            "or export CLOUDFLARE_API_TOKEN=…"
        )
    if connection != DEFAULT_CONNECTION:
        fix = f"{connection_credential_fix(connection)}; zt-risk reads it with --stack NAME"
        return missing_credentials(fix, f" for connection {connection!r}")
    where = f" (stack {args.stack} sets neither cloudflare:apiToken nor cloudflare:apiKey)" if args.stack else ""
    return missing_credentials(CLI_CREDENTIAL_FIX, where)


def connections(args: argparse.Namespace) -> list[str]:
    """The --connection names given (each once, in order), or the default connection."""
    return list(dict.fromkeys(getattr(args, "connection", None) or [DEFAULT_CONNECTION]))


def client(args: argparse.Namespace, connection: str | None = None) -> RiskScoringClient:
    """The client the command's options, stack config and environment name (through `connection`, or the one
    --connection); errors say what to set."""
    connection = connection or connections(args)[0]  # several only for export --import-file (cli/entry.py)
    config: dict[str, Any] = {}
    if args.stack:
        config, stack_secrets = _read_stack(args.stack)
        args.redactor.add(*stack_secrets)
    elif args.config_file is not None:
        config = _read_config_file(args.config_file)

    def lookup(key: str) -> str | None:
        value = config.get(key)
        return value if isinstance(value, str) else None

    problem = connection_problem(connection)
    if problem:
        raise ConfigurationError(f"--connection: {problem}")
    args.redactor.add(*(lookup(keys_of(keys, connection)[0]) for keys in (TOKEN, API_KEY)))
    own_account = default_account_id(lookup, connection=connection)
    project_account = lookup(f"{PROJECT}:accountId") if connection == DEFAULT_CONNECTION else None
    account = args.account_id or project_account or own_account
    problem = account_id_problem(account, given_by="pass --account-id")
    if problem:
        raise ConfigurationError(problem + _project_hint(args))
    problem = _credential_problem(config, lookup, args, connection)
    if problem:
        raise ConfigurationError(problem + _project_hint(args))
    base_url_key = keys_of(BASE_URL, connection)[0]
    settings = resolve_settings(lambda k: {base_url_key: args.base_url}.get(k) or lookup(k), connection=connection)
    args.redactor.add(*settings.secrets())
    return RiskScoringClient(settings, str(account))
