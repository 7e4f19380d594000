"""The client against what a gateway or cache may answer: stale reads, repeated list items, a credential refused
while confirming "gone", a tenant URL carrying a password."""

from __future__ import annotations

import pytest
import responses

from tests.unit.api_answers import ACCOUNT, BASE, INTEGRATION, ROOT, TOKEN, failure, ok
from zt_risk_scoring import errors
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings, resolve_settings
from zt_risk_scoring.models import BehaviorSetting

OTHER = {**INTEGRATION, "id": "0c2f5a4e-7d1b-4e8a-9c3f-5b6a7d8e9f01", "reference_id": "other"}


@pytest.fixture
def client() -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT)


@responses.activate
def test_get_says_no_cache_and_a_write_does_not(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/behaviors", json=ok({"behaviors": {}}))
    responses.put(f"{ROOT}/behaviors", json=ok({"behaviors": {}}))
    client.get_behaviors()
    client.update_behaviors({"imp_travel": BehaviorSetting(True, "high")})
    sent = [(c.request.method, c.request.headers.get("Cache-Control")) for c in responses.calls]
    assert sent == [("GET", "no-cache"), ("PUT", None)]


@responses.activate
def test_list_repeating_items_and_lying_in_its_total_counts_each_once(client: RiskScoringClient) -> None:
    info = {"page": 1, "per_page": 50, "count": 4, "total_count": 99}
    responses.get(f"{ROOT}/integrations", json={**ok([INTEGRATION, OTHER, INTEGRATION, OTHER]), "result_info": info})
    assert [i.id for i in client.list_integrations()] == [INTEGRATION["id"], OTHER["id"]]


@pytest.mark.parametrize(("status", "kind"), [(401, errors.AuthenticationError), (403, errors.PermissionDenied)])
@responses.activate
def test_gone_check_whose_list_refuses_the_credential_names_the_credential(
    client: RiskScoringClient, status: int, kind: type[errors.RiskScoringError]
) -> None:
    responses.get(f"{ROOT}/integrations/{INTEGRATION['id']}", json=failure(1003, "not found"), status=404)
    responses.get(f"{ROOT}/integrations", json=failure(10000, "Authentication error"), status=status)
    with pytest.raises(kind) as exc:
        client.get_integration_if_exists(INTEGRATION["id"])
    assert "cloudflare:apiToken / CLOUDFLARE_API_TOKEN" in str(exc.value)
    assert "it must be the API root" not in str(exc.value)


@pytest.mark.parametrize(
    ("config", "env", "named"),
    [
        ({"cloudflare:apiToken": TOKEN}, {}, "credential in use (cloudflare:apiToken) was refused"),
        ({}, {"CLOUDFLARE_API_TOKEN": TOKEN}, "credential in use (CLOUDFLARE_API_TOKEN) was refused"),
        ({}, {"CLOUDFLARE_API_KEY": "k" * 37, "CLOUDFLARE_EMAIL": "a@b.c"}, "(CLOUDFLARE_API_KEY) was refused"),
    ],
    ids=["config-token", "env-token", "env-key"],
)
@responses.activate
def test_forbidden_names_the_credential_setting_in_use(config: dict[str, str], env: dict[str, str], named: str) -> None:
    settings = resolve_settings({"cloudflare:baseUrl": BASE, **config}.get, env)
    responses.get(f"{ROOT}/behaviors", json=failure(10000, "Authentication error"), status=403)
    with pytest.raises(errors.PermissionDenied) as exc:
        RiskScoringClient(settings, ACCOUNT).get_behaviors()
    assert named in str(exc.value)
    assert ("--run-program" in str(exc.value)) is bool(config)  # refresh/destroy read the config saved at `up`


@responses.activate
def test_tenant_url_carrying_a_password_is_masked_before_anything_keeps_it(client: RiskScoringClient) -> None:
    carrying = {**INTEGRATION, "tenant_url": "https://:hunter2@example.okta.com"}
    responses.get(f"{ROOT}/integrations/{INTEGRATION['id']}", json=ok(carrying))
    responses.get(f"{ROOT}/integrations", json=ok([carrying]))
    found = client.get_integration(INTEGRATION["id"])
    rows = client.list_integrations_as_given()
    assert found.tenant_url == rows[0]["tenant_url"] == "https://***@example.okta.com"


@responses.activate
def test_account_without_risk_scoring_is_one_message_naming_it_and_3314(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/integrations", json=failure(3314, "Forbidden"), status=403)
    with pytest.raises(errors.NotEntitled) as exc:
        client.list_integrations()
    text = str(exc.value)
    assert f"account {ACCOUNT} does not have Zero Trust risk scoring enabled" in text
    assert "Cloudflare error 3314: Forbidden" in text and "lacks" not in text
