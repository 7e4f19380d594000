"""Under the real CLI: the values RiskBehaviors gives back on destroy are the account's before the stack took the
keys, recorded once; an odd read or write answer never replaces them, and a key someone changed since is left.
An adopted RiskIntegration never gets back a reference_id another integration has taken since."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ACCOUNT, TOKEN, changed_elsewhere
from tests.e2e.declared import PROGRAM, Declared, behaviors, integration
from tests.e2e.proxy import AnswerRule, RewritingProxy
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

ORIGINAL = BehaviorSetting(False, "low")
HIGH = {"enabled": True, "risk_level": "high"}
MEDIUM = {"enabled": True, "risk_level": "medium"}


def travel(client: RiskScoringClient) -> BehaviorSetting:
    return client.get_behaviors()["imp_travel"].setting


@pytest.fixture
def through_proxy(
    declared: Declared, proxy: RewritingProxy, emulator: EmulatorServer, client: RiskScoringClient
) -> Declared:
    """The declared stack through the proxy, imp_travel at ORIGINAL before it takes the key."""
    client.update_behaviors({"imp_travel": ORIGINAL})
    declared.set_config({"cloudflare:baseUrl": proxy.base_url(emulator.base_url), "cloudflare:accountId": ACCOUNT})
    declared.declare(behaviors("risk", behaviors={"imp_travel": HIGH}))
    return declared


def _behaviors_answer(method: str, rewrite: Any) -> AnswerRule:
    def rule(seen: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        return rewrite(status, body) if seen == method and path.endswith("/behaviors") else (status, body)

    return rule


def _without_travel(status: int, body: Any) -> tuple[int, Any]:
    del body["result"]["behaviors"]["imp_travel"]
    return status, body


def test_refresh_whose_answer_lacks_a_declared_key_fails_and_destroy_still_restores_the_original(
    through_proxy: Declared, proxy: RewritingProxy, client: RiskScoringClient
) -> None:
    through_proxy.up()
    before = through_proxy.ours()
    proxy.answer_rule = _behaviors_answer("GET", _without_travel)
    refreshed = through_proxy.refresh(check=False)
    assert refreshed.returncode != 0 and "has no behavior 'imp_travel'" in refreshed.stdout, refreshed.stdout
    assert through_proxy.ours() == before  # nothing recorded from that answer
    proxy.answer_rule = None
    through_proxy.up()  # a later up never reads "what was there before" again
    through_proxy.destroy()
    assert travel(client) == ORIGINAL


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda status, body: (status, {**body, "result": {"behaviors": {}}}), id="empty-behaviors"),
        pytest.param(lambda status, body: (status, {**body, "result": {}}), id="empty-result"),
        pytest.param(lambda status, body: (200, {**body, "success": False, "errors": []}), id="success-false"),
    ],
)
def test_up_whose_write_answer_does_not_show_it_reads_back_and_records_the_account(
    through_proxy: Declared, proxy: RewritingProxy, client: RiskScoringClient, answer: Any
) -> None:
    proxy.answer_rule = _behaviors_answer("PUT", answer)
    through_proxy.up()
    proxy.answer_rule = None
    outputs = next(r["outputs"] for r in through_proxy.resources() if r["type"].endswith("RiskBehaviors"))
    assert (outputs["behaviors"], outputs["prior"]) == ({"imp_travel": HIGH}, {"imp_travel": ORIGINAL.to_api()})
    through_proxy.run("preview", "--expect-no-changes")
    through_proxy.destroy()
    assert travel(client) == ORIGINAL


def test_destroy_leaves_a_key_someone_changed_since_and_warns(declared: Declared, client: RiskScoringClient) -> None:
    client.update_behaviors({"imp_travel": ORIGINAL, "high_dlp": ORIGINAL})
    declared.declare(behaviors("risk", behaviors={"imp_travel": HIGH, "high_dlp": HIGH}))
    declared.up()
    changed_elsewhere(client, {"imp_travel": BehaviorSetting(True, "medium")})  # a person, in the dashboard
    destroyed = declared.destroy()
    assert "behaviors changed since this stack set them (imp_travel=" in destroyed.stdout, destroyed.stdout
    assert (travel(client), client.get_behaviors()["high_dlp"].setting) == (BehaviorSetting(True, "medium"), ORIGINAL)


def test_two_stacks_of_one_key_never_write_a_value_over_the_others(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    client.update_behaviors({"imp_travel": ORIGINAL})
    stacks = []
    for name, value in (("team-a", HIGH), ("team-b", MEDIUM)):
        stack = Declared(tmp_path / name, env={"CLOUDFLARE_API_TOKEN": TOKEN}, program=PROGRAM, project=name)
        stack.set_config({"cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": ACCOUNT})
        stack.declare(behaviors("risk", behaviors={"imp_travel": value}))
        stack.up()
        stacks.append(stack)
    first, second = stacks
    destroyed = first.destroy()  # the key holds team-b's value: team-a leaves it
    assert "imp_travel=" in destroyed.stdout and travel(client) == BehaviorSetting(True, "medium")
    second.destroy()  # team-b gives back what it found: team-a's value (docs/resources.md, "Across stacks")
    assert travel(client) == BehaviorSetting(True, "high")


@pytest.mark.parametrize("delete", ["destroy", "up-without-it"])
def test_delete_of_an_adopted_integration_whose_earlier_reference_id_was_taken_keeps_its_own(
    declared: Declared, client: RiskScoringClient, delete: str
) -> None:
    # Giving it back would make two integrations of one reference_id where the API takes that PUT, and fail
    # every delete where it refuses it (whether it does is open): the other fields are given back.
    found = client.create_integration(IntegrationSpec("https://before.okta.com", "idp-before"))
    declared.declare(integration("okta", integration_id=found.id, reference_id="idp-mine"))
    declared.up()
    other = client.create_integration(IntegrationSpec("https://other.okta.com", "idp-before"))
    if delete == "destroy":
        result = declared.destroy()
    else:
        declared.declare()
        result = declared.up()
    assert sorted((i.id, i.tenant_url, i.reference_id) for i in client.list_integrations()) == sorted(
        [(found.id, "https://before.okta.com", "idp-mine"), (other.id, "https://other.okta.com", "idp-before")]
    )
    assert f"now that of integration {other.id}" in result.stdout, result.stdout
