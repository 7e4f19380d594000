"""RiskBehaviorsProvider: the values to restore are read once per key, and given back only where they still hold."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import rpc

from tests.conftest import OTHER_ACCOUNT, SCOPED_TOKEN, Control, changed_elsewhere, configured
from tests.provider.test_behaviors_provider import props, settings
from zt_risk_scoring.behaviors import RiskBehaviorsProvider
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError
from zt_risk_scoring.models import BehaviorSetting

HIGH = {"enabled": True, "risk_level": "high"}
ORIGINAL = BehaviorSetting(False, "low")


@pytest.fixture
def provider(emulator: EmulatorServer, client: RiskScoringClient) -> RiskBehaviorsProvider:
    client.update_behaviors({"imp_travel": ORIGINAL, "high_dlp": ORIGINAL})
    return configured(RiskBehaviorsProvider(), emulator)


def test_read_missing_a_declared_key_fails_naming_it(provider: RiskBehaviorsProvider, emulator: EmulatorServer) -> None:
    created = provider.create(props({"imp_travel": HIGH})).outs or {}
    with pytest.raises(ConfigurationError, match="has no behavior 'no_such'"):
        provider.read(str(created["account_id"]), {**created, "behaviors": {**created["behaviors"], "no_such": HIGH}})


def test_update_never_reads_the_values_to_restore_of_a_key_it_took_before(
    provider: RiskBehaviorsProvider, client: RiskScoringClient
) -> None:
    outs: dict[str, Any] = dict(provider.create(props({"imp_travel": HIGH})).outs or {})
    # State as an odd read of older versions left it: the key's value gone, its value to restore kept.
    odd = {**outs, "behaviors": {}}
    updated = provider.update(outs["account_id"], odd, props({"imp_travel": HIGH, "high_dlp": HIGH})).outs or {}
    assert updated["prior"] == {"imp_travel": ORIGINAL.to_api(), "high_dlp": ORIGINAL.to_api()}
    provider.delete(outs["account_id"], updated)
    assert settings(client)["imp_travel"] == (False, "low")


def test_delete_gives_back_only_keys_still_holding_what_this_stack_set(
    provider: RiskBehaviorsProvider, client: RiskScoringClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[str] = []
    monkeypatch.setattr("pulumi.log.warn", lambda message, *_a, **_k: warned.append(message))
    outs = provider.create(props({"imp_travel": HIGH, "high_dlp": HIGH})).outs or {}
    changed_elsewhere(client, {"high_dlp": BehaviorSetting(True, "medium")})
    provider.delete(outs["account_id"], dict(outs))
    assert (settings(client)["imp_travel"], settings(client)["high_dlp"]) == ((False, "low"), (True, "medium"))
    assert len(warned) == 1 and 'high_dlp={"enabled": true, "risk_level": "medium"}' in warned[0]


def test_delete_with_retain_reads_and_writes_nothing(provider: RiskBehaviorsProvider, control: Control) -> None:
    outs = provider.create(props({"imp_travel": HIGH}, on_delete="retain")).outs or {}
    before = control.counts()
    provider.delete(outs["account_id"], dict(outs))
    assert control.counts() == before


def test_check_of_a_move_to_an_account_the_credential_cannot_read_fails(emulator: EmulatorServer) -> None:
    scoped = configured(RiskBehaviorsProvider(), emulator, token=SCOPED_TOKEN)
    olds = props({"imp_travel": HIGH})
    failures = scoped.check(olds, {**olds, "account_id": OTHER_ACCOUNT}).failures
    assert [f.property for f in failures] == ["account_id"]
    assert f"account {OTHER_ACCOUNT} cannot take these behaviors" in failures[0].reason


def test_check_of_a_move_whose_behaviors_are_unknown_at_preview_refuses_nothing(emulator: EmulatorServer) -> None:
    provider = configured(RiskBehaviorsProvider(), emulator)
    olds = props({"imp_travel": HIGH})
    assert provider.check(olds, {**olds, "account_id": OTHER_ACCOUNT, "behaviors": rpc.UNKNOWN}).failures == []
