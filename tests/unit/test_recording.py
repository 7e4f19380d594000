"""ZT_RISK_RECORD: every exchange written, and no token, key, email, account id or user id in the files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ACCOUNT, API_KEY, EMAIL, TOKEN, Control
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import NotFound
from zt_risk_scoring.models import IntegrationSpec
from zt_risk_scoring.recording import ENV

USERS = ("5f1c9a7e-3b2d-4e8f-9a6b-0c1d2e3f4a5b", "A3E1B2C4-D5E6-4F70-8192-A3B4C5D6E7F8")
PEOPLE = ("ada.lovelace@example.com", "grace@corp.example.org")


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV, str(tmp_path / "transcript"))
    return tmp_path / "transcript"


def exchanges(directory: Path) -> list[dict[str, object]]:
    return [json.loads(line) for f in sorted(directory.glob("*.jsonl")) for line in f.read_text().splitlines()]


def every_operation(client: RiskScoringClient, control: Control) -> None:
    event = {"name": "Impossible Travel", "risk_level": "high", "timestamp": "2026-11-01T10:00:00Z"}
    users = [
        {"user_id": user, "name": "Ada", "email": email, "events": [event]}
        for user, email in zip(USERS, PEOPLE, strict=True)
    ]
    control.post("users", {"users": users})
    client.summary()
    for user in USERS:
        client.user_risk(user)
        client.reset_user(user)
    client.get_behaviors()
    made = client.create_integration(IntegrationSpec("https://corp.okta.com", "idp-1"))
    client.get_integration(made.id)
    client.delete_integration(made.id)
    with pytest.raises(NotFound):
        client.get_integration(made.id)


def test_record_writes_one_line_per_request(record: Path, client: RiskScoringClient, control: Control) -> None:
    every_operation(client, control)
    got = exchanges(record)
    last = [(e["method"], e["status"]) for e in got][-4:]
    assert last == [("POST", 200), ("GET", 200), ("DELETE", 200), ("GET", 404)]
    assert len(got) == 10
    assert all(str(e["path"]).startswith("/accounts/<account_id>/zt_risk_scoring/") for e in got)


@pytest.mark.parametrize("auth", ["token", "api-key"])
def test_record_redacts_credentials_account_emails_and_user_ids(
    record: Path, emulator: EmulatorServer, control: Control, auth: str
) -> None:
    credential = {"token": TOKEN} if auth == "token" else {"email": EMAIL, "api_key": API_KEY}
    every_operation(RiskScoringClient(Settings(base_url=emulator.base_url, **credential), ACCOUNT), control)
    raw = "\n".join(f.read_text() for f in record.glob("*.jsonl"))
    text = raw.lower()
    leaked = [s for s in (TOKEN, API_KEY, EMAIL, ACCOUNT, *USERS, *PEOPLE) if s.lower() in text]
    # The user's name as a word, in its case: "ada" alone turns up in random hex (ids, the placeholders' hashes).
    leaked += re.findall(r"\bAda\b", raw)
    assert leaked == []
    assert "<user:" in text and "<email>" in text and "<account_id>" in text


def test_record_unset_writes_nothing(
    tmp_path: Path, client: RiskScoringClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    client.get_behaviors()
    assert list(tmp_path.iterdir()) == []


def test_record_counts_each_retried_attempt(record: Path, client: RiskScoringClient, control: Control) -> None:
    rule = {"mode": "status", "status": 429, "retry_after": 0, "count": 2, "operations": ["get_behaviors"]}
    control.post("faults", {"rules": [rule]})
    client.get_behaviors()
    assert [(e["status"], e["attempts"]) for e in exchanges(record)] == [(200, 3)]
