"""Provider errors never show the credential, even when a gateway echoes it back: the engine prints them whole."""

from __future__ import annotations

import traceback
from collections.abc import Iterator

import pytest
import responses

from tests.provider.test_reads import ID, ROOT, STATE, TOKEN, configured
from zt_risk_scoring.errors import RiskScoringError
from zt_risk_scoring.integration import RiskIntegrationProvider

KEY = "0123456789abcdef0123456789abcdef0prov"
CONFIGS = {
    "token": {"cloudflare:apiToken": TOKEN},
    "key": {"cloudflare:apiKey": KEY, "cloudflare:email": "ops@example.com"},
}


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize("credentials", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize("operation", ["read", "delete"])
def test_integration_operation_answer_echoing_credential_fails_without_it(
    api: responses.RequestsMock, credentials: dict[str, str], operation: str
) -> None:
    echo = f"Authorization: Bearer {TOKEN}; X-Auth-Key: {KEY}"
    body = {"success": False, "errors": [{"code": 10000, "message": f"denied, got {echo}"}], "messages": []}
    api.get(f"{ROOT}/integrations/{ID}", json=body, status=403)
    api.delete(f"{ROOT}/integrations/{ID}", status=307, headers={"Location": f"https://sso.test/?h={echo}"})
    provider = configured(RiskIntegrationProvider(), **credentials)
    with pytest.raises(RiskScoringError) as exc:
        getattr(provider, operation)(ID, dict(STATE))
    # The dynamic-provider host sends the engine the whole traceback (traceback.format_exc()).
    printed = "".join(traceback.format_exception(exc.value))
    secret = credentials.get("cloudflare:apiToken") or credentials["cloudflare:apiKey"]
    assert secret not in printed and "***" in printed
