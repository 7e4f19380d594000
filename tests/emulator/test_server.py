"""The emulator's HTTP server: kept-alive connections without a delayed-ACK stall, loopback by default, a clean stop."""

from __future__ import annotations

import http.client
import json
import socket
import sqlite3
import statistics
import time
from urllib.parse import urlsplit

import pytest

from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.emulator import EmulatorServer, build_app

HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
BODY = json.dumps({"integration_type": "Okta", "tenant_url": "https://keep.okta.com", "reference_id": "keep-1"})


def _connection(emulator: EmulatorServer) -> tuple[http.client.HTTPConnection, str]:
    url = urlsplit(emulator.base_url)
    return http.client.HTTPConnection(url.hostname or "", url.port, timeout=10), url.path


def _send(conn: http.client.HTTPConnection, method: str, path: str, body: str | None = None) -> tuple[int, str, int]:
    """Status, body text, and the local port the request left from (one port = one TCP connection)."""
    conn.request(method, path, body=body, headers=HEADERS)
    port = conn.sock.getsockname()[1] if conn.sock else -1
    response = conn.getresponse()
    return response.status, response.read().decode(), port


@pytest.mark.parametrize(
    "rules",
    [[], [{"mode": "status", "status": 429, "methods": ["POST"]}]],
    ids=["handled", "refused-before-reading-body"],
)
def test_request_after_a_post_reuses_the_connection(emulator: EmulatorServer, rules: list[dict[str, object]]) -> None:
    # A 429 fault answers without the app reading the body: the server must still consume it, or the
    # next request on the connection would start inside it.
    emulator.app.faults.configure({"rules": rules})
    conn, root = _connection(emulator)
    first, _, first_port = _send(conn, "POST", f"{root}/accounts/{ACCOUNT}/zt_risk_scoring/integrations", BODY)
    second, text, second_port = _send(conn, "GET", f"{root}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors")
    assert (first, second) == (429 if rules else 200, 200)
    assert first_port == second_port  # the same TCP connection served both
    assert "imp_travel" in json.loads(text)["result"]["behaviors"]
    conn.close()


def test_stop_closes_idle_kept_alive_connections() -> None:
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN])).start()
    conn, root = _connection(server)
    assert _send(conn, "GET", f"{root}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors")[0] == 200
    server.stop()
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        _send(conn, "GET", f"{root}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors")
    conn.close()


def test_request_kept_alive_answers_without_delayed_ack_stall(emulator: EmulatorServer) -> None:
    # Without TCP_NODELAY a response sent in two writes waits out the client's delayed ACK (40 ms on Linux).
    conn, root = _connection(emulator)
    timings = []
    for _ in range(21):
        start = time.perf_counter()
        assert _send(conn, "PUT", f"{root}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors", "{}")[0] == 400
        timings.append(time.perf_counter() - start)
    conn.close()
    assert statistics.median(timings) < 0.02


def test_server_default_listens_on_ipv4_loopback_free_port() -> None:
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN]))
    try:
        url = urlsplit(server.base_url)
        assert (url.hostname, url.path) == ("127.0.0.1", "/client/v4") and url.port and url.port > 0
    finally:
        server.stop()


def test_stop_without_start_frees_the_port() -> None:
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN]))
    port = urlsplit(server.base_url).port or 0
    server.stop()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # no SO_REUSEADDR: fails while anything still holds the port


def test_stop_twice_is_harmless() -> None:
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN])).start()
    server.stop()
    server.stop()


def test_stop_during_slow_request_closes_its_connection() -> None:
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN])).start()
    server.app.faults.configure({"rules": [{"mode": "delay", "delay_s": 0.5}]})
    conn, root = _connection(server)
    conn.request("GET", f"{root}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors", headers=HEADERS)
    time.sleep(0.1)  # the request is in the app, sleeping
    server.stop()
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        conn.getresponse()
    conn.close()


def test_stop_closes_the_app_database() -> None:
    # Left to the garbage collector, an open connection is a ResourceWarning on Python 3.13.
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN])).start()
    server.stop()
    with pytest.raises(sqlite3.ProgrammingError, match="closed database"):
        server.app.backend.get_behaviors(ACCOUNT)


def test_server_that_cannot_listen_closes_the_app_database() -> None:
    app = build_app([ACCOUNT], [TOKEN])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError):
            EmulatorServer(app, port=busy.getsockname()[1])
    with pytest.raises(sqlite3.ProgrammingError, match="closed database"):
        app.backend.get_behaviors(ACCOUNT)
