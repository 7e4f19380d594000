"""RiskIntegrationProvider.create: lookup then POST, adoption, and never a second integration after a failure."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ACCOUNT, Control, configured
from tests.provider.integration_inputs import LINKED, REF, SEED, URL, inputs, unnamed
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError, ConnectionFailed, ServerError
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec
from zt_risk_scoring.reference import generated_reference_id


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


@pytest.fixture
def adopted(client: RiskScoringClient) -> str:
    return client.create_integration(IntegrationSpec(URL, LINKED)).id


def test_create_makes_lookup_then_post(provider: RiskIntegrationProvider, control: Control) -> None:
    created = provider.create(inputs())
    assert created.outs["well_known_url"].endswith(created.id)
    assert control.counts() == {"get_integration_by_reference": 1, "create_integration": 1}


def test_create_inactive_creates_then_updates(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    created = provider.create(inputs(active=False))
    assert client.get_integration(created.id).active is False


def test_create_existing_reference_without_adopt_fails(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    existing = client.create_integration(IntegrationSpec(URL, REF))
    with pytest.raises(ConfigurationError, match=f"set adopt=True \\(or integration_id='{existing.id}'\\)"):
        provider.create(inputs())
    assert len(client.list_integrations()) == 1


def test_create_adopt_by_reference_updates_in_place(
    provider: RiskIntegrationProvider, client: RiskScoringClient
) -> None:
    existing = client.create_integration(IntegrationSpec("https://old.okta.com", REF))
    created = provider.create(inputs(adopt=True))
    assert created.id == existing.id
    assert [i.tenant_url for i in client.list_integrations()] == [URL]


def test_create_adopt_by_id(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    existing = client.create_integration(IntegrationSpec(URL, "other-ref"))
    created = provider.create(inputs(integration_id=existing.id, reference_id="other-ref"))
    assert created.id == existing.id
    assert len(client.list_integrations()) == 1


def test_create_adopt_missing_id_fails(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        provider.create(inputs(integration_id="00000000-0000-4000-8000-000000000000"))
    assert client.list_integrations() == []


def test_create_lost_post_response_adopts_result(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    control.post("faults", {"rules": [{"mode": "drop_after_write", "operations": ["create_integration"]}]})
    created = provider.create(inputs())
    assert [i.id for i in client.list_integrations()] == [created.id]


def test_create_with_generated_reference_continues_earlier_attempt(
    provider: RiskIntegrationProvider, client: RiskScoringClient
) -> None:
    earlier = client.create_integration(IntegrationSpec(URL, generated_reference_id(SEED, ACCOUNT, URL)))
    props = provider.check({}, inputs(reference_id=None, reference_seed=SEED)).inputs
    created = provider.create(props)
    assert created.id == earlier.id
    assert [i.id for i in client.list_integrations()] == [earlier.id]


def test_create_after_post_landed_late_continues_on_conflict(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    # The POST lands but its answer is lost; the lookup that follows does not see it yet (404), so the
    # POST is sent again and gets 409: the first one landed, and it is this resource's.
    control.post(
        "faults",
        {
            "rules": [
                {"mode": "drop_after_write", "operations": ["create_integration"], "count": 1},
                {"status": 404, "operations": ["get_integration_by_reference"], "count": 2},
            ]
        },
    )
    created = provider.create(inputs())
    assert [i.id for i in client.list_integrations()] == [created.id]


@pytest.mark.assumes(reference_id_unique="true")
def test_create_first_post_conflict_with_chosen_reference_needs_adopt(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    existing = client.create_integration(IntegrationSpec(URL, REF))
    control.post("faults", {"rules": [{"status": 404, "operations": ["get_integration_by_reference"], "count": 1}]})
    with pytest.raises(ConfigurationError, match="set adopt=True"):
        provider.create(inputs())
    assert [i.id for i in client.list_integrations()] == [existing.id]


def test_create_adopt_by_id_without_reference_keeps_its_reference(
    provider: RiskIntegrationProvider, client: RiskScoringClient
) -> None:
    existing = client.create_integration(IntegrationSpec("https://old.okta.com", "idp-1234"))
    checked = provider.check({}, inputs(reference_id=None, reference_seed=SEED, integration_id=existing.id)).inputs
    created = provider.create(checked)
    assert client.get_integration(existing.id).reference_id == "idp-1234"
    again = provider.check(checked, inputs(reference_id=None, reference_seed=SEED, integration_id=existing.id)).inputs
    assert provider.diff(created.id, created.outs, again).changes is False


def test_create_inactive_whose_update_fails_leaves_nothing(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    # The create body cannot say active=false; if the update after it fails, a live, active integration
    # in no state would be left behind.
    control.post("faults", {"rules": [{"status": 500, "operations": ["update_integration"], "count": 100}]})
    with pytest.raises(ServerError):
        provider.create(inputs(active=False))
    control.post("faults", {"rules": []})
    assert client.list_integrations() == []


def test_create_adopting_on_first_conflict_never_deletes_what_it_did_not_create(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    # The lookup misses the existing integration, the POST gets 409, and the update to active=false fails:
    # the integration was there before this create, so it stays.
    existing = client.create_integration(IntegrationSpec(URL, REF))
    control.post(
        "faults",
        {
            "rules": [
                {"status": 404, "operations": ["get_integration_by_reference"], "count": 1},
                {"status": 500, "operations": ["update_integration"], "count": 100},
            ]
        },
    )
    with pytest.raises(ServerError):
        provider.create(inputs(adopt=True, active=False))
    control.post("faults", {"rules": []})
    assert [i.id for i in client.list_integrations()] == [existing.id]


def test_create_by_id_after_this_process_deleted_it_makes_one_with_its_reference(
    provider: RiskIntegrationProvider, client: RiskScoringClient, adopted: str
) -> None:
    checked = provider.check({}, unnamed(integration_id=adopted)).inputs
    provider.delete(adopted, checked)  # a replacement deletes first
    created = provider.create(checked)
    assert [(i.id, i.reference_id) for i in client.list_integrations()] == [(created.id, LINKED)]


def test_create_by_id_deleted_elsewhere_fails(
    provider: RiskIntegrationProvider, client: RiskScoringClient, adopted: str
) -> None:
    checked = provider.check({}, unnamed(integration_id=adopted)).inputs
    client.delete_integration(adopted)
    with pytest.raises(ConfigurationError, match="does not exist"):
        provider.create(checked)
    assert client.list_integrations() == []


def test_create_by_id_after_a_later_replacement_deleted_its_successor_makes_one(
    provider: RiskIntegrationProvider, client: RiskScoringClient, adopted: str
) -> None:
    # The first replacement made a new integration; the next one deletes that one (not the adopted id).
    checked = provider.check({}, unnamed(integration_id=adopted)).inputs
    client.delete_integration(adopted)
    successor = client.create_integration(IntegrationSpec(URL, LINKED))
    provider.delete(successor.id, {**checked, "reference_id": LINKED})
    created = provider.create(checked)
    assert [(i.id, i.reference_id) for i in client.list_integrations()] == [(created.id, LINKED)]


def test_create_adopting_whose_write_answer_is_lost_reads_back_and_keeps_the_values_before(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    found = client.create_integration(IntegrationSpec(URL, "idp-1"))
    wanted = provider.check({}, inputs(reference_id="idp-1", adopt=True, tenant_url="https://new.okta.com")).inputs
    control.post("faults", {"rules": [{"mode": "drop_after_write", "operations": ["update_integration"], "count": 3}]})
    made = provider.create(wanted)  # the write landed: the read back says so
    outs = dict(made.outs or {})
    assert (outs["prior"]["tenant_url"], outs["written"]["tenant_url"]) == (URL, "https://new.okta.com")
    provider.delete(str(made.id), outs)
    assert client.get_integration(found.id).tenant_url == URL


def test_create_adopting_whose_write_may_have_landed_unseen_puts_the_values_before_back(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = client.create_integration(IntegrationSpec(URL, "idp-1"))
    wanted = provider.check({}, inputs(reference_id="idp-1", adopt=True, tenant_url="https://new.okta.com")).inputs
    control.post("faults", {"rules": [{"mode": "drop_after_write", "operations": ["update_integration"], "count": 3}]})

    def lost(client: RiskScoringClient, integration_id: str) -> Any:
        raise ServerError("unavailable", status=503)  # the read back after the write is lost too

    monkeypatch.setattr(RiskScoringClient, "get_integration_if_exists", lost)
    with pytest.raises(ConnectionFailed):
        provider.create(wanted)
    assert client.get_integration(found.id).tenant_url == URL  # unclear: what it had is put back
