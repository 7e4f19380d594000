"""Every operation's responses, success and failure, validate against the official OpenAPI subset."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import Client, EnvironBuilder, TestResponse
from werkzeug.wrappers import Request

from tests.conftest import ACCOUNT, NO_PII_TOKEN, TOKEN
from tests.emulator import SPEC
from zt_risk_scoring.emulator import EmulatorApp, bodies, build_app

ROOT = f"/client/v4/accounts/{ACCOUNT}/zt_risk_scoring"
USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC))


@pytest.fixture
def app() -> Iterator[EmulatorApp]:
    app = build_app([ACCOUNT], [TOKEN, f"{NO_PII_TOKEN}:read,write"])
    ada = {
        "user_id": USER,
        "name": "Ada",
        "email": "ada@example.com",
        "events": [{"name": "Impossible Travel", "risk_level": "high", "timestamp": "2026-11-01T10:00:00Z"}],
    }
    app.backend.seed_users(ACCOUNT, [bodies.seeded_user(ada)])
    with app:
        yield app


def call(app: EmulatorApp, method: str, path: str, body: Any = None, token: str | None = TOKEN) -> TestResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    def builder() -> EnvironBuilder:
        return EnvironBuilder(
            ROOT + path, method=method, json=body, headers=headers, base_url="https://api.cloudflare.com"
        )

    response = Client(app).open(builder())
    # The app consumed the request body; validation gets its own copy of the same request.
    response.request = Request(builder().get_environ())
    return response


def integration(app: EmulatorApp) -> str:
    body = {"integration_type": "Okta", "tenant_url": "https://a.okta.com", "reference_id": "ref-1"}
    created = app.backend.create_integration(ACCOUNT, bodies.integration_create(body))
    return str(created["id"])


OKTA = {"integration_type": "Okta", "tenant_url": "https://b.okta.com"}
CASES: list[tuple[str, Callable[[EmulatorApp], TestResponse], int]] = [
    ("get-behaviors", lambda a: call(a, "GET", "/behaviors"), 200),
    ("get-behaviors-no-auth", lambda a: call(a, "GET", "/behaviors", token=None), 400),
    ("get-behaviors-bad-token", lambda a: call(a, "GET", "/behaviors", token="wrong"), 401),
    (
        "put-behaviors",
        lambda a: call(a, "PUT", "/behaviors", {"behaviors": {"imp_travel": {"enabled": True, "risk_level": "low"}}}),
        200,
    ),
    (
        "put-behaviors-bad-level",
        lambda a: call(a, "PUT", "/behaviors", {"behaviors": {"imp_travel": {"enabled": True, "risk_level": "x"}}}),
        400,
    ),
    ("summary", lambda a: call(a, "GET", "/summary"), 200),
    ("summary-no-pii", lambda a: call(a, "GET", "/summary", token=NO_PII_TOKEN), 403),
    ("user", lambda a: call(a, "GET", f"/{USER}"), 200),
    ("user-missing", lambda a: call(a, "GET", f"/{MISSING}"), 404),
    ("reset", lambda a: call(a, "POST", f"/{USER}/reset"), 200),
    ("reset-missing", lambda a: call(a, "POST", f"/{MISSING}/reset"), 404),
    ("list", lambda a: (integration(a), call(a, "GET", "/integrations"))[1], 200),
    ("create", lambda a: call(a, "POST", "/integrations", OKTA), 200),
    ("create-bad-type", lambda a: call(a, "POST", "/integrations", {**OKTA, "integration_type": "Azure"}), 400),
    (
        "create-duplicate-ref",
        lambda a: (integration(a), call(a, "POST", "/integrations", {**OKTA, "reference_id": "ref-1"}))[1],
        409,
    ),
    ("get", lambda a: call(a, "GET", f"/integrations/{integration(a)}"), 200),
    ("get-missing", lambda a: call(a, "GET", f"/integrations/{MISSING}"), 404),
    (
        "update",
        lambda a: call(
            a, "PUT", f"/integrations/{integration(a)}", {"tenant_url": "https://c.okta.com", "active": False}
        ),
        200,
    ),
    (
        "update-no-active",
        lambda a: call(a, "PUT", f"/integrations/{integration(a)}", {"tenant_url": "https://c.okta.com"}),
        400,
    ),
    ("delete", lambda a: call(a, "DELETE", f"/integrations/{integration(a)}"), 200),
    ("delete-missing", lambda a: call(a, "DELETE", f"/integrations/{MISSING}"), 404),
    ("by-reference", lambda a: (integration(a), call(a, "GET", "/integrations/reference_id/ref-1"))[1], 200),
    ("by-reference-missing", lambda a: call(a, "GET", "/integrations/reference_id/nope"), 404),
]


@pytest.mark.parametrize(("make", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_response_matches_openapi(openapi: OpenAPI, app: EmulatorApp, make: Any, status: int) -> None:
    response = make(app)
    assert response.status_code == status
    openapi.validate_response(WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response))
    body = response.get_json()
    assert body["success"] is (status == 200)
    if status != 200:
        assert body["errors"] and body["errors"][0]["code"] >= 1000
