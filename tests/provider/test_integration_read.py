"""RiskIntegrationProvider.read: gone only when the API's list agrees, drift as found, misrouted answers refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ACCOUNT, Control, configured
from tests.provider.integration_inputs import REF, URL, inputs
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import EndpointError
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


MISROUTED = {
    "without-client-v4": lambda base: base.removesuffix("/client/v4"),
    "client-v5": lambda base: base.replace("/client/v4", "/client/v5"),
    "doubled": lambda base: base + "/client/v4",
}

LIFECYCLE = {
    "read": lambda provider, id_: provider.read(id_, inputs()),
    "delete": lambda provider, id_: provider.delete(id_, inputs()),
}


class _At:
    """An emulator seen through another base URL (the wrong one a user may configure)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


def test_read_missing_reports_gone(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    created = provider.create(inputs())
    client.delete_integration(created.id)
    result = provider.read(created.id, created.outs)
    assert (result.id, result.outs) == (None, {})


def test_read_drift_returns_inputs_as_found(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    created = provider.create(inputs())
    client.update_integration(created.id, IntegrationSpec(URL, REF, active=False))
    result = provider.read(created.id, created.outs)
    assert result.inputs is not None and result.inputs["active"] is False


@pytest.mark.parametrize("call", LIFECYCLE.values(), ids=LIFECYCLE.keys())
@pytest.mark.parametrize("wrong", MISROUTED.values(), ids=MISROUTED.keys())
def test_lifecycle_through_misrouted_base_url_raises_and_keeps_integration(
    emulator: EmulatorServer, client: RiskScoringClient, wrong: Any, call: Any
) -> None:
    live = client.create_integration(IntegrationSpec(URL, REF))
    provider = configured(RiskIntegrationProvider(), _At(wrong(emulator.base_url)))
    with pytest.raises(EndpointError, match="cloudflare:baseUrl"):
        call(provider, live.id)
    assert [i.id for i in client.list_integrations()] == [live.id]


def test_read_of_integration_deleted_elsewhere_reports_gone_after_one_list(
    emulator: EmulatorServer, provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    live = client.create_integration(IntegrationSpec(URL, REF))
    client.delete_integration(live.id)
    emulator.app.clear_log()
    result = provider.read(live.id, inputs())
    assert (result.id, result.outs) == (None, {})
    assert control.counts() == {"get_integration": 1, "list_integrations": 1}


def test_read_of_tenant_url_set_in_other_form_shows_no_drift(
    provider: RiskIntegrationProvider, client: RiskScoringClient
) -> None:
    live = client.create_integration(IntegrationSpec("https://Test-Tenant.OKTA.com/", REF))
    wanted = provider.check({}, inputs()).inputs
    result = provider.read(live.id, wanted)
    assert result.inputs is not None
    assert provider.diff(live.id, result.inputs, wanted).changes is False


def test_read_inputs_are_normalized_like_check(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    live = client.create_integration(IntegrationSpec("https://Test-Tenant.OKTA.com/", "idp-1"))
    read = provider.read(live.id, {"account_id": ACCOUNT})
    assert read.inputs == provider.check({}, inputs(reference_id="idp-1")).inputs
