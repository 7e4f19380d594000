"""RiskIntegrationProvider.update: one PUT of the managed fields."""

from __future__ import annotations

import pytest

from tests.conftest import Control, configured
from tests.provider.integration_inputs import REF, created, inputs
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


def test_update_sends_one_put(provider: RiskIntegrationProvider, control: Control) -> None:
    created = provider.create(inputs())
    before = control.counts()
    provider.update(created.id, created.outs, inputs(active=False))
    after = control.counts()
    assert after["update_integration"] - before.get("update_integration", 0) == 1


def test_update_of_on_delete_alone_writes_nothing(provider: RiskIntegrationProvider, control: Control) -> None:
    id_, outs = created(provider, reference_id=REF)
    news = provider.check(outs, {**outs, "on_delete": "retain"}).inputs
    writes = control.writes()
    updated = provider.update(id_, outs, news)
    assert control.writes() == writes
    assert (updated.outs or {})["on_delete"] == "retain" and (updated.outs or {})["prior"] == {}


def test_update_to_a_reference_id_another_integration_has_is_refused_before_any_write(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    # Whether the API refuses a second integration with one reference_id is open: an API that takes the PUT
    # would leave two (found by the explorer's twin under reference_id_unique=false).
    id_, outs = created(provider, reference_id=REF)
    client.create_integration(IntegrationSpec("https://someone.okta.com", "idp-someone"))
    writes = control.writes()
    with pytest.raises(ConfigurationError, match="reference_id 'idp-someone' is already that of integration"):
        provider.update(id_, outs, inputs(reference_id="idp-someone"))
    assert control.writes() == writes and client.get_integration(id_).reference_id == REF
