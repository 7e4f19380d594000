"""RiskBehaviorsProvider after a write whose answer is lost: never its own write taken for the account's values."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Control, configured
from tests.provider.test_behaviors_provider import props, settings
from zt_risk_scoring.behaviors import RiskBehaviorsProvider
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError, ConnectionFailed, RiskScoringError, ServerError
from zt_risk_scoring.models import BehaviorSetting

ORIGINAL = {"imp_travel": BehaviorSetting(True, "low")}
WANTED = {"imp_travel": {"enabled": True, "risk_level": "high"}}
# The client sends a PUT three times (two retries after a lost answer).
EVERY_PUT_LANDS_UNANSWERED = {"mode": "drop_after_write", "operations": ["update_behaviors"], "count": 3}


@pytest.fixture
def provider(emulator: EmulatorServer, client: RiskScoringClient) -> RiskBehaviorsProvider:
    client.update_behaviors(ORIGINAL)
    return configured(RiskBehaviorsProvider(), emulator)


class _Failing:
    """Makes calls of one client method after the first `spared` ones raise `error`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, spared: int, error: RiskScoringError) -> None:
        self.calls = 0
        real = getattr(RiskScoringClient, name)

        def call(client: RiskScoringClient, *args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls > spared:
                raise error
            return real(client, *args, **kwargs)

        monkeypatch.setattr(RiskScoringClient, name, call)


def test_create_whose_write_landed_unanswered_succeeds_with_the_original_prior(
    provider: RiskBehaviorsProvider, client: RiskScoringClient, control: Control
) -> None:
    control.post("faults", {"rules": [EVERY_PUT_LANDS_UNANSWERED]})
    created = provider.create(props(WANTED))
    assert created.outs["prior"] == {"imp_travel": ORIGINAL["imp_travel"].to_api()}
    assert settings(client)["imp_travel"] == (True, "high")


def test_create_whose_write_did_not_land_fails_and_changes_nothing(
    provider: RiskBehaviorsProvider, client: RiskScoringClient, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    _Failing(monkeypatch, "update_behaviors", spared=0, error=ServerError("unavailable", status=503))
    before = control.counts()
    with pytest.raises(ServerError):
        provider.create(props(WANTED))
    # The prior values, then the read back that shows nothing landed: no write is sent to put anything back.
    assert control.counts() == {**before, "get_behaviors": before.get("get_behaviors", 0) + 2}
    assert settings(client)["imp_travel"] == (True, "low")


def test_create_that_cannot_read_back_its_write_puts_the_original_back(
    provider: RiskBehaviorsProvider, client: RiskScoringClient, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    control.post("faults", {"rules": [EVERY_PUT_LANDS_UNANSWERED]})
    _Failing(monkeypatch, "get_behaviors", spared=1, error=ConnectionFailed("lost"))
    with pytest.raises(ConnectionFailed):
        provider.create(props(WANTED))
    monkeypatch.undo()
    assert settings(client)["imp_travel"] == (True, "low")


def test_create_that_cannot_put_the_original_back_says_what_it_was(
    provider: RiskBehaviorsProvider, client: RiskScoringClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _Failing(monkeypatch, "get_behaviors", spared=1, error=ConnectionFailed("lost"))
    _Failing(monkeypatch, "update_behaviors", spared=0, error=ConnectionFailed("lost"))
    with pytest.raises(ConfigurationError) as caught:
        provider.create(props(WANTED))
    text = str(caught.value)
    assert 'imp_travel={"enabled": true, "risk_level": "low"}' in text and "before the next `pulumi up`" in text


def test_update_adding_a_key_whose_write_landed_unanswered_keeps_its_original_prior(
    provider: RiskBehaviorsProvider, client: RiskScoringClient, control: Control
) -> None:
    client.update_behaviors({"high_dlp": BehaviorSetting(False, "medium")})
    created = provider.create(props(WANTED))
    wanted = {**WANTED, "high_dlp": {"enabled": True, "risk_level": "high"}}
    control.post("faults", {"rules": [EVERY_PUT_LANDS_UNANSWERED]})
    updated = provider.update("id", created.outs, props(wanted))
    assert updated.outs["prior"]["high_dlp"] == {"enabled": False, "risk_level": "medium"}
    assert settings(client)["high_dlp"] == (True, "high")
