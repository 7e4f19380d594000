"""The client against `responses`: envelope, error mapping, retries, auth headers, secrecy."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
import requests
import responses
from responses import matchers
from responses.registries import OrderedRegistry

from zt_risk_scoring import errors
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec
from zt_risk_scoring.retries import MAX_RETRY_AFTER_S, retry_policy

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
BASE = "https://api.example.test/client/v4"
ROOT = f"{BASE}/accounts/{ACCOUNT}/zt_risk_scoring"
TOKEN = "secret-token-value-0123456789"
INTEGRATION = {
    "id": "4cfe8442-664b-4915-acd4-b39cd65c4314",
    "account_tag": ACCOUNT,
    "integration_type": "Okta",
    "reference_id": "3701e70b-5de4-4d9d-8972-f5aa994d9057",
    "tenant_url": "https://example.oktapreview.com",
    "well_known_url": "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/4cfe8442-664b-4915-acd4-b39cd65c4314",
    "active": True,
    "created_at": "2025-03-19T19:53:56Z",
}


def ok(result: Any) -> dict[str, Any]:
    return {"success": True, "errors": [], "messages": [], "result": result}


def failure(code: int, message: str) -> dict[str, Any]:
    return {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}


@pytest.fixture
def client() -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT)


@responses.activate
def test_get_integration_unwraps_envelope(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/integrations/{INTEGRATION['id']}", json=ok(INTEGRATION))
    found = client.get_integration(INTEGRATION["id"])
    assert found.id == INTEGRATION["id"]
    assert found.well_known_url.endswith(found.id)


@responses.activate
def test_request_sends_bearer_token(client: RiskScoringClient) -> None:
    responses.get(
        f"{ROOT}/integrations",
        json=ok([INTEGRATION]),
        match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})],
    )
    assert [i.reference_id for i in client.list_integrations()] == [INTEGRATION["reference_id"]]


@responses.activate
def test_request_keeps_bearer_token_when_netrc_has_the_host(
    client: RiskScoringClient, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests replaces an Authorization header with ~/.netrc credentials for the host (psf/requests#3929).
    netrc = tmp_path / "netrc"
    netrc.write_text("machine api.example.test login someone password other-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    responses.get(
        f"{ROOT}/integrations",
        json=ok([]),
        match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})],
    )
    assert client.list_integrations() == []


@pytest.mark.parametrize(
    ("no_proxy", "expected"),
    [("", "http://proxy.example.test:3128"), ("api.example.test", None)],
    ids=["proxied", "no-proxy-host"],
)
def test_session_takes_proxy_from_environment(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str, expected: str | None
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.test:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    session = RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT).transport.session()
    assert session.proxies.get("https") == expected


@responses.activate
def test_request_sends_email_and_global_key() -> None:
    key_client = RiskScoringClient(Settings(base_url=BASE, email="a@b.test", api_key="k" * 37), ACCOUNT)
    responses.get(
        f"{ROOT}/integrations",
        json=ok([]),
        match=[matchers.header_matcher({"X-Auth-Email": "a@b.test", "X-Auth-Key": "k" * 37})],
    )
    assert key_client.list_integrations() == []


@responses.activate
def test_update_behaviors_sends_only_given_keys(client: RiskScoringClient) -> None:
    body = {"behaviors": {"imp_travel": {"enabled": True, "risk_level": "high"}}}
    full = {
        "behaviors": {
            "imp_travel": {"name": "n", "description": "d", "enabled": True, "risk_level": "high"},
            "high_dlp": {"name": "n", "description": "d", "enabled": False, "risk_level": "low"},
        }
    }
    responses.put(f"{ROOT}/behaviors", json=ok(full), match=[matchers.json_params_matcher(body)])
    result = client.update_behaviors({"imp_travel": BehaviorSetting(True, "high")})
    assert set(result) == {"imp_travel", "high_dlp"}


@responses.activate
def test_create_integration_omits_active(client: RiskScoringClient) -> None:
    spec = IntegrationSpec("https://example.oktapreview.com", INTEGRATION["reference_id"], active=False)
    expected = {"integration_type": "Okta", "tenant_url": spec.tenant_url, "reference_id": spec.reference_id}
    responses.post(f"{ROOT}/integrations", json=ok(INTEGRATION), match=[matchers.json_params_matcher(expected)])
    assert client.create_integration(spec).id == INTEGRATION["id"]


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, 1002, errors.BadRequest),
        (400, 9106, errors.AuthenticationError),
        (401, 10000, errors.AuthenticationError),
        (403, 10000, errors.PermissionDenied),
        (404, 1003, errors.NotFound),
        (409, 1004, errors.Conflict),
        (422, 1002, errors.BadRequest),
    ],
    ids=["bad-request", "missing-headers", "invalid-token", "forbidden", "not-found", "conflict", "unprocessable"],
)
@responses.activate
def test_request_error_maps_to_class(client: RiskScoringClient, status: int, code: int, expected: type) -> None:
    responses.get(f"{ROOT}/integrations", json=failure(code, "nope"), status=status)
    with pytest.raises(expected) as exc:
        client.list_integrations()
    assert exc.value.status == status
    assert exc.value.errors[0].code == code
    assert "GET /accounts/" in str(exc.value)


@pytest.mark.parametrize(
    ("call", "permission"),
    [
        (lambda c: c.get_behaviors(), "Zero Trust Read or Zero Trust Write"),
        (lambda c: c.delete_integration(INTEGRATION["id"]), "Zero Trust Write"),
        (lambda c: c.summary(), "Zero Trust PII Read"),
    ],
    ids=["read", "write", "pii"],
)
@responses.activate
def test_request_forbidden_names_permission(client: RiskScoringClient, call: Any, permission: str) -> None:
    responses.get(f"{ROOT}/behaviors", json=failure(10000, "Authentication error"), status=403)
    responses.get(f"{ROOT}/summary", json=failure(10000, "Authentication error"), status=403)
    responses.delete(
        f"{ROOT}/integrations/{INTEGRATION['id']}", json=failure(10000, "Authentication error"), status=403
    )
    with pytest.raises(errors.PermissionDenied) as exc:
        call(client)
    assert f"lacks {permission} on account {ACCOUNT}" in str(exc.value)
    assert "(cloudflare:apiToken / CLOUDFLARE_API_TOKEN) was refused" in str(exc.value)


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


@responses.activate
def test_connection_error_is_connection_failed(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/behaviors", body=requests.ConnectionError("refused"))
    with pytest.raises(errors.ConnectionFailed) as exc:
        client.get_behaviors()
    assert isinstance(exc.value.__cause__, requests.ConnectionError)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://127.0.0.1:9/client/v4", "(ConnectionError: Failed to establish a new connection: [Errno 111]"),
        ("https://no-such-host.invalid/client/v4", "(ConnectionError: Failed to resolve 'no-such-host.invalid'"),
    ],
    ids=["refused", "not-resolved"],
)
def test_connection_error_names_what_failed_below_http(url: str, said: str) -> None:
    client = RiskScoringClient(Settings(base_url=url, token="t0ken-0123456789", connect_timeout=2), "0" * 32)
    with pytest.raises(errors.ConnectionFailed) as exc:
        client.get_behaviors()
    assert said in str(exc.value) and "object at 0x" not in str(exc.value) and "port=" not in str(exc.value)


@responses.activate
def test_error_text_never_contains_token(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/behaviors", json=failure(10000, "Authentication error"), status=403)
    with pytest.raises(errors.PermissionDenied) as exc:
        client.get_behaviors()
    assert TOKEN not in str(exc.value)
    assert TOKEN not in repr(exc.value.__dict__)
    assert TOKEN not in repr(client.settings)


def test_client_refuses_pickling(client: RiskScoringClient) -> None:
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(client)


@responses.activate
def test_request_with_404_without_envelope_raises_endpoint_error(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/behaviors", body="<html>not found</html>", status=404)
    with pytest.raises(errors.EndpointError) as exc:
        client.get_behaviors()
    assert "cloudflare:baseUrl" in str(exc.value) and BASE in str(exc.value)
