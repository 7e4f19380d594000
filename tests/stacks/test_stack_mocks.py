"""The stack program and resource classes under `pulumi.runtime.set_mocks` (fast, no engine)."""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from zt_risk_scoring import RiskBehaviors, RiskIntegration
from zt_risk_scoring.claims import ClaimError

PROGRAM = Path(__file__).resolve().parents[2] / "stacks" / "__main__.py"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
OTHER_ACCOUNT = "0123456789abcdef0123456789abcdef"
IDP_STACK = "organization/access-idps/prod"
IDP_ID = "0f4b8e2c-6a1d-4c3e-9b7a-2d5e8f1a3c6b"
BEHAVIORS_TYPE = "pulumi-python:dynamic/zt_risk_scoring:RiskBehaviors"
INTEGRATION_TYPE = "pulumi-python:dynamic/zt_risk_scoring:RiskIntegration"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
Registered = tuple[str, str, dict[str, Any]]
# The SDK's decorator is untyped; this is its signature. It runs the function inside the (mocked)
# runtime and returns once every registration the function started has completed.
in_runtime: Callable[[Callable[[], None]], Callable[[], None]] = pulumi.runtime.test


class Mocks(pulumi.runtime.Mocks):
    """Records every resource the program registers; stack references read `idp_outputs`."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []
        self.idp_outputs: dict[str, Any] = {"oktaIdpId": IDP_ID}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        if args.typ == STACK_REFERENCE_TYPE:
            return str(args.resource_id), {"name": args.resource_id, "outputs": self.idp_outputs}
        return f"{args.name}-id", {**args.inputs, "well_known_url": f"https://wk/{args.name}"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None

    def registered(self) -> list[Registered]:
        """(type, name, inputs) of each resource, without the pickled provider dynamic resources carry."""
        return sorted(
            ((r.typ, r.name, {k: v for k, v in r.inputs.items() if k != "__provider"}) for r in self.resources),
            key=lambda r: (r[0], r[1]),
        )


@pytest.fixture
def mocks(monkeypatch: pytest.MonkeyPatch) -> Mocks:
    # Config reaches the program only through the runtime's store, as with the Automation API.
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    mocks = Mocks()
    # Each set_mocks is a run of its own: what an earlier test's program claimed is not seen here.
    pulumi.runtime.set_mocks(mocks, project="zt-risk-scoring", stack="test", preview=False)
    return mocks


def run_program(config: dict[str, Any]) -> None:
    """Run stacks/__main__.py with this stack config and wait until every registration is done."""
    pulumi.runtime.set_all_config({k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()})

    def program() -> None:
        runpy.run_path(str(PROGRAM), run_name="__main__")

    in_runtime(program)()


def integration(name: str, tenant: str, account: str = ACCOUNT, **fields: Any) -> Registered:
    inputs = {
        "account_id": account,
        "tenant_url": tenant,
        "active": True,
        "integration_type": "Okta",
        "on_delete": "restore",
        **fields,
    }
    return (INTEGRATION_TYPE, name, inputs)


def test_program_registers_exactly_configured_resources(mocks: Mocks) -> None:
    behaviors = {"imp_travel": {"enabled": True, "risk_level": "high"}, "high_dlp": {"enabled": False}}
    run_program(
        {
            "cloudflare:accountId": ACCOUNT,
            "zt-risk-scoring:behaviors": behaviors,
            "zt-risk-scoring:behaviorsOnDelete": "retain",
            "zt-risk-scoring:integrations": [
                {"name": "corp", "tenantUrl": "https://corp.okta.com", "referenceId": "corp-ref"},
                {
                    "name": "contractors",
                    "tenantUrl": "https://contractors.okta.com",
                    "active": False,
                    "accountId": OTHER_ACCOUNT,
                    "adopt": True,
                },
                {
                    "name": "adopted",
                    "tenantUrl": "https://adopted.okta.com",
                    "referenceId": "adopted-ref",
                    "integrationId": "6c0f3b1e-2d4a-4f5b-8e9c-7a1b2c3d4e5f",
                    "onDelete": "delete",
                },
            ],
        }
    )
    assert mocks.registered() == [
        (BEHAVIORS_TYPE, "risk-behaviors", {"account_id": ACCOUNT, "behaviors": behaviors, "on_delete": "retain"}),
        integration(
            "adopted",
            "https://adopted.okta.com",
            reference_id="adopted-ref",
            integration_id="6c0f3b1e-2d4a-4f5b-8e9c-7a1b2c3d4e5f",
            on_delete="delete",
        ),
        integration(
            "contractors",
            "https://contractors.okta.com",
            OTHER_ACCOUNT,
            active=False,
            adopt=True,
            reference_seed="zt-risk-scoring/test/contractors",
        ),
        integration("corp", "https://corp.okta.com", reference_id="corp-ref"),
    ]


def test_program_connection_of_the_project_and_of_an_item_name_each_resources_connection(mocks: Mocks) -> None:
    behaviors = {"imp_travel": {"enabled": True, "risk_level": "high"}}
    run_program(
        {
            "prod:accountId": ACCOUNT,
            "staging:accountId": OTHER_ACCOUNT,
            "zt-risk-scoring:connection": "prod",
            "zt-risk-scoring:behaviors": behaviors,
            "zt-risk-scoring:integrations": [
                {"name": "corp", "tenantUrl": "https://corp.okta.com", "referenceId": "corp-ref"},
                {"name": "stg", "tenantUrl": "https://stg.okta.com", "referenceId": "stg-ref", "connection": "staging"},
            ],
        }
    )
    assert mocks.registered() == [
        (BEHAVIORS_TYPE, "risk-behaviors", {"account_id": ACCOUNT, "behaviors": behaviors, "on_delete": "restore",
                                            "connection": "prod"}),
        integration("corp", "https://corp.okta.com", reference_id="corp-ref", connection="prod"),
        integration("stg", "https://stg.okta.com", OTHER_ACCOUNT, reference_id="stg-ref", connection="staging"),
    ]  # fmt: skip


def test_program_project_account_is_the_default_connections_only(mocks: Mocks) -> None:
    run_program(
        {
            "zt-risk-scoring:accountId": ACCOUNT,
            "staging:accountId": OTHER_ACCOUNT,
            "zt-risk-scoring:integrations": [
                {"name": "corp", "tenantUrl": "https://corp.okta.com", "referenceId": "corp-ref"},
                {"name": "stg", "tenantUrl": "https://stg.okta.com", "referenceId": "stg-ref", "connection": "staging"},
            ],
        }
    )
    assert mocks.registered() == [
        integration("corp", "https://corp.okta.com", reference_id="corp-ref"),
        integration("stg", "https://stg.okta.com", OTHER_ACCOUNT, reference_id="stg-ref", connection="staging"),
    ]


def test_program_empty_config_registers_nothing(mocks: Mocks) -> None:
    run_program({"cloudflare:accountId": ACCOUNT})
    assert mocks.registered() == []


def test_program_reference_from_takes_referenced_stack_output(mocks: Mocks) -> None:
    mocks.idp_outputs["euIdpId"] = "eu-idp"
    run_program(
        {
            "cloudflare:accountId": ACCOUNT,
            "zt-risk-scoring:integrations": [
                {"name": "corp", "tenantUrl": "https://corp.okta.com", "referenceFrom": f"{IDP_STACK}#oktaIdpId"},
                {"name": "eu", "tenantUrl": "https://eu.okta.com", "referenceFrom": f"{IDP_STACK}#euIdpId"},
            ],
        }
    )
    assert mocks.registered() == [
        integration("corp", "https://corp.okta.com", reference_id=IDP_ID),
        integration("eu", "https://eu.okta.com", reference_id="eu-idp"),
        (STACK_REFERENCE_TYPE, IDP_STACK, {"name": IDP_STACK}),  # one per stack, however many items use it
    ]


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        ({}, rf"integrations\[0\] \(corp\)\.referenceFrom: stack {IDP_STACK} has no output 'oktaIdpId'\. Apply"),
        ({"oktaIdpId": {"id": IDP_ID}}, r"output 'oktaIdpId' of stack .* is a map; export the identity provider's id"),
    ],
    ids=["output-missing", "output-not-string"],
)
def test_program_reference_from_unusable_output_fails_naming_item(
    mocks: Mocks, outputs: dict[str, Any], expected: str
) -> None:
    mocks.idp_outputs = outputs
    items = [{"name": "corp", "tenantUrl": "https://corp.okta.com", "referenceFrom": f"{IDP_STACK}#oktaIdpId"}]
    with pytest.raises(pulumi.RunError, match=expected):
        run_program({"cloudflare:accountId": ACCOUNT, "zt-risk-scoring:integrations": items})
    assert INTEGRATION_TYPE not in [r[0] for r in mocks.registered()]


CORP = {"name": "corp", "tenantUrl": "https://corp.okta.com"}
ITEMS = "zt-risk-scoring:integrations"
MALFORMED: list[tuple[str, dict[str, Any], str]] = [
    ("item-string", {ITEMS: ["corp"]}, r"integrations\[0\] is a string; each item must be a map like \{name: corp"),
    (
        "item-list",
        {ITEMS: [["corp", "https://corp.okta.com"]]},
        r"integrations\[0\] is a list; each item must be a map",
    ),
    ("item-number", {ITEMS: [CORP, 7]}, r"integrations\[1\] is a number; each item must be a map"),
    ("integrations-map", {ITEMS: {"corp": CORP}}, r"integrations must be a list of maps like .*; got a map"),
    ("integrations-string", {ITEMS: "corp"}, r"integrations must be a list of maps like .*; got a string"),
    ("behaviors-list", {"zt-risk-scoring:behaviors": ["imp_travel"]}, r"behaviors must be a non-empty map .*a list"),
    ("behaviors-empty", {"zt-risk-scoring:behaviors": {}}, r"behaviors must be a non-empty map .*; got a map"),
    (
        "unknown-item-key",
        {ITEMS: [{**CORP, "tenant_url": "https://x.okta.com"}]},
        r"integrations\[0\] \(corp\): unknown key\(s\) tenant_url; known keys: accountId, active",
    ),
    (
        "unknown-config-key",
        {"zt-risk-scoring:identityProviders": ["corp-okta"]},
        r"unknown config key\(s\) zt-risk-scoring:identityProviders; known keys: zt-risk-scoring:accountId",
    ),
    ("name-missing", {ITEMS: [{"tenantUrl": "https://corp.okta.com"}]}, r"\[0\]: name must be a non-empty string"),
    ("name-number", {ITEMS: [{**CORP, "name": 3}]}, r"\[0\]: name must be a non-empty string"),
    ("tenant-missing", {ITEMS: [{"name": "corp"}]}, r"\[0\] \(corp\): needs tenantUrl"),
    ("name-twice", {ITEMS: [CORP, CORP]}, r"\[1\] \(corp\): name 'corp' is already used by item 0"),
    (
        "reference-both",
        {ITEMS: [{**CORP, "referenceId": "r", "referenceFrom": f"{IDP_STACK}#oktaIdpId"}]},
        r"set referenceId or referenceFrom, not both",
    ),
    (
        "reference-from-no-output",
        {ITEMS: [{**CORP, "referenceFrom": IDP_STACK}]},
        r"referenceFrom must be <organization>",
    ),
    (
        "reference-from-short-stack",
        {ITEMS: [{**CORP, "referenceFrom": "prod#oktaIdpId"}]},
        r"referenceFrom must be <org",
    ),
    ("reference-from-empty-part", {ITEMS: [{**CORP, "referenceFrom": "org//prod#x"}]}, r"referenceFrom must be <org"),
    ("reference-from-number", {ITEMS: [{**CORP, "referenceFrom": 5}]}, r"referenceFrom must be <organization>.*got 5"),
    ("retain-string", {ITEMS: [{**CORP, "retainOnDelete": "false"}]}, r"retainOnDelete must be true or false"),
]


@pytest.mark.parametrize(("config", "expected"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_program_malformed_config_fails_with_message_before_registering(
    mocks: Mocks, config: dict[str, Any], expected: str
) -> None:
    with pytest.raises(pulumi.RunError, match=expected):
        run_program({"cloudflare:accountId": ACCOUNT, **config})
    assert mocks.registered() == []


def test_program_malformed_config_reports_every_problem(mocks: Mocks) -> None:
    config = {"zt-risk-scoring:behaviours": {}, ITEMS: [{"name": "corp"}, "contractors"]}
    with pytest.raises(pulumi.RunError) as raised:
        run_program({"cloudflare:accountId": ACCOUNT, **config})
    assert [line.split(" ", 1)[0] for line in str(raised.value).splitlines()] == [
        "unknown",
        "zt-risk-scoring:integrations[0]",
        "zt-risk-scoring:integrations[1]",
    ]


def test_behaviors_overlapping_keys_rejected_at_construction(mocks: Mocks) -> None:
    def construct() -> None:
        RiskBehaviors("first", behaviors={"imp_travel": {"enabled": True, "risk_level": "high"}}, account_id=ACCOUNT)
        with pytest.raises(ValueError, match=r"'imp_travel' of account .* already managed by RiskBehaviors 'first'"):
            RiskBehaviors(
                "second", behaviors={"imp_travel": {"enabled": False, "risk_level": "low"}}, account_id=ACCOUNT
            )

    in_runtime(construct)()
    assert [r[1] for r in mocks.registered()] == ["first"]


def test_behaviors_thousands_of_unknown_keys_warn_in_one_short_line(
    mocks: Mocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, resource=None: said.append(message))
    unknown = {f"behavior_{n:04}": {"enabled": True, "risk_level": "low"} for n in range(3000)}

    def construct() -> None:
        RiskBehaviors("many", behaviors=unknown, account_id=ACCOUNT)

    in_runtime(construct)()
    [warning] = said
    assert "'behavior_0000', 'behavior_0001'" in warning and len(warning) < 600


def test_integrations_of_one_name_under_two_components_deriving_one_reference_are_refused(mocks: Mocks) -> None:
    def construct() -> None:
        for team in ("team-a", "team-b"):
            parent = pulumi.ComponentResource("acme:index:Team", team)
            RiskIntegration(
                "okta", tenant_url="https://a.okta.com", account_id=ACCOUNT, opts=pulumi.ResourceOptions(parent=parent)
            )

    with pytest.raises(ClaimError, match="under another parent, has the same name and tenant"):
        in_runtime(construct)()
    assert [r[1] for r in mocks.registered() if r[0] == INTEGRATION_TYPE] == ["okta"]


def test_integrations_of_one_reference_through_two_connections_of_one_account_are_refused(mocks: Mocks) -> None:
    pulumi.runtime.set_all_config({"prod:accountId": ACCOUNT, "prod-admin:accountId": ACCOUNT})

    def construct() -> None:
        for connection in ("prod", "prod-admin"):
            RiskIntegration(f"okta-{connection}", tenant_url="https://a.okta.com", reference_id="idp-1",
                            connection=connection)  # fmt: skip

    with pytest.raises(
        ClaimError, match=r"reference_id 'idp-1' of account .* is already that of RiskIntegration 'okta-prod'"
    ):
        in_runtime(construct)()


def test_integration_with_one_reference_in_the_next_mocks_run_is_allowed(mocks: Mocks) -> None:
    def construct() -> None:
        RiskIntegration("okta", tenant_url="https://a.okta.com", reference_id="idp-1", account_id=ACCOUNT)

    in_runtime(construct)()
    pulumi.runtime.set_mocks(Mocks(), project="zt-risk-scoring", stack="test", preview=False)  # a user's next test
    in_runtime(construct)()


def test_behaviors_disjoint_keys_allowed(mocks: Mocks) -> None:
    def construct() -> None:
        RiskBehaviors("first", behaviors={"imp_travel": {"enabled": True, "risk_level": "high"}}, account_id=ACCOUNT)
        RiskBehaviors("second", behaviors={"high_dlp": {"enabled": True, "risk_level": "low"}}, account_id=ACCOUNT)

    in_runtime(construct)()
    assert [r[1] for r in mocks.registered()] == ["first", "second"]


@pytest.mark.parametrize(("connection", "expected"), [(None, "cloudflare"), ("prod", "prod")], ids=["default", "named"])
def test_resources_connection_output_is_the_connection_named_or_the_default(
    mocks: Mocks, connection: str | None, expected: str
) -> None:
    # The default is not registered (0.2.0 state stays as it was), yet the attribute a program reads is there.
    pulumi.runtime.set_all_config({"prod:accountId": ACCOUNT})
    named = {"connection": connection} if connection else {}

    def construct() -> None:
        okta = RiskIntegration("okta", tenant_url="https://a.okta.com", account_id=ACCOUNT, **named)
        behaviors = RiskBehaviors("b", behaviors={}, account_id=ACCOUNT, **named)
        pulumi.Output.all(okta.connection, behaviors.connection).apply(
            lambda found: assert_equal(found, [expected, expected])
        )

    in_runtime(construct)()


def assert_equal(found: object, expected: object) -> None:
    assert found == expected
