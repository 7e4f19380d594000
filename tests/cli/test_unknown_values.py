"""Values this version does not know (a new risk level, extra or missing fields) do not break the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
import yaml

from tests.cli.conftest import ROOT, USER, envelope
from zt_risk_scoring.cli import main

INTEGRATION_ID = "4cfe8442-664b-4915-acd4-b39cd65c4314"
# What RiskIntegration manages, so always read exactly; every other field may be missing.
MANAGED = {"id": INTEGRATION_ID, "tenant_url": "https://a.okta.com", "reference_id": "ref-1", "active": True}


CRITICAL = {
    "behaviors": {"new_thing": {"name": "New thing", "description": "", "enabled": True, "risk_level": "critical"}}
}


@pytest.fixture
def critical(api: responses.RequestsMock) -> None:
    """A behavior whose level is one a later API may add (the emulator accepts only today's levels)."""
    api.get(f"{ROOT}/behaviors", json=envelope(CRITICAL))
    api.get(f"{ROOT}/integrations", json=envelope([]))


def test_behaviors_table_shows_unknown_level(critical: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["behaviors"]) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["new_thing", "True", "critical", "New", "thing"] in lines


def test_behaviors_json_keeps_unknown_level(critical: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["behaviors", "--json"]) == 0
    rows = {row["key"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["new_thing"]["risk_level"] == "critical"


def test_export_keeps_unknown_level_and_warns(critical: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export"]) == 0
    captured = capsys.readouterr()
    behaviors = yaml.safe_load(captured.out)["config"]["zt-risk-scoring:behaviors"]
    assert behaviors["new_thing"] == {"enabled": True, "risk_level": "critical"}
    assert "new_thing" in captured.err and "'critical'" in captured.err


# Each answer: extra fields this version does not know, optional fields left out.
ANSWERS = {
    "summary": (
        "summary",
        {"users": [{"user_id": USER, "department": "R&D", "risk_score": 97, "max_risk_level": "critical"}]},
        ["summary"],
        [USER, "critical"],
    ),
    "user": (
        USER,
        {
            "name": "Ada",
            "email": "ada@example.com",
            "risk_level": "critical",
            "trend": "up",
            "events": [{"id": "e1", "name": "New", "risk_level": "critical", "confidence": 0.9}],
        },
        ["user", USER],
        ["e1", "New", "critical"],
    ),
    "user-minimal": (USER, {}, ["user", USER], ["<>", "none", "never"]),
    "integrations": (
        "integrations",
        [{**MANAGED, "region": "eu"}],
        ["integrations"],
        [INTEGRATION_ID, "https://a.okta.com", "True"],
    ),
    "integration-get": (
        f"integrations/{INTEGRATION_ID}",
        {**MANAGED, "active": False, "integration_type": "AzureAD", "settings": {"x": 1}},
        ["integrations", "get", INTEGRATION_ID],
        [INTEGRATION_ID, "False"],
    ),
}


@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
@pytest.mark.parametrize(("path", "result", "argv", "words"), ANSWERS.values(), ids=ANSWERS.keys())
def test_command_tolerates_unknown_and_missing_fields(
    api: responses.RequestsMock,
    capsys: pytest.CaptureFixture[str],
    path: str,
    result: Any,
    argv: list[str],
    words: list[str],
    as_json: bool,
) -> None:
    api.get(f"{ROOT}/{path}", json=envelope(result))
    assert main([*argv, "--json"] if as_json else argv) == 0
    out = capsys.readouterr().out
    if as_json:
        assert json.loads(out)
    else:
        assert all(word in out.split() for word in words)


def test_export_tolerates_extra_and_missing_fields(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    behaviors = {"behaviors": {"k": {"enabled": False, "risk_level": "high", "beta": True}}}
    api.get(f"{ROOT}/behaviors", json=envelope(behaviors))
    api.get(f"{ROOT}/integrations", json=envelope([{**MANAGED, "region": "eu"}]))
    assert main(["export"]) == 0
    [item] = yaml.safe_load(capsys.readouterr().out)["config"]["zt-risk-scoring:integrations"]
    assert (item["integrationId"], item["name"]) == (INTEGRATION_ID, "a-okta-com")
