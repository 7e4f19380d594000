"""RiskIntegrationProvider against the emulator, adoption and 404 paths included."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ACCOUNT, Control, configured
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec

REF = "58ee8f00-f28a-4b09-b955-93f7c557bd43"
URL = "https://test-tenant.okta.com"


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


def inputs(**over: Any) -> dict[str, Any]:
    base = {"account_id": ACCOUNT, "tenant_url": URL, "reference_id": REF, "active": True, "integration_type": "Okta"}
    return {**base, **over}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tenant_url", "http://test-tenant.okta.com"),
        ("tenant_url", "test-tenant.okta.com"),
        ("tenant_url", "https://test-tenant.okta.com/app?x=1"),
        ("tenant_url", 42),
        ("integration_type", "AzureAD"),
        ("reference_id", 12),
        ("reference_id", "  "),
        ("active", "false"),
        ("account_id", "not-an-account"),
        ("integration_id", "nope"),
    ],
    ids=[
        "http",
        "no-scheme",
        "path-query",
        "not-string",
        "type",
        "ref-int",
        "ref-blank",
        "active-str",
        "account",
        "integration-id",
    ],
)
def test_check_bad_input_fails_naming_field(provider: RiskIntegrationProvider, field: str, value: Any) -> None:
    result = provider.check({}, inputs(**{field: value}))
    assert [f.property for f in result.failures] == [field]


def test_check_normalizes_url_and_type(provider: RiskIntegrationProvider) -> None:
    result = provider.check({}, inputs(tenant_url="https://Test-Tenant.OKTA.com/", integration_type="okta"))
    assert result.failures == []
    assert (result.inputs["tenant_url"], result.inputs["integration_type"]) == (URL, "Okta")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://a.okta.com:443", "https://a.okta.com"),
        ("https://a.okta.com:0443/", "https://a.okta.com"),
        ("https://A.okta.com:08443", "https://a.okta.com:8443"),
        ("https://a.okta.com:8443", "https://a.okta.com:8443"),
    ],
    ids=["https-port", "https-port-leading-zero", "other-port-leading-zero", "other-port"],
)
def test_check_normalizes_tenant_port(provider: RiskIntegrationProvider, given: str, stored: str) -> None:
    result = provider.check({}, inputs(tenant_url=given))
    assert (result.failures, result.inputs["tenant_url"]) == ([], stored)


def test_diff_tenant_url_with_its_default_port_is_no_change(provider: RiskIntegrationProvider) -> None:
    olds = {**provider.check({}, inputs()).inputs, "tenant_url": "https://a.okta.com:443"}  # as 0.2.0 stored it
    news = provider.check(olds, inputs(tenant_url="https://a.okta.com")).inputs
    assert provider.diff("id", olds, news).changes is False


def test_check_generated_reference_id_is_stable(provider: RiskIntegrationProvider) -> None:
    first = provider.check({}, inputs(reference_id=None)).inputs
    again = provider.check(first, inputs(reference_id=None)).inputs
    assert first["reference_id"] == again["reference_id"]


@pytest.mark.parametrize(
    ("field", "value", "replaces"),
    [
        ("integration_type", "Other", ["integration_type"]),
        ("account_id", "f" * 32, ["account_id"]),
        ("active", False, []),
        ("tenant_url", "https://b.okta.com", []),
        ("reference_id", "other", []),
    ],
    ids=["type", "account", "active", "url", "ref"],
)
def test_diff_names_replaces(provider: RiskIntegrationProvider, field: str, value: Any, replaces: list[str]) -> None:
    result = provider.diff("id", inputs(), inputs(**{field: value}))
    assert (result.changes, result.replaces) == (True, replaces)


def test_diff_equal_reports_no_changes(provider: RiskIntegrationProvider) -> None:
    olds = {**inputs(), "well_known_url": "x", "created_at": "y", "account_tag": ACCOUNT}
    assert provider.diff("id", olds, inputs(adopt=True)).changes is False


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


def test_update_sends_one_put(provider: RiskIntegrationProvider, control: Control) -> None:
    created = provider.create(inputs())
    before = control.counts()
    provider.update(created.id, created.outs, inputs(active=False))
    after = control.counts()
    assert after["update_integration"] - before.get("update_integration", 0) == 1


def test_delete_tolerates_missing(provider: RiskIntegrationProvider, client: RiskScoringClient) -> None:
    created = provider.create(inputs())
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)
    assert client.list_integrations() == []


def test_create_lost_post_response_adopts_result(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    control.post("faults", {"rules": [{"mode": "drop_after_write", "operations": ["create_integration"]}]})
    created = provider.create(inputs())
    assert [i.id for i in client.list_integrations()] == [created.id]
