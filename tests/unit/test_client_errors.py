"""The client's errors against `responses`: each answer's class, what failed below HTTP, no credential in any."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import responses

from tests.unit.api_answers import ACCOUNT, BASE, INTEGRATION, ROOT, TOKEN, failure
from zt_risk_scoring import errors
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings


@pytest.fixture
def client() -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT)


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
