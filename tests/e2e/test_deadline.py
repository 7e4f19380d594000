"""Under the real CLI: a gateway that answers the headers and then trickles the body holds no command for ever.
Every call has a deadline in all (zt-risk-scoring:apiDeadline); a write whose answer never completed is read back."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from harness import run_command
from tests.conftest import ACCOUNT, TOKEN, Control
from tests.e2e.declared import CHOSEN, Declared, behaviors, integration
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

DEADLINE_S = 4
HIGH = {"enabled": True, "risk_level": "high"}


def trickle(control: Control, operation: str) -> None:
    """The next answer to `operation` comes a byte every 2 s: no read waits long, the whole takes minutes."""
    control.post("faults", {"rules": [{"mode": "trickle", "delay_s": 2, "operations": [operation]}]})


def deadline(stack: Declared, emulator: EmulatorServer) -> None:
    config = {"cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": ACCOUNT}
    stack.set_config({**config, "zt-risk-scoring:apiDeadline": str(DEADLINE_S)})


def test_up_whose_write_answer_trickles_reads_it_back_after_the_deadline(
    declared: Declared, emulator: EmulatorServer, control: Control, client: RiskScoringClient
) -> None:
    deadline(declared, emulator)
    declared.declare(behaviors("risk", behaviors={"imp_travel": HIGH}))
    trickle(control, "update_behaviors")
    started = time.monotonic()
    declared.up()  # the write landed: the read back says so, and the up goes on
    assert time.monotonic() - started < 60
    assert client.get_behaviors()["imp_travel"].setting.risk_level == "high"
    declared.run("preview", "--expect-no-changes")


def test_refresh_whose_read_trickles_fails_at_the_deadline_naming_it_and_keeps_state(
    declared: Declared, emulator: EmulatorServer, control: Control
) -> None:
    deadline(declared, emulator)
    declared.declare(integration(reference_id=CHOSEN))
    declared.up()
    before = declared.ours()
    trickle(control, "get_integration")
    started = time.monotonic()
    refreshed = declared.refresh(check=False)
    assert time.monotonic() - started < 60
    assert refreshed.returncode != 0 and "zt-risk-scoring:apiDeadline" in refreshed.stdout, refreshed.stdout
    assert declared.ours() == before


def test_cli_read_that_trickles_fails_at_the_deadline_naming_it(
    tmp_path: Path, emulator: EmulatorServer, control: Control
) -> None:
    trickle(control, "get_behaviors")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")},
        "CLOUDFLARE_API_TOKEN": TOKEN,
        "CLOUDFLARE_BASE_URL": emulator.base_url,
        "ZT_RISK_API_DEADLINE": "3",
    }
    started = time.monotonic()
    argv = [sys.executable, "-m", "zt_risk_scoring.cli", "behaviors", "--account-id", ACCOUNT]
    result = run_command(argv, tmp_path, env)
    assert time.monotonic() - started < 30
    assert result.returncode != 0 and "ZT_RISK_API_DEADLINE" in result.stderr, result.stderr
