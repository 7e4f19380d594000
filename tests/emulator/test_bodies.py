"""Request bodies: whatever a body holds, every operation and test hook answers it, and never with a 500."""

from __future__ import annotations

import pytest
from werkzeug.test import Client, TestResponse

from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.emulator import EmulatorApp, build_app

ROOT = f"/client/v4/accounts/{ACCOUNT}/zt_risk_scoring"
USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"
LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def app() -> EmulatorApp:
    return build_app([ACCOUNT], [TOKEN])


def send(app: EmulatorApp, method: str, path: str, raw: bytes) -> TestResponse:
    """`raw` as the body, JSON-typed, from a loopback peer with the full token."""
    return Client(app).open(
        path,
        method=method,
        data=raw,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        environ_overrides=LOOPBACK,
    )


def assert_refused(response: TestResponse, status: int, code: int) -> None:
    assert response.status_code == status
    body = response.get_json()
    assert body["success"] is False and body["messages"] == [] and body["result"] is None
    assert body["errors"][0]["code"] == code and body["errors"][0]["message"]


def create(tenant_url: str = "https://a.okta.com", reference_id: str = "ref-1") -> bytes:
    # Written by hand, not json.dumps: a case may need an escape (a lone surrogate) that only JSON text can hold.
    return f'{{"integration_type": "Okta", "tenant_url": "{tenant_url}", "reference_id": "{reference_id}"}}'.encode()


# (id, method, path, raw body, status, code)
REFUSED: list[tuple[str, str, str, bytes, int, int]] = [
    ("tenant-url-unclosed-ipv6", "POST", f"{ROOT}/integrations", create("https://[::1"), 400, 1002),
    ("tenant-url-ipv6-junk", "POST", f"{ROOT}/integrations", create("https://[zz]/"), 400, 1002),
    ("tenant-url-fullwidth-solidus", "POST", f"{ROOT}/integrations", create("https://a\uff0eb\uff0fc"), 400, 1002),
    ("tenant-url-lone-surrogate", "POST", f"{ROOT}/integrations", create("https://a\\ud800.okta.com"), 400, 1001),
    ("reference-id-lone-surrogate", "POST", f"{ROOT}/integrations", create(reference_id="\\ud800"), 400, 1001),
    ("reference-id-low-surrogate", "POST", f"{ROOT}/integrations", create(reference_id="a\\udfffb"), 400, 1001),
    (
        "behavior-key-lone-surrogate",
        "PUT",
        f"{ROOT}/behaviors",
        b'{"behaviors": {"\\ud800": {"enabled": true, "risk_level": "low"}}}',
        400,
        1001,
    ),
    ("nan-constant", "PUT", f"{ROOT}/behaviors", b'{"behaviors": {}, "x": NaN}', 400, 1001),
    ("infinity-constant", "POST", "/__emulator/faults", b'{"latency_ms": Infinity}', 400, 1001),
    # The bytes UTF-8 would give U+D800, which Python's JSON decoder lets through as a lone surrogate.
    (
        "reference-id-encoded-surrogate",
        "POST",
        f"{ROOT}/integrations",
        create().replace(b"ref-1", b"\xed\xa0\x80"),
        400,
        1001,
    ),
    ("seeded-user-lone-surrogate", "POST", "/__emulator/users", b'{"users": [{"user_id": "\\ud800"}]}', 400, 1001),
    (
        "seeded-event-lone-surrogate",
        "POST",
        "/__emulator/users",
        b'{"users": [{"user_id": "u", "events": [{"name": "\\udbff", "risk_level": "low"}]}]}',
        400,
        1001,
    ),
    ("catalogue-key-lone-surrogate", "POST", "/__emulator/catalogue", b'{"\\ud800": {}}', 400, 1001),
    ("revoke-token-lone-surrogate", "POST", "/__emulator/revoke", b'{"token": "\\ud800"}', 400, 1001),
]


@pytest.mark.parametrize(
    ("method", "path", "raw", "status", "code"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_request_body_unusable_answers_envelope(
    app: EmulatorApp, method: str, path: str, raw: bytes, status: int, code: int
) -> None:
    assert_refused(send(app, method, path, raw), status, code)


@pytest.mark.parametrize("raw", [create("https://[::1"), create(reference_id="\\ud800")], ids=["bad-url", "surrogate"])
def test_create_integration_refused_body_creates_nothing(app: EmulatorApp, raw: bytes) -> None:
    send(app, "POST", f"{ROOT}/integrations", raw)
    assert app.backend.list_integrations(ACCOUNT) == []


def test_create_integration_surrogate_pair_is_one_character(app: EmulatorApp) -> None:
    # An escaped pair is a valid astral character, not a lone surrogate.
    response = send(app, "POST", f"{ROOT}/integrations", create(reference_id="\\ud83d\\ude00"))
    assert (response.status_code, response.get_json()["result"]["reference_id"]) == (200, "\U0001f600")
