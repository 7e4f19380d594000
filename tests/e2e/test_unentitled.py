"""Under the real CLI: an account without Zero Trust risk scoring (403, code 3314) is one message naming the account
and the code, at preview wherever a read happens, and nothing is written."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from harness import run_command
from tests.conftest import TOKEN, UNENTITLED_ACCOUNT, Control
from tests.e2e.declared import Declared, behaviors, integration, listed
from zt_risk_scoring.emulator import EmulatorServer

SAYS = f"account {UNENTITLED_ACCOUNT} does not have Zero Trust risk scoring enabled"
ADOPTED = "4cfe8442-664b-4915-acd4-b39cd65c4314"
HIGH = {"enabled": True, "risk_level": "high"}


def on_unentitled(stack: Declared, emulator: EmulatorServer) -> None:
    stack.set_config({"cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": UNENTITLED_ACCOUNT})


def assert_one_message(result: object, control: Control, writes: int) -> None:
    output = str(getattr(result, "stdout", "")) + str(getattr(result, "stderr", ""))
    assert getattr(result, "returncode", 0) != 0 and SAYS in output and "Cloudflare error 3314" in output, output
    assert "Traceback" not in output and control.writes() == writes


def test_preview_with_a_lookup_or_an_adoption_says_so_and_up_writes_nothing(
    declared: Declared, emulator: EmulatorServer, control: Control
) -> None:
    on_unentitled(declared, emulator)
    writes = control.writes()
    for program in ([listed()], [integration(integration_id=ADOPTED)]):
        declared.declare(*program)
        assert_one_message(declared.run("preview", check=False), control, writes)
        assert_one_message(declared.up(check=False), control, writes)


def test_up_of_new_resources_fails_at_their_first_read_saying_so(
    declared: Declared, emulator: EmulatorServer, control: Control
) -> None:
    on_unentitled(declared, emulator)
    writes = control.writes()
    declared.declare(integration(reference_id="idp-corp"), behaviors("risk", behaviors={"imp_travel": HIGH}))
    assert_one_message(declared.up(check=False), control, writes)
    assert declared.integrations() == []


def test_cli_command_on_the_account_says_so(tmp_path: Path, emulator: EmulatorServer) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")},
        "CLOUDFLARE_API_TOKEN": TOKEN,
        "CLOUDFLARE_BASE_URL": emulator.base_url,
    }
    argv = [sys.executable, "-m", "zt_risk_scoring.cli", "integrations", "--account-id", UNENTITLED_ACCOUNT]
    result = run_command(argv, tmp_path, env)
    assert result.returncode != 0 and SAYS in result.stderr and "3314" in result.stderr, result.stderr
