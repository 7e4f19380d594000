"""The stack program under the real CLI: preview, up, update, replace, refresh, adopt, destroy.

Each test starts from the module's stack applied with the base config (the `deployed` fixture), so any
one of them runs alone (`pytest -k`) or in any order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import PulumiStack, ops
from tests.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN, Control
from tests.e2e.conftest import base_config
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

CORP_REF = "0b7c8a52-0f3e-4b8a-9d0e-6a1f2c3d4e5f"
CONTRACTORS_REF = "7c5d2a0e-3b7f-4c61-9a55-0f2e8d1b6a42"
ADOPT_ID_REF = "a1111111-1111-4111-8111-111111111111"
ADOPT_REF = "b2222222-2222-4222-8222-222222222222"


def config(
    server: EmulatorServer,
    *,
    travel: str = "high",
    contractors_active: bool = False,
    corp_account: str = ACCOUNT,
    extra: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        **base_config(server),
        "zt-risk-scoring:behaviors": {
            "imp_travel": {"enabled": True, "risk_level": travel},
            "high_dlp": {"enabled": True, "risk_level": "low"},
        },
        "zt-risk-scoring:integrations": [
            {"name": "corp", "tenantUrl": "https://corp.okta.com", "referenceId": CORP_REF, "accountId": corp_account},
            {
                "name": "contractors",
                "tenantUrl": "https://contractors.okta.com",
                "referenceId": CONTRACTORS_REF,
                "active": contractors_active,
            },
            *(extra or []),
        ],
    }


@pytest.fixture
def deployed(stack: PulumiStack, module_emulator: EmulatorServer) -> PulumiStack:
    """The module's stack with the base config applied, repairing whatever an earlier test changed."""
    stack.set_config(config(module_emulator))
    stack.up("--refresh")
    return stack


def behaviors(api: RiskScoringClient) -> dict[str, tuple[bool, str]]:
    return {k: (b.setting.enabled, b.setting.risk_level) for k, b in api.get_behaviors().items()}


def test_preview_new_stack_lists_creates_without_writes(
    tmp_path: Path, module_emulator: EmulatorServer, emu: Control
) -> None:
    fresh = PulumiStack(tmp_path, env={"CLOUDFLARE_API_TOKEN": TOKEN})
    fresh.set_config(config(module_emulator))
    writes = emu.writes()
    assert ops(fresh.preview()) == {"risk-behaviors": "create", "corp": "create", "contractors": "create"}
    assert emu.writes() == writes


def test_up_applies_config_then_preview_shows_no_changes(deployed: PulumiStack, api: RiskScoringClient) -> None:
    integrations = {i.tenant_url: i for i in api.list_integrations()}
    assert set(integrations) == {"https://corp.okta.com", "https://contractors.okta.com"}
    assert integrations["https://contractors.okta.com"].active is False
    assert behaviors(api)["imp_travel"] == (True, "high")
    outputs = deployed.outputs()["integrations"]
    assert outputs["corp"]["id"] == integrations["https://corp.okta.com"].id
    assert outputs["contractors"]["reference_id"] == CONTRACTORS_REF
    deployed.up("--expect-no-changes")
    assert ops(deployed.preview("--expect-no-changes")) == {}


def test_update_changes_exactly_what_changed(
    deployed: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    deployed.set_config(config(module_emulator, travel="medium", contractors_active=True))
    assert ops(deployed.preview("--diff")) == {"risk-behaviors": "update", "contractors": "update"}
    before = emu.counts()
    deployed.up()
    after = emu.counts()
    writes = {
        k: after.get(k, 0) - before.get(k, 0)
        for k in ("update_behaviors", "update_integration", "create_integration", "delete_integration")
    }
    assert writes == {"update_behaviors": 1, "update_integration": 1, "create_integration": 0, "delete_integration": 0}
    assert behaviors(api)["imp_travel"] == (True, "medium")


def test_account_change_replaces_integration(
    deployed: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient
) -> None:
    deployed.set_config(config(module_emulator, corp_account=OTHER_ACCOUNT))
    assert ops(deployed.preview())["corp"] == "replace"
    deployed.up()
    other = RiskScoringClient(Settings(base_url=module_emulator.base_url, token=TOKEN), OTHER_ACCOUNT)
    assert [i.reference_id for i in other.list_integrations()] == [CORP_REF]
    assert CORP_REF not in [i.reference_id for i in api.list_integrations()]


def test_refresh_shows_drift_and_up_repairs_it(deployed: PulumiStack, api: RiskScoringClient) -> None:
    api.update_behaviors({"imp_travel": BehaviorSetting(False, "low")})
    corp = api.get_integration_by_reference(CORP_REF)
    api.delete_integration(corp.id)
    refresh = deployed.refresh()
    assert "risk-behaviors" in refresh.stdout and "corp" in refresh.stdout
    assert ops(deployed.preview()) == {"risk-behaviors": "update", "corp": "create"}
    deployed.up()
    assert behaviors(api)["imp_travel"] == (True, "high")
    assert api.get_integration_by_reference(CORP_REF).tenant_url == "https://corp.okta.com"
    deployed.up("--expect-no-changes")


def test_adoption_creates_no_duplicates(
    deployed: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient
) -> None:
    by_id = api.create_integration(IntegrationSpec("https://adopt-id.okta.com", ADOPT_ID_REF))
    api.create_integration(IntegrationSpec("https://old-url.okta.com", ADOPT_REF))
    count = len(api.list_integrations())
    extra: list[dict[str, Any]] = [
        {
            "name": "adopted-by-id",
            "tenantUrl": "https://adopt-id.okta.com",
            "referenceId": ADOPT_ID_REF,
            "integrationId": by_id.id,
        },
        {"name": "adopted-by-ref", "tenantUrl": "https://adopt-ref.okta.com", "referenceId": ADOPT_REF, "adopt": True},
    ]
    deployed.set_config(config(module_emulator, extra=extra))
    deployed.up()
    assert len(api.list_integrations()) == count
    assert api.get_integration_by_reference(ADOPT_REF).tenant_url == "https://adopt-ref.okta.com"
    assert deployed.outputs()["integrations"]["adopted-by-id"]["id"] == by_id.id
    deployed.up("--expect-no-changes")
    deployed.set_config(config(module_emulator))
    deployed.up()  # released, not deleted: they were there before this stack
    assert len(api.list_integrations()) == count
    for adopted in (by_id.id, api.get_integration_by_reference(ADOPT_REF).id):
        api.delete_integration(adopted)


def test_removing_adopted_integrations_gives_them_back(
    deployed: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient
) -> None:
    by_ref = api.create_integration(IntegrationSpec("https://old-url.okta.com", ADOPT_REF))
    extra = [
        {"name": "adopted-by-ref", "tenantUrl": "https://adopt-ref.okta.com", "referenceId": ADOPT_REF, "adopt": True}
    ]
    deployed.set_config(config(module_emulator, extra=extra))
    deployed.up()
    assert api.get_integration(by_ref.id).tenant_url == "https://adopt-ref.okta.com"
    deployed.set_config(config(module_emulator))
    deployed.up()  # on_delete "restore": what this stack adopted goes back to what it was, and stays
    assert api.get_integration(by_ref.id).tenant_url == "https://old-url.okta.com"
    api.delete_integration(by_ref.id)


def test_existing_reference_without_adopt_fails_with_advice(
    deployed: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient
) -> None:
    existing = api.create_integration(IntegrationSpec("https://clash.okta.com", "clash-ref"))
    extra = [{"name": "clash", "tenantUrl": "https://clash.okta.com", "referenceId": "clash-ref"}]
    deployed.set_config(config(module_emulator, extra=extra))
    result = deployed.up(check=False)
    assert result.returncode != 0
    assert f"set adopt=True (or integration_id='{existing.id}')" in result.stdout
    assert [i.id for i in api.list_integrations() if i.reference_id == "clash-ref"] == [existing.id]
    api.delete_integration(existing.id)


def test_import_of_dynamic_resource_is_refused(stack: PulumiStack, api: RiskScoringClient) -> None:
    target = api.create_integration(IntegrationSpec("https://imported.okta.com", "import-ref"))
    result = stack.run(
        "import",
        "pulumi-python:dynamic/zt_risk_scoring:RiskIntegration",
        "imported",
        target.id,
        "--yes",
        "--generate-code=false",
        check=False,
    )
    assert result.returncode != 0  # pulumi/pulumi#16175: adoption is the import path
    assert "__provider" in result.stdout + result.stderr
    api.delete_integration(target.id)


def test_state_holds_no_token(deployed: PulumiStack) -> None:
    exported = deployed.export(show_secrets=True)
    assert TOKEN not in exported
    assert json.loads(exported)["deployment"]["resources"]


def test_destroy_deletes_created_integrations_and_restores_behaviors(
    deployed: PulumiStack, api: RiskScoringClient
) -> None:
    deployed.destroy()
    assert api.list_integrations() == []
    assert behaviors(api)["imp_travel"] == (False, "high")
    assert behaviors(api)["high_dlp"] == (False, "medium")
