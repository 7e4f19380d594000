"""The client at its edges: answers that are not the API's, redirects, ids and credentials from outside."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from tests.unit.api_answers import ACCOUNT, BASE, INTEGRATION, ROOT, TOKEN, failure, ok
from zt_risk_scoring import errors
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

ID = INTEGRATION["id"]
ONE = f"{ROOT}/integrations/{ID}"
LIST = f"{ROOT}/integrations"
HTML_404: dict[str, Any] = {"body": "<html><body>404 Not Found</body></html>", "status": 404}
ROUTE_404: dict[str, Any] = {"json": failure(7003, "No route for that URI"), "status": 404}
OBJECT_404: dict[str, Any] = {"json": failure(1003, "integration not found"), "status": 404}
GONE_CALLS = {
    "get": (responses.GET, lambda c: c.get_integration_if_exists(ID)),
    "delete": (responses.DELETE, lambda c: c.delete_integration_if_exists(ID)),
}


@pytest.fixture
def client() -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT)


@pytest.mark.parametrize("call", GONE_CALLS.values(), ids=GONE_CALLS.keys())
@pytest.mark.parametrize(
    ("answer", "listing"),
    [(HTML_404, HTML_404), (ROUTE_404, ROUTE_404), (OBJECT_404, HTML_404), (OBJECT_404, {"json": {}, "status": 200})],
    ids=["gateway-html", "no-route", "object-404-list-html", "object-404-list-not-envelope"],
)
@responses.activate
def test_gone_check_when_route_unproven_raises_naming_base_url(
    client: RiskScoringClient, call: Any, answer: dict[str, Any], listing: dict[str, Any]
) -> None:
    method, run = call
    responses.add(method, ONE, **answer)
    responses.get(LIST, **listing)
    with pytest.raises(errors.EndpointError) as exc:
        run(client)
    assert "cloudflare:baseUrl" in str(exc.value)
    assert isinstance(exc.value, errors.ConfigurationError)


@pytest.mark.parametrize("call", GONE_CALLS.values(), ids=GONE_CALLS.keys())
@pytest.mark.parametrize("answer", [OBJECT_404, ROUTE_404], ids=["object-404", "route-404"])
@responses.activate
def test_gone_check_when_list_answers_without_id_reports_gone(
    client: RiskScoringClient, call: Any, answer: dict[str, Any]
) -> None:
    method, run = call
    responses.add(method, ONE, **answer)
    responses.get(LIST, json=ok([{**INTEGRATION, "id": "0b7e1f0c-9d0b-4a55-a1f2-7f1b0c2d3e4f"}]))
    assert run(client) in (None, False)


@pytest.mark.parametrize("call", GONE_CALLS.values(), ids=GONE_CALLS.keys())
@responses.activate
def test_gone_check_when_list_still_has_id_raises(client: RiskScoringClient, call: Any) -> None:
    method, run = call
    responses.add(method, ONE, **OBJECT_404)
    responses.get(LIST, json=ok([INTEGRATION]))
    with pytest.raises(errors.EndpointError, match="is in the list"):
        run(client)


@responses.activate
def test_get_integration_if_exists_when_present_sends_one_request(client: RiskScoringClient) -> None:
    responses.get(ONE, json=ok(INTEGRATION))
    assert client.get_integration_if_exists(ID) is not None
    assert len(responses.calls) == 1


WRITES = {
    "get": (responses.GET, ONE, lambda c: c.get_integration(ID)),
    "put": (responses.PUT, ONE, lambda c: c.update_integration(ID, IntegrationSpec("https://a.okta.com", "ref"))),
    "delete": (responses.DELETE, ONE, lambda c: c.delete_integration(ID)),
    "post": (responses.POST, LIST, lambda c: c.create_integration(IntegrationSpec("https://a.okta.com", "ref"))),
    "put-behaviors": (
        responses.PUT,
        f"{ROOT}/behaviors",
        lambda c: c.update_behaviors({"imp_travel": BehaviorSetting(True, "high")}),
    ),
}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("call", WRITES.values(), ids=WRITES.keys())
@responses.activate
def test_request_answered_with_redirect_is_not_followed(call: Any, status: int) -> None:
    method, url, run = call
    elsewhere = "https://collector.example.net/steal"
    responses.add(method, url, status=status, headers={"Location": elsewhere})
    responses.add(responses.GET, elsewhere, json=ok(INTEGRATION))
    client = RiskScoringClient(Settings(base_url=BASE, email="ops@example.com", api_key="k" * 37), ACCOUNT)
    with pytest.raises(errors.EndpointError) as exc:
        run(client)
    assert [c.request.url for c in responses.calls] == [url]
    assert elsewhere in str(exc.value) and "cloudflare:baseUrl" in str(exc.value)


@pytest.mark.parametrize(
    "body",
    [{}, {"result": []}, [], "ok", {"success": "yes", "errors": [], "result": []}],
    ids=["empty-object", "no-success", "list", "string", "success-not-bool"],
)
@responses.activate
def test_success_status_without_envelope_raises_endpoint_error(client: RiskScoringClient, body: Any) -> None:
    responses.get(LIST, json=body)
    with pytest.raises(errors.EndpointError):
        client.list_integrations()


@pytest.mark.parametrize(
    "result",
    [{"id": ID}, [{"no-id": 1}], ["not-a-map"]],
    ids=["object-not-list", "item-without-id", "item-not-map"],
)
@responses.activate
def test_list_integrations_with_malformed_result_raises_endpoint_error(client: RiskScoringClient, result: Any) -> None:
    responses.get(LIST, json=ok(result))
    with pytest.raises(errors.EndpointError, match="not shaped like"):
        client.list_integrations()


@responses.activate
def test_get_behaviors_with_unknown_risk_level_keeps_it(client: RiskScoringClient) -> None:
    behaviors = {
        "imp_travel": {"name": "Impossible Travel", "description": "", "enabled": True, "risk_level": "high"},
        "new_thing": {"name": "New", "description": "", "enabled": False, "risk_level": "critical", "extra": 1},
    }
    responses.get(f"{ROOT}/behaviors", json=ok({"behaviors": behaviors, "future_field": True}))
    found = client.get_behaviors()
    assert (found["imp_travel"].setting.risk_level, found["new_thing"].setting.risk_level) == ("high", "critical")


BAD_IDS = ["", ".", "..", "../reset", "a/b", "%2e%2e", "x\n", f"{ID}\n", f" {ID}", "é" * 3, "a?b", "a#b"]
ID_CALLS = {
    "get_integration": lambda c, v: c.get_integration(v),
    "update_integration": lambda c, v: c.update_integration(v, IntegrationSpec("https://a.okta.com", "ref")),
    "delete_integration": lambda c, v: c.delete_integration(v),
    "get_integration_by_reference": lambda c, v: c.get_integration_by_reference(v),
    "user_risk": lambda c, v: c.user_risk(v),
    "reset_user": lambda c, v: c.reset_user(v),
}


@pytest.mark.parametrize("value", BAD_IDS, ids=[repr(v) for v in BAD_IDS])
@pytest.mark.parametrize("call", ID_CALLS.values(), ids=ID_CALLS.keys())
@responses.activate
def test_request_with_malformed_id_sends_nothing(client: RiskScoringClient, call: Any, value: str) -> None:
    with pytest.raises(errors.InvalidArgument):
        call(client, value)
    assert len(responses.calls) == 0


@pytest.mark.parametrize("account", ["", "..", "0" * 31, "0" * 32 + "\n", "A" * 32], ids=repr)
@responses.activate
def test_request_with_malformed_account_sends_nothing(account: str) -> None:
    with pytest.raises(errors.InvalidArgument):
        RiskScoringClient(Settings(base_url=BASE, token=TOKEN), account).list_integrations()
    assert len(responses.calls) == 0


@responses.activate
def test_get_integration_by_reference_with_dots_in_the_middle_is_one_segment(client: RiskScoringClient) -> None:
    responses.get(f"{LIST}/reference_id/okta.prod~1", json=ok({**INTEGRATION, "reference_id": "okta.prod~1"}))
    assert client.get_integration_by_reference("okta.prod~1").id == ID


@pytest.mark.parametrize(
    ("method", "run", "outcome"),
    [
        ("GET", lambda c: c.list_integrations(), "nothing was changed"),
        ("POST", lambda c: c.create_integration(IntegrationSpec("https://a.okta.com", "ref")), "not sent"),
        ("DELETE", lambda c: c.delete_integration(ID), "may have been applied; it is safe to send again"),
    ],
    ids=["get", "post", "delete"],
)
def test_request_to_refused_port_says_what_may_have_changed(method: str, run: Any, outcome: str) -> None:
    # A DELETE (like a PUT) is retried after a lost answer too, so its last try's refusal proves nothing.
    client = RiskScoringClient(Settings(base_url="http://127.0.0.1:9/client/v4", token=TOKEN), ACCOUNT)
    with pytest.raises(errors.ConnectionFailed) as exc:
        run(client)
    assert outcome in str(exc.value)


@responses.activate
def test_post_with_read_error_says_it_may_have_applied(client: RiskScoringClient) -> None:
    import requests

    responses.post(LIST, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(errors.ConnectionFailed, match="may have been applied"):
        client.create_integration(IntegrationSpec("https://a.okta.com", "ref"))


@responses.activate
def test_api_message_with_escape_sequences_is_shown_escaped(client: RiskScoringClient) -> None:
    responses.get(LIST, json=failure(1002, "bad\x1b[2J\x1b]0;owned\x07 \u202eevil\nline"), status=400)
    with pytest.raises(errors.BadRequest) as exc:
        client.list_integrations()
    text = str(exc.value)
    assert not any(ch in text for ch in "\x1b\x07\u202e\n")
    assert "\\x1b[2J" in text


@pytest.mark.parametrize(
    ("lookup", "env", "stale_hint"),
    [
        ({"cloudflare:apiToken": TOKEN}, {}, True),
        ({}, {"CLOUDFLARE_API_TOKEN": TOKEN}, False),
    ],
    ids=["token-in-stack-config", "token-in-environment"],
)
@responses.activate
def test_request_rejected_credential_hints_at_saved_config(lookup: Any, env: Any, stale_hint: bool) -> None:
    from zt_risk_scoring.config import resolve_settings

    responses.get(LIST, json=failure(10000, "Authentication error"), status=401)
    client = RiskScoringClient(resolve_settings(lookup.get, {**env, "CLOUDFLARE_BASE_URL": BASE}), ACCOUNT)
    with pytest.raises(errors.AuthenticationError) as exc:
        client.list_integrations()
    assert ("--run-program" in str(exc.value)) is stale_hint
    assert TOKEN not in str(exc.value)
