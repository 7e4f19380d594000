"""The guardrail policy pack under the real CLI: each rule fires on a violating stack, silent on a compliant one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness import ROOT, PulumiStack
from tests.conftest import TOKEN
from tests.e2e.conftest import base_config
from zt_risk_scoring.emulator import EmulatorServer

IDP = "3701e70b-5de4-4d9d-8972-f5aa994d9057"


def stack_config(
    server: EmulatorServer,
    *,
    level: str = "high",
    on_delete: str = "restore",
    active: bool = True,
    reference: str = IDP,
) -> dict[str, Any]:
    return {
        **base_config(server),
        "zt-risk-scoring:behaviors": {"imp_travel": {"enabled": True, "risk_level": level}},
        "zt-risk-scoring:behaviorsOnDelete": on_delete,
        "zt-risk-scoring:integrations": [
            {"name": "okta", "tenantUrl": "https://policy.okta.com", "referenceId": reference, "active": active}
        ],
    }


@pytest.fixture(scope="module")
def prod(module_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> PulumiStack:
    return PulumiStack(tmp_path_factory.mktemp("policy"), name="prod", env={"CLOUDFLARE_API_TOKEN": TOKEN})


def preview_with_policy(stack: PulumiStack, tmp: Path, policy_config: dict[str, Any] | None = None) -> tuple[int, str]:
    args = ["preview", "--policy-pack", str(ROOT / "policy")]
    if policy_config is not None:
        path = tmp / "policy-config.json"
        path.write_text(json.dumps(policy_config))
        args += ["--policy-pack-config", str(path)]
    result = stack.run(*args, check=False)
    return result.returncode, result.stdout + result.stderr


CASES = [
    ("impossible-travel-high-in-production", {"level": "medium"}, True, "declare imp_travel with enabled: true"),
    ("no-retain-in-production", {"on_delete": "retain"}, True, "on_delete=retain leaves behaviors enabled"),
    ("integration-inactive-needs-reason", {"active": False}, False, "integration okta is inactive"),
    ("integration-reference-is-idp", {"reference": "corp-okta"}, True, "is not an identity provider id"),
]


@pytest.mark.parametrize(("rule", "change", "mandatory", "message"), CASES, ids=[c[0] for c in CASES])
def test_policy_rule_fires_on_violation(
    prod: PulumiStack,
    module_emulator: EmulatorServer,
    tmp_path: Path,
    rule: str,
    change: dict[str, Any],
    mandatory: bool,
    message: str,
) -> None:
    prod.set_config(stack_config(module_emulator, **change))
    code, text = preview_with_policy(prod, tmp_path)
    assert message in text and rule in text
    assert (code != 0) is mandatory


def test_policy_pack_silent_on_compliant_stack(
    prod: PulumiStack, module_emulator: EmulatorServer, tmp_path: Path
) -> None:
    prod.set_config(stack_config(module_emulator))
    code, text = preview_with_policy(prod, tmp_path)
    assert code == 0
    assert not [rule for rule, *_ in CASES if rule in text]


def test_policy_config_records_reason_and_sets_enforcement(
    prod: PulumiStack, module_emulator: EmulatorServer, tmp_path: Path
) -> None:
    prod.set_config(stack_config(module_emulator, active=False, level="medium"))
    config = {
        "integration-inactive-needs-reason": {"reasons": {"okta": "tenant migration"}},
        "impossible-travel-high-in-production": {"enforcementLevel": "advisory"},
    }
    code, text = preview_with_policy(prod, tmp_path, config)
    assert code == 0  # the travel rule was made advisory, the reason was given
    assert "integration okta is inactive" not in text
    assert "declare imp_travel with enabled: true" in text
