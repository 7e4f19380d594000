"""`zt-risk` commands against the emulator: output, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import USER
from tests.conftest import READ_TOKEN, Control
from zt_risk_scoring.cli import EXIT_ABORTED, EXIT_API, EXIT_CONFIG, EXIT_NOT_FOUND, main
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.emulator.models import DEFAULT_CATALOGUE
from zt_risk_scoring.models import IntegrationSpec


def test_summary_prints_table(env: EmulatorServer, seeded: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["USER_ID", "EMAIL", "EVENT_COUNT", "MAX_RISK_LEVEL", "LAST_EVENT"]
    assert out[1].split() == [USER, "ada@example.com", "1", "high", "2026-11-01T10:00:00Z"]


def test_summary_json(env: EmulatorServer, seeded: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["event_count"] == 1


def test_user_shows_level_and_events(env: EmulatorServer, seeded: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", USER]) == 0
    out = capsys.readouterr().out
    assert "risk level: high" in out and "Impossible Travel" in out


def test_user_unknown_exits_not_found(env: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", USER]) == EXIT_NOT_FOUND
    err = capsys.readouterr().err
    assert "Cloudflare error 1005" in err and "Traceback" not in err


def test_reset_with_yes_resets_the_user(env: EmulatorServer, seeded: None, client: RiskScoringClient) -> None:
    # Whether a reset also empties the user's events is open (variant reset_events); the reset itself is not.
    assert main(["reset", USER, "--yes"]) == 0
    assert client.user_risk(USER).last_reset_time is not None


def test_reset_without_yes_and_no_terminal_refuses(
    env: EmulatorServer, seeded: None, client: RiskScoringClient, control: Control
) -> None:
    assert main(["reset", USER]) == EXIT_ABORTED
    assert control.writes() == 0


def test_behaviors_lists_catalogue(env: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["behaviors", "--json"]) == 0
    assert {b["key"] for b in json.loads(capsys.readouterr().out)} == set(DEFAULT_CATALOGUE)


@pytest.mark.parametrize("action", ["list", "get", "by-reference"])
def test_integrations_actions(
    env: EmulatorServer, client: RiskScoringClient, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    created = client.create_integration(IntegrationSpec("https://a.okta.com", "ref-cli"))
    value = {"list": [], "get": [created.id], "by-reference": ["ref-cli"]}[action]
    assert main(["integrations", action, *value, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data[0] if isinstance(data, list) else data)["id"] == created.id


def test_integrations_get_without_value_is_usage_error(env: EmulatorServer) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["integrations", "get"])
    assert exc.value.code == 2


def test_missing_credentials_exit_config(
    env: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    assert main(["behaviors"]) == EXIT_CONFIG
    assert "CLOUDFLARE_API_TOKEN" in capsys.readouterr().err


def test_read_only_token_reset_exit_api_names_permission(
    env: EmulatorServer, seeded: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", READ_TOKEN)
    assert main(["reset", USER, "--yes"]) == EXIT_API
    err = capsys.readouterr().err
    assert "Zero Trust Write" in err and READ_TOKEN not in err


def test_user_debug_prints_traceback_and_keeps_exit_code(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", USER, "--debug"]) == EXIT_NOT_FOUND
    err = capsys.readouterr().err
    assert "Traceback" in err and err.splitlines()[-1].startswith("zt-risk: ")


def test_export_merges_into_stack_config(env: EmulatorServer, client: RiskScoringClient, tmp_path: Path) -> None:
    created = client.create_integration(IntegrationSpec("https://a.okta.com", "ref-x"))
    target = tmp_path / "Pulumi.adopt.yaml"
    target.write_text(yaml.safe_dump({"encryptionsalt": "salt", "config": {"cloudflare:baseUrl": env.base_url}}))
    assert main(["export", "--stack-config", str(target)]) == 0
    document = yaml.safe_load(target.read_text())
    assert document["encryptionsalt"] == "salt"
    assert document["config"]["cloudflare:baseUrl"] == env.base_url
    [item] = document["config"]["zt-risk-scoring:integrations"]
    assert (item["integrationId"], item["name"], item["referenceId"]) == (created.id, "a-okta-com", "ref-x")
    assert document["config"]["zt-risk-scoring:behaviors"]["imp_travel"] == {"enabled": False, "risk_level": "high"}


class _Terminal:
    """A stdin that is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer", ["n", "", EOFError()], ids=["no", "enter", "end-of-input"])
def test_reset_at_terminal_not_confirmed_exits_aborted(
    env: EmulatorServer, seeded: None, control: Control, monkeypatch: pytest.MonkeyPatch, answer: str | EOFError
) -> None:
    def ask(_prompt: str) -> str:
        if isinstance(answer, EOFError):
            raise answer
        return answer

    monkeypatch.setattr("sys.stdin", _Terminal())
    monkeypatch.setattr("builtins.input", ask)
    assert main(["reset", USER]) == EXIT_ABORTED
    assert control.writes() == 0
