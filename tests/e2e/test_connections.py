"""Under the real CLI, one program with resources in two accounts through two named connections (one account-owned
token each): each account holds what its resources declare, nothing crosses, and no token reaches state or logs."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_TOKEN, SCOPED_TOKEN, Control, settings_for
from tests.e2e.declared import PROGRAM, Declared, behaviors, integration
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting

TRAVEL = {"imp_travel": {"enabled": True, "risk_level": "high"}}
NO_DEFAULT = {"CLOUDFLARE_API_TOKEN": "", "CLOUDFLARE_ACCOUNT_ID": ""}


def token_like(emulator: EmulatorServer, token: str) -> str:
    """A token of this test's own, as good as `token` (the session's emulator outlives a revocation)."""
    tokens = emulator.app.credentials.tokens
    fresh = f"connections-{uuid.uuid4().hex}"
    tokens[fresh] = tokens[token]
    return fresh


def two_accounts(tmp_path: Path, emulator: EmulatorServer, staging_token: str = OTHER_TOKEN) -> Declared:
    """Connections `prod` (ACCOUNT) and `staging` (OTHER_ACCOUNT), tokens as secrets; no default credential."""
    stack = Declared(tmp_path, env=NO_DEFAULT, program=PROGRAM)
    stack.set_config({f"{name}:{key}": value for name, account in (("prod", ACCOUNT), ("staging", OTHER_ACCOUNT))
                      for key, value in (("baseUrl", emulator.base_url), ("accountId", account))})  # fmt: skip
    stack.run("config", "set", "--secret", "prod:apiToken", SCOPED_TOKEN)
    stack.run("config", "set", "--secret", "staging:apiToken", staging_token)
    return stack


def declare(stack: Declared, staging: str = "staging", active: bool = True) -> None:
    stack.declare(
        behaviors("b-prod", behaviors=TRAVEL, connection="prod"),
        behaviors("b-staging", behaviors=TRAVEL, connection=staging),
        integration("okta-prod", connection="prod"),
        integration("okta-staging", connection=staging, active=active),
    )


def live(emulator: EmulatorServer, token: str, account: str) -> list[tuple[str, bool]]:
    client = RiskScoringClient(settings_for(emulator, token), account)
    return [(i.tenant_url, i.active) for i in client.list_integrations()]


def travel(emulator: EmulatorServer, token: str, account: str) -> BehaviorSetting:
    return RiskScoringClient(settings_for(emulator, token), account).get_behaviors()["imp_travel"].setting


def test_lifecycle_through_two_connections_keeps_each_account_its_own(
    tmp_path: Path, emulator: EmulatorServer, control: Control
) -> None:
    old, new = token_like(emulator, OTHER_TOKEN), token_like(emulator, OTHER_TOKEN)
    stack = two_accounts(tmp_path, emulator, old)
    declare(stack)
    logs = [stack.up().stdout]
    assert live(emulator, SCOPED_TOKEN, ACCOUNT) == live(emulator, OTHER_TOKEN, OTHER_ACCOUNT) == [
        ("https://corp.okta.com", True)
    ]
    assert travel(emulator, SCOPED_TOKEN, ACCOUNT) == travel(emulator, OTHER_TOKEN, OTHER_ACCOUNT) == BehaviorSetting(
        True, "high"
    )
    logs.append(stack.run("preview", "--expect-no-changes").stdout)
    logs.append(stack.refresh("--expect-no-changes").stdout)
    declare(stack, active=False)  # an update in one account only
    logs.append(stack.up().stdout)
    assert (live(emulator, SCOPED_TOKEN, ACCOUNT), live(emulator, OTHER_TOKEN, OTHER_ACCOUNT)) == (
        [("https://corp.okta.com", True)], [("https://corp.okta.com", False)]
    )  # fmt: skip
    stack.run("config", "set", "--secret", "staging:apiToken", new)  # rotated in one connection
    logs.append(stack.up("--expect-no-changes").stdout)
    control.post("revoke", {"token": old})
    logs.append(stack.refresh("--expect-no-changes").stdout)
    logs.append(stack.destroy().stdout)
    assert live(emulator, SCOPED_TOKEN, ACCOUNT) == live(emulator, new, OTHER_ACCOUNT) == []
    written = "\n".join([*logs, stack.export(), stack.config_file.read_text()])
    assert [t for t in (SCOPED_TOKEN, old, new) if t in written] == []


def test_up_after_a_connection_is_renamed_records_it_and_writes_nothing(
    tmp_path: Path, emulator: EmulatorServer, control: Control
) -> None:
    stack = two_accounts(tmp_path, emulator)
    declare(stack)
    stack.up()
    before = {r["urn"]: (r["id"], r["outputs"]["reference_id"]) for r in stack.integrations()}
    stack.run("config", "set", "--secret", "stage:apiToken", OTHER_TOKEN)
    stack.run("config", "set", "stage:baseUrl", emulator.base_url)
    stack.run("config", "set", "stage:accountId", OTHER_ACCOUNT)
    declare(stack, staging="stage")
    planned = stack.preview()
    assert {s["urn"].rsplit("::", 1)[1]: s["op"] for s in planned["steps"] if s["op"] != "same"} == {
        "b-staging": "update", "okta-staging": "update"
    }  # fmt: skip
    writes = control.writes()
    stack.up()
    after = {r["urn"]: (r["id"], r["outputs"]["reference_id"]) for r in stack.integrations()}
    assert (after, control.writes()) == (before, writes)
    assert {r["outputs"]["connection"] for r in stack.resources() if r["urn"].endswith("staging")} == {"stage"}


@pytest.mark.parametrize(
    ("config", "text"),
    [
        ({}, "connection 'staging' has no credentials: run `pulumi config set --secret staging:apiToken"),
        ({"staging:apiToken": SCOPED_TOKEN}, f"connection 'staging' cannot read account {OTHER_ACCOUNT}"),
    ],
    ids=["no-credentials", "token-of-another-account"],
)
def test_preview_with_a_connection_that_cannot_serve_names_it_and_writes_nothing(
    tmp_path: Path, emulator: EmulatorServer, control: Control, config: dict[str, str], text: str
) -> None:
    stack = Declared(tmp_path, env=NO_DEFAULT, program=PROGRAM)
    stack.set_config({"staging:baseUrl": emulator.base_url, "staging:accountId": OTHER_ACCOUNT, **config})
    stack.declare(integration("okta-staging", connection="staging"))
    refused = stack.run("preview", check=False)
    assert refused.returncode != 0 and text in refused.stdout, refused.stdout
    assert control.writes() == 0


def test_up_after_moving_to_a_connection_of_another_account_replaces_leaving_one_on_each(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    stack = two_accounts(tmp_path, emulator)
    stack.declare(integration("okta", connection="staging"))
    stack.up()
    stack.declare(integration("okta", connection="prod"))
    assert {s["urn"].rsplit("::", 1)[1]: s["op"] for s in stack.preview()["steps"] if s["op"] != "same"} == {
        "okta": "replace"
    }
    stack.up()
    assert (live(emulator, SCOPED_TOKEN, ACCOUNT), live(emulator, OTHER_TOKEN, OTHER_ACCOUNT)) == (
        [("https://corp.okta.com", True)], []
    )  # fmt: skip
    assert [r["outputs"]["connection"] for r in stack.integrations()] == ["prod"]
    stack.run("preview", "--expect-no-changes")
