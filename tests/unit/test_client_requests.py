"""The client's requests against `responses`: the envelope unwrapped, the credential headers, the bodies sent."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from responses import matchers

from tests.unit.api_answers import ACCOUNT, BASE, INTEGRATION, ROOT, TOKEN, ok
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec


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
