"""The guardrail rules on resource properties as the engine hands them to a policy pack."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

RULES_PATH = Path(__file__).resolve().parents[2] / "policy" / "rules.py"


def load_rules() -> ModuleType:
    spec = importlib.util.spec_from_file_location("zt_policy_rules", RULES_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rules = load_rules()
IDP = "3701e70b-5de4-4d9d-8972-f5aa994d9057"


@dataclass
class Args:
    """The parts of ResourceValidationArgs the rules read."""

    resource_type: str
    name: str
    props: dict[str, Any]
    stack: str = "prod"
    config: dict[str, Any] = field(default_factory=lambda: {"productionStacks": ["prod"], "reasons": {}})

    @property
    def urn(self) -> str:
        return f"urn:pulumi:{self.stack}::zt-risk-scoring::{self.resource_type}::{self.name}"

    def get_config(self) -> dict[str, Any]:
        return self.config


def behaviors(
    level: str = "high", enabled: bool = True, on_delete: str = "restore", stack: str = "prod", connection: str = ""
) -> Args:
    props = {"behaviors": {"imp_travel": {"enabled": enabled, "risk_level": level}}, "on_delete": on_delete}
    args = Args(rules.BEHAVIORS, "risk-behaviors", {**props, **({"connection": connection} if connection else {})},
                stack=stack)  # fmt: skip
    args.config["productionConnections"] = ["prod-account"]
    return args


def integration(active: bool = True, reference: Any = IDP, reasons: dict[str, str] | None = None) -> Args:
    args = Args(rules.INTEGRATION, "okta", {"active": active, "reference_id": reference})
    args.config["reasons"] = reasons or {}
    return args


def violations(rule: Any, args: Args) -> list[str]:
    found: list[str] = []
    rule(args, lambda message, urn=None: found.append(message))
    return found


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (behaviors(), 0),
        (behaviors(level="medium"), 1),
        (behaviors(enabled=False), 1),
        (behaviors(level="medium", stack="dev"), 0),
        (behaviors(level="HIGH"), 0),
        (behaviors(level="medium", stack="dev", connection="prod-account"), 1),
        (behaviors(level="medium", stack="dev", connection="staging-account"), 0),
    ],
    ids=[
        "compliant",
        "medium",
        "disabled",
        "not-production",
        "upper-case",
        "production-connection",
        "other-connection",
    ],
)
def test_impossible_travel_high_in_production(args: Args, count: int) -> None:
    assert len(violations(rules.impossible_travel_high, args)) == count


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (behaviors(on_delete="retain"), 1),
        (behaviors(on_delete="restore"), 0),
        (behaviors(on_delete="retain", stack="dev"), 0),
        (behaviors(on_delete="retain", stack="dev", connection="prod-account"), 1),
    ],
    ids=["retain-prod", "restore-prod", "retain-dev", "retain-production-connection"],
)
def test_no_retain_in_production(args: Args, count: int) -> None:
    assert len(violations(rules.no_retain_in_production, args)) == count


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (integration(active=False), 1),
        (integration(active=False, reasons={"okta": "migration"}), 0),
        (integration(active=True), 0),
    ],
    ids=["inactive-no-reason", "inactive-with-reason", "active"],
)
def test_inactive_needs_reason(args: Args, count: int) -> None:
    assert len(violations(rules.inactive_needs_reason, args)) == count


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (integration(reference="corp-okta"), 1),
        (integration(reference=f"{IDP}-staging"), 1),
        (integration(reference=f"{IDP}\n"), 1),
        (integration(), 0),
        (integration(reference=None), 0),
    ],
    ids=["not-uuid", "uuid-then-more", "uuid-then-newline", "uuid", "unknown-at-preview"],
)
def test_reference_is_idp(args: Args, count: int) -> None:
    assert len(violations(rules.reference_is_idp, args)) == count


def test_policies_declare_each_rule_once() -> None:
    names = [p.name for p in rules.policies()]
    assert sorted(names) == sorted(set(names)) and len(names) == 4
