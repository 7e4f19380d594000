"""Change review: previews with a read-only token or none, and what a reviewer reads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness import PulumiStack, ops
from tests.conftest import ACCOUNT, TOKEN, Control
from tests.e2e.conftest import READ_ONLY, base_config
from zt_risk_scoring.emulator import EmulatorServer

READ_ONLY_ENV = {"CLOUDFLARE_API_TOKEN": READ_ONLY}
NO_CREDENTIALS = {"CLOUDFLARE_API_TOKEN": ""}


def config(server: EmulatorServer, level: str = "high", active: bool = True) -> dict[str, Any]:
    return {
        **base_config(server),
        "zt-risk-scoring:behaviors": {"imp_travel": {"enabled": True, "risk_level": level}},
        "zt-risk-scoring:integrations": [
            {"name": "okta", "tenantUrl": "https://review.okta.com", "referenceId": "review-ref", "active": active}
        ],
    }


@pytest.mark.parametrize("flags", [(), ("--diff",), ("--refresh",)], ids=["plain", "diff", "refresh"])
@pytest.mark.parametrize("state", ["new", "unchanged", "changed"])
def test_preview_with_read_only_token_succeeds(
    stack: PulumiStack, module_emulator: EmulatorServer, emu: Control, flags: tuple[str, ...], state: str
) -> None:
    stack.set_config(config(module_emulator))
    if state != "new":
        stack.up()
    if state == "changed":
        stack.set_config(config(module_emulator, level="low", active=False))
    writes = emu.writes()
    stack.run("preview", *flags, env=READ_ONLY_ENV)
    assert emu.writes() == writes
    stack.destroy()


def test_up_with_read_only_token_fails_naming_permission(
    stack: PulumiStack, module_emulator: EmulatorServer, emu: Control
) -> None:
    stack.set_config(config(module_emulator))
    writes = emu.writes()
    result = stack.up(check=False, env=READ_ONLY_ENV)
    assert result.returncode != 0
    assert "lacks Zero Trust Write on account" in result.stdout
    assert emu.writes() == writes
    assert READ_ONLY not in result.stdout + result.stderr


@pytest.mark.parametrize("state", ["new", "changed"])
def test_preview_without_credentials_succeeds(
    stack: PulumiStack, module_emulator: EmulatorServer, emu: Control, state: str
) -> None:
    stack.set_config(config(module_emulator))
    if state == "changed":
        stack.up()
        stack.set_config(config(module_emulator, level="medium"))
    requests = len(emu.log()["requests"])
    preview = stack.preview(env=NO_CREDENTIALS)
    assert ops(preview) == (
        {"risk-behaviors": "create", "okta": "create"} if state == "new" else {"risk-behaviors": "update"}
    )
    assert len(emu.log()["requests"]) == requests  # check and diff need no API call
    stack.destroy()


def test_preview_refresh_without_credentials_names_the_setting(
    stack: PulumiStack, module_emulator: EmulatorServer
) -> None:
    stack.set_config(config(module_emulator))
    stack.up()
    result = stack.run("preview", "--refresh", check=False, env=NO_CREDENTIALS)
    assert result.returncode != 0
    assert "cloudflare:apiToken" in result.stdout and "CLOUDFLARE_API_TOKEN" in result.stdout
    stack.destroy()


def test_preview_diff_names_changed_fields_only(stack: PulumiStack, module_emulator: EmulatorServer) -> None:
    stack.set_config(config(module_emulator))
    stack.up()
    stack.set_config(config(module_emulator, level="low", active=False))
    text = stack.run("preview", "--diff").stdout
    assert "__provider" not in text
    resources = text.split("--outputs:--")[0]
    changed = [" ".join(line.split()) for line in resources.splitlines() if line.strip().startswith(("~ ", "+ ", "- "))]
    assert sorted(changed) == sorted(
        [
            "~ pulumi-python:dynamic/zt_risk_scoring:RiskIntegration: (update)",
            "~ active : true => false",
            "~ pulumi-python:dynamic/zt_risk_scoring:RiskBehaviors: (update)",
            "~ behaviors : {",
            "~ imp_travel: {",
            '~ risk_level: "high" => "low"',
        ]
    )
    stack.destroy()


def test_up_with_token_in_secret_config_keeps_it_encrypted(stack: PulumiStack, module_emulator: EmulatorServer) -> None:
    """The engine copies all stack config into the dynamic provider's state; a secret stays a ciphertext there."""
    stack.set_config(config(module_emulator))
    stack.run("config", "set", "--secret", "cloudflare:apiToken", TOKEN)
    result = stack.up(env=NO_CREDENTIALS)  # the token can only have come from the config
    assert TOKEN not in result.stdout + result.stderr
    exported = stack.export()
    assert TOKEN not in exported
    [provider] = [
        r for r in json.loads(exported)["deployment"]["resources"] if r["type"].startswith("pulumi:providers")
    ]
    assert "ciphertext" in provider["inputs"]["cloudflare:apiToken"]
    stack.destroy(env=NO_CREDENTIALS)


def test_state_and_output_never_show_token(stack: PulumiStack, module_emulator: EmulatorServer) -> None:
    stack.set_config(config(module_emulator))
    result = stack.up("-v=9", "--logtostderr")
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN not in stack.export(show_secrets=True)
    assert ACCOUNT in stack.export()
    stack.destroy()
