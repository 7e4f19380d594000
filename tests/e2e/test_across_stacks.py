"""Under the real CLI, two stacks (two projects) on one account: one stack's destroy never deletes what the other
created; an integration derived for another stack's resource is not adopted at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ACCOUNT, TOKEN
from tests.e2e.declared import CHOSEN, PROGRAM, TENANT, Declared, integration
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer


def team(tmp_path: Path, emulator: EmulatorServer, name: str) -> Declared:
    stack = Declared(tmp_path / name, env={"CLOUDFLARE_API_TOKEN": TOKEN}, program=PROGRAM, project=name)
    stack.set_config({"cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": ACCOUNT})
    return stack


@pytest.mark.parametrize("how", ["reference-and-adopt", "integration-id"])
def test_destroy_of_a_stack_that_adopted_another_stacks_integration_gives_it_back(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient, how: str
) -> None:
    owner, borrower = team(tmp_path, emulator, "team-a"), team(tmp_path, emulator, "team-b")
    owner.declare(integration(reference_id=CHOSEN))
    owner.up()
    made = owner.integrations()[0]["id"]
    args = {"reference_id": CHOSEN, "adopt": True} if how == "reference-and-adopt" else {"integration_id": made}
    borrower.declare(integration(active=False, **args))
    borrower.up()
    assert client.get_integration(made).active is False
    borrower.destroy()
    live = client.get_integration(made)  # still there, with the values it had when team-b took it
    assert (live.tenant_url, live.reference_id, live.active) == (TENANT, CHOSEN, True)
    owner.run("preview", "--refresh", "--expect-no-changes")


@pytest.mark.parametrize("how", ["reference-and-adopt", "integration-id"])
def test_adopting_an_integration_derived_for_another_stack_is_refused(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient, how: str
) -> None:
    owner, borrower = team(tmp_path, emulator, "team-a"), team(tmp_path, emulator, "team-b")
    owner.declare(integration())
    owner.up()
    made = owner.integrations()[0]
    reference = made["outputs"]["reference_id"]
    args = (
        {"reference_id": reference, "adopt": True} if how == "reference-and-adopt" else {"integration_id": made["id"]}
    )
    borrower.declare(integration(active=False, **args))
    refused = borrower.up(check=False)
    assert refused.returncode != 0 and "derived for a resource of another stack" in refused.stdout, refused.stdout
    assert [(i.id, i.active) for i in client.list_integrations()] == [(made["id"], True)]
    assert borrower.integrations() == []
