"""The Automation API running many updates of two stacks' inline programs in one Python process."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from harness import backend_env, pulumi_dir, run_command
from tests.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

DRIVER = Path(__file__).resolve().parent / "programs" / "automation_run.py"


def test_automation_updates_in_one_process_rename_move_and_destroy(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    before = {k: b.setting for k, b in client.get_behaviors().items()}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "PULUMI_"))},
        **backend_env(tmp_path),
        "PATH": os.pathsep.join([pulumi_dir(), os.environ.get("PATH", "")]),
        # An inline program's engine passes the dynamic-provider launcher no virtualenv: it needs this.
        "PULUMI_PYTHON_CMD": sys.executable,
        "CLOUDFLARE_API_TOKEN": TOKEN,
    }
    (tmp_path / "work").mkdir()
    argv = [sys.executable, str(DRIVER), str(tmp_path / "work"), emulator.base_url, ACCOUNT, OTHER_ACCOUNT]
    result = run_command(argv, tmp_path, env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    updates = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(u["stack"], u["phase"]) for u in updates] == [
        (stack, phase) for phase in ("create", "rename", "drop", "moved", "destroy") for stack in ("dev", "prod")
    ]
    renames = [u["changes"] for u in updates if u["phase"] == "rename"]
    assert all(set(changes) == {"same"} for changes in renames)  # the alias moved it: nothing changed
    assert client.list_integrations() == []
    assert {k: b.setting for k, b in client.get_behaviors().items()} == before
