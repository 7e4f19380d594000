"""`zt-risk --stack NAME` reads the stack's config, secrets included, through `pulumi config` on PATH."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.cli import EXIT_API, EXIT_CONFIG, EXIT_OK, EXIT_USAGE, main
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.emulator.models import DEFAULT_CATALOGUE


def fake_pulumi(bindir: Path, stdout: str = "", stderr: str = "", code: int = 0) -> Path:
    """A `pulumi` on PATH that records its argv next to itself and answers as given."""
    bindir.mkdir(exist_ok=True)
    script = bindir / "pulumi"
    script.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        f"pathlib.Path({str(bindir / 'argv.json')!r}).write_text(__import__('json').dumps(sys.argv[1:]))\n"
        f"sys.stdout.write({stdout!r})\n"
        f"sys.stderr.write({stderr!r})\n"
        f"sys.exit({code})\n"
    )
    script.chmod(0o755)
    return bindir


def stack_json(token: str, base_url: str) -> str:
    return json.dumps(
        {
            "cloudflare:apiToken": {"value": token, "secret": True},
            "cloudflare:baseUrl": {"value": base_url, "secret": False},
            "cloudflare:accountId": {"value": ACCOUNT, "secret": False},
            "zt-risk-scoring:behaviors": {"value": "{}", "objectValue": {}, "secret": False},
        }
    )


@pytest.fixture
def no_env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No credentials in the environment and nothing on PATH but the test's own bin directory."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    monkeypatch.setenv("PATH", str(bindir))
    return bindir


def test_stack_reads_secret_token_and_settings(
    no_env: Path, emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_pulumi(no_env, stdout=stack_json(TOKEN, emulator.base_url))
    assert main(["behaviors", "--stack", "dev", "--json"]) == EXIT_OK
    assert {b["key"] for b in json.loads(capsys.readouterr().out)} == set(DEFAULT_CATALOGUE)


def test_stack_runs_pulumi_config_show_secrets_for_that_stack(no_env: Path, emulator: EmulatorServer) -> None:
    fake_pulumi(no_env, stdout=stack_json(TOKEN, emulator.base_url))
    main(["behaviors", "--stack=-dev"])
    assert json.loads((no_env / "argv.json").read_text()) == ["config", "--json", "--show-secrets", "--stack=-dev"]


def test_stack_secret_redacted_from_debug_traceback(
    no_env: Path, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "zt-stack-secret-0123"
    fake_pulumi(no_env, stdout=stack_json(secret, emulator.base_url))

    def fail(_self: RiskScoringClient) -> object:
        raise RuntimeError(f"token was {secret!r}")

    monkeypatch.setattr(RiskScoringClient, "get_behaviors", fail)
    assert main(["behaviors", "--stack", "dev", "--debug"]) == EXIT_API
    captured = capsys.readouterr()
    assert "Traceback" in captured.err and secret not in captured.out + captured.err


def test_stack_without_pulumi_on_path_exits_config(no_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["behaviors", "--stack", "dev"]) == EXIT_CONFIG
    [line] = capsys.readouterr().err.splitlines()
    assert "pulumi CLI is not on PATH" in line and "CLOUDFLARE_API_TOKEN" in line


def test_stack_pulumi_failing_exits_config_with_its_reason(no_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake_pulumi(no_env, stderr="warning: x\nerror: no stack named 'dev' found\n", code=255)
    assert main(["behaviors", "--stack", "dev"]) == EXIT_CONFIG
    [line] = capsys.readouterr().err.splitlines()
    assert "no stack named 'dev' found" in line and "project directory" in line


def test_stack_pulumi_printing_no_json_exits_config(no_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake_pulumi(no_env, stdout="not json")
    assert main(["behaviors", "--stack", "dev"]) == EXIT_CONFIG
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_stack_without_token_exits_config_naming_stack(
    no_env: Path, emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = {"cloudflare:accountId": {"value": ACCOUNT, "secret": False}}
    fake_pulumi(no_env, stdout=json.dumps(config))
    assert main(["behaviors", "--stack", "dev"]) == EXIT_CONFIG
    assert "stack dev sets neither" in capsys.readouterr().err


def test_stack_with_config_file_is_usage_error(no_env: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["behaviors", "--stack", "dev", "--config-file", str(tmp_path / "Pulumi.dev.yaml")])
    assert exc.value.code == EXIT_USAGE


def test_help_says_how_to_use_stack_config(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--stack NAME" in out and "project directory" in out and "--config-file" in out


@pytest.mark.parametrize(
    ("files", "expected"),
    [(["Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml"], "--stack dev"), (["Pulumi.yaml"], "--stack NAME")],
    ids=["with-stack-configs", "without-stack-configs"],
)
def test_missing_credentials_in_project_directory_suggests_stack(
    no_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: list[str],
    expected: str,
) -> None:
    for name in files:
        (tmp_path / name).write_text("config: {}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    assert main(["behaviors"]) == EXIT_CONFIG
    [line] = capsys.readouterr().err.splitlines()
    assert f"this is a Pulumi project directory: pass {expected} to use its config" in line
