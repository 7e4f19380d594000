"""Many updates in one process through the Automation API: two stacks of inline programs, renamed, changed, destroyed.

Run by tests/e2e/test_automation.py as `python automation_run.py WORKDIR BASE_URL ACCOUNT OTHER_ACCOUNT`, with
the CLI on PATH, a file backend and CLOUDFLARE_API_TOKEN in the environment; prints one JSON line per update.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import pulumi
from pulumi import automation as auto

from zt_risk_scoring import RiskBehaviors, RiskIntegration

workdir, base_url, *accounts = sys.argv[1:]
HIGH = {"enabled": True, "risk_level": "high"}


def program(account: str, phase: str) -> Callable[[], None]:
    """The stack's program at `phase`: hdlp renamed to high-dlp with an alias, then its key moved to travel."""

    def run() -> None:
        travel = {"imp_travel": HIGH}
        if phase == "create":
            RiskBehaviors("hdlp", {"high_dlp": HIGH}, account_id=account)
        elif phase == "rename":
            RiskBehaviors(
                "high-dlp",
                {"high_dlp": HIGH},
                account_id=account,
                opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="hdlp")]),
            )
        elif phase == "moved":
            travel["high_dlp"] = HIGH
        RiskBehaviors("travel", travel, account_id=account)
        RiskIntegration("corp", tenant_url="https://corp.okta.com", account_id=account)

    return run


def stack(name: str, account: str, phase: str) -> auto.Stack:
    return auto.create_or_select_stack(
        stack_name=name,
        project_name="automation",
        program=program(account, phase),
        opts=auto.LocalWorkspaceOptions(work_dir=workdir),
    )


for phase in ("create", "rename", "drop", "moved", "destroy"):
    for name, account in zip(("dev", "prod"), accounts, strict=True):
        chosen = stack(name, account, phase)
        chosen.set_config("cloudflare:baseUrl", auto.ConfigValue(base_url))
        if phase == "destroy":
            result = chosen.destroy()
            summary = result.summary.resource_changes
        else:
            summary = chosen.up().summary.resource_changes
        print(json.dumps({"stack": name, "phase": phase, "changes": summary}), flush=True)
