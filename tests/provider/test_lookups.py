"""Read-only lookups resolve credentials like the providers and return plain dicts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from tests.conftest import ACCOUNT, TOKEN
from tests.stacks.test_stack_mocks import Mocks
from zt_risk_scoring import get_integration_by_reference, get_summary, list_integrations
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import IntegrationSpec


@pytest.fixture
def program(emulator: EmulatorServer) -> Iterator[None]:
    pulumi.runtime.set_mocks(Mocks(), project="zt-risk-scoring", stack="test", preview=False)
    pulumi.runtime.set_all_config(
        {"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": ACCOUNT}
    )
    yield
    pulumi.runtime.set_all_config({})


@pulumi.runtime.test
def test_lookup_integration_by_reference_returns_dict(program: None, client: RiskScoringClient) -> Any:
    created = client.create_integration(IntegrationSpec("https://a.okta.com", "ref-lookup"))

    def check(found: dict[str, Any]) -> None:
        assert (found["id"], found["tenant_url"]) == (created.id, "https://a.okta.com")

    return get_integration_by_reference("ref-lookup").apply(check)


@pulumi.runtime.test
def test_lookup_list_and_summary(program: None, client: RiskScoringClient) -> Any:
    client.create_integration(IntegrationSpec("https://a.okta.com", "ref-1"))

    def check(values: list[Any]) -> None:
        integrations, summary = values
        assert [i["reference_id"] for i in integrations] == ["ref-1"]
        assert summary == []

    return pulumi.Output.all(list_integrations(), get_summary()).apply(check)
