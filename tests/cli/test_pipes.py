"""A reader that closes the pipe early (`zt-risk integrations | head -0`) ends the command quietly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.cli import EXIT_BROKEN_PIPE
from zt_risk_scoring.emulator import EmulatorServer

COMMANDS = {
    "integrations": ["integrations"],
    "integrations-json": ["integrations", "--json"],
    "export": ["export"],
    "behaviors-json": ["behaviors", "--json"],
}


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
def test_command_with_closed_stdout_exits_quietly(emulator: EmulatorServer, argv: list[str]) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to stdout now fails with EPIPE, as after `| head -0`
    env = {
        **os.environ,
        "CLOUDFLARE_API_TOKEN": TOKEN,
        "CLOUDFLARE_BASE_URL": emulator.base_url,
        "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "zt_risk_scoring.cli", *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == EXIT_BROKEN_PIPE
    # Progress lines (export's "reading behaviors …") may come first; no error, no traceback.
    assert not any(word in done.stderr for word in ("zt-risk:", "Error", "Traceback", "Exception"))
