"""The providers against the emulator under the API's open points where the answer matters to them: a second
integration with one reference_id let through, and a PUT of behaviors that resets the keys it leaves out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ACCOUNT, TOKEN, Control, configured
from tests.provider.integration_inputs import URL, inputs
from zt_risk_scoring.behaviors import RiskBehaviorsProvider
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app
from zt_risk_scoring.emulator.variants import Variants
from zt_risk_scoring.errors import ConfigurationError
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec


def serving(**chosen: str) -> Iterator[EmulatorServer]:
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN], variants=Variants.of(chosen))).start()
    yield server
    server.stop()


@pytest.fixture
def not_unique() -> Iterator[EmulatorServer]:
    yield from serving(reference_id_unique="false")


@pytest.fixture
def resetting() -> Iterator[EmulatorServer]:
    yield from serving(behaviors_put_unsent="reset")


def client_of(server: EmulatorServer) -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=server.base_url, token=TOKEN), ACCOUNT)


@pytest.mark.parametrize(
    "args", [{"reference_id": "idp-1", "adopt": True}, {"reference_id": "idp-1"}], ids=["adopt", "without-adopt"]
)
def test_create_with_two_integrations_of_its_reference_id_fails_naming_both_and_writes_nothing(
    not_unique: EmulatorServer, args: dict[str, Any]
) -> None:
    api = client_of(not_unique)
    twins = sorted(api.create_integration(IntegrationSpec(URL, "idp-1")).id for _ in range(2))
    provider = configured(RiskIntegrationProvider(), not_unique)
    with pytest.raises(ConfigurationError) as exc:
        provider.create(provider.check({}, inputs(**args)).inputs)
    assert all(twin in str(exc.value) for twin in twins) and "keep one" in str(exc.value)
    assert sorted(i.id for i in api.list_integrations()) == twins


def test_create_whose_answer_was_lost_leaves_one_integration_where_duplicates_are_allowed(
    not_unique: EmulatorServer,
) -> None:
    Control(not_unique).post("faults", {"rules": [{"mode": "drop_after_write", "operations": ["create_integration"]}]})
    provider = configured(RiskIntegrationProvider(), not_unique)
    checked = provider.check({}, inputs(reference_id=None, reference_seed="org/proj/dev/okta")).inputs
    made = provider.create(checked)
    assert [i.id for i in client_of(not_unique).list_integrations()] == [made.id]


def behaviors_of(server: EmulatorServer) -> dict[str, BehaviorSetting]:
    return {key: found.setting for key, found in client_of(server).get_behaviors().items()}


def test_behaviors_lifecycle_where_a_put_resets_what_it_leaves_out_touches_only_declared_keys(
    resetting: EmulatorServer,
) -> None:
    api = client_of(resetting)
    api.update_behaviors({"high_dlp": BehaviorSetting(True, "low"), "sentinel_one": BehaviorSetting(True, "high")})
    untouched = {k: v for k, v in behaviors_of(resetting).items() if k != "imp_travel"}
    provider = configured(RiskBehaviorsProvider(), resetting)
    props = {"account_id": ACCOUNT, "behaviors": {"imp_travel": {"enabled": True, "risk_level": "low"}}}
    created = provider.create({**props, "on_delete": "restore"}).outs or {}
    changed = {**props, "behaviors": {"imp_travel": {"enabled": True, "risk_level": "medium"}}, "on_delete": "restore"}
    updated = provider.update(ACCOUNT, dict(created), changed).outs or {}
    assert {k: v for k, v in behaviors_of(resetting).items() if k != "imp_travel"} == untouched
    provider.delete(ACCOUNT, dict(updated))
    assert {k: v for k, v in behaviors_of(resetting).items() if k != "imp_travel"} == untouched
