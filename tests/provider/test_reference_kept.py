"""RiskIntegrationProvider keeps the reference_id an integration has, and plans no replacement from spelling."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from tests.conftest import ACCOUNT, Control, configured
from tests.provider.test_integration_provider import URL, inputs
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec

SEED = "org/proj/dev/okta"
LINKED = "idp-linked-1"


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


@pytest.fixture
def adopted(client: RiskScoringClient) -> str:
    return client.create_integration(IntegrationSpec(URL, LINKED)).id


def unnamed(**over: Any) -> dict[str, Any]:
    """A program's inputs without a reference_id: check would derive one from the seed for a new integration."""
    return inputs(reference_id=None, reference_seed=SEED, **over)


def test_check_of_new_adoption_by_id_puts_its_reference_in_the_inputs(
    provider: RiskIntegrationProvider, adopted: str
) -> None:
    checked = provider.check({}, unnamed(integration_id=adopted))
    assert (checked.failures, checked.inputs["reference_id"]) == ([], LINKED)


def test_check_of_new_adoption_by_missing_id_fails_at_preview(provider: RiskIntegrationProvider) -> None:
    checked = provider.check({}, unnamed(integration_id="00000000-0000-4000-8000-000000000000"))
    assert [(f.property, "does not exist" in f.reason) for f in checked.failures] == [("integration_id", True)]


def test_check_of_adoption_without_credentials_sends_nothing(emulator: EmulatorServer, control: Control) -> None:
    bare = RiskIntegrationProvider()
    bare.configure(ConfigureRequest(Config({"cloudflare:baseUrl": emulator.base_url}, "zt-risk-scoring")))
    checked = bare.check({}, unnamed(integration_id="00000000-0000-4000-8000-000000000000"))
    assert (checked.failures, "reference_id" in checked.inputs) == ([], False)
    assert control.counts() == {}


@pytest.mark.parametrize(
    "olds",
    [
        {"integration_id": True},  # adopted by id by a version that kept no reference_id in the inputs
        {},  # integration_id dropped from the program, then `up`: neither is in the inputs any more
    ],
    ids=["adopted-by-id", "integration-id-dropped"],
)
def test_check_of_existing_resource_without_reference_never_derives_one(
    provider: RiskIntegrationProvider, adopted: str, olds: dict[str, Any]
) -> None:
    old_inputs = {k: v for k, v in inputs().items() if k != "reference_id"}
    if olds:
        old_inputs["integration_id"] = adopted
    checked = provider.check(old_inputs, unnamed())
    assert checked.inputs.get("reference_id") == (LINKED if olds else None)


def test_check_keeps_reference_when_integration_id_is_dropped(provider: RiskIntegrationProvider, adopted: str) -> None:
    first = provider.check({}, unnamed(integration_id=adopted)).inputs
    again = provider.check(first, unnamed()).inputs
    assert again["reference_id"] == LINKED


def test_check_of_program_naming_another_reference_takes_it(provider: RiskIntegrationProvider, adopted: str) -> None:
    first = provider.check({}, unnamed(integration_id=adopted)).inputs
    assert provider.check(first, inputs(reference_id="idp-new")).inputs["reference_id"] == "idp-new"


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


@pytest.mark.parametrize("stored", ["okta", "OKTA", None, ""], ids=["lower", "upper", "missing", "empty"])
def test_diff_of_integration_type_spelled_otherwise_is_no_change(
    provider: RiskIntegrationProvider, stored: str | None
) -> None:
    wanted = provider.check({}, inputs()).inputs
    olds = {**wanted, "integration_type": stored}
    assert provider.diff("id", olds, wanted).changes is False


def test_diff_of_account_replaces_deleting_first(provider: RiskIntegrationProvider) -> None:
    wanted = provider.check({}, inputs()).inputs
    result = provider.diff("id", {**wanted, "account_id": "f" * 32}, wanted)
    assert (result.replaces, result.delete_before_replace) == (["account_id"], True)


def test_read_inputs_are_normalized_like_check(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    live = client.create_integration(IntegrationSpec("https://Test-Tenant.OKTA.com/", "idp-1"))
    read = provider.read(live.id, {"account_id": ACCOUNT})
    assert read.inputs == provider.check({}, inputs(reference_id="idp-1")).inputs


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


def test_check_of_adoption_with_a_rejected_token_leaves_it_to_create(emulator: EmulatorServer) -> None:
    rejected = configured(RiskIntegrationProvider(), emulator, token="revoked-token-0123456789")
    checked = rejected.check({}, unnamed(integration_id="00000000-0000-4000-8000-000000000000"))
    assert (checked.failures, "reference_id" in checked.inputs) == ([], False)


def test_check_of_replacement_without_old_inputs_keeps_what_the_first_check_kept(
    provider: RiskIntegrationProvider,
) -> None:
    # The engine checks a replaced resource twice: with its old inputs, then (also for --replace) without.
    olds = inputs(reference_id="idp-linked-9")
    first = provider.check(olds, unnamed()).inputs
    second = provider.check({}, unnamed()).inputs
    assert first["reference_id"] == second["reference_id"] == "idp-linked-9"
