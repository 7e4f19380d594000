"""The `pulumi` CLI run for the operator CLI: a stack's config and its state (`pulumi stack export`); one error per
failure, naming the stack and what to do."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from .errors import ConfigurationError
from .text import printable

TIMEOUT_S = 120
RUN_HERE = "run zt-risk in the project directory (where Pulumi.yaml is), logged in to the stack's backend"


def reason(stderr: str) -> str:
    """pulumi's own last error line (its last line when none says `error:`), for a one-line message."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    return printable((errors or lines or ["no error output"])[-1].removeprefix("error:").strip(), 300, quote=False)


def pulumi_json(stack: str, *args: str, missing: str, fix: str = RUN_HERE) -> dict[str, Any]:
    """The JSON that `pulumi ARGS --stack=STACK` prints in the current directory, or one ConfigurationError.

    `missing` says what to do without the CLI; `fix` what to do when it fails.
    """
    where, command = f"--stack {stack}", f"`pulumi {' '.join(args)}`"
    exe = shutil.which("pulumi")
    if exe is None:
        raise ConfigurationError(f"{where}: the pulumi CLI is not on PATH; {missing}")
    try:
        # No stdin: a passphrase prompt would wait unseen behind captured output; pulumi then
        # fails naming PULUMI_CONFIG_PASSPHRASE instead.
        done = subprocess.run(  # noqa: S603 - fixed argv, the stack name is one argument
            [exe, *args, f"--stack={stack}"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ConfigurationError(f"{where}: {command} did not finish in {TIMEOUT_S} s") from None
    except OSError as exc:
        raise ConfigurationError(f"{where}: cannot run pulumi ({exc.strerror or type(exc).__name__})") from None
    if done.returncode != 0:
        raise ConfigurationError(f"{where}: {command} failed: {reason(done.stderr)}; {fix}")
    return _json_map(done.stdout, f"{where}: {command}")


def _json_map(text: str, what: str) -> dict[str, Any]:
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise ConfigurationError(f"{what} did not print a JSON map; check the pulumi CLI")
    return found


def stack_deployment(stack: str) -> dict[str, Any]:
    """The `deployment` of `pulumi stack export` for `stack`, run in the current directory."""
    exported = pulumi_json(stack, "stack", "export", missing="install it to check what the stack manages")
    deployment = exported.get("deployment")
    return deployment if isinstance(deployment, dict) else {}
