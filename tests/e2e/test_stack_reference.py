"""The stack program composed with another stack under the real CLI: `referenceFrom` reads its IdP id output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from harness import PulumiStack
from tests.conftest import TOKEN, Control
from tests.e2e.conftest import base_config
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

IDP_PROGRAM = Path(__file__).resolve().parent / "programs" / "identity_providers.py"
# How a file backend names a stack of another project (3.274.1 and 3.276.0: `pulumi stack ls --all`).
IDP_STACK = "organization/access-idps/prod"
TENANT = "https://composed.okta.com"


@pytest.fixture
def shared_backend(tmp_path: Path) -> dict[str, str]:
    """One backend for both stacks: a StackReference reads only stacks of its own backend."""
    backend = tmp_path / "backend"
    backend.mkdir()
    return {"PULUMI_BACKEND_URL": f"file://{backend}", "CLOUDFLARE_API_TOKEN": TOKEN}


@pytest.fixture
def idps(tmp_path: Path, shared_backend: dict[str, str]) -> PulumiStack:
    """The identity providers' stack, in a project of its own; created, never applied."""
    stack = PulumiStack(tmp_path / "idps", name="prod", program=IDP_PROGRAM, env=shared_backend)
    stack.run("stack", "rename", IDP_STACK)
    project = stack.project / "Pulumi.yaml"
    project.write_text(re.sub(r"(?m)^name: .*$", "name: access-idps", project.read_text()))
    stack.run("stack", "select", "prod")  # the CLI remembers the selected stack per project name
    return stack


@pytest.fixture
def risk(tmp_path: Path, shared_backend: dict[str, str]) -> PulumiStack:
    """A stack of this project's program, beside the identity providers' stack."""
    return PulumiStack(tmp_path / "risk", name="prod", env=shared_backend)


def config(server: EmulatorServer, reference_from: str) -> dict[str, Any]:
    items = [{"name": "corp", "tenantUrl": TENANT, "referenceFrom": reference_from}]
    return {**base_config(server), "zt-risk-scoring:integrations": items}


@pytest.mark.parametrize(
    ("apply_idps", "output"),
    [(False, "oktaIdpId"), (True, "oktaIdpID")],
    ids=["stack-not-applied", "output-misspelled"],
)
def test_preview_referenced_output_missing_fails_naming_item(
    idps: PulumiStack,
    risk: PulumiStack,
    module_emulator: EmulatorServer,
    emu: Control,
    apply_idps: bool,
    output: str,
) -> None:
    # A stack that was never applied reads as known and empty, at preview too: the engine cannot tell
    # it from a misspelled output, so both fail here rather than preview a create that `up` cannot do.
    if apply_idps:
        idps.up()
    risk.set_config(config(module_emulator, f"{IDP_STACK}#{output}"))
    writes = emu.writes()
    result = risk.run("preview", check=False)
    assert result.returncode != 0
    assert (
        f"zt-risk-scoring:integrations[0] (corp).referenceFrom: stack {IDP_STACK} has no output '{output}'. "
        "Apply that stack first" in result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert emu.writes() == writes


def test_preview_referenced_stack_applied_knows_reference_id(
    idps: PulumiStack, risk: PulumiStack, module_emulator: EmulatorServer
) -> None:
    idps.up()
    risk.set_config(config(module_emulator, f"{IDP_STACK}#oktaIdpId"))
    [step] = [s for s in risk.preview()["steps"] if s["urn"].endswith("::corp")]
    assert (step["op"], step["newState"]["inputs"]["reference_id"]) == ("create", idps.outputs()["oktaIdpId"])


def test_up_referenced_stack_applied_sets_its_output_as_reference_id(
    idps: PulumiStack, risk: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient
) -> None:
    idps.up()
    idp_id = idps.outputs()["oktaIdpId"]
    risk.set_config(config(module_emulator, f"{IDP_STACK}#oktaIdpId"))
    risk.up()
    assert api.get_integration_by_reference(idp_id).tenant_url == TENANT
    assert risk.outputs()["integrations"]["corp"]["reference_id"] == idp_id


def test_preview_referenced_stack_missing_fails_naming_stack(
    risk: PulumiStack, module_emulator: EmulatorServer, emu: Control
) -> None:
    risk.set_config(config(module_emulator, "organization/access-idps/staging#oktaIdpId"))
    writes = emu.writes()
    result = risk.run("preview", check=False)
    assert result.returncode != 0
    assert 'unknown stack "organization/access-idps/staging"' in result.stdout
    assert emu.writes() == writes
