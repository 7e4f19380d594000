"""The client against a running emulator: all 11 operations, auth, faults, restart with --state."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import (
    ACCOUNT,
    API_KEY,
    EMAIL,
    NO_PII_TOKEN,
    OTHER_TOKEN,
    READ_TOKEN,
    TOKEN,
    Control,
    emulator_argv,
    free_port,
    settings_for,
    start_emulator_process,
    stop_emulator_process,
)
from zt_risk_scoring import errors
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.emulator.models import DEFAULT_CATALOGUE
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"
EVENTS = [
    {"name": "Impossible Travel", "risk_level": "high", "timestamp": "2026-11-01T10:00:00Z"},
    {"name": "High DLP", "risk_level": "medium", "timestamp": "2026-11-02T10:00:00Z"},
]


def test_get_behaviors_seeded_catalogue_all_disabled(client: RiskScoringClient) -> None:
    found = client.get_behaviors()
    assert {k: (b.setting.enabled, b.setting.risk_level) for k, b in found.items()} == {
        key: (False, seeded["risk_level"]) for key, seeded in DEFAULT_CATALOGUE.items()
    }
    assert {"high_dlp", "imp_travel", "sentinel_one"} < set(found)  # the keys Cloudflare publishes
    assert found["imp_travel"].name == "Impossible Travel"


@pytest.mark.assumes(behaviors_put_answer="full")
def test_update_behaviors_subset_returns_full_map(client: RiskScoringClient) -> None:
    result = client.update_behaviors({"high_dlp": BehaviorSetting(True, "low")})
    assert set(result) == set(DEFAULT_CATALOGUE)
    assert result["high_dlp"].setting == BehaviorSetting(True, "low")


@pytest.mark.assumes(behaviors_put_unknown="reject")
def test_update_behaviors_unknown_key_is_bad_request(client: RiskScoringClient) -> None:
    with pytest.raises(errors.BadRequest, match="unknown behavior crowdstrike"):
        client.update_behaviors({"crowdstrike": BehaviorSetting(True, "low")})


def test_integration_lifecycle_all_operations(client: RiskScoringClient) -> None:
    created = client.create_integration(IntegrationSpec("https://a.okta.com", "ref-a"))
    assert (created.active, created.account_tag, created.created_at.endswith("Z")) == (True, ACCOUNT, True)
    assert client.get_integration(created.id) == created
    assert client.get_integration_by_reference("ref-a") == created
    updated = client.update_integration(created.id, IntegrationSpec("https://b.okta.com", "ref-b", active=False))
    assert (updated.tenant_url, updated.reference_id, updated.active) == ("https://b.okta.com", "ref-b", False)
    assert client.list_integrations() == [updated]
    client.delete_integration(created.id)
    with pytest.raises(errors.NotFound):
        client.get_integration(created.id)


def test_create_integration_without_reference_generates_one(client: RiskScoringClient, control: Control) -> None:
    body = {"integration_type": "Okta", "tenant_url": "https://a.okta.com"}
    raw = requests.post(
        f"{client.settings.base_url}/accounts/{ACCOUNT}/zt_risk_scoring/integrations",
        json=body,
        headers=client.settings.auth_headers(),
        timeout=5,
    ).json()
    assert len(raw["result"]["reference_id"]) == 36


@pytest.mark.assumes(reference_id_unique="true")
def test_create_integration_duplicate_reference_is_conflict(client: RiskScoringClient) -> None:
    client.create_integration(IntegrationSpec("https://a.okta.com", "same"))
    with pytest.raises(errors.Conflict, match="already used"):
        client.create_integration(IntegrationSpec("https://b.okta.com", "same"))


@pytest.mark.assumes(reset_events="wipe")
def test_users_summary_detail_and_reset(client: RiskScoringClient, control: Control) -> None:
    control.post("users", {"users": [{"user_id": USER, "name": "Ada", "email": "ada@example.com", "events": EVENTS}]})
    [row] = client.summary()
    assert (row.event_count, row.max_risk_level, row.last_event) == (2, "high", "2026-11-02T10:00:00Z")
    assert client.user_risk(USER).risk_level == "high"
    client.reset_user(USER)
    after = client.user_risk(USER)
    assert (after.events, after.risk_level, after.last_reset_time is not None) == ((), None, True)
    assert client.summary() == []


def test_user_unknown_is_not_found(client: RiskScoringClient) -> None:
    with pytest.raises(errors.NotFound):
        client.user_risk(USER)


@pytest.mark.parametrize(
    ("token", "call", "expected", "permission"),
    [
        (
            READ_TOKEN,
            lambda c: c.update_behaviors({"imp_travel": BehaviorSetting(True, "low")}),
            errors.PermissionDenied,
            "Zero Trust Write",
        ),
        (NO_PII_TOKEN, lambda c: c.summary(), errors.PermissionDenied, "Zero Trust PII Read"),
        (OTHER_TOKEN, lambda c: c.get_behaviors(), errors.PermissionDenied, "Zero Trust Read"),
        ("unknown-token", lambda c: c.get_behaviors(), errors.AuthenticationError, ""),
    ],
    ids=["read-only-write", "no-pii", "other-account", "unknown-token"],
)
def test_request_with_insufficient_token_fails(
    emulator: EmulatorServer, token: str, call: object, expected: type, permission: str
) -> None:
    client = RiskScoringClient(settings_for(emulator, token), ACCOUNT)
    with pytest.raises(expected) as exc:
        call(client)  # type: ignore[operator]
    assert permission in str(exc.value)
    assert token not in str(exc.value)


def test_request_with_email_and_key_succeeds(emulator: EmulatorServer) -> None:
    client = RiskScoringClient(Settings(base_url=emulator.base_url, email=EMAIL, api_key=API_KEY), ACCOUNT)
    assert "imp_travel" in client.get_behaviors()


def test_get_retries_injected_429_and_503(client: RiskScoringClient, control: Control) -> None:
    control.post("faults", {"rules": [{"status": 429, "retry_after": 0, "count": 2}, {"status": 503, "count": 1}]})
    assert client.list_integrations() == []
    assert [e["status"] for e in control.log()["requests"]] == [429, 429, 503, 200]


def test_put_lost_response_is_retried_safely(client: RiskScoringClient, control: Control) -> None:
    control.post("faults", {"rules": [{"mode": "drop_after_write", "operations": ["update_behaviors"]}]})
    client.update_behaviors({"imp_travel": BehaviorSetting(True, "medium")})
    assert client.get_behaviors()["imp_travel"].setting == BehaviorSetting(True, "medium")
    assert control.counts()["update_behaviors"] == 2


def test_read_timeout_is_connection_failed(emulator: EmulatorServer, control: Control) -> None:
    control.post("faults", {"rules": [{"mode": "delay", "delay_s": 1.0, "count": 10}]})
    slow = RiskScoringClient(settings_for(emulator, read_timeout=0.2), ACCOUNT)
    with pytest.raises(errors.ConnectionFailed):
        slow.create_integration(IntegrationSpec("https://a.okta.com", "ref"))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[list[str], Path]]:
    port = free_port()
    argv = emulator_argv(port, "persist-token", tmp_path / "state.sqlite")
    yield argv, tmp_path
    subprocess.run(["pkill", "-f", str(tmp_path / "state.sqlite")], check=False)


def test_emulator_restart_with_state_keeps_writes(served: tuple[list[str], Path]) -> None:
    argv, _ = served
    proc, url = start_emulator_process(argv)
    client = RiskScoringClient(Settings(base_url=url, token="persist-token"), "023e105f4ecef8ad9ca31a8372d0c353")
    created = client.create_integration(IntegrationSpec("https://a.okta.com", "kept"))
    client.update_behaviors({"imp_travel": BehaviorSetting(True, "low")})
    assert stop_emulator_process(proc, signal.SIGTERM) == 0
    proc, url = start_emulator_process(argv)
    try:
        client = RiskScoringClient(Settings(base_url=url, token="persist-token"), "023e105f4ecef8ad9ca31a8372d0c353")
        assert client.get_integration(created.id) == created
        assert client.get_behaviors()["imp_travel"].setting == BehaviorSetting(True, "low")
    finally:
        assert stop_emulator_process(proc, signal.SIGINT) == 0


def test_emulator_log_never_shows_token(client: RiskScoringClient, control: Control) -> None:
    client.get_behaviors()
    client.create_integration(IntegrationSpec("https://a.okta.com", "ref-log"))
    printed = json.dumps(control.log())
    assert TOKEN not in printed
    assert "Authorization" not in printed
