"""The emulator's HTTP server: kept-alive connections, as Cloudflare's API keeps them."""

from __future__ import annotations

import http.client
import json
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
