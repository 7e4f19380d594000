"""Request bodies: whatever a body holds, every operation and test hook answers it, and never with a 500."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st
from werkzeug.test import Client, TestResponse

from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.emulator import EmulatorApp, build_app
from zt_risk_scoring.emulator.bodies import seeded_user

ROOT = f"/client/v4/accounts/{ACCOUNT}/zt_risk_scoring"
USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"
LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def app() -> Iterator[EmulatorApp]:
    with build_app([ACCOUNT], [TOKEN]) as app:
        yield app


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


# The fuzz: every field of a valid body, of every operation and test hook, replaced by any JSON value
# (surrogates and the URL and number edge cases above included) or left out; and whole bodies of anything.
INTEGRATION = "{integration}"  # filled in with the id of an integration that exists
VALID: list[tuple[str, str, str, Any]] = [
    (
        "update_behaviors",
        "PUT",
        f"{ROOT}/behaviors",
        {"behaviors": {"imp_travel": {"enabled": True, "risk_level": "low"}}},
    ),
    (
        "create_integration",
        "POST",
        f"{ROOT}/integrations",
        {"integration_type": "Okta", "tenant_url": "https://a.okta.com", "reference_id": "ref-1"},
    ),
    (
        "update_integration",
        "PUT",
        f"{ROOT}/integrations/{INTEGRATION}",
        {"active": False, "tenant_url": "https://b.okta.com", "reference_id": "ref-2"},
    ),
    ("get_behaviors", "GET", f"{ROOT}/behaviors", None),
    ("get_summary", "GET", f"{ROOT}/summary", None),
    ("list_integrations", "GET", f"{ROOT}/integrations", None),
    ("get_integration", "GET", f"{ROOT}/integrations/{INTEGRATION}", None),
    ("get_integration_by_reference", "GET", f"{ROOT}/integrations/reference_id/seeded", None),
    ("delete_integration", "DELETE", f"{ROOT}/integrations/{INTEGRATION}", None),
    ("get_user_risk", "GET", f"{ROOT}/{USER}", None),
    ("reset_user", "POST", f"{ROOT}/{USER}/reset", None),
    (
        "control-faults",
        "POST",
        "/__emulator/faults",
        {
            "latency_ms": 0,
            "seed": 1,
            "rules": [
                {
                    "mode": "redirect",
                    "status": 307,
                    "count": 1,
                    "rate": 0.5,
                    "retry_after": 1,
                    "methods": ["GET"],
                    "operations": ["get_behaviors"],
                    "location": "/elsewhere",
                },
                {"mode": "delay", "delay_s": 0},
            ],
        },
    ),
    (
        "control-users",
        "POST",
        "/__emulator/users",
        {
            "account": ACCOUNT,
            "users": [
                {
                    "user_id": "u-1",
                    "name": "Ada",
                    "email": "ada@example.com",
                    "last_reset_time": "2026-11-01T10:00:00Z",
                    "events": [
                        {
                            "id": "e-1",
                            "name": "Impossible Travel",
                            "risk_level": "high",
                            "timestamp": "2026-11-01T10:00:00Z",
                            "event_details": {"ip": "192.0.2.1"},
                        }
                    ],
                }
            ],
        },
    ),
    (
        "control-catalogue",
        "POST",
        "/__emulator/catalogue",
        {"new_one": {"name": "New", "description": "d", "risk_level": "high", "enabled": True}},
    ),
    ("control-revoke", "POST", "/__emulator/revoke", {"token": "not-a-token"}),
    ("control-reset", "POST", "/__emulator/reset", None),
    ("control-health", "GET", "/__emulator/health", None),
    ("control-log", "GET", "/__emulator/log", None),
    ("control-clear-log", "DELETE", "/__emulator/log", None),
    ("control-clear-faults", "DELETE", "/__emulator/faults", None),
]

EDGE_STRINGS = [
    "",
    "\ud800",
    "a\udfffb",
    "https://[::1",
    "https://[zz]/",
    "https://a\uff0eb\uff0fc",
    "https://a.okta.com",
    "low",
    "Okta",
    "redirect",
    "GET",
    "get_behaviors",
    "\x00",
    "\r\n",
    "%00",
    "x" * 5000,
]
EDGE_NUMBERS = [0, -1, 2**31, 2**63, 10**300, 1e308, -0.0, 0.5]
EDGE_VALUES = [*EDGE_STRINGS, *EDGE_NUMBERS, None, True, [], {}, [None], {"": None}]
STRINGS = st.sampled_from(EDGE_STRINGS) | st.text(st.characters() | st.characters(categories=["Cs"]), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | STRINGS
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(STRINGS, inner, max_size=3), max_leaves=8
)


def leaves(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The path of every field in `value`, containers included."""
    found: list[tuple[str | int, ...]] = [path] if path else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        found.extend(leaves(child, (*path, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    """`valid` with one field's value or key replaced, or the field left out; or any JSON value at all."""
    paths = leaves(valid)
    if not paths or draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    body = copy.deepcopy(valid)
    *parents, last = draw(st.sampled_from(paths))
    target = body
    for key in parents:
        target = target[key]
    change = draw(
        st.sampled_from(["value", "value", "drop", "rename", "rename"])
        if isinstance(target, dict)
        else st.just("value")
    )
    if change == "value":
        target[last] = draw(like(target[last]) | JSON)
    else:
        value = target.pop(last)
        if change == "rename":  # a key is a field too: a behavior's or a catalogue entry's
            target[draw(STRINGS)] = value
    return body


def like(value: Any) -> st.SearchStrategy[Any]:
    """Values of the same JSON type as `value`, edge cases first: where a handler's checks are thinnest."""
    if isinstance(value, str):
        return STRINGS
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int | float):
        return st.sampled_from(EDGE_NUMBERS) | SCALARS
    return JSON


@contextmanager
def fresh_app() -> Iterator[tuple[EmulatorApp, str]]:
    """An app with one integration (reference_id `seeded`) and one user with an event; the integration's id."""
    with build_app([ACCOUNT], [TOKEN]) as app:
        made = app.backend.create_integration(
            ACCOUNT, {"integration_type": "Okta", "tenant_url": "https://s.okta.com", "reference_id": "seeded"}
        )
        app.backend.seed_users(
            ACCOUNT, [seeded_user({"user_id": USER, "events": [{"name": "x", "risk_level": "low"}]})]
        )
        yield app, str(made["id"])


def assert_answered(response: TestResponse, fault: str | None = None) -> None:
    body = response.get_json() if response.is_json else None
    if fault is None:  # an injected fault may answer 5xx, or HTML: that is what it was asked for
        assert response.status_code < 500, body
        assert body is not None
    if body is not None and "success" in body and response.status_code >= 400:
        assert body["success"] is False and body["errors"][0]["code"] and body["result"] is None


def check(app: EmulatorApp, method: str, path: str, body: Any) -> None:
    """`body` is answered without a 500; rules the faults hook took are answered too when they fire."""
    response = send(app, method, path, json.dumps(body).encode())
    assert_answered(response)
    if path == "/__emulator/faults" and response.status_code == 200:
        # Fuzzed delays must not stall the suite.
        app.faults.latency_s = 0.0
        for rule in app.faults._rules:
            rule.delay_s = 0.0
        answer = send(app, "GET", f"{ROOT}/behaviors", b"")
        assert_answered(answer, app.log()["requests"][-1]["fault"])
        app.faults.clear()


TAKES_BODY = [v for v in VALID if v[3] is not None]
IGNORES_BODY = [v for v in VALID if v[3] is None]


@pytest.mark.parametrize(("method", "path", "valid"), [v[1:] for v in TAKES_BODY], ids=[v[0] for v in TAKES_BODY])
@hypothesis.settings(max_examples=100, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(data=st.data())
def test_operation_any_body_never_500(method: str, path: str, valid: Any, data: st.DataObject) -> None:
    with fresh_app() as (app, integration):
        check(app, method, path.replace(INTEGRATION, integration), data.draw(mutated(valid), label="body"))


@pytest.mark.parametrize(("method", "path", "valid"), [v[1:] for v in TAKES_BODY], ids=[v[0] for v in TAKES_BODY])
def test_operation_edge_value_in_any_field_never_500(method: str, path: str, valid: Any) -> None:
    # Every field (and key) of the valid body, replaced in turn by every edge value: the sweep the fuzz samples.
    # One app for the sweep: what earlier bodies wrote only adds state a later one must also cope with.
    with fresh_app() as (app, integration):
        for field in leaves(valid):
            *parents, last = field
            for edge in EDGE_VALUES:
                for rename in (False, True):
                    if rename and (not isinstance(edge, str) or isinstance(last, int)):
                        continue
                    body = copy.deepcopy(valid)
                    target = body
                    for key in parents:
                        target = target[key]
                    if rename:
                        target[edge] = target.pop(last)
                    else:
                        target[last] = edge
                    check(app, method, path.replace(INTEGRATION, integration), body)


@pytest.mark.parametrize(("method", "path"), [v[1:3] for v in IGNORES_BODY], ids=[v[0] for v in IGNORES_BODY])
@hypothesis.settings(max_examples=15, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow])
@hypothesis.given(body=JSON)
def test_operation_ignored_body_never_500(method: str, path: str, body: Any) -> None:
    with fresh_app() as (app, integration):
        assert_answered(send(app, method, path.replace(INTEGRATION, integration), json.dumps(body).encode()))


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(raw=st.binary(max_size=64) | st.sampled_from([b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"[" * 5000]))
def test_create_integration_any_bytes_never_500(raw: bytes) -> None:
    with fresh_app() as (app, _):
        assert_answered(send(app, "POST", f"{ROOT}/integrations", raw))
