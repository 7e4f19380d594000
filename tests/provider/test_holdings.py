"""Which resource holds which integration in one deployment: a second one naming it any way is refused, first."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import rpc

from tests.conftest import ACCOUNT, Control, configured
from zt_risk_scoring import integration
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError
from zt_risk_scoring.holdings import Holdings, resource_label
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec

UNKNOWN = rpc.UNKNOWN  # what a preview gives check for an Output not known yet


URL = "https://test-tenant.okta.com"
TYPE = "pulumi-python:dynamic/zt_risk_scoring:RiskIntegration"
FIRST, SECOND = (f"urn:pulumi:dev::proj::{TYPE}::{name}" for name in ("first", "second"))


class Calls:
    """Which resource's call the provider is in (what the host's frame would name)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.urn = FIRST
        monkeypatch.setattr(integration, "calling_urn", lambda: self.urn)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    return Calls(monkeypatch)


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


def check(provider: RiskIntegrationProvider, **args: Any) -> Any:
    return provider.check({}, {"account_id": ACCOUNT, "tenant_url": URL, **args})


def test_check_of_second_resource_naming_by_reference_what_the_first_adopts_by_id_fails(
    provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls
) -> None:
    found = client.create_integration(IntegrationSpec(URL, "idp-1"))
    assert check(provider, integration_id=found.id).failures == []
    calls.urn = SECOND
    failures = check(provider, reference_id="IDP-1", adopt=True).failures
    assert [f.property for f in failures] == ["reference_id"]
    assert "RiskIntegration 'second' and RiskIntegration 'first' would both manage" in failures[0].reason


def test_check_of_one_resource_twice_is_no_clash(provider: RiskIntegrationProvider, calls: Calls) -> None:
    assert check(provider, reference_id="idp-1").failures == []
    assert check(provider, reference_id="idp-1").failures == []  # the engine's second check of a replacement


def test_create_of_the_resource_refused_at_check_is_refused_before_any_write(
    provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls, control: Control
) -> None:
    found = client.create_integration(IntegrationSpec(URL, "idp-1"))
    calls.urn = SECOND
    late = check(provider, reference_id="idp-1", adopt=True, tenant_url="https://late.okta.com").inputs
    calls.urn = FIRST
    assert check(provider, integration_id=found.id).failures != []  # checked second, refused: contested now
    calls.urn = SECOND
    writes = control.writes()
    with pytest.raises(ConfigurationError, match="would both manage"):
        provider.create(late)
    assert control.writes() == writes and client.get_integration(found.id).tenant_url == URL


def test_delete_of_an_integration_another_resource_now_holds_leaves_it(
    provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls
) -> None:
    made = provider.create(check(provider, reference_id="idp-1").inputs)
    integration.reset_process_memory()  # the next `up`, in which the program no longer declares `first`
    calls.urn = SECOND  # renamed without an alias: the new resource takes it over, the old one is deleted after
    taken = provider.create(check(provider, reference_id="idp-1", adopt=True).inputs)
    calls.urn = FIRST
    provider.delete(str(made.id), dict(made.outs or {}))
    assert [i.id for i in client.list_integrations()] == [taken.id] == [made.id]


@pytest.mark.parametrize(
    ("urn", "label"),
    [
        (FIRST, "RiskIntegration 'first'"),
        (f"urn:pulumi:dev::proj::my:index:Team${TYPE}::corp", "RiskIntegration 'corp'"),
    ],
    ids=["top-level", "in-a-component"],
)
def test_resource_label_names_type_and_name(urn: str, label: str) -> None:
    assert resource_label(urn) == label


def test_take_without_urn_records_nothing() -> None:
    held = Holdings()
    held.take(None, ACCOUNT, [("id", "x")])
    held.take(FIRST, ACCOUNT, [("id", "x")])
    assert held.holder(ACCOUNT, ("id", "x")) == FIRST


def test_check_of_two_resources_whose_reference_ids_are_unknown_at_preview_is_no_clash(
    provider: RiskIntegrationProvider, calls: Calls
) -> None:
    # reference_id=idp_a.id and reference_id=idp_b.id, both identity providers new in this program.
    assert check(provider, reference_id=UNKNOWN).failures == []
    calls.urn = SECOND
    assert check(provider, reference_id=UNKNOWN, tenant_url="https://other.okta.com").failures == []


def test_create_of_a_replacement_whose_retained_integration_is_still_there_takes_it_with_its_origin(
    provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls
) -> None:
    # retain_on_delete: the engine never asks for the delete; the diff it made first saw what state holds.
    wanted, made = _created_and_diffed(provider)
    again = provider.create(wanted)
    assert (again.id, (again.outs or {})["prior"]) == (made.id, {})  # made by this stack: still deleted on destroy
    provider.delete(str(again.id), dict(again.outs or {}))
    assert client.list_integrations() == []


def test_create_finding_what_another_resources_state_holds_is_refused(
    provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls
) -> None:
    wanted, made = _created_and_diffed(provider)
    calls.urn = SECOND
    with pytest.raises(ConfigurationError, match="already has reference_id idp-1"):
        provider.create(wanted)
    assert [i.id for i in client.list_integrations()] == [made.id]


def test_delete_of_what_this_stack_created_and_another_resource_adopted_leaves_it_and_warns(
    provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rename without an alias: the new resource (adopt=True) is created before the old one's delete.
    made = provider.create(check(provider, reference_id="idp-1", adopt=True).inputs)
    integration.reset_process_memory()  # the rename's `up` is a deployment (a provider process) of its own
    calls.urn = SECOND
    taken = provider.create(check(provider, reference_id="idp-1", adopt=True).inputs)
    warned: list[str] = []
    monkeypatch.setattr("pulumi.log.warn", lambda message, *_a, **_k: warned.append(message))
    calls.urn = FIRST
    provider.delete(str(made.id), dict(made.outs or {}))
    assert [i.id for i in client.list_integrations()] == [taken.id] == [made.id]
    assert len(warned) == 1 and "which this stack created as RiskIntegration 'first'" in warned[0]
    assert 'on_delete="delete"' in warned[0]


def _created_and_diffed(provider: RiskIntegrationProvider) -> tuple[dict[str, Any], Any]:
    """A resource with reference_id idp-1 created, then diffed with its outputs (what an engine's next run does)."""
    wanted = check(provider, reference_id="idp-1").inputs
    made = provider.create(wanted)
    provider.diff(str(made.id), dict(made.outs or {}), wanted)
    return wanted, made


def _both_in_state(provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls, **late: Any) -> Any:
    """`first` adopts an integration by id; in the next `up` the engine creates `second` (adopting it by its
    reference_id, with `late`) before it checks `first`, whose check is then refused: both end in state.
    Returns the integration, first's checked inputs, first's and second's create results."""
    found = client.create_integration(IntegrationSpec("https://before.okta.com", "idp-1"))
    first = check(provider, integration_id=found.id)
    held = provider.create(first.inputs)
    integration.reset_process_memory()
    calls.urn = SECOND
    taken = provider.create(check(provider, reference_id="idp-1", adopt=True, **late).inputs)
    calls.urn = FIRST
    assert provider.check(dict(held.outs or {}), first.inputs).failures != []
    integration.reset_process_memory()  # the next `up`, whose program keeps `first` only
    return found, first.inputs, held, taken


def test_delete_of_what_another_resource_holds_puts_back_that_resources_values_over_its_own_writes(
    provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls
) -> None:
    # The next `up` diffs the first (no change: its state still says what it set), then deletes the second.
    found, wanted, held, late = _both_in_state(provider, client, calls, tenant_url="https://late.okta.com")
    assert not provider.diff(str(held.id), dict(held.outs or {}), wanted).changes
    calls.urn = SECOND
    provider.delete(str(late.id), dict(late.outs or {}))
    assert client.get_integration(found.id).tenant_url == URL  # what the first resource's state holds


def test_delete_after_the_holders_own_delete_follows_its_own_on_delete(
    provider: RiskIntegrationProvider, client: RiskScoringClient, calls: Calls
) -> None:
    # The holder's own delete runs first (it is replaced or moves away): it holds the integration no more, so the
    # other's delete does what its own on_delete says (here: retain), not what the holder once expected.
    late_values = {"tenant_url": "https://late.okta.com", "on_delete": "retain"}
    found, wanted, held, late = _both_in_state(provider, client, calls, **late_values)
    provider.diff(str(held.id), dict(held.outs or {}), wanted)
    provider.delete(str(held.id), dict(held.outs or {}))  # finds the late values: leaves them, with a warning
    calls.urn = SECOND
    provider.delete(str(late.id), dict(late.outs or {}))
    assert client.get_integration(found.id).tenant_url == "https://late.okta.com"
