"""A token rotated in stack config: refresh and destroy without the program say why they fail and what to run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import PulumiStack
from tests.conftest import ACCOUNT, Control
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app
from zt_risk_scoring.emulator.auth import Grant

NEW = "rotation-new-token-0123456789"
NO_ENV_TOKEN = {"CLOUDFLARE_API_TOKEN": ""}


@pytest.fixture(scope="module")
def module_emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(build_app([ACCOUNT], [NEW])).start()
    yield server
    server.stop()


@pytest.fixture
def old_token(module_emulator: EmulatorServer) -> str:
    """A token of its own for each test (the emulator outlives a revocation), as good as NEW until revoked."""
    token = f"rotation-old-{uuid.uuid4().hex}"
    tokens = module_emulator.app.credentials.tokens
    tokens[token] = tokens[NEW]
    return token


@pytest.fixture(params=["revoked-401", "refused-403"])
def rotated(
    module_emulator: EmulatorServer, emu: Control, tmp_path: Path, old_token: str, request: pytest.FixtureRequest
) -> PulumiStack:
    """A stack deployed with an old token in secret config, then that token revoked (Cloudflare answers 401, or 403
    with code 10000, "Authentication error") and NEW set in its place."""
    stack = PulumiStack(tmp_path, env=NO_ENV_TOKEN)
    stack.set_config(
        {
            "cloudflare:baseUrl": module_emulator.base_url,
            "cloudflare:accountId": ACCOUNT,
            "zt-risk-scoring:behaviors": {"imp_travel": {"enabled": True, "risk_level": "high"}},
            "zt-risk-scoring:integrations": [{"name": "okta", "tenantUrl": "https://rotation.okta.com"}],
        }
    )
    stack.run("config", "set", "--secret", "cloudflare:apiToken", old_token)
    stack.up()
    if request.param == "revoked-401":
        emu.post("revoke", {"token": old_token})
    else:  # still known, but no longer for this account: 403/10000
        module_emulator.app.credentials.tokens[old_token] = Grant(accounts=frozenset({"0" * 32}))
    stack.run("config", "set", "--secret", "cloudflare:apiToken", NEW)
    return stack


@pytest.mark.parametrize("command", ["refresh", "destroy"])
def test_command_without_program_after_rotation_names_cause_and_fix(
    rotated: PulumiStack, emu: Control, old_token: str, command: str
) -> None:
    before, writes = rotated.ours(), emu.writes()
    result = rotated.run(command, "--yes", "--skip-preview", check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "cloudflare:apiToken (the credential in use)" in output or "credential in use (cloudflare:apiToken)" in output
    )
    assert "use the stack config saved in state" in output and "--run-program" in output
    assert old_token not in output and NEW not in output
    assert emu.writes() == writes
    assert rotated.ours() == before


@pytest.mark.parametrize("command", ["refresh", "destroy"])
def test_command_with_run_program_after_rotation_uses_new_token(
    rotated: PulumiStack, module_emulator: EmulatorServer, command: str
) -> None:
    rotated.run(command, "--yes", "--skip-preview", "--run-program")
    live = RiskScoringClient(Settings(base_url=module_emulator.base_url, token=NEW), ACCOUNT).list_integrations()
    assert len(live) == (0 if command == "destroy" else 1)
    if command == "refresh":
        rotated.destroy("--run-program")


def test_up_after_rotation_then_plain_destroy_works(rotated: PulumiStack, module_emulator: EmulatorServer) -> None:
    rotated.up()
    rotated.destroy()
    assert RiskScoringClient(Settings(base_url=module_emulator.base_url, token=NEW), ACCOUNT).list_integrations() == []
