"""State written by an earlier version of this package keeps working with this one, under the real CLI.

Each baseline (tests/upgrade/README.md) applies the program; then the current code previews and refreshes
it with no changes, updates it in place and destroys it: integrations deleted, behaviors as before the stack.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness import ROOT, PulumiStack
from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting

PROGRAM = Path(__file__).resolve().parent / "programs" / "upgrade.py"
BASELINES = sorted((ROOT / "tests" / "upgrade" / "baselines").glob("*.whl"))
BEFORE = {"imp_travel": BehaviorSetting(True, "low"), "high_dlp": BehaviorSetting(False, "medium")}


def baseline_python(wheel: Path, venv: Path) -> str:
    """A venv with the baseline wheel installed as a user would (its own declared dependencies)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_CONSTRAINT", "PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        env=env,
        check=True,
        timeout=600,
    )
    return python


def integrations(client: RiskScoringClient) -> dict[str, tuple[str, bool]]:
    return {i.tenant_url: (i.reference_id, i.active) for i in client.list_integrations()}


@pytest.mark.parametrize("wheel", BASELINES, ids=[w.name.split("+")[1].split("-")[0] for w in BASELINES])
def test_upgrade_from_baseline_keeps_state_working(
    wheel: Path, tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    client.update_behaviors(BEFORE)
    old = {"PULUMI_PYTHON_CMD": baseline_python(wheel, tmp_path / "old-venv")}
    stack = PulumiStack(tmp_path, env={"CLOUDFLARE_API_TOKEN": TOKEN}, program=PROGRAM)
    stack.set_config({"cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": ACCOUNT})
    stack.up(env=old)
    applied = integrations(client)
    assert set(applied) == {"https://generated.okta.com", "https://chosen.okta.com"}
    # The baseline's own code wrote the state: only versions that derive reference_ids mark them.
    generated = next(r for r in stack.resources() if r["urn"].endswith("::generated"))
    assert ("reference_generated" in generated["inputs"]) is ("e0e0bd0" not in wheel.name)

    stack.run("preview", "--expect-no-changes")  # the current code from here on (the stack's own Python)
    stack.refresh("--expect-no-changes")
    stack.set_config(
        {
            "cloudflare:baseUrl": emulator.base_url,
            "cloudflare:accountId": ACCOUNT,
            "zt-risk-scoring:generatedActive": False,
        }
    )
    stack.up()
    generated_reference = applied["https://generated.okta.com"][0]
    assert integrations(client) == {**applied, "https://generated.okta.com": (generated_reference, False)}
    stack.run("preview", "--expect-no-changes")
    stack.destroy()
    assert client.list_integrations() == []
    assert {k: b.setting for k, b in client.get_behaviors().items() if k in BEFORE} == BEFORE
