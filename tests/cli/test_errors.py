"""Every `zt-risk` error is one line with its exit code, and no path prints a credential (--debug included)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import ACCOUNT
from zt_risk_scoring.cli import EXIT_API, EXIT_CONFIG, EXIT_INTERRUPTED, main, sources
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

SECRET = "zt-cli-secret"
# Tokens that cannot be header values: the paths that refuse them are the likeliest to quote them.
UNUSABLE = {"newline": f"{SECRET}-aaaa\n{SECRET}-bbbb", "non-latin-1": f"{SECRET}-\u20ac-cccc"}
TOKENS = {**UNUSABLE, "plain": f"{SECRET}-dddd"}


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


CONFIG_FILES: dict[str, Callable[[Path], Path]] = {
    "missing": lambda d: d / "Pulumi.gone.yaml",
    "directory": lambda d: d,
    "not-yaml": lambda d: _write(d, "Pulumi.bad.yaml", b"config: {cloudflare:accountId: [\n"),
    "not-utf8": lambda d: _write(d, "Pulumi.bin.yaml", b"config:\n  k: \xff\xfe\n"),
    "yaml-list": lambda d: _write(d, "Pulumi.list.yaml", b"- config\n- cloudflare:accountId\n"),
    "config-list": lambda d: _write(d, "Pulumi.cl.yaml", b"config:\n  - cloudflare:accountId\n"),
    "config-string": lambda d: _write(d, "Pulumi.cs.yaml", b"config: cloudflare\n"),
}


@pytest.mark.parametrize("make", CONFIG_FILES.values(), ids=CONFIG_FILES.keys())
def test_config_file_unusable_exits_config_in_one_line(
    env: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path]
) -> None:
    path = make(tmp_path)
    assert main(["behaviors", "--config-file", str(path)]) == EXIT_CONFIG
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"zt-risk: --config-file {path}: ") and "Pulumi.<stack>.yaml" in line


def test_config_file_permission_denied_exits_config(
    env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "Pulumi.locked.yaml", b"config: {}\n")

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    # The tests run as root, for whom chmod 000 does not stop a read.
    monkeypatch.setattr(Path, "read_text", denied)
    assert main(["behaviors", "--config-file", str(path)]) == EXIT_CONFIG
    [line] = capsys.readouterr().err.splitlines()
    assert "permission denied" in line and str(path) in line


def test_config_file_yaml_error_never_quotes_the_file(
    env: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "Pulumi.bad.yaml", f"config:\n  cloudflare:apiToken: {SECRET}: [\n".encode())
    assert main(["behaviors", "--config-file", str(path)]) == EXIT_CONFIG
    assert SECRET not in capsys.readouterr().err


def test_config_file_encrypted_token_exits_config_naming_stack_and_env(
    env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump({"config": {"cloudflare:apiToken": {"secure": "v1:abc"}}}))
    assert main(["behaviors", "--config-file", str(path)]) == EXIT_CONFIG
    [line] = capsys.readouterr().err.splitlines()
    assert "--stack NAME" in line and "export CLOUDFLARE_API_TOKEN=" in line and "encrypted" in line


def test_missing_credentials_message_names_export_and_stack(
    env: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    assert main(["behaviors"]) == EXIT_CONFIG
    [line] = capsys.readouterr().err.splitlines()
    assert "export CLOUDFLARE_API_TOKEN=" in line and "--stack NAME" in line
    assert "pulumi config set" not in line


def _boom(message: str) -> Callable[[RiskScoringClient], object]:
    def fail(_self: RiskScoringClient) -> object:
        raise RuntimeError(message)

    return fail


def test_unexpected_exception_exits_api_in_one_line(
    env: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(RiskScoringClient, "get_behaviors", _boom("boom"))
    assert main(["behaviors"]) == EXIT_API
    [line] = capsys.readouterr().err.splitlines()
    assert line == "zt-risk: unexpected error: RuntimeError: boom; rerun with --debug for the traceback"


def test_interrupt_exits_130_in_one_line(
    env: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(_self: RiskScoringClient) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(RiskScoringClient, "get_behaviors", interrupted)
    assert main(["behaviors"]) == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "zt-risk: interrupted\n"


@pytest.mark.parametrize("token", TOKENS.values(), ids=TOKENS.keys())
@pytest.mark.parametrize("form", [str, repr, ascii], ids=["str", "repr", "ascii"])
def test_debug_traceback_redacts_token_in_exception(
    env: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    token: str,
    form: Callable[[str], str],
) -> None:
    def fail(_lookup: object) -> object:
        raise RuntimeError(f"header value {form(token)}")

    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", token)
    monkeypatch.setattr(sources, "resolve_settings", fail)
    assert main(["behaviors", "--debug"]) == EXIT_API
    captured = capsys.readouterr()
    assert "Traceback" in captured.err
    assert SECRET not in captured.out + captured.err


@pytest.mark.parametrize("token", UNUSABLE.values(), ids=UNUSABLE.keys())
@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_process_with_unusable_token_never_prints_it(emulator: EmulatorServer, token: str, debug: list[str]) -> None:
    env = {
        **os.environ,
        "CLOUDFLARE_API_TOKEN": token,
        "CLOUDFLARE_BASE_URL": emulator.base_url,
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
        "PYTHONIOENCODING": "utf-8",
    }
    done = subprocess.run(
        [sys.executable, "-m", "zt_risk_scoring.cli", "behaviors", *debug],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert SECRET not in done.stdout + done.stderr
