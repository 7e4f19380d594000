"""A run of the acceptance suite that stops after its first phase still leaves the account as it found it."""

from __future__ import annotations

import os
import sys

from harness import ROOT, run_command
from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec


def test_acceptance_run_stopped_after_create_restores_account(
    module_emulator: EmulatorServer, api: RiskScoringClient
) -> None:
    api.create_integration(IntegrationSpec("https://platform.okta.com", "zt-acc_lookalike"))
    api.update_behaviors({"imp_travel": BehaviorSetting(True, "medium")})
    before = (api.list_integrations(), api.get_behaviors())
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")} | {
        "ZT_RISK_ACCEPTANCE": "1",
        "CLOUDFLARE_API_TOKEN": TOKEN,
        "CLOUDFLARE_BASE_URL": module_emulator.base_url,
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
    }
    # Only the first phase: the stack then holds two integrations and changed behaviors, as after a failure.
    argv = [sys.executable, "-m", "pytest", "tests/acceptance/test_account.py", "-k", "test_up_creates", "-p",
            "no:cacheprovider"]  # fmt: skip
    result = run_command(argv, ROOT, env)
    assert "1 passed" in result.stdout, result.stdout + result.stderr
    assert "acceptance: destroyed what the run left in its stack (exit 0)" in result.stdout
    assert (api.list_integrations(), api.get_behaviors()) == before
