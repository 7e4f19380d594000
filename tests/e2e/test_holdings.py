"""Under the real CLI: two resources of one program never manage one integration, however each names it (by
integration_id, by reference_id with adopt, by a derived reference_id), even where only the API can tell."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ACCOUNT
from tests.e2e.declared import CHOSEN, TENANT, Declared, behaviors, integration
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.models import IntegrationSpec
from zt_risk_scoring.reference import generated_reference_id


def assert_refused_without_writes(stack: Declared, control_writes: Any, *expected: str) -> None:
    """Preview and up fail naming the clash; nothing is written, and no two resources in state hold one id.

    (The engine goes on with the resources whose check passed: the first of the two may be adopted as it is.)
    """
    writes = control_writes()
    for result in (stack.run("preview", check=False), stack.up(check=False)):
        assert result.returncode != 0, result.stdout
        assert all(text in result.stdout for text in expected), result.stdout
    held = [r["id"] for r in stack.integrations()]
    assert (control_writes(), len(held)) == (writes, len(set(held)))


def test_by_id_and_by_reference_with_adopt_in_one_program_are_refused(
    declared: Declared, client: RiskScoringClient, control: Any
) -> None:
    found = client.create_integration(IntegrationSpec(TENANT, CHOSEN))
    declared.declare(
        integration(name="by-id", integration_id=found.id),
        integration(name="by-reference", reference_id=CHOSEN, adopt=True),
    )
    assert_refused_without_writes(declared, control.writes, "would both manage the integration", "'by-reference'")
    assert [(i.id, i.tenant_url) for i in client.list_integrations()] == [(found.id, TENANT)]


def test_second_resource_adopting_what_the_first_holds_is_refused_before_any_write(
    declared: Declared, client: RiskScoringClient, control: Any
) -> None:
    found = client.create_integration(IntegrationSpec(TENANT, CHOSEN))
    declared.declare(integration(name="by-id", integration_id=found.id))
    declared.up()
    declared.declare(
        integration(name="by-id", integration_id=found.id),
        integration(name="late", reference_id=CHOSEN, adopt=True, tenant_url="https://late.okta.com"),
    )
    assert_refused_without_writes(declared, control.writes, "would both manage the integration", "'late'")
    assert client.get_integration(found.id).tenant_url == TENANT


def test_derived_and_explicit_reference_of_one_value_are_refused(
    declared: Declared, client: RiskScoringClient, control: Any
) -> None:
    declared.declare(integration(name="derived"))
    declared.up()
    derived = declared.integrations()[0]["outputs"]["reference_id"]
    assert derived == generated_reference_id("organization/zt-risk-scoring/e2e/derived", ACCOUNT, TENANT)
    declared.declare(integration(name="derived"), integration(name="copy", reference_id=derived))
    assert_refused_without_writes(declared, control.writes, "would both manage the integration", "'copy'")


@pytest.mark.parametrize("how", ["reference-and-adopt", "integration-id"])
def test_adopting_an_integration_derived_for_another_resource_is_refused(
    declared: Declared, client: RiskScoringClient, control: Any, how: str
) -> None:
    declared.declare(integration(name="derived"))
    declared.up()
    live = declared.integrations()[0]
    # The program drops `derived` and adopts its integration under another name, without an alias.
    args = (
        {"reference_id": live["outputs"]["reference_id"], "adopt": True}
        if how == "reference-and-adopt"
        else {"integration_id": live["id"]}
    )
    declared.declare(integration(name="renamed", **args))
    result = declared.up(check=False)
    assert result.returncode != 0 and "derived for a resource of another stack" in result.stdout, result.stdout
    assert [i.id for i in client.list_integrations()] == [live["id"]]



def test_up_after_two_resources_landed_on_one_integration_sets_it_to_the_one_kept(
    declared: Declared, client: RiskScoringClient, control: Any
) -> None:
    # The engine checks resources in the order their registrations arrive: `late` arrives first (`by-id` waits
    # for `slow`, whose update is slowed), adopts the integration and writes it, and only then is `by-id`'s
    # check refused. Both are in state; the user keeps `by-id`. Its diff sees no change (its state says what it
    # set), so the delete of `late`, which leaves the integration to `by-id`, must put back what `by-id` holds.
    found = client.create_integration(IntegrationSpec("https://before.okta.com", CHOSEN))
    kept = integration(name="by-id", integration_id=found.id, opts={"depends_on": ["slow"]})
    declared.declare(behaviors("slow", behaviors={"imp_travel": {"enabled": True, "risk_level": "high"}}), kept)
    declared.up()
    control.post("faults", {"rules": [{"mode": "delay", "delay_s": 6, "operations": ["update_behaviors"]}]})
    late = integration(name="late", reference_id=CHOSEN, adopt=True, tenant_url="https://late.okta.com")
    slowed = behaviors("slow", behaviors={"imp_travel": {"enabled": True, "risk_level": "low"}})
    declared.declare(slowed, kept, late)
    assert declared.up(check=False).returncode != 0
    control.post("faults", {"rules": []})
    assert sorted(r["urn"].rsplit("::", 1)[-1] for r in declared.integrations()) == ["by-id", "late"]
    assert client.get_integration(found.id).tenant_url == "https://late.okta.com"
    declared.declare(slowed, kept)
    declared.up()
    assert client.get_integration(found.id).tenant_url == TENANT
    declared.run("refresh", "--yes", "--skip-preview")
    declared.run("preview", "--expect-no-changes")
