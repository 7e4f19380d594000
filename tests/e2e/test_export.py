"""`zt-risk export` then `pulumi up` adopts a live account exactly: no duplicates, then no changes."""

from __future__ import annotations

import pytest

from harness import PulumiStack, ops
from tests.conftest import TOKEN, Control
from tests.e2e.conftest import base_config
from zt_risk_scoring.cli import main
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec


def test_export_then_up_adopts_without_duplicates(
    stack: PulumiStack,
    module_emulator: EmulatorServer,
    api: RiskScoringClient,
    emu: Control,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api.update_behaviors({"imp_travel": BehaviorSetting(True, "medium")})
    for n in range(3):
        api.create_integration(IntegrationSpec(f"https://tenant{n}.okta.com", f"ref-{n}", active=n != 1))
    api.update_integration(
        api.get_integration_by_reference("ref-1").id, IntegrationSpec("https://tenant1.okta.com", "ref-1", active=False)
    )
    before = sorted((i.id, i.tenant_url, i.active) for i in api.list_integrations())
    stack.set_config(base_config(module_emulator))
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", module_emulator.base_url)
    assert main(["export", "--stack-config", str(stack.config_file), "--account-id", api.account_id]) == 0

    preview = stack.preview()
    assert set(ops(preview).values()) == {"create"}  # adoption into state; no replaces, no deletes
    stack.up()
    assert sorted((i.id, i.tenant_url, i.active) for i in api.list_integrations()) == before
    assert emu.counts().get("create_integration", 0) == 3  # only the three made outside Pulumi
    stack.up("--expect-no-changes")
