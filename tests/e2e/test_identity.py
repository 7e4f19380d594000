"""Under the real CLI: no replacement, rename or API spelling deletes, rewrites or drops a live integration.

Each test has a stack of its own (the declared program) and a freshly reset emulator account.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from harness import ops, run_command
from tests.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN, Control
from tests.e2e.conftest import assert_state_is_account
from tests.e2e.declared import CHOSEN, PROGRAM, TENANT, URN_NAME, Declared, integration
from tests.e2e.proxy import RewritingProxy
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

HIGH = {"enabled": True, "risk_level": "high"}


@pytest.fixture
def other(emulator: EmulatorServer) -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=emulator.base_url, token=TOKEN), OTHER_ACCOUNT)


def assert_one_integration(stack: Declared, client: RiskScoringClient, reference_id: str, active: bool) -> None:
    """Exactly one integration, with these inputs, on the account and in state; refresh and up find nothing to do."""
    live = client.list_integrations()
    assert [(i.tenant_url, i.reference_id, i.active) for i in live] == [(TENANT, reference_id, active)]
    assert [r["id"] for r in stack.integrations()] == [live[0].id]
    stack.refresh("--expect-no-changes")
    assert_state_is_account(stack, client)


# The ways a resource gets its reference_id: (arguments, whether an integration exists beforehand).
IDENTITIES = [
    ("generated", {}, False),
    ("chosen", {"reference_id": CHOSEN}, False),
    ("chosen-adopt", {"reference_id": CHOSEN, "adopt": True}, True),
    ("by-id", {}, True),
]


@pytest.mark.parametrize("targeted", [False, True], ids=["replace", "replace-with-target"])
@pytest.mark.parametrize(("args", "exists"), [(a, e) for _, a, e in IDENTITIES], ids=[i for i, _, _ in IDENTITIES])
def test_replace_leaves_exactly_one_integration(
    declared: Declared, client: RiskScoringClient, args: dict[str, Any], exists: bool, targeted: bool
) -> None:
    if exists:
        found = client.create_integration(IntegrationSpec(TENANT, CHOSEN))
        args = args or {"integration_id": found.id}
    declared.declare(integration(**args))
    declared.up()
    before = declared.integrations()[0]
    urn = declared.urn(URN_NAME)
    declared.up("--replace", urn, *(["--target", urn] if targeted else []))
    # One this stack created is deleted and made again; one it adopted is given back and adopted again.
    assert (declared.integrations()[0]["id"] == before["id"]) is exists
    assert_one_integration(declared, client, before["outputs"]["reference_id"], active=True)


def test_replace_of_adopted_by_id_whose_integration_is_gone_refuses_at_check_and_deletes_nothing(
    declared: Declared, client: RiskScoringClient
) -> None:
    # `--replace` checks the program's inputs without the old ones: the adopted id, deleted outside Pulumi,
    # is all it names, so check refuses before the engine deletes (or gives back) anything.
    found = client.create_integration(IntegrationSpec(TENANT, CHOSEN))
    declared.declare(integration(integration_id=found.id))
    declared.up()
    client.delete_integration(found.id)
    kept = client.create_integration(IntegrationSpec(TENANT, "another-idp"))
    refused = declared.up("--replace", declared.urn(URN_NAME), check=False)
    assert refused.returncode != 0 and "set reference_id" in refused.stdout
    assert [i.id for i in client.list_integrations()] == [kept.id]


def test_replace_on_changes_updates_in_place(declared: Declared, client: RiskScoringClient) -> None:
    # The dynamic-provider protocol returns no changed keys, so the engine has nothing to match
    # replace_on_changes against: the change is an update of the same integration.
    declared.declare(integration(reference_id=CHOSEN))
    declared.up()
    before = declared.integrations()[0]["id"]
    declared.declare(integration(reference_id=CHOSEN, active=False, opts={"replace_on_changes": ["active"]}))
    assert ops(declared.preview()) == {URN_NAME: "update"}
    declared.up()
    assert declared.integrations()[0]["id"] == before
    assert_one_integration(declared, client, CHOSEN, active=False)


def test_replace_to_another_account_moves_the_integration(
    declared: Declared, client: RiskScoringClient, other: RiskScoringClient
) -> None:
    declared.declare(integration(reference_id=CHOSEN))
    declared.up()
    declared.declare(integration(reference_id=CHOSEN, account_id=OTHER_ACCOUNT))
    declared.up()
    assert client.list_integrations() == []
    assert [(i.reference_id, i.id) for i in other.list_integrations()] == [(CHOSEN, declared.integrations()[0]["id"])]


def through(stack: Declared, proxy: RewritingProxy, emulator: EmulatorServer) -> None:
    stack.set_config({"cloudflare:baseUrl": proxy.base_url(emulator.base_url), "cloudflare:accountId": ACCOUNT})


def _respelled(spelling: str | None) -> Any:
    def rule(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        result = body.get("result") if isinstance(body, dict) else None
        for item in result if isinstance(result, list) else [result] if isinstance(result, dict) else []:
            if "integration_type" in item:
                if spelling is None:
                    del item["integration_type"]
                else:
                    item["integration_type"] = spelling
        return status, body

    return rule


@pytest.mark.parametrize("spelling", ["okta", "OKTA", None], ids=["lower", "upper", "missing"])
def test_refresh_of_api_spelling_plans_no_replacement(
    declared: Declared,
    client: RiskScoringClient,
    proxy: RewritingProxy,
    emulator: EmulatorServer,
    spelling: str | None,
) -> None:
    declared.declare(integration(reference_id=CHOSEN))
    through(declared, proxy, emulator)
    declared.up()
    proxy.answer_rule = _respelled(spelling)
    declared.refresh()
    assert ops(declared.preview()) == {}
    declared.up("--expect-no-changes")
    assert [i.reference_id for i in client.list_integrations()] == [CHOSEN]


def _adopted_by_id(declared: Declared, client: RiskScoringClient) -> str:
    found = client.create_integration(IntegrationSpec(TENANT, CHOSEN))
    declared.declare(integration(integration_id=found.id))
    declared.up()
    return found.id


def test_stack_rename_after_integration_id_is_dropped_keeps_reference(
    declared: Declared, client: RiskScoringClient
) -> None:
    _adopted_by_id(declared, client)
    declared.declare(integration())
    declared.up("--expect-no-changes")
    declared.run("stack", "rename", "renamed")
    assert ops(declared.preview()) == {}
    declared.up("--expect-no-changes")
    assert [i.reference_id for i in client.list_integrations()] == [CHOSEN]


def test_alias_rename_after_integration_id_is_dropped_keeps_reference(
    declared: Declared, client: RiskScoringClient
) -> None:
    _adopted_by_id(declared, client)
    declared.declare(integration())
    declared.up("--expect-no-changes")
    declared.declare(integration(name="corp-renamed", opts={"aliases": [URN_NAME]}))
    assert ops(declared.preview()) == {}
    declared.up("--expect-no-changes")
    assert [i.reference_id for i in client.list_integrations()] == [CHOSEN]


def test_up_with_lost_behaviors_answer_leaves_destroy_restoring_originals(
    declared: Declared, client: RiskScoringClient, control: Control
) -> None:
    originals = {"imp_travel": BehaviorSetting(True, "low"), "high_dlp": BehaviorSetting(False, "medium")}
    client.update_behaviors(originals)
    wanted = {"imp_travel": HIGH, "high_dlp": HIGH}
    declared.declare({"kind": "behaviors", "name": "behaviors", "args": {"behaviors": wanted}})
    # Every try of the PUT is applied and its answer lost (the client sends a PUT three times).
    control.post("faults", {"rules": [{"mode": "drop_after_write", "operations": ["update_behaviors"], "count": 3}]})
    if declared.up(check=False).returncode != 0:
        declared.up()
    assert {k: b.setting for k, b in client.get_behaviors().items() if k in wanted} == {
        k: BehaviorSetting(v["enabled"], v["risk_level"]) for k, v in wanted.items()
    }
    declared.destroy()
    assert {k: b.setting for k, b in client.get_behaviors().items() if k in originals} == originals


def test_state_delete_then_adoption_elsewhere_keeps_reference(
    declared: Declared, client: RiskScoringClient, tmp_path: Path, emulator: EmulatorServer
) -> None:
    integration_id = _adopted_by_id(declared, client)
    declared.run("state", "delete", declared.urn(URN_NAME), "--yes")
    there = Declared(tmp_path / "there", env={"CLOUDFLARE_API_TOKEN": TOKEN}, program=PROGRAM)
    there.set_config({"cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": ACCOUNT})
    there.declare(integration(name="moved", integration_id=integration_id))
    there.up()
    there.declare(integration(name="moved"))
    there.up("--expect-no-changes")
    there.run("stack", "rename", "there-renamed")
    assert ops(there.preview()) == {}
    assert [(i.id, i.reference_id) for i in client.list_integrations()] == [(integration_id, CHOSEN)]


def test_import_then_program_without_reference_and_stack_rename_keep_reference(
    declared: Declared, client: RiskScoringClient, emulator: EmulatorServer
) -> None:
    found = client.create_integration(IntegrationSpec(TENANT, CHOSEN))
    argv = [sys.executable, "-m", "zt_risk_scoring.cli", "export", "--stack", declared.name, "--import-file", "x.json"]
    env = {**declared.env, "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": emulator.base_url}
    exported = run_command(argv, declared.project, env)
    assert exported.returncode == 0, exported.stderr
    declared.run("import", "--file", "x.json", "--yes", "--generate-code=false", "--protect=false")
    declared.declare(integration(name="corp-okta-com"))  # neither reference_id nor integration_id
    declared.up("--expect-no-changes")
    declared.run("stack", "rename", "moved")
    assert ops(declared.preview()) == {}
    declared.up("--expect-no-changes")
    assert [(i.id, i.reference_id) for i in client.list_integrations()] == [(found.id, CHOSEN)]


def test_replace_of_behaviors_keeps_the_accounts_own_values_to_restore(
    declared: Declared, client: RiskScoringClient
) -> None:
    originals = {"imp_travel": BehaviorSetting(True, "low")}
    client.update_behaviors(originals)
    declared.declare({"kind": "behaviors", "name": "behaviors", "args": {"behaviors": {"imp_travel": HIGH}}})
    declared.up()
    declared.up("--replace", declared.urn("behaviors"))
    assert client.get_behaviors()["imp_travel"].setting == BehaviorSetting(True, "high")
    declared.destroy()
    assert client.get_behaviors()["imp_travel"].setting == originals["imp_travel"]


def test_account_change_of_integration_whose_program_dropped_its_reference_keeps_it(
    declared: Declared, client: RiskScoringClient, other: RiskScoringClient
) -> None:
    # The engine checks a replacement a second time, without the old inputs: the first check kept it.
    declared.declare(integration(reference_id=CHOSEN))
    declared.up()
    declared.declare(integration())
    declared.up("--expect-no-changes")
    declared.declare(integration(account_id=OTHER_ACCOUNT))
    declared.up()
    assert client.list_integrations() == []
    assert [i.reference_id for i in other.list_integrations()] == [CHOSEN]
