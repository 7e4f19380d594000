"""Provider reads: strict about what the resource manages, untroubled by what it does not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses
from pulumi.dynamic import Config, ConfigureRequest

from tests.conftest import ACCOUNT
from zt_risk_scoring.behaviors import RiskBehaviorsProvider
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.errors import EndpointError
from zt_risk_scoring.exporting.plan import oldest_first
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.provider_base import RiskScoringProvider

BASE = "https://cf.test/client/v4"
ROOT = f"{BASE}/accounts/{ACCOUNT}/zt_risk_scoring"
TOKEN = "provider-echo-token-0123456789"
ID = "4cfe8442-664b-4915-acd4-b39cd65c4314"
TRAVEL = {"name": "Impossible Travel", "description": "d", "enabled": True, "risk_level": "high"}
DECLARED = {"account_id": ACCOUNT, "behaviors": {"imp_travel": {"enabled": True, "risk_level": "high"}}}
INTEGRATION = {
    "id": ID,
    "tenant_url": "https://a.okta.com",
    "reference_id": "ref-1",
    "active": True,
    "integration_type": "Okta",
    "well_known_url": "https://wk.test/x",
    "account_tag": ACCOUNT,
    "created_at": "2025-03-19T19:53:56Z",
}
STATE = {"account_id": ACCOUNT, "tenant_url": "https://a.okta.com", "reference_id": "ref-1", "active": True}
ODD_UNDECLARED: dict[str, Any] = {
    "risk-level-missing": {"name": "New", "description": "d", "enabled": False},
    "all-null": {"name": "New", "enabled": None, "risk_level": None, "description": None},
    "enabled-string": {"name": "New", "enabled": "false", "risk_level": "low"},
    "not-a-map": None,
}
DECLARED_WRONG: dict[str, tuple[dict[str, Any], str]] = {
    "enabled-string-false": ({**TRAVEL, "enabled": "false"}, "enabled"),
    "enabled-null": ({**TRAVEL, "enabled": None}, "enabled"),
    "risk-level-null": ({**TRAVEL, "risk_level": None}, "risk_level"),
    "risk-level-missing": ({"name": "n", "enabled": True}, "risk_level"),
}


def ok(result: Any) -> dict[str, Any]:
    return {"success": True, "errors": [], "messages": [], "result": result}


def configured(provider: RiskScoringProvider, **credentials: str) -> Any:
    config = {"cloudflare:baseUrl": BASE, **(credentials or {"cloudflare:apiToken": TOKEN})}
    provider.configure(ConfigureRequest(Config(config, "zt-risk-scoring")))
    return provider


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize("odd", ODD_UNDECLARED.values(), ids=ODD_UNDECLARED.keys())
def test_read_behaviors_with_odd_undeclared_behavior_reads_declared(api: responses.RequestsMock, odd: Any) -> None:
    api.get(f"{ROOT}/behaviors", json=ok({"behaviors": {"imp_travel": TRAVEL, "x": odd}}))
    read = configured(RiskBehaviorsProvider()).read(ACCOUNT, dict(DECLARED))
    assert read.outs["behaviors"] == {"imp_travel": {"enabled": True, "risk_level": "high"}}


@pytest.mark.parametrize(("raw", "field"), DECLARED_WRONG.values(), ids=DECLARED_WRONG.keys())
def test_read_behaviors_with_declared_field_of_wrong_type_raises_naming_it(
    api: responses.RequestsMock, raw: dict[str, Any], field: str
) -> None:
    api.get(f"{ROOT}/behaviors", json=ok({"behaviors": {"imp_travel": raw}}))
    with pytest.raises(EndpointError) as exc:
        configured(RiskBehaviorsProvider()).read(ACCOUNT, dict(DECLARED))
    assert f"imp_travel.{field} must be" in str(exc.value) and "cloudflare:baseUrl" in str(exc.value)


@pytest.mark.parametrize(("raw", "field"), DECLARED_WRONG.values(), ids=DECLARED_WRONG.keys())
def test_create_behaviors_whose_answer_has_a_declared_field_of_wrong_type_reads_back_the_account(
    api: responses.RequestsMock, raw: dict[str, Any], field: str
) -> None:
    # The PUT's answer is not taken as the account's: the read back shows what it holds (here, the values sent).
    api.get(f"{ROOT}/behaviors", json=ok({"behaviors": {"imp_travel": TRAVEL}}))
    api.put(f"{ROOT}/behaviors", json=ok({"behaviors": {"imp_travel": raw}}))
    created = configured(RiskBehaviorsProvider()).create({**DECLARED, "on_delete": "restore"})
    assert (
        created.outs["behaviors"] == created.outs["written"] == {"imp_travel": {"enabled": True, "risk_level": "high"}}
    )
    assert [call.request.method for call in api.calls] == ["GET", "PUT", "GET"]


@pytest.mark.parametrize("field", ["well_known_url", "account_tag", "created_at"])
def test_read_integration_with_null_output_keeps_none(api: responses.RequestsMock, field: str) -> None:
    api.get(f"{ROOT}/integrations/{ID}", json=ok({**INTEGRATION, field: None}))
    read = configured(RiskIntegrationProvider()).read(ID, dict(STATE))
    assert read.outs[field] is None


@pytest.mark.parametrize("active", ["false", "true", None, 0], ids=["string-false", "string-true", "null", "zero"])
def test_read_integration_with_active_not_boolean_raises_naming_it(api: responses.RequestsMock, active: Any) -> None:
    api.get(f"{ROOT}/integrations/{ID}", json=ok({**INTEGRATION, "active": active}))
    with pytest.raises(EndpointError) as exc:
        configured(RiskIntegrationProvider()).read(ID, dict(STATE))
    assert "active must be true or false" in str(exc.value) and BASE in str(exc.value)


def test_import_plan_listing_with_null_created_at_keeps_every_integration(api: responses.RequestsMock) -> None:
    other = {**INTEGRATION, "id": "0b7e1f0c-9d0b-4a55-a1f2-7f1b0c2d3e4f", "reference_id": "ref-2", "created_at": None}
    api.get(f"{ROOT}/integrations", json=ok([INTEGRATION, other]))
    client = RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT)
    assert [i.id for i in oldest_first(client, [])] == [other["id"], ID]  # no date sorts first
