"""The stack program and resource classes under `pulumi.runtime.set_mocks` (fast, no engine)."""

from __future__ import annotations

import json
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from zt_risk_scoring import RiskBehaviors

PROGRAM = Path(__file__).resolve().parents[2] / "stacks" / "__main__.py"
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


class Mocks(pulumi.runtime.Mocks):
    """Records every resource the program registers."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        return f"{args.name}-id", {**args.inputs, "well_known_url": f"https://wk/{args.name}"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> Iterator[Mocks]:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project="zt-risk-scoring", stack="test", preview=False)
    RiskBehaviors._claimed.clear()
    yield mocks
    RiskBehaviors._claimed.clear()


def set_config(values: dict[str, Any]) -> None:
    pulumi.runtime.set_all_config({k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()})


@pulumi.runtime.test
def test_program_registers_resources_from_config(mocks: Mocks) -> Any:
    set_config(
        {
            "cloudflare:accountId": ACCOUNT,
            "zt-risk-scoring:behaviors": {"imp_travel": {"enabled": True, "risk_level": "high"}},
            "zt-risk-scoring:identityProviders": ["idp"],
            "zt-risk-scoring:integrations": [
                {"name": "corp", "tenantUrl": "https://corp.okta.com", "referenceFrom": "idp"}
            ],
        }
    )
    program = runpy.run_path(str(PROGRAM), run_name="__main__")
    ids = [v["id"] for v in program["exported"].values()] + [i.id for i in program["identity_providers"].values()]

    def check(_: Any) -> None:
        types = sorted(r.typ for r in mocks.resources)
        assert types == [
            "pulumi-python:dynamic/stacks:ExampleIdentityProvider",
            "pulumi-python:dynamic/zt_risk_scoring:RiskBehaviors",
            "pulumi-python:dynamic/zt_risk_scoring:RiskIntegration",
        ]
        integration = next(r for r in mocks.resources if r.name == "corp")
        assert integration.inputs["account_id"] == ACCOUNT
        assert integration.inputs["tenant_url"] == "https://corp.okta.com"

    return pulumi.Output.all(*ids).apply(check)


@pulumi.runtime.test
def test_behaviors_overlapping_keys_rejected_at_construction(mocks: Mocks) -> None:
    RiskBehaviors("first", behaviors={"imp_travel": {"enabled": True, "risk_level": "high"}}, account_id=ACCOUNT)
    with pytest.raises(ValueError, match=r"imp_travel of account .* already managed by RiskBehaviors 'first'"):
        RiskBehaviors("second", behaviors={"imp_travel": {"enabled": False, "risk_level": "low"}}, account_id=ACCOUNT)


@pulumi.runtime.test
def test_behaviors_disjoint_keys_allowed(mocks: Mocks) -> None:
    RiskBehaviors("first", behaviors={"imp_travel": {"enabled": True, "risk_level": "high"}}, account_id=ACCOUNT)
    RiskBehaviors("second", behaviors={"high_dlp": {"enabled": True, "risk_level": "low"}}, account_id=ACCOUNT)
    assert {r.name for r in mocks.resources} <= {"first", "second"}
