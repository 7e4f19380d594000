"""RiskIntegrationProvider.update: one PUT of the managed fields."""

from __future__ import annotations

import pytest

from tests.conftest import Control, configured
from tests.provider.integration_inputs import REF, created, inputs
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.integration import RiskIntegrationProvider


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
