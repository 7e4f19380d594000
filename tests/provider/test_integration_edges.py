"""RiskIntegrationProvider at the edges: malformed input, misrouted endpoints, retried and conflicting creates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ACCOUNT, Control, configured
from tests.provider.test_integration_provider import REF, URL, inputs
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError, EndpointError, ServerError
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec
from zt_risk_scoring.reference import generated_reference_id

SEED = "proj/dev/okta"


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


BAD_TENANT_URLS = {
    "ipv6-open": "https://[",
    "ipv6-literal": "https://[::1]",
    "space-in-host": "https://exa mple.okta.com",
    "port-text": "https://example.okta.com:abc",
    "port-range": "https://example.okta.com:70000",
    "empty-userinfo": "https://@example.okta.com",
    "userinfo": "https://user:hunter2@example.okta.com",
    "userinfo-empty-user": "https://:hunter2@example.okta.com",
    "userinfo-empty-both": "https://:@example.okta.com",
    "newline": "https://example.okta.com\n",
    "nul": "https://example.okta.com\x00",
    "escape": "https://example.okta.com\x1b[31m",
    "idn-invalid": "https://a\u202e.okta.com",
    "host-underscore": "https://ex_ample.okta.com",
    "host-dot-only": "https://./",
    "trailing-dot-label": "https://example..okta.com",
    "fragment": "https://example.okta.com#x",
    "empty": "",
    "none-like": "None",
    "list": ["https://example.okta.com"],
    # A password in each: no reason may show it, whichever check refuses the URL.
    "userinfo-http": "http://u:hunter2@corp.okta.com",
    "userinfo-bad-port": "https://u:hunter2@h.okta.com:abc",
    "userinfo-port-zero": "https://u:hunter2@h.okta.com:0",
    "userinfo-space": "https://u:hun ter2@h.okta.com",
    "userinfo-ipv6": "https://u:hunter2@[bad",
    "userinfo-slash": "https://u:hun/ter2@h.okta.com",
    "userinfo-no-scheme": "u:hunter2@h.okta.com",
}


@pytest.mark.parametrize("value", BAD_TENANT_URLS.values(), ids=BAD_TENANT_URLS.keys())
def test_check_malformed_tenant_url_fails_naming_field(provider: RiskIntegrationProvider, value: Any) -> None:
    result = provider.check({}, inputs(tenant_url=value))
    # With user@ in it, the failure names no property: the engine would print the value beside one.
    assert [f.property for f in result.failures] == ["" if "@" in str(value) else "tenant_url"]
    assert result.failures[0].reason.startswith("tenant_url")
    assert not any(piece in result.failures[0].reason for piece in ("hunter2", "hun", "ter2"))
    assert not any(ch in result.failures[0].reason for ch in "\n\x00\x1b")


# One tenant, spelled as a program or the API may spell it: check stores one form, so no spelling is a change.
TENANT_SPELLINGS = {
    "idn": ("https://exämple.okta.com", "https://xn--exmple-cua.okta.com"),
    "idn-upper": ("https://EXÄMPLE.okta.com/", "https://xn--exmple-cua.okta.com"),
    "full-width": ("https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.okta.com", "https://example.okta.com"),
    "trailing-dot": ("https://example.okta.com.", "https://example.okta.com"),
    "trailing-dot-port": ("https://Example.Okta.com.:8443/", "https://example.okta.com:8443"),
}


@pytest.mark.parametrize(("value", "stored"), TENANT_SPELLINGS.values(), ids=TENANT_SPELLINGS.keys())
def test_check_tenant_url_spellings_store_one_form(provider: RiskIntegrationProvider, value: str, stored: str) -> None:
    result = provider.check({}, inputs(tenant_url=value))
    assert (result.failures, result.inputs["tenant_url"]) == ([], stored)


@pytest.mark.parametrize(
    "value",
    ["a/b", ".", "..", "x\n", "", "-leading", "has space", "é", "a" * 256, "a?b", "a%2Fb"],
    ids=[
        "slash",
        "dot",
        "dotdot",
        "newline",
        "empty",
        "leading-dash",
        "space",
        "non-ascii",
        "too-long",
        "query",
        "pct",
    ],
)
def test_check_unaddressable_reference_id_fails_naming_field(provider: RiskIntegrationProvider, value: str) -> None:
    result = provider.check({}, inputs(reference_id=value))
    assert [f.property for f in result.failures] == ["reference_id"]
    assert "URL path segment" in result.failures[0].reason


def test_check_integration_id_with_trailing_newline_fails(provider: RiskIntegrationProvider) -> None:
    result = provider.check({}, inputs(integration_id="00000000-0000-4000-8000-000000000000\n"))
    assert [f.property for f in result.failures] == ["integration_id"]


def test_check_without_reference_derives_it_from_seed(provider: RiskIntegrationProvider) -> None:
    first = provider.check({}, inputs(reference_id=None, reference_seed=SEED)).inputs
    retried = provider.check({}, inputs(reference_id=None, reference_seed=SEED)).inputs
    other = provider.check({}, inputs(reference_id=None, reference_seed="proj/dev/other")).inputs
    assert first["reference_id"] == retried["reference_id"] == generated_reference_id(SEED, ACCOUNT, URL)
    assert other["reference_id"] != first["reference_id"]
    assert first["reference_generated"] is True and "reference_seed" not in first


@pytest.mark.parametrize(
    "other", [{"tenant_url": "https://other.okta.com"}, {"account_id": "f" * 32}], ids=["tenant", "account"]
)
def test_check_without_reference_same_seed_elsewhere_derives_another(
    provider: RiskIntegrationProvider, other: dict[str, Any]
) -> None:
    # The same organization/project/stack/name on another backend only meets this one in the same
    # account for the same tenant.
    here = provider.check({}, inputs(reference_id=None, reference_seed=SEED)).inputs
    there = provider.check({}, inputs(reference_id=None, reference_seed=SEED, **other)).inputs
    assert there["reference_id"] != here["reference_id"]


def test_check_keeps_reference_already_in_state(provider: RiskIntegrationProvider) -> None:
    olds = {**inputs(reference_id="3f0c2b1e-1111-4a4a-8b8b-000000000000")}
    result = provider.check(olds, inputs(reference_id=None, reference_seed=SEED)).inputs
    assert result["reference_id"] == olds["reference_id"] and "reference_generated" not in result


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


def test_create_first_post_conflict_with_chosen_reference_needs_adopt(
    provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    existing = client.create_integration(IntegrationSpec(URL, REF))
    control.post("faults", {"rules": [{"status": 404, "operations": ["get_integration_by_reference"], "count": 1}]})
    with pytest.raises(ConfigurationError, match="set adopt=True"):
        provider.create(inputs())
    assert [i.id for i in client.list_integrations()] == [existing.id]


MISROUTED = {
    "without-client-v4": lambda base: base.removesuffix("/client/v4"),
    "client-v5": lambda base: base.replace("/client/v4", "/client/v5"),
    "doubled": lambda base: base + "/client/v4",
}


LIFECYCLE = {
    "read": lambda provider, id_: provider.read(id_, inputs()),
    "delete": lambda provider, id_: provider.delete(id_, inputs()),
}


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


def test_read_of_integration_deleted_elsewhere_reports_gone_after_one_list(
    emulator: EmulatorServer, provider: RiskIntegrationProvider, client: RiskScoringClient, control: Control
) -> None:
    live = client.create_integration(IntegrationSpec(URL, REF))
    client.delete_integration(live.id)
    emulator.app.clear_log()
    result = provider.read(live.id, inputs())
    assert (result.id, result.outs) == (None, {})
    assert control.counts() == {"get_integration": 1, "list_integrations": 1}


class _At:
    """An emulator seen through another base URL (the wrong one a user may configure)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


def test_read_of_tenant_url_set_in_other_form_shows_no_drift(
    provider: RiskIntegrationProvider, client: RiskScoringClient
) -> None:
    live = client.create_integration(IntegrationSpec("https://Test-Tenant.OKTA.com/", REF))
    wanted = provider.check({}, inputs()).inputs
    result = provider.read(live.id, wanted)
    assert result.inputs is not None
    assert provider.diff(live.id, result.inputs, wanted).changes is False


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
