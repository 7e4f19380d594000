"""RiskIntegrationProvider.check: inputs refused naming the field, normalized, and the reference_id kept or derived."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime import rpc

from tests.conftest import ACCOUNT, OTHER_ACCOUNT, Control, configured
from tests.provider.integration_inputs import LINKED, SEED, URL, inputs, unnamed
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.models import IntegrationSpec
from zt_risk_scoring.reference import generated_reference_id


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

# One tenant, spelled as a program or the API may spell it: check stores one form, so no spelling is a change.
TENANT_SPELLINGS = {
    "idn": ("https://exämple.okta.com", "https://xn--exmple-cua.okta.com"),
    "idn-upper": ("https://EXÄMPLE.okta.com/", "https://xn--exmple-cua.okta.com"),
    "full-width": ("https://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.okta.com", "https://example.okta.com"),
    "trailing-dot": ("https://example.okta.com.", "https://example.okta.com"),
    "trailing-dot-port": ("https://Example.Okta.com.:8443/", "https://example.okta.com:8443"),
}


@pytest.fixture
def adopted(client: RiskScoringClient) -> str:
    return client.create_integration(IntegrationSpec(URL, LINKED)).id


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


def test_check_generated_reference_id_is_stable(provider: RiskIntegrationProvider) -> None:
    first = provider.check({}, inputs(reference_id=None)).inputs
    again = provider.check(first, inputs(reference_id=None)).inputs
    assert first["reference_id"] == again["reference_id"]


@pytest.mark.parametrize("value", BAD_TENANT_URLS.values(), ids=BAD_TENANT_URLS.keys())
def test_check_malformed_tenant_url_fails_naming_field(provider: RiskIntegrationProvider, value: Any) -> None:
    result = provider.check({}, inputs(tenant_url=value))
    # With user@ in it, the failure names no property: the engine would print the value beside one.
    assert [f.property for f in result.failures] == ["" if "@" in str(value) else "tenant_url"]
    assert result.failures[0].reason.startswith("tenant_url")
    assert not any(piece in result.failures[0].reason for piece in ("hunter2", "hun", "ter2"))
    assert not any(ch in result.failures[0].reason for ch in "\n\x00\x1b")


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


def test_check_of_a_move_with_an_integration_id_unknown_at_preview_sends_nothing_and_refuses_nothing(
    provider: RiskIntegrationProvider, control: Control
) -> None:
    requests = control.counts()
    olds = inputs(reference_id="idp-1")
    failures = provider.check(olds, inputs(account_id=OTHER_ACCOUNT, integration_id=rpc.UNKNOWN)).failures
    assert (failures, control.counts()) == ([], requests)


def test_check_of_a_move_adopting_another_integration_by_id_there_takes_its_reference_id(
    provider: RiskIntegrationProvider, client: RiskScoringClient
) -> None:
    other = RiskScoringClient(client.settings, OTHER_ACCOUNT)
    theirs = other.create_integration(IntegrationSpec("https://b.okta.com", "idp-theirs"))
    other.create_integration(IntegrationSpec("https://c.okta.com", "idp-1"))  # the old reference_id is taken there
    mine = client.create_integration(IntegrationSpec(URL, "idp-1"))
    olds = inputs(integration_id=mine.id, reference_id="idp-1")
    moved = {**olds, "account_id": OTHER_ACCOUNT, "integration_id": theirs.id, "reference_id": None}
    checked = provider.check(olds, moved)
    assert (checked.failures, checked.inputs["reference_id"]) == ([], "idp-theirs")  # its link is not rewritten
