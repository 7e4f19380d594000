"""The transcript checker: the committed transcript replays with 0 differences; each kind of alteration shows."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.replay import exchanges, replay_on_emulator
from tests.conftest import Control, emulator_variants
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator.variants import CHOICES, Variants
from zt_risk_scoring.recording import ENV

TRANSCRIPT = Path(__file__).resolve().parents[1] / "acceptance" / "transcripts" / "emulator"
Entry = dict[str, Any]


@pytest.fixture(scope="module")
def recorded() -> list[Entry]:
    return exchanges(TRANSCRIPT)


def first(entries: list[Entry], method: str, status: int, path_end: str = "") -> Entry:
    return next(e for e in entries if (e["method"], e["status"]) == (method, status) and e["path"].endswith(path_end))


def status(entries: list[Entry]) -> None:
    first(entries, "GET", 200, "/behaviors")["status"] = 201


def error_code(entries: list[Entry]) -> None:
    first(entries, "GET", 404)["response"]["errors"][0]["code"] = 1005


def envelope_key(entries: list[Entry]) -> None:
    first(entries, "GET", 200, "/integrations")["response"]["result_info"] = {"page": 1}


def field_type(entries: list[Entry]) -> None:
    first(entries, "POST", 200, "/integrations")["response"]["result"]["active"] = "true"


def test_replay_of_committed_transcript_shows_no_difference(recorded: list[Entry]) -> None:
    assert len(recorded) > 50
    assert [str(d) for d in replay_on_emulator(recorded)] == []


@pytest.mark.parametrize(
    ("alter", "expected"),
    [
        (status, ("status", "", "201", "200")),
        (error_code, ("error codes", "", "[1005]", "[1003]")),
        (envelope_key, ("envelope keys", "", "['errors', 'messages', 'result', 'result_info', 'success']",
                        "['errors', 'messages', 'result', 'success']")),
        (field_type, ("field type", "result.active", "string", "boolean")),
    ],
    ids=["status", "error-code", "envelope-key", "field-type"],
)  # fmt: skip
def test_replay_of_altered_transcript_shows_that_difference(
    recorded: list[Entry], alter: Callable[[list[Entry]], None], expected: tuple[str, ...]
) -> None:
    altered = copy.deepcopy(recorded)
    alter(altered)
    assert [(d.kind, d.field, d.recorded, d.replayed) for d in replay_on_emulator(altered)] == [expected]


def record_a_reset(tmp_path: Path, client: RiskScoringClient, control: Control) -> list[Entry]:
    """A transcript of reading a user, resetting them and reading them again."""
    user = "5f1c9a7e-3b2d-4e8f-9a6b-0c1d2e3f4a5b"
    event = {"name": "Impossible Travel", "risk_level": "high", "timestamp": "2026-11-01T10:00:00Z"}
    control.post("users", {"users": [{"user_id": user, "name": "Ada", "email": "a@example.com", "events": [event]}]})
    client.summary()
    client.user_risk(user)
    client.reset_user(user)
    client.user_risk(user)
    return exchanges(tmp_path)


def test_replay_of_user_reads_gives_emulator_stand_in_users(
    tmp_path: Path, client: RiskScoringClient, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    entries = record_a_reset(tmp_path, client, control)
    assert [str(d) for d in replay_on_emulator(entries, emulator_variants())] == []


def test_replay_under_another_answer_of_an_open_point_shows_it(
    tmp_path: Path, client: RiskScoringClient, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    entries = record_a_reset(tmp_path, client, control)
    served = emulator_variants()
    other = next(v for v in CHOICES["last_reset_time"] if v != served["last_reset_time"])
    replayed = replay_on_emulator(entries, Variants.of({**served.chosen, "last_reset_time": other}))
    assert [(d.kind, d.field) for d in replayed] == [("field type", "result.last_reset_time")]
