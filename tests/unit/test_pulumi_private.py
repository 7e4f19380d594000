"""Each private Pulumi SDK API this package uses (zt_risk_scoring.pulumi_private), on the SDK installed.

`make test` runs this on the newest pinned SDK, `make test-min` on the declared floor: an SDK release that
moves one of them fails here.
"""

from __future__ import annotations

import base64
import pickle
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from zt_risk_scoring import RiskIntegration, RiskIntegrationProvider
from zt_risk_scoring.pulumi_private import (
    child_resources,
    program_config,
    serialized_provider,
    type_token,
    unknown_output,
)


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocked() -> Iterator[None]:
    pulumi.runtime.set_mocks(_Mocks(), project="p", stack="s", preview=True)
    yield
    pulumi.runtime.set_all_config({})


def test_type_token_of_dynamic_resource_is_the_engines() -> None:
    assert type_token(RiskIntegration) == "pulumi-python:dynamic/zt_risk_scoring:RiskIntegration"


def test_serialized_provider_unpickles_to_the_provider_class() -> None:
    text, secret = serialized_provider(RiskIntegrationProvider())
    assert secret is False
    assert type(pickle.loads(base64.b64decode(text))) is RiskIntegrationProvider


@pulumi.runtime.test
def test_child_resources_of_component_lists_its_children(mocked: None) -> Any:
    parent = pulumi.ComponentResource("test:index:Group", "group")
    child = pulumi.ComponentResource("test:index:Part", "part", opts=pulumi.ResourceOptions(parent=parent))
    assert list(child_resources(parent)) == [child]
    return parent.urn


@pulumi.runtime.test
def test_unknown_output_is_not_known(mocked: None) -> Any:
    async def known() -> None:
        assert await unknown_output().is_known() is False

    return pulumi.Output.from_input(known())


def test_program_config_merges_env_and_runtime_store(mocked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG", '{"cloudflare:accountId": "from-env"}')
    pulumi.runtime.set_all_config({"zt-risk-scoring:behaviors": "{}"})
    assert program_config() == {"cloudflare:accountId": "from-env", "zt-risk-scoring:behaviors": "{}"}
