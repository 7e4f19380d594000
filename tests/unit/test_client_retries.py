"""The client's retries against `responses`: 429 and 5xx sent again where safe, Retry-After capped."""

from __future__ import annotations

from typing import ClassVar

import pytest
import responses
from responses.registries import OrderedRegistry

from tests.unit.api_answers import ACCOUNT, BASE, INTEGRATION, ROOT, TOKEN, failure, ok
from zt_risk_scoring import errors
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.models import IntegrationSpec
from zt_risk_scoring.retries import MAX_RETRY_AFTER_S, retry_policy


@pytest.fixture
def client() -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT)


@responses.activate(registry=OrderedRegistry)
def test_get_retries_429_then_succeeds(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/integrations", json=failure(10429, "Rate limited"), status=429, headers={"Retry-After": "0"})
    responses.get(f"{ROOT}/integrations", json=failure(10503, "busy"), status=503)
    responses.get(f"{ROOT}/integrations", json=ok([INTEGRATION]))
    assert len(client.list_integrations()) == 1
    assert len(responses.calls) == 3


@responses.activate(registry=OrderedRegistry)
def test_post_is_not_retried_on_503(client: RiskScoringClient) -> None:
    responses.post(f"{ROOT}/integrations", json=failure(10503, "busy"), status=503)
    with pytest.raises(errors.ServerError):
        client.create_integration(IntegrationSpec("https://a.okta.com", "ref"))
    assert len(responses.calls) == 1


@responses.activate(registry=OrderedRegistry)
def test_post_is_retried_on_429(client: RiskScoringClient) -> None:
    responses.post(f"{ROOT}/integrations", json=failure(10429, "slow"), status=429, headers={"Retry-After": "0"})
    responses.post(f"{ROOT}/integrations", json=ok(INTEGRATION))
    assert (
        client.create_integration(IntegrationSpec("https://a.okta.com", INTEGRATION["reference_id"])).id
        == INTEGRATION["id"]
    )
    assert len(responses.calls) == 2


@responses.activate
def test_get_exhausted_retries_raise_rate_limited(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/behaviors", json=failure(10429, "slow"), status=429, headers={"Retry-After": "0"})
    with pytest.raises(errors.RateLimited):
        client.get_behaviors()
    assert len(responses.calls) == 1 + retry_policy().status  # type: ignore[operator]


def test_retry_after_is_capped() -> None:
    class Reply:
        headers: ClassVar[dict[str, str]] = {"Retry-After": "3600"}

        def getheader(self, name: str) -> str | None:
            return self.headers.get(name)

    assert retry_policy().get_retry_after(Reply()) == MAX_RETRY_AFTER_S  # type: ignore[arg-type]
