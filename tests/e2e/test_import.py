"""`zt-risk export --import-file` then `pulumi import --file`: the real CLI imports a live account, exactly."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from harness import PulumiStack, ops, run_command
from tests.conftest import TOKEN, Control
from tests.e2e.conftest import base_config
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

TENANTS = ("https://alpha.okta.com", "https://beta.okta.com", "https://gamma.okta.com")


def zt_risk(stack: PulumiStack, server: EmulatorServer, *args: str) -> subprocess.CompletedProcess[str]:
    """`zt-risk …` in the stack's project directory, with the stack's pulumi and backend on hand."""
    env = {**stack.env, "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": server.base_url}
    return run_command([sys.executable, "-m", "zt_risk_scoring.cli", *args], stack.project, env)


def live(api: RiskScoringClient) -> tuple[list[tuple[str, str, str, bool]], dict[str, Any]]:
    integrations = sorted((i.id, i.tenant_url, i.reference_id, i.active) for i in api.list_integrations())
    return integrations, {k: b.setting for k, b in api.get_behaviors().items()}


@pytest.fixture(scope="module")
def account(api: RiskScoringClient) -> dict[str, str]:
    """Three integrations (one inactive) and customized behaviors, made through the API: tenant → id."""
    api.update_behaviors({"imp_travel": BehaviorSetting(True, "medium"), "high_dlp": BehaviorSetting(True, "high")})
    made = {}
    for n, tenant in enumerate(TENANTS):
        found = api.create_integration(IntegrationSpec(tenant, f"idp-{n}"))
        made[tenant] = found.id
    beta = made["https://beta.okta.com"]
    api.update_integration(beta, IntegrationSpec("https://beta.okta.com", "idp-1", active=False))
    return made


@pytest.fixture(scope="module")
def before(api: RiskScoringClient, account: dict[str, str]) -> tuple[Any, Any]:
    return live(api)


@pytest.fixture(scope="module")
def imported(
    stack: PulumiStack, module_emulator: EmulatorServer, emu: Control, before: tuple[Any, Any]
) -> tuple[subprocess.CompletedProcess[str], int]:
    """The account exported and imported into the stack, its code added to the program: the import's
    output and the writes it made. Every test below starts from it, so each also runs alone."""
    stack.set_config(base_config(module_emulator))
    exported = zt_risk(
        stack, module_emulator, "export", "--stack", stack.name, "--import-file", "import.json",
        "--python", "imported.py", "--behaviors", "all",
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    writes = emu.writes()
    result = stack.run("import", "--file", "import.json", "--yes", "--generate-code=false", "--protect=false")
    program = stack.project / "stacks" / "__main__.py"
    program.write_text(program.read_text() + "\n" + (stack.project / "imported.py").read_text())
    return result, emu.writes() - writes


def test_import_file_imports_every_resource_without_api_writes(
    stack: PulumiStack, imported: tuple[subprocess.CompletedProcess[str], int]
) -> None:
    result, writes = imported
    assert "= 4 to import" in result.stdout and "= 4 imported" in result.stdout  # `=`, not `+ create`
    assert writes == 0  # with outputs given, the engine stores them: no Read, no write
    assert sorted(r["urn"].rsplit("::", 1)[-1] for r in stack.resources() if "dynamic" in r["type"]) == [
        "alpha-okta-com", "beta-okta-com", "gamma-okta-com", "risk-behaviors",
    ]  # fmt: skip


def test_import_then_program_preview_expects_no_changes(stack: PulumiStack, imported: Any) -> None:
    stack.run("preview", "--expect-no-changes")


def test_import_then_refresh_expects_no_changes(stack: PulumiStack, imported: Any) -> None:
    stack.refresh("--expect-no-changes")


def test_import_again_into_same_stack_changes_nothing(stack: PulumiStack, emu: Control, imported: Any) -> None:
    state, writes = stack.resources(), emu.writes()
    again = stack.run("import", "--file", "import.json", "--yes", "--generate-code=false", "--protect=false")
    assert "imported" not in again.stdout
    assert (stack.resources(), emu.writes()) == (state, writes)


def test_export_for_stack_managing_everything_exits_config(
    stack: PulumiStack, module_emulator: EmulatorServer, account: dict[str, str], imported: Any
) -> None:
    result = zt_risk(stack, module_emulator, "export", "--stack", stack.name, "--import-file", "again.json")
    assert result.returncode == 3
    assert all(f"integration {i}" in result.stderr for i in account.values())
    assert "nothing to import" in result.stderr and "Traceback" not in result.stderr
    assert not (stack.project / "again.json").exists()


def test_imported_integration_field_change_updates_in_place(
    stack: PulumiStack, api: RiskScoringClient, account: dict[str, str], imported: Any
) -> None:
    program = stack.project / "stacks" / "__main__.py"
    program.write_text(program.read_text().replace("reference_id='idp-0',", "reference_id='idp-0',\n    active=False,"))
    assert ops(stack.preview()) == {"alpha-okta-com": "update"}
    stack.up()
    assert api.get_integration(account["https://alpha.okta.com"]).active is False


def test_destroy_gives_back_what_was_imported_so_the_account_is_as_before_import(
    stack: PulumiStack, api: RiskScoringClient, before: tuple[Any, Any], imported: Any
) -> None:
    # Imported integrations existed before the stack: destroy releases them (alpha's active, changed since the
    # import, goes back), as it gives the behaviors back their values.
    stack.destroy()
    assert live(api) == before
