"""Under the real CLI: a behavior the stack does not declare, reported with nulls, breaks neither `up` nor `refresh`."""

from __future__ import annotations

from typing import Any

import pytest

from harness import PulumiStack
from tests.e2e.conftest import base_config
from zt_risk_scoring.emulator import EmulatorServer

# What a newer or half-configured API may report for a behavior: no level, no state, no description.
ODD = {"name": "Not yet configured", "description": None, "enabled": None, "risk_level": None}


def test_refresh_with_odd_undeclared_behavior_changes_nothing(
    stack: PulumiStack, module_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = module_emulator.app.backend
    real = backend.get_behaviors

    def with_odd(account: str) -> dict[str, Any]:
        found: dict[str, Any] = real(account)
        found["behaviors"]["not_configured"] = dict(ODD)
        return found

    # The emulator runs in this process: GET and PUT behaviors both answer through get_behaviors.
    monkeypatch.setattr(backend, "get_behaviors", with_odd)
    behaviors = {"imp_travel": {"enabled": True, "risk_level": "high"}}
    stack.set_config({**base_config(module_emulator), "zt-risk-scoring:behaviors": behaviors})
    stack.up()
    stack.refresh("--expect-no-changes")
    assert stack.preview("--refresh", "--expect-no-changes")["changeSummary"].get("update", 0) == 0
