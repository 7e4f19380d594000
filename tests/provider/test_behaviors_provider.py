"""RiskBehaviorsProvider against the emulator: check, diff, create, read, update, delete."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ACCOUNT, Control, configured
from zt_risk_scoring.behaviors import RiskBehaviorsProvider
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError
from zt_risk_scoring.models import BehaviorSetting

TRAVEL_HIGH = {"imp_travel": {"enabled": True, "risk_level": "high"}}


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskBehaviorsProvider:
    return configured(RiskBehaviorsProvider(), emulator)


def props(behaviors: dict[str, Any], on_delete: str = "restore") -> dict[str, Any]:
    return {"account_id": ACCOUNT, "behaviors": behaviors, "on_delete": on_delete}


def settings(client: RiskScoringClient) -> dict[str, tuple[bool, str]]:
    return {k: (b.setting.enabled, b.setting.risk_level) for k, b in client.get_behaviors().items()}


@pytest.mark.parametrize(
    ("behaviors", "field_text"),
    [
        ({"imp_travel": {"enabled": True, "risk_level": "severe"}}, "risk_level must be low, medium or high"),
        ({"imp_travel": {"enabled": "yes", "risk_level": "high"}}, "enabled must be true or false"),
        ({"imp_travel": {"risk_level": "high"}}, "enabled must be true or false"),
        ({"imp_travel": {"enabled": True, "risk_level": "high", "name": "x"}}, "unknown field(s) 'name'"),
        ({"Imp Travel": {"enabled": True, "risk_level": "high"}}, "keys are behavior ids"),
        ({}, "non-empty map"),
        ("imp_travel", "non-empty map"),
    ],
    ids=["risk-level", "enabled-string", "enabled-missing", "extra-field", "bad-key", "empty", "not-a-map"],
)
def test_check_bad_behaviors_fails_naming_field(
    provider: RiskBehaviorsProvider, behaviors: Any, field_text: str
) -> None:
    result = provider.check({}, props(behaviors))
    assert [f.property for f in result.failures] == ["behaviors"]
    assert field_text in result.failures[0].reason


def test_check_risk_level_is_case_folded(provider: RiskBehaviorsProvider) -> None:
    result = provider.check({}, props({"imp_travel": {"enabled": True, "risk_level": " HIGH"}}))
    assert result.failures == []
    assert result.inputs["behaviors"] == TRAVEL_HIGH


@pytest.mark.parametrize("account", [None, "ABC", "023e105f4ecef8ad9ca31a8372d0c35"], ids=["missing", "short", "31"])
def test_check_bad_account_id_fails(provider: RiskBehaviorsProvider, account: Any) -> None:
    result = provider.check({}, {**props(TRAVEL_HIGH), "account_id": account})
    assert [f.property for f in result.failures] == ["account_id"]


def test_check_bad_on_delete_fails(provider: RiskBehaviorsProvider) -> None:
    result = provider.check({}, props(TRAVEL_HIGH, on_delete="wipe"))
    assert [f.property for f in result.failures] == ["on_delete"]


def test_diff_equal_reports_no_changes(provider: RiskBehaviorsProvider) -> None:
    olds = {**props(TRAVEL_HIGH), "prior": {}}
    result = provider.diff(ACCOUNT, olds, props(TRAVEL_HIGH))
    assert result.changes is False


def test_diff_account_change_replaces(provider: RiskBehaviorsProvider) -> None:
    news = {**props(TRAVEL_HIGH), "account_id": "f037e56e89293a057740de681ac9abbe"}
    result = provider.diff(ACCOUNT, props(TRAVEL_HIGH), news)
    assert result.changes is True
    assert result.replaces == ["account_id"]


def test_create_puts_declared_keys_and_remembers_prior(
    provider: RiskBehaviorsProvider, client: RiskScoringClient, control: Control
) -> None:
    created = provider.create(props(TRAVEL_HIGH))
    assert created.id == ACCOUNT
    assert created.outs["prior"] == {"imp_travel": {"enabled": False, "risk_level": "high"}}
    assert settings(client)["imp_travel"] == (True, "high")
    assert control.counts() == {"get_behaviors": 2, "update_behaviors": 1}  # + this test's own GET


def test_read_returns_only_declared_keys(provider: RiskBehaviorsProvider, client: RiskScoringClient) -> None:
    outs = provider.create(props(TRAVEL_HIGH)).outs
    client.update_behaviors({"imp_travel": BehaviorSetting(False, "low"), "high_dlp": BehaviorSetting(True, "low")})
    read = provider.read(ACCOUNT, outs)
    assert read.outs["behaviors"] == {"imp_travel": {"enabled": False, "risk_level": "low"}}
    assert read.inputs == {**props({"imp_travel": {"enabled": False, "risk_level": "low"}}), "connection": "cloudflare"}


def test_read_ignores_behaviors_cloudflare_adds(provider: RiskBehaviorsProvider, control: Control) -> None:
    outs = provider.create(props(TRAVEL_HIGH)).outs
    control.post("catalogue", {"crowdstrike_low": {"name": "CrowdStrike", "risk_level": "low"}})
    read = provider.read(ACCOUNT, outs)
    assert provider.diff(ACCOUNT, read.outs, props(TRAVEL_HIGH)).changes is False


def test_update_added_key_records_its_prior(provider: RiskBehaviorsProvider, client: RiskScoringClient) -> None:
    olds = provider.create(props(TRAVEL_HIGH)).outs
    news = props({**TRAVEL_HIGH, "high_dlp": {"enabled": True, "risk_level": "high"}})
    outs = provider.update(ACCOUNT, olds, news).outs
    assert outs["prior"]["high_dlp"] == {"enabled": False, "risk_level": "medium"}
    assert settings(client)["high_dlp"] == (True, "high")


def test_update_dropped_key_is_restored(provider: RiskBehaviorsProvider, client: RiskScoringClient) -> None:
    olds = provider.create(props({**TRAVEL_HIGH, "high_dlp": {"enabled": True, "risk_level": "high"}})).outs
    outs = provider.update(ACCOUNT, olds, props(TRAVEL_HIGH)).outs
    assert settings(client)["high_dlp"] == (False, "medium")
    assert set(outs["prior"]) == {"imp_travel"}


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("restore", (False, "high")), ("disable", (False, "medium")), ("retain", (True, "medium"))],
    ids=["restore", "disable", "retain"],
)
def test_delete_follows_on_delete(
    provider: RiskBehaviorsProvider, client: RiskScoringClient, mode: str, expected: tuple[bool, str]
) -> None:
    outs = provider.create(props({"imp_travel": {"enabled": True, "risk_level": "medium"}}, on_delete=mode)).outs
    provider.delete(ACCOUNT, outs)
    assert settings(client)["imp_travel"] == expected


def test_create_unknown_key_fails_naming_it_before_any_write(provider: RiskBehaviorsProvider) -> None:
    with pytest.raises(ConfigurationError, match="has no behavior 'no_such_behavior'"):
        provider.create(props({"no_such_behavior": {"enabled": True, "risk_level": "low"}}))
