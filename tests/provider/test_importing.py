"""The import plan: entries the engine stores as they are, matching what the generated program registers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from tests.conftest import ACCOUNT, OTHER_ACCOUNT, Control, configured, settings_for
from zt_risk_scoring import RiskBehaviors
from zt_risk_scoring.behaviors import RiskBehaviorsProvider
from zt_risk_scoring.claims import forget_claims
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError, NotFound
from zt_risk_scoring.exporting.entries import ImportEntry
from zt_risk_scoring.exporting.import_file import existing_problem
from zt_risk_scoring.exporting.naming import resource_name
from zt_risk_scoring.exporting.plan import BEHAVIORS_NAME, META_KEY, ImportPlan, Managed, build_plan, managed_in
from zt_risk_scoring.integration import RiskIntegration, RiskIntegrationProvider
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec
from zt_risk_scoring.pulumi_private import type_token

GONE = "9c9e6b1d-0a3f-4e2b-8c7d-6e5f4a3b2c1d"

PROVIDERS = {RiskIntegration: RiskIntegrationProvider, RiskBehaviors: RiskBehaviorsProvider}


class Mocks(pulumi.runtime.Mocks):
    """Records what a program registers."""

    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def client(emulator: EmulatorServer) -> RiskScoringClient:
    api = RiskScoringClient(settings_for(emulator), ACCOUNT)
    api.update_behaviors({"imp_travel": BehaviorSetting(True, "medium")})
    api.create_integration(IntegrationSpec("https://alpha.okta.com", "idp-0"))
    made = api.create_integration(IntegrationSpec("https://beta.okta.com", "idp-1"))
    api.update_integration(made.id, IntegrationSpec("https://beta.okta.com", "idp-1", active=False))
    return api


@pytest.fixture
def plan(client: RiskScoringClient) -> ImportPlan:
    return build_plan(client, behaviors="all")


@pytest.fixture
def registered(plan: ImportPlan) -> Iterator[dict[str, pulumi.runtime.MockResourceArgs]]:
    """The plan's program code run under mocks: resource name -> what it registered."""
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project="zt-risk-scoring", stack="test", preview=False)
    forget_claims()

    def run() -> None:
        exec(compile(plan.python(), "imported.py", "exec"), {})

    # pulumi.runtime.test runs it and waits for every registration; the SDK leaves it untyped.
    test: Any = pulumi.runtime.test
    test(run)()
    yield {args.name: args for args in mocks.registered}
    forget_claims()


def entry_ids(plan: ImportPlan) -> list[str]:
    return sorted(entry.name for entry in plan.entries)


def test_import_entry_provider_is_what_program_registers(
    plan: ImportPlan, registered: dict[str, pulumi.runtime.MockResourceArgs]
) -> None:
    assert {e.name: e.inputs["__provider"] for e in plan.entries} == {
        name: args.inputs["__provider"] for name, args in registered.items()
    }


def test_import_entry_type_is_what_program_registers(
    plan: ImportPlan, registered: dict[str, pulumi.runtime.MockResourceArgs]
) -> None:
    assert {e.name: type_token(e.resource) for e in plan.entries} == {n: a.typ for n, a in registered.items()}


def test_import_entry_inputs_are_what_check_makes_of_program_registration(
    plan: ImportPlan, registered: dict[str, pulumi.runtime.MockResourceArgs]
) -> None:
    for entry in plan.entries:
        news = dict(registered[entry.name].inputs)
        checked = PROVIDERS[entry.resource]().check(entry.inputs, news)
        # The entry also names the id it imports, which check compares with the account (the program does not).
        expected = {**entry.inputs, "imported_id": entry.id}
        assert (checked.failures, {**checked.inputs, "__provider": news["__provider"], "imported_id": entry.id}) == (
            [],
            expected,
        )


def test_import_entry_diff_against_program_has_no_changes(
    plan: ImportPlan, registered: dict[str, pulumi.runtime.MockResourceArgs]
) -> None:
    for entry in plan.entries:
        provider = PROVIDERS[entry.resource]()
        checked = provider.check(entry.inputs, dict(registered[entry.name].inputs)).inputs
        assert provider.diff(entry.id, entry.outputs, checked).changes is False, entry.name


def test_import_entry_outputs_are_what_read_returns(plan: ImportPlan, client: RiskScoringClient) -> None:
    behaviors = next(e for e in plan.entries if e.resource is RiskBehaviors)
    assert behaviors.outputs["prior"] == behaviors.outputs["behaviors"] == behaviors.inputs["behaviors"]
    beta = next(e for e in plan.entries if e.name == "beta-okta-com")
    assert beta.outputs["active"] is False
    assert beta.outputs["well_known_url"] == client.get_integration(beta.id).well_known_url


def test_build_plan_names_from_tenant_hosts(plan: ImportPlan) -> None:
    assert entry_ids(plan) == ["alpha-okta-com", "beta-okta-com", BEHAVIORS_NAME]


def test_build_plan_names_stable_across_runs(plan: ImportPlan, client: RiskScoringClient) -> None:
    assert json.dumps(build_plan(client, behaviors="all").document()) == json.dumps(plan.document())


def test_build_plan_same_host_names_unique(client: RiskScoringClient) -> None:
    client.create_integration(IntegrationSpec("https://alpha.okta.com", "idp-9"))
    assert entry_ids(build_plan(client)) == ["alpha-okta-com", "alpha-okta-com-2", "beta-okta-com"]


def test_build_plan_unknown_integration_raises_not_found(client: RiskScoringClient) -> None:
    with pytest.raises(NotFound, match="no such integration in account"):
        build_plan(client, only=["4cfe8442-664b-4915-acd4-b39cd65c4314"])


def test_build_plan_unknown_behavior_raises_not_found(client: RiskScoringClient) -> None:
    with pytest.raises(NotFound, match="'typo' is not a behavior"):
        build_plan(client, behaviors="imp_travel,typo")


def test_build_plan_chosen_behaviors_only(client: RiskScoringClient) -> None:
    entry = build_plan(client, behaviors="imp_travel").entries[0]
    assert entry.inputs["behaviors"] == {"imp_travel": {"enabled": True, "risk_level": "medium"}}


def test_build_plan_leaves_out_what_stack_manages(client: RiskScoringClient) -> None:
    alpha = next(i for i in client.list_integrations() if i.tenant_url == "https://alpha.okta.com")
    managed = Managed({alpha.id: "okta"}, {"imp_travel": "behaviors"}, frozenset({"okta", "beta-okta-com"}))
    notes: list[str] = []
    plan = build_plan(client, behaviors="all", managed=managed, note=notes.append)
    assert entry_ids(plan) == ["beta-okta-com-2", BEHAVIORS_NAME]
    assert "imp_travel" not in plan.entries[0].inputs["behaviors"]
    assert any("already managed by the stack as 'okta'" in n for n in notes)


def test_managed_in_reads_stack_export() -> None:
    deployment = {
        "resources": [
            {"urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "type": "pulumi:pulumi:Stack"},
            {"urn": "urn:…::okta", "type": type_token(RiskIntegration), "id": "i-1", "inputs": {}},
            {
                "urn": "urn:…::b",
                "type": type_token(RiskBehaviors),
                "id": ACCOUNT,
                "inputs": {"account_id": ACCOUNT, "behaviors": {"imp_travel": {}}},
            },
            {
                "urn": "urn:…::other",
                "type": type_token(RiskBehaviors),
                "id": OTHER_ACCOUNT,
                "inputs": {"account_id": OTHER_ACCOUNT, "behaviors": {"high_dlp": {}}},
            },
        ]
    }
    managed = managed_in(deployment, ACCOUNT)
    assert (managed.integrations, managed.behaviors) == ({"i-1": "okta"}, {"imp_travel": "b"})


@pytest.mark.parametrize(
    ("tenant", "name"),
    [("https://Acme.okta.com", "acme-okta-com"), ("https://a-b.oktapreview.com/", "a-b-oktapreview-com")],
    ids=["upper-case", "trailing-slash"],
)
def test_resource_name_from_tenant_host(tenant: str, name: str) -> None:
    assert resource_name(tenant) == name


def test_entry_arguments_refuse_inputs_a_program_cannot_pass() -> None:
    entry = ImportEntry(RiskIntegration, "x", "id", {"reference_generated": True, "tenant_url": "https://a.b"}, {})
    with pytest.raises(Exception, match="reference_generated cannot be passed by a program"):
        entry.arguments()


EXISTING = {
    "other-account": (json.dumps({META_KEY: {"format": 1, "version": "0.1.0", "account_id": OTHER_ACCOUNT}}), True),
    "not-ours": ('{"resources": []}', True),
    "not-json": ("{", True),
    "older-version": (json.dumps({META_KEY: {"format": 0, "version": "0.0.1", "account_id": ACCOUNT}}), False),
}


@pytest.mark.parametrize(("text", "refused"), EXISTING.values(), ids=EXISTING.keys())
def test_existing_problem_refuses_files_it_must_not_replace(tmp_path: Path, text: str, refused: bool) -> None:
    path = tmp_path / "import.json"
    path.write_text(text)
    notes: list[str] = []
    problem = existing_problem(path, ACCOUNT, notes.append)
    assert (problem is not None, bool(notes)) == (refused, not refused)


def test_check_of_an_import_entry_whose_integration_is_not_in_the_account_raises(emulator: EmulatorServer) -> None:
    # `pulumi import` only warns about check failures: the entry's check fails the import instead.
    entry = {"account_id": ACCOUNT, "tenant_url": "https://gone.okta.com", "reference_id": "gone",
             "integration_id": GONE, "imported_id": GONE}  # fmt: skip
    with pytest.raises(ConfigurationError, match=f"the imported integration '{GONE}' does not exist"):
        configured(RiskIntegrationProvider(), emulator).check(entry, entry)


def test_diff_of_a_resource_whose_id_is_not_its_import_entrys_raises() -> None:
    olds = {"account_id": ACCOUNT, "tenant_url": "https://a.okta.com", "reference_id": "r", "imported_id": GONE}
    with pytest.raises(ConfigurationError, match="the import file was edited"):
        RiskIntegrationProvider().diff("0c2f5a4e-7d1b-4e8a-9c3f-5b6a7d8e9f01", olds, olds)


def test_check_of_an_import_entry_that_cannot_be_read_behind_a_gateway_raises(
    emulator: EmulatorServer, client: RiskScoringClient, control: Control
) -> None:
    real = client.create_integration(IntegrationSpec("https://gateway.okta.com", "idp-behind-gateway"))
    entry = {"account_id": ACCOUNT, "tenant_url": "https://gateway.okta.com", "reference_id": "idp-behind-gateway",
             "integration_id": real.id, "imported_id": GONE}  # fmt: skip
    redirect = {"mode": "redirect", "location": "http://127.0.0.1:9/", "count": 20, "operations": ["get_integration"]}
    control.post("faults", {"rules": [redirect]})
    with pytest.raises(ConfigurationError, match=f"the imported integration '{GONE}' could not be read"):
        configured(RiskIntegrationProvider(), emulator).check(entry, entry)
