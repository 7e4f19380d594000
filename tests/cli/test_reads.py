"""What `zt-risk` reads is shown as the API gave it: nulls stay null, odd rows do not fail the command."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
import yaml

from tests.cli.conftest import ROOT, envelope
from zt_risk_scoring.cli import EXIT_CONFIG, main

ID = "4cfe8442-664b-4915-acd4-b39cd65c4314"
USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"
INTEGRATION = {
    "id": ID,
    "tenant_url": "https://a.okta.com",
    "reference_id": "ref-1",
    "active": True,
    "integration_type": None,
    "well_known_url": None,
    "account_tag": None,
    "created_at": None,
}
TRAVEL = {"name": "Impossible Travel", "description": "d", "enabled": True, "risk_level": "high"}
ODD_BEHAVIORS: dict[str, Any] = {
    "risk-level-missing": {"name": "New", "description": "d", "enabled": False},
    "all-null": {"name": "New", "enabled": None, "risk_level": None, "description": None},
    "enabled-string": {"name": "New", "description": "d", "enabled": "false", "risk_level": "low"},
}


@pytest.mark.parametrize("odd", ODD_BEHAVIORS.values(), ids=ODD_BEHAVIORS.keys())
def test_behaviors_json_with_odd_behavior_shows_it_as_given(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], odd: dict[str, Any]
) -> None:
    api.get(f"{ROOT}/behaviors", json=envelope({"behaviors": {"imp_travel": TRAVEL, "new_thing": odd}}))
    assert main(["behaviors", "--json"]) == 0
    new = {row["key"]: row for row in json.loads(capsys.readouterr().out)}["new_thing"]
    assert (new["enabled"], new["risk_level"]) == (odd.get("enabled"), odd.get("risk_level"))


@pytest.mark.parametrize("odd", ODD_BEHAVIORS.values(), ids=ODD_BEHAVIORS.keys())
def test_behaviors_table_with_odd_behavior_exits_ok(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], odd: dict[str, Any]
) -> None:
    api.get(f"{ROOT}/behaviors", json=envelope({"behaviors": {"imp_travel": TRAVEL, "new_thing": odd}}))
    assert main(["behaviors"]) == 0
    assert "None" not in capsys.readouterr().out


@pytest.mark.parametrize("odd", ODD_BEHAVIORS.values(), ids=ODD_BEHAVIORS.keys())
def test_export_with_odd_behavior_keeps_it_as_given_and_warns(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], odd: dict[str, Any]
) -> None:
    api.get(f"{ROOT}/behaviors", json=envelope({"behaviors": {"imp_travel": TRAVEL, "new_thing": odd}}))
    api.get(f"{ROOT}/integrations", json=envelope([]))
    assert main(["export"]) == 0
    captured = capsys.readouterr()
    exported = yaml.safe_load(captured.out)["config"]["zt-risk-scoring:behaviors"]["new_thing"]
    assert exported == {"enabled": odd.get("enabled"), "risk_level": odd.get("risk_level")}
    assert "warning: behavior new_thing" in captured.err


ROW = {
    "user_id": USER,
    "name": "Ada",
    "email": "ada@example.com",
    "max_risk_level": "high",
    "event_count": 2,
    "last_event": "2026-11-01T10:00:00Z",
}
# (field, value the API gives, what --json shows): a number where text belongs is shown in its JSON spelling.
ODD_ROWS: dict[str, tuple[str, Any, Any]] = {
    "event-count-null": ("event_count", None, None),
    "user-id-not-uuid": ("user_id", "okta|00u1", "okta|00u1"),
    "user-id-number": ("user_id", 42, "42"),
    "user-id-null": ("user_id", None, None),
    "email-null": ("email", None, None),
}


@pytest.mark.parametrize(("field", "value", "_json"), ODD_ROWS.values(), ids=ODD_ROWS.keys())
def test_summary_table_with_odd_row_exits_ok(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], field: str, value: Any, _json: Any
) -> None:
    api.get(f"{ROOT}/summary", json=envelope({"users": [{**ROW, field: value}]}))
    assert main(["summary"]) == 0
    out = capsys.readouterr().out
    assert "None" not in out and "high" in out


@pytest.mark.parametrize(("field", "value", "shown"), ODD_ROWS.values(), ids=ODD_ROWS.keys())
def test_summary_json_with_odd_row_keeps_value(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], field: str, value: Any, shown: Any
) -> None:
    api.get(f"{ROOT}/summary", json=envelope({"users": [{**ROW, field: value}]}))
    assert main(["summary", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row[field] == shown


def test_summary_json_with_row_without_user_id_shows_null(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    api.get(f"{ROOT}/summary", json=envelope({"users": [{k: v for k, v in ROW.items() if k != "user_id"}]}))
    assert main(["summary", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["user_id"] is None


def test_user_json_with_nulls_keeps_null(api: responses.RequestsMock, capsys: pytest.CaptureFixture[str]) -> None:
    event = {"id": "e1", "name": None, "risk_level": "low", "timestamp": None}
    api.get(f"{ROOT}/{USER}", json=envelope({"name": None, "email": None, "risk_level": None, "events": [event]}))
    assert main(["user", USER, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["name"], data["email"], data["events"][0]["name"], data["events"][0]["timestamp"]) == (None,) * 4


def test_user_table_with_nulls_shows_no_none(api: responses.RequestsMock, capsys: pytest.CaptureFixture[str]) -> None:
    event = {"id": "e1", "name": None, "risk_level": "low", "timestamp": None}
    api.get(f"{ROOT}/{USER}", json=envelope({"name": None, "email": None, "events": [event]}))
    assert main(["user", USER]) == 0
    assert "None" not in capsys.readouterr().out


INTEGRATION_COMMANDS = {
    "list": ("integrations", [INTEGRATION], ["integrations"]),
    "get": (f"integrations/{ID}", INTEGRATION, ["integrations", "get", ID]),
    "by-reference": ("integrations/reference_id/ref-1", INTEGRATION, ["integrations", "by-reference", "ref-1"]),
}


@pytest.mark.parametrize(("path", "result", "argv"), INTEGRATION_COMMANDS.values(), ids=INTEGRATION_COMMANDS.keys())
def test_integrations_json_with_null_fields_keeps_null(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], path: str, result: Any, argv: list[str]
) -> None:
    api.get(f"{ROOT}/{path}", json=envelope(result))
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    found = data[0] if isinstance(data, list) else data
    assert (found["well_known_url"], found["account_tag"], found["created_at"]) == (None, None, None)


@pytest.mark.parametrize(("path", "result", "argv"), INTEGRATION_COMMANDS.values(), ids=INTEGRATION_COMMANDS.keys())
def test_integrations_table_with_null_fields_shows_empty_cell(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], path: str, result: Any, argv: list[str]
) -> None:
    api.get(f"{ROOT}/{path}", json=envelope(result))
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "None" not in out and out.splitlines()[1].rstrip().endswith("True")  # CREATED_AT, last, is empty


ODD_FIELDS = {
    "active-string-false": ("active", "false", "active must be true or false"),
    "active-null": ("active", None, "active must be true or false"),
    "active-number": ("active", 0, "active must be true or false"),
    "tenant-null": ("tenant_url", None, "tenant_url must be a non-empty string"),
}


@pytest.mark.parametrize(("field", "value", "problem"), ODD_FIELDS.values(), ids=ODD_FIELDS.keys())
def test_integrations_json_with_field_it_cannot_manage_lists_it_as_given_and_marked(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], field: str, value: Any, problem: str
) -> None:
    other = {**INTEGRATION, "id": "0c2f5a4e-7d1b-4e8a-9c3f-5b6a7d8e9f01", "reference_id": "other"}
    api.get(f"{ROOT}/integrations", json=envelope([{**INTEGRATION, field: value}, other]))
    assert main(["integrations", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    found = [(row[field], problem in (row.get("problem") or "")) for row in rows]
    assert found == [(value, True), (other[field], False)]


def test_integrations_table_with_field_it_cannot_manage_marks_it_and_says_so(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    api.get(f"{ROOT}/integrations", json=envelope([{**INTEGRATION, "tenant_url": None}]))
    assert main(["integrations"]) == 0
    captured = capsys.readouterr()
    assert "PROBLEM" in captured.out and "tenant_url must be a non-empty string" in captured.out
    assert "1 integration(s) have a field this version cannot manage" in captured.err


def test_integrations_listed_twice_by_a_gateway_are_shown_once(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str]
) -> None:
    api.get(f"{ROOT}/integrations", json=envelope([INTEGRATION, INTEGRATION]))
    assert main(["integrations", "--json"]) == 0
    assert [row["id"] for row in json.loads(capsys.readouterr().out)] == [INTEGRATION["id"]]


@pytest.mark.parametrize("field", ["tenant_url", "reference_id", "active"])
def test_export_with_managed_field_null_exits_config_naming_it(
    api: responses.RequestsMock, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    api.get(f"{ROOT}/behaviors", json=envelope({"behaviors": {"imp_travel": TRAVEL}}))
    api.get(f"{ROOT}/integrations", json=envelope([{**INTEGRATION, field: None}]))
    assert main(["export"]) == EXIT_CONFIG
    captured = capsys.readouterr()
    assert "None" not in captured.out and f"{field} must be" in captured.err
