"""Lookups: plain dicts, Inputs in and Outputs out, unknown while what they depend on is still to be created."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pulumi
import pytest

from tests.conftest import ACCOUNT, TOKEN, Control
from zt_risk_scoring import (
    RiskIntegration,
    get_integration,
    get_integration_by_reference,
    get_summary,
    get_user_risk,
    list_integrations,
)
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import IntegrationSpec

PENDING = "pending"  # the mocks give a resource of this name no id: one the engine has yet to create
Test = Coroutine[Any, Any, None]
DependsOn = Callable[[pulumi.Resource], Any]


class Mocks(pulumi.runtime.Mocks):
    """Resources get their inputs as outputs; PENDING ones an empty id, which the SDK reads as unknown."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return ("" if args.name.startswith(PENDING) else f"{args.name}-id"), dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class Group(pulumi.ComponentResource):
    """A component with one integration inside."""

    def __init__(self, name: str, child: str) -> None:
        super().__init__("test:index:Group", name)
        self.child = RiskIntegration(child, tenant_url="https://c.okta.com", opts=pulumi.ResourceOptions(parent=self))


def _configure(emulator: EmulatorServer, **config: str) -> None:
    values = {"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": ACCOUNT}
    pulumi.runtime.set_all_config({k: v for k, v in {**values, **config}.items() if v})


@pytest.fixture
def program(emulator: EmulatorServer) -> Iterator[None]:
    """A preview: the mode in which a lookup must not run before its dependencies exist."""
    pulumi.runtime.set_mocks(Mocks(), project="zt-risk-scoring", stack="test", preview=True)
    _configure(emulator)
    yield
    pulumi.runtime.set_all_config({})


def _integration(name: str) -> RiskIntegration:
    return RiskIntegration(name, tenant_url="https://a.okta.com", reference_id=f"ref-{name}")


@pulumi.runtime.test
def test_get_integration_by_reference_returns_dict(program: None, client: RiskScoringClient) -> Any:
    created = client.create_integration(IntegrationSpec("https://a.okta.com", "ref-lookup"))

    def check(found: dict[str, Any]) -> None:
        assert (found["id"], found["tenant_url"]) == (created.id, "https://a.okta.com")

    return get_integration_by_reference("ref-lookup").apply(check)


@pulumi.runtime.test
def test_list_integrations_returns_dicts(program: None, client: RiskScoringClient) -> Any:
    client.create_integration(IntegrationSpec("https://a.okta.com", "ref-1"))

    def check(integrations: list[dict[str, Any]]) -> None:
        assert [i["reference_id"] for i in integrations] == ["ref-1"]

    return list_integrations().apply(check)


@pulumi.runtime.test
def test_get_summary_without_events_returns_empty_list(program: None) -> Any:
    return get_summary().apply(lambda summary: assert_equal(summary, []))


def assert_equal(actual: Any, expected: Any) -> None:
    assert actual == expected


CALL_STYLES: dict[str, Callable[[str], pulumi.Output[Any]]] = {
    "positional-account": lambda ref: get_integration_by_reference(ref, ACCOUNT),
    "keyword-account": lambda ref: get_integration_by_reference(reference_id=ref, account_id=ACCOUNT),
    "output-input": lambda ref: get_integration_by_reference(pulumi.Output.from_input(ref)),
    "invoke-options": lambda ref: get_integration_by_reference(ref, opts=pulumi.InvokeOptions()),
    "invoke-output-options": lambda ref: get_integration_by_reference(ref, opts=pulumi.InvokeOutputOptions()),
}


@pytest.mark.parametrize("style", CALL_STYLES.values(), ids=CALL_STYLES.keys())
@pulumi.runtime.test
def test_get_integration_by_reference_call_style_returns_dict(
    program: None, client: RiskScoringClient, style: Callable[[str], pulumi.Output[Any]]
) -> Any:
    created = client.create_integration(IntegrationSpec("https://a.okta.com", "ref-style"))
    return style("ref-style").apply(lambda found: assert_equal(found["id"], created.id))


LOOKUPS_OF_PENDING: dict[str, Callable[[RiskIntegration], pulumi.Output[Any]]] = {
    "get_integration-id": lambda r: get_integration(r.id),
    "get_integration_by_reference-reference_id": lambda r: get_integration_by_reference(r.reference_id),
    "get_integration-account_id": lambda r: get_integration("0" * 32, account_id=r.account_id),
    "list_integrations-depends_on": lambda r: list_integrations(opts=pulumi.InvokeOutputOptions(depends_on=[r])),
    "get_summary-depends_on": lambda r: get_summary(opts=pulumi.InvokeOutputOptions(depends_on=[r])),
    "get_user_risk-depends_on": lambda r: get_user_risk("u1", opts=pulumi.InvokeOutputOptions(depends_on=[r])),
}


@pytest.mark.parametrize("lookup", LOOKUPS_OF_PENDING.values(), ids=LOOKUPS_OF_PENDING.keys())
@pulumi.runtime.test
def test_lookup_depending_on_resource_to_create_is_unknown_without_api_call(
    program: None, control: Control, lookup: Callable[[RiskIntegration], pulumi.Output[Any]]
) -> Test:
    async def check() -> None:
        found = lookup(_integration(PENDING))
        assert not await found.is_known()
        assert control.log()["requests"] == []

    return check()


DEPENDS_ON_FORMS: dict[str, DependsOn] = {
    "resource": lambda r: r,
    "list": lambda r: [r],
    "list-of-outputs": lambda r: [pulumi.Output.from_input(r)],
    "output-of-list": lambda r: pulumi.Output.from_input([r]),
}


@pytest.mark.parametrize("form", DEPENDS_ON_FORMS.values(), ids=DEPENDS_ON_FORMS.keys())
@pulumi.runtime.test
def test_list_integrations_depends_on_resource_to_create_is_unknown(program: None, form: DependsOn) -> Test:
    async def check() -> None:
        found = list_integrations(opts=pulumi.InvokeOutputOptions(depends_on=form(_integration(PENDING))))
        assert not await found.is_known()

    return check()


@pulumi.runtime.test
def test_list_integrations_depends_on_component_with_child_to_create_is_unknown(program: None) -> Test:
    async def check() -> None:
        group = Group("group", child=f"{PENDING}-child")
        assert not await list_integrations(opts=pulumi.InvokeOutputOptions(depends_on=[group])).is_known()

    return check()


@pulumi.runtime.test
def test_list_integrations_depends_on_existing_resource_runs_and_carries_it(program: None) -> Test:
    async def check() -> None:
        existing = _integration("existing")
        found = list_integrations(opts=pulumi.InvokeOutputOptions(depends_on=[existing]))
        assert await found.is_known()
        assert await found.future() == []
        # A resource built from the result depends on what the lookup waited for.
        assert existing in await found.resources()

    return check()


@pulumi.runtime.test
def test_get_integration_by_reference_missing_at_preview_with_existing_dependency_is_unknown(program: None) -> Test:
    async def check() -> None:
        # The dependency exists (its id is known) but this update may rename its reference_id.
        renamed = _integration("renamed")
        found = get_integration_by_reference(renamed.reference_id)
        assert not await found.is_known()

    return check()


@pulumi.runtime.test
def test_lookup_of_secret_input_returns_secret(program: None, client: RiskScoringClient) -> Test:
    client.create_integration(IntegrationSpec("https://a.okta.com", "ref-secret"))

    async def check() -> None:
        assert await get_integration_by_reference(pulumi.Output.secret("ref-secret")).is_secret()

    return check()


FAILURES: dict[str, tuple[dict[str, str], str]] = {
    "no-credentials": (
        {"cloudflare:apiToken": ""},
        r"^get_integration_by_reference: no Cloudflare credentials: .*cloudflare:apiToken.*CLOUDFLARE_API_TOKEN"
        r".*Lookups run during `pulumi preview`",
    ),
    "no-account": (
        {"cloudflare:accountId": ""},
        r"^get_integration_by_reference: account_id is required: .*cloudflare:accountId.*CLOUDFLARE_ACCOUNT_ID",
    ),
    "unknown-token": ({"cloudflare:apiToken": "not-a-known-token"}, r"Lookups run during `pulumi preview`"),
}


@pulumi.runtime.test
def _lookup_any(reference_id: str) -> Any:
    return get_integration_by_reference(reference_id)


@pytest.mark.parametrize(("config", "message"), FAILURES.values(), ids=FAILURES.keys())
def test_lookup_with_unusable_settings_raises_run_error_naming_setting(
    program: None, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, config: dict[str, str], message: str
) -> None:
    for variable in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_ACCOUNT_ID"):
        monkeypatch.delenv(variable, raising=False)
    _configure(emulator, **config)
    # RunError: the language host prints its message alone, without a traceback.
    with pytest.raises(pulumi.RunError, match=message):
        _lookup_any("ref-any")


def test_get_integration_by_reference_missing_without_dependency_raises_run_error(program: None) -> None:
    with pytest.raises(pulumi.RunError, match=r"^get_integration_by_reference: .*HTTP 404") as raised:
        _lookup_any("ref-missing")
    assert "pulumi preview" not in str(raised.value)
