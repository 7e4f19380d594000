"""RiskIntegrationProvider.delete: what the stack created is deleted, what it adopted given back (on_delete); gone
only when the API's list agrees, and a gateway's answer keeps it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Control, configured
from tests.provider.integration_inputs import REF, URL, created, inputs
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import EndpointError
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


def test_delete_tolerates_missing(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    created = provider.create(inputs())
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)
    assert client.list_integrations() == []


@pytest.mark.parametrize("mode", ["html", "redirect"])
def test_delete_through_gateway_answer_raises_and_keeps_integration(
    emulator: EmulatorServer, provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control, mode: str
) -> None:
    live = client.create_integration(IntegrationSpec(URL, REF))
    rule = (
        {"mode": "html", "status": 404} if mode == "html" else {"mode": "redirect", "location": "http://127.0.0.1:9/"}
    )
    control.post("faults", {"rules": [{**rule, "count": 5}]})
    with pytest.raises(EndpointError):
        provider.delete(live.id, inputs())
    emulator.app.faults.clear()
    assert [i.id for i in client.list_integrations()] == [live.id]


def live(client: RiskScoringClient) -> list[tuple[str, str, bool]]:
    return [(i.tenant_url, i.reference_id, i.active) for i in client.list_integrations()]


@pytest.mark.parametrize("how", ["integration-id", "adopt"])
def test_delete_of_adopted_integration_gives_back_its_values_and_keeps_it(
    provider: RiskIntegrationProvider, client: RiskScoringClient, how: str
) -> None:
    found = client.create_integration(IntegrationSpec("https://before.okta.com", REF))
    args = {"integration_id": found.id} if how == "integration-id" else {"reference_id": REF, "adopt": True}
    id_, outs = created(provider, active=False, **args)
    assert outs["prior"] == {"tenant_url": "https://before.okta.com", "reference_id": REF, "active": True}
    provider.delete(id_, outs)
    assert live(client) == [("https://before.okta.com", REF, True)]


def test_delete_of_created_integration_deletes_it(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    id_, outs = created(provider, reference_id=REF)
    assert outs["prior"] == {}
    provider.delete(id_, outs)
    assert client.list_integrations() == []


@pytest.mark.parametrize(("on_delete", "left"), [("delete", []), ("retain", [(URL, REF, False)])])
def test_delete_of_adopted_integration_follows_explicit_on_delete(
    provider: RiskIntegrationProvider, client: RiskScoringClient, on_delete: str, left: list[Any]
) -> None:
    found = client.create_integration(IntegrationSpec("https://before.okta.com", REF))
    id_, outs = created(provider, integration_id=found.id, active=False, on_delete=on_delete)
    provider.delete(id_, outs)
    assert live(client) == left


def test_delete_of_adopted_integration_leaves_a_field_changed_since_and_warns(
    provider: RiskIntegrationProvider, client: RiskScoringClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[str] = []
    monkeypatch.setattr("pulumi.log.warn", lambda message, *_a, **_k: warned.append(message))
    found = client.create_integration(IntegrationSpec("https://before.okta.com", REF, active=False))
    id_, outs = created(provider, integration_id=found.id, active=True)
    client.update_integration(id_, IntegrationSpec(URL, REF, active=False))  # another stack, or a person
    provider.delete(id_, outs)
    assert live(client) == [("https://before.okta.com", REF, False)]  # tenant given back, active left as found
    assert len(warned) == 1 and "(active=false)" in warned[0]


def test_delete_of_state_from_before_prior_leaves_an_integration_adopted_by_id(
    provider: RiskIntegrationProvider, client: RiskScoringClient
) -> None:
    found = client.create_integration(IntegrationSpec(URL, REF))
    id_, outs = created(provider, integration_id=found.id)
    legacy = {k: v for k, v in outs.items() if k not in ("prior", "written", "on_delete")}
    provider.delete(id_, legacy)
    assert live(client) == [(URL, REF, True)]


def test_delete_of_adopted_integration_keeps_a_reference_id_another_integration_has_taken_since(
    provider: RiskIntegrationProvider, client: RiskScoringClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Giving it back would make two integrations of one reference_id where the API takes that PUT, and fail
    # this delete on every try where it refuses it (whether it does is open): the rest is given back.
    warned: list[str] = []
    monkeypatch.setattr("pulumi.log.warn", lambda message, *_a, **_k: warned.append(message))
    found = client.create_integration(IntegrationSpec("https://before.okta.com", REF))
    id_, outs = created(provider, integration_id=found.id, reference_id="idp-mine", active=False)
    other = client.create_integration(IntegrationSpec("https://other.okta.com", REF))  # REF, which it gave up
    provider.delete(id_, outs)
    assert sorted(live(client)) == [
        ("https://before.okta.com", "idp-mine", True),
        ("https://other.okta.com", REF, True),
    ]
    assert len(warned) == 1 and other.id in warned[0] and "keeps 'idp-mine'" in warned[0]
