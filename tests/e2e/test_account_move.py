"""Under the real CLI: moving a resource to another account replaces it (delete, then create there), so whatever
would make the create fail there is refused at check, at preview and at up, before anything is deleted."""

from __future__ import annotations

import pytest

from tests.conftest import OTHER_ACCOUNT, SCOPED_TOKEN, TOKEN
from tests.e2e.declared import CHOSEN, TENANT, Declared, behaviors, integration
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

HIGH = {"enabled": True, "risk_level": "high"}
ACCOUNT_ONLY = {"CLOUDFLARE_API_TOKEN": SCOPED_TOKEN}


@pytest.fixture
def other(emulator: EmulatorServer) -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=emulator.base_url, token=TOKEN), OTHER_ACCOUNT)


def assert_refused_everywhere(stack: Declared, env: dict[str, str] | None, reason: str) -> None:
    """`preview` and `up` both fail naming `reason`; the stack's state is as it was."""
    before = stack.ours()
    preview = stack.run("preview", check=False, env=env)
    up = stack.up(check=False, env=env)
    for result in (preview, up):
        assert result.returncode != 0 and reason in result.stdout, result.stdout
    assert stack.ours() == before


def test_move_of_integration_adopted_by_id_is_refused_before_the_delete(
    declared: Declared, client: RiskScoringClient, other: RiskScoringClient
) -> None:
    adopted = client.create_integration(IntegrationSpec(TENANT, CHOSEN))
    declared.declare(integration(integration_id=adopted.id))
    declared.up()
    declared.declare(integration(integration_id=adopted.id, account_id=OTHER_ACCOUNT))
    assert_refused_everywhere(declared, None, f"integration_id {adopted.id} does not exist in account {OTHER_ACCOUNT}")
    assert [i.id for i in client.list_integrations()] == [adopted.id] and other.list_integrations() == []


def test_move_to_an_account_whose_reference_id_is_taken_is_refused_before_the_delete(
    declared: Declared, client: RiskScoringClient, other: RiskScoringClient
) -> None:
    declared.declare(integration(reference_id=CHOSEN))
    declared.up()
    theirs = other.create_integration(IntegrationSpec("https://theirs.okta.com", CHOSEN))
    declared.declare(integration(reference_id=CHOSEN, account_id=OTHER_ACCOUNT))
    assert_refused_everywhere(declared, None, f"integration {theirs.id} already has reference_id {CHOSEN}")
    assert [i.reference_id for i in client.list_integrations()] == [CHOSEN]
    assert [i.id for i in other.list_integrations()] == [theirs.id]


@pytest.mark.parametrize("kind", ["integration", "behaviors"])
def test_move_to_an_account_the_token_cannot_reach_is_refused_before_the_delete(
    declared: Declared, client: RiskScoringClient, kind: str
) -> None:
    client.update_behaviors({"imp_travel": BehaviorSetting(False, "low")})
    item = integration(reference_id=CHOSEN) if kind == "integration" else behaviors("b", behaviors={"imp_travel": HIGH})
    declared.declare(item)
    declared.up(env=ACCOUNT_ONLY)
    live_before = (client.list_integrations(), client.get_behaviors()["imp_travel"].setting)
    item["args"]["account_id"] = OTHER_ACCOUNT
    declared.declare(item)
    assert_refused_everywhere(declared, ACCOUNT_ONLY, f"no access to account {OTHER_ACCOUNT}")
    assert (client.list_integrations(), client.get_behaviors()["imp_travel"].setting) == live_before


def test_move_of_integration_that_can_be_made_there_leaves_exactly_one(
    declared: Declared, client: RiskScoringClient, other: RiskScoringClient
) -> None:
    declared.declare(integration(reference_id=CHOSEN, adopt=True))
    declared.up()
    declared.declare(integration(reference_id=CHOSEN, adopt=True, account_id=OTHER_ACCOUNT))
    declared.up()
    assert client.list_integrations() == []
    assert [i.reference_id for i in other.list_integrations()] == [CHOSEN]
    declared.up("--expect-no-changes")
