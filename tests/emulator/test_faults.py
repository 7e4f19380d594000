"""Gateway faults (redirects, HTML pages), lost responses, and Cloudflare's answer for a route it does not have."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import ACCOUNT, TOKEN, UNENTITLED_ACCOUNT, Control
from zt_risk_scoring.emulator import EmulatorServer

HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def api(emulator: EmulatorServer, method: str = "GET", path: str = "behaviors") -> requests.Response:
    url = f"{emulator.base_url}/accounts/{ACCOUNT}/zt_risk_scoring/{path}"
    return requests.request(method, url, headers=HEADERS, timeout=5, allow_redirects=False)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308], ids=lambda s: f"status-{s}")
def test_fault_redirect_answers_location_without_envelope(
    emulator: EmulatorServer, control: Control, status: int
) -> None:
    control.post("faults", {"rules": [{"mode": "redirect", "status": status, "location": "https://login.example/"}]})
    response = api(emulator)
    assert (response.status_code, response.headers["Location"]) == (status, "https://login.example/")
    assert "success" not in response.text


def test_fault_redirect_defaults_to_302(emulator: EmulatorServer, control: Control) -> None:
    control.post("faults", {"rules": [{"mode": "redirect", "location": "/elsewhere"}]})
    assert api(emulator).status_code == 302


@pytest.mark.parametrize(("status", "phrase"), [(404, "Not Found"), (502, "Bad Gateway"), (200, "OK")], ids=str)
def test_fault_html_answers_page_without_envelope(
    emulator: EmulatorServer, control: Control, status: int, phrase: str
) -> None:
    control.post("faults", {"rules": [{"mode": "html", "status": status}]})
    response = api(emulator)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<html>") and phrase in response.text and "success" not in response.text


@pytest.mark.parametrize("mode", ["redirect", "html"])
def test_fault_gateway_count_runs_out(emulator: EmulatorServer, control: Control, mode: str) -> None:
    rule = {"mode": mode, "count": 2, **({"location": "/x"} if mode == "redirect" else {})}
    control.post("faults", {"rules": [rule]})
    assert [api(emulator).status_code for _ in range(3)] == [302 if mode == "redirect" else 404] * 2 + [200]


@pytest.mark.parametrize("mode", ["redirect", "html"])
def test_fault_gateway_rate_one_fires_every_time(emulator: EmulatorServer, control: Control, mode: str) -> None:
    rule = {"mode": mode, "rate": 1.0, **({"location": "/x"} if mode == "redirect" else {})}
    control.post("faults", {"rules": [rule]})
    assert {api(emulator).status_code for _ in range(3)} == {302 if mode == "redirect" else 404}


@pytest.mark.parametrize("mode", ["redirect", "html"])
def test_fault_gateway_methods_filter(emulator: EmulatorServer, control: Control, mode: str) -> None:
    rule = {"mode": mode, "methods": ["post"], **({"location": "/x"} if mode == "redirect" else {})}
    control.post("faults", {"rules": [rule]})
    assert api(emulator).status_code == 200
    assert api(emulator, "POST", "integrations").status_code == (302 if mode == "redirect" else 404)


@pytest.mark.parametrize("mode", ["redirect", "html"])
def test_fault_gateway_operations_filter(emulator: EmulatorServer, control: Control, mode: str) -> None:
    rule = {"mode": mode, "operations": ["list_integrations"], **({"location": "/x"} if mode == "redirect" else {})}
    control.post("faults", {"rules": [rule]})
    assert api(emulator).status_code == 200
    assert api(emulator, "GET", "integrations").status_code == (302 if mode == "redirect" else 404)


def test_fault_gateway_answer_is_logged(emulator: EmulatorServer, control: Control) -> None:
    control.post("faults", {"rules": [{"mode": "html", "status": 502}]})
    api(emulator)
    assert control.log()["requests"][-1] == {
        "method": "GET",
        "path": f"/client/v4/accounts/{ACCOUNT}/zt_risk_scoring/behaviors",
        "operation": "get_behaviors",
        "status": 502,
        "fault": "html",
    }


UNKNOWN = [
    ("without-client-v4", f"/accounts/{ACCOUNT}/zt_risk_scoring/behaviors"),
    ("client-v5", f"/client/v5/accounts/{ACCOUNT}/zt_risk_scoring/behaviors"),
    ("extra-segment", f"/client/v4/accounts/{ACCOUNT}/zt_risk_scoring/behaviors/extra/more"),
    ("other-product", f"/client/v4/accounts/{ACCOUNT}/access/apps"),
    ("api-root", "/client/v4"),
    ("server-root", "/"),
    ("control-without-slash", "/__emulator"),
]


@pytest.mark.parametrize("path", [u[1] for u in UNKNOWN], ids=[u[0] for u in UNKNOWN])
@pytest.mark.parametrize("authorized", [True, False], ids=["token", "no-token"])
def test_request_unknown_route_answers_7003_and_7000(emulator: EmulatorServer, path: str, authorized: bool) -> None:
    root = emulator.base_url.removesuffix("/client/v4")
    response = requests.get(root + path, headers=HEADERS if authorized else {}, timeout=5)
    assert response.status_code == 404
    assert response.json() == {  # as Cloudflare answers a path it cannot route (several reports)
        "success": False,
        "errors": [
            {"code": 7003, "message": f"Could not route to {path}, perhaps your object identifier is invalid?"},
            {"code": 7000, "message": "No route for that URI"},
        ],
        "messages": [],
        "result": None,
    }


@pytest.mark.parametrize(
    ("mode", "applied"), [("drop", False), ("drop_after_write", True)], ids=["drop", "drop-after-write"]
)
def test_fault_drop_closes_connection_without_answer(
    emulator: EmulatorServer, control: Control, mode: str, applied: bool
) -> None:
    control.post("faults", {"rules": [{"mode": mode}]})
    body = b'{"behaviors": {"imp_travel": {"enabled": true, "risk_level": "low"}}}'
    url = urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname or "", url.port or 0), timeout=10) as sock:
        sock.sendall(
            f"PUT {url.path}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors HTTP/1.1\r\nHost: emulator\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        assert sock.recv(65536) == b""  # closed, and not one byte of an answer before
    assert emulator.app.backend.get_behaviors(ACCOUNT)["behaviors"]["imp_travel"]["enabled"] is applied
    assert api(emulator).status_code == 200  # the next connection is served


def test_trickle_applies_then_sends_headers_at_once_and_the_body_slowly(
    emulator: EmulatorServer, control: Control
) -> None:
    every = 0.002
    control.post("faults", {"rules": [{"mode": "trickle", "delay_s": every, "operations": ["update_behaviors"]}]})
    body = {"behaviors": {"imp_travel": {"enabled": True, "risk_level": "low"}}}
    started = time.monotonic()
    with requests.put(f"{emulator.base_url}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors", json=body,
                      headers={"Authorization": f"Bearer {TOKEN}"}, stream=True, timeout=5) as answer:  # fmt: skip
        headers_after = time.monotonic() - started
        data = answer.raw.read()
    took = time.monotonic() - started
    assert answer.status_code == 200 and int(answer.headers["Content-Length"]) == len(data)
    assert json.loads(data)["result"]["behaviors"]["imp_travel"]["risk_level"] == "low"  # applied, then answered
    assert headers_after < took / 4 and took >= len(data) * every


def test_request_with_wrong_method_answers_cloudflares_405(emulator: EmulatorServer) -> None:
    response = requests.patch(
        f"{emulator.base_url}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors", headers=HEADERS, timeout=5
    )
    assert (response.status_code, response.json()["errors"]) == (
        405,
        [{"code": 7001, "message": "Method PATCH not available for that URI."}],
    )


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer two words", "token-without-scheme"])
def test_request_with_malformed_authorization_answers_6003_with_6111(emulator: EmulatorServer, header: str) -> None:
    url = f"{emulator.base_url}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors"
    response = requests.get(url, headers={"Authorization": header}, timeout=5)
    assert (response.status_code, response.json()["errors"]) == (
        400,
        [
            {
                "code": 6003,
                "message": "Invalid request headers",
                "error_chain": [{"code": 6111, "message": "Invalid format for Authorization header"}],
            }
        ],
    )


def test_injected_429_answers_cloudflares_rate_limit(emulator: EmulatorServer, control: Control) -> None:
    control.post("faults", {"rules": [{"mode": "status", "status": 429, "retry_after": 7}]})
    response = requests.get(
        f"{emulator.base_url}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors", headers=HEADERS, timeout=5
    )
    assert response.json()["errors"] == [
        {"code": 971, "message": "Please wait and consider throttling your request speed"}
    ]
    assert {k: response.headers.get(k) for k in ("Retry-After", "Ratelimit", "Ratelimit-Policy")} == {
        "Retry-After": "7",
        "Ratelimit": '"default";r=0;t=7',
        "Ratelimit-Policy": '"default";q=1200;w=300',
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/behaviors"), ("GET", "/integrations"), ("POST", "/integrations"), ("GET", "/summary")],
)
def test_request_to_an_unentitled_account_answers_3314(emulator: EmulatorServer, method: str, path: str) -> None:
    url = f"{emulator.base_url}/accounts/{UNENTITLED_ACCOUNT}/zt_risk_scoring{path}"
    response = requests.request(method, url, headers=HEADERS, json={}, timeout=5)
    assert (response.status_code, response.json()["errors"]) == (403, [{"code": 3314, "message": "Forbidden"}])
