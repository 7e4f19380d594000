"""The emulator answers every request: malformed HTTP gets a 4xx/501 envelope, never a dropped connection."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import pytest
from waitress.adjustments import Adjustments  # type: ignore[import-untyped]

from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.emulator.front import MAX_BODY, Parser

ROOT = f"/client/v4/accounts/{ACCOUNT}/zt_risk_scoring"
AUTH = f"Host: emulator\r\nAuthorization: Bearer {TOKEN}\r\n"


def exchange(server: EmulatorServer, request: bytes) -> tuple[int, http.client.HTTPMessage, Any]:
    """Send raw bytes on a fresh connection; the status, headers and JSON body of the answer."""
    url = urlsplit(server.base_url)
    with socket.create_connection((url.hostname or "", url.port or 0), timeout=10) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.headers, json.loads(response.read())


def put_behaviors(headers: str, body: bytes = b"") -> bytes:
    return f"PUT {ROOT}/behaviors HTTP/1.1\r\n{AUTH}{headers}\r\n".encode() + body


def get(target: bytes) -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\n" + AUTH.encode() + b"\r\n"


MALFORMED: list[tuple[str, bytes, int, int]] = [
    ("deep-json", put_behaviors("Content-Length: 100000\r\n", b"[" * 100_000), 400, 1001),
    ("content-length-not-a-number", put_behaviors("Content-Length: abc\r\n"), 400, 1006),
    ("content-length-negative", put_behaviors("Content-Length: -5\r\n"), 400, 1006),
    ("content-length-conflicting", put_behaviors("Content-Length: 2\r\nContent-Length: 3\r\n", b"{}"), 400, 1006),
    ("content-length-huge", put_behaviors("Content-Length: 99999999999999999999\r\n"), 413, 1007),
    ("content-length-5000-digits", put_behaviors(f"Content-Length: {'9' * 5000}\r\n"), 413, 1007),
    ("content-length-over-limit", put_behaviors(f"Content-Length: {MAX_BODY + 1}\r\n"), 413, 1007),
    ("chunk-size-not-hex", put_behaviors("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n"), 400, 1006),
    # Answered as the size is read: the emulator does not hold the connection for data it will refuse.
    ("chunk-size-24-hex-digits", put_behaviors("Transfer-Encoding: chunked\r\n", b"f" * 24 + b"\r\n"), 413, 1007),
    ("chunk-size-over-limit", put_behaviors("Transfer-Encoding: chunked\r\n", b"%x\r\n" % (MAX_BODY + 1)), 413, 1007),
    ("transfer-encoding-gzip", put_behaviors("Transfer-Encoding: gzip\r\n"), 501, 1006),
    ("bad-percent-escape", get(f"{ROOT}/%zz".encode()), 400, 1006),
    ("escape-not-utf8", get(f"{ROOT}/%ff%fe".encode()), 400, 1006),
    ("raw-byte-not-ascii", get(f"{ROOT}/".encode() + b"\xff\xfe"), 400, 1006),
    ("escaped-nul", get(f"{ROOT}/%00".encode()), 400, 1006),
    ("request-line-garbage", b"GARBAGE\r\n\r\n", 400, 1006),
    ("http-0.9", f"GET {ROOT}/behaviors\r\n\r\n".encode(), 400, 1006),
    ("http-2.0", f"GET {ROOT}/behaviors HTTP/2.0\r\n{AUTH}\r\n".encode(), 400, 1006),
    ("header-without-colon", put_behaviors("Not a header\r\n"), 400, 1006),
    ("bare-lf-line-ends", f"GET {ROOT}/behaviors HTTP/1.1\nHost: a\n\n".encode(), 400, 1006),
    ("bare-lf-before-blank-line", get(f"{ROOT}/behaviors".encode())[:-2] + b"\n\r\n", 400, 1006),
    ("bare-cr-line-ends", f"GET {ROOT}/behaviors HTTP/1.1\rHost: a\r\r".encode(), 400, 1006),
    ("request-line-too-long", get(f"{ROOT}/{'a' * 70_000}".encode()), 414, 1006),
    ("header-too-long", put_behaviors(f"X-Long: {'a' * 70_000}\r\n"), 431, 1006),
    (
        "control-body-not-object",
        b"POST /__emulator/faults HTTP/1.1\r\nHost: emulator\r\nContent-Length: 3\r\n\r\n[1]",
        400,
        1002,
    ),
]


@pytest.mark.parametrize(("request_bytes", "status", "code"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_request_malformed_answers_envelope(
    emulator: EmulatorServer, request_bytes: bytes, status: int, code: int
) -> None:
    got, headers, body = exchange(emulator, request_bytes)
    assert got == status
    assert headers["Content-Type"].startswith("application/json")
    assert body["success"] is False and body["messages"] == [] and body["result"] is None
    assert body["errors"][0]["code"] == code and body["errors"][0]["message"]


def test_request_bare_lf_answers_then_closes(emulator: EmulatorServer) -> None:
    # Without a CRLF CRLF the header never ends: the connection would be held until the idle timeout.
    url = urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname or "", url.port or 0), timeout=10) as sock:
        sock.sendall(b"GET /x HTTP/1.1\nHost: a\n\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        assert (response.status, json.loads(response.read())["errors"][0]["code"]) == (400, 1006)
        assert sock.recv(1) == b""  # closed by the server, not left open


@pytest.mark.parametrize("cut", [1, 2], ids=["cr-then-lf", "lf-then-blank-line"])
def test_request_crlf_split_across_reads_is_parsed(cut: int) -> None:
    # A CR that ends one read and its LF that starts the next are no bare line end.
    request = get(f"{ROOT}/behaviors".encode())
    parser = Parser(Adjustments())
    at = request.index(b"\r\n") + cut
    parser.received(request[:at])
    parser.received(request[at:])
    assert (parser.completed, parser.error, parser.path) == (True, None, f"{ROOT}/behaviors")


def test_request_at_body_limit_is_served(emulator: EmulatorServer) -> None:
    body = json.dumps({"behaviors": {"imp_travel": {"enabled": True, "risk_level": "low"}}}).encode()
    padded = body + b" " * (MAX_BODY - len(body))  # whitespace is valid JSON padding
    status, _, answer = exchange(emulator, put_behaviors(f"Content-Length: {len(padded)}\r\n", padded))
    assert (status, answer["result"]["behaviors"]["imp_travel"]["enabled"]) == (200, True)


def test_request_chunked_body_is_served(emulator: EmulatorServer) -> None:
    body = json.dumps({"behaviors": {"imp_travel": {"enabled": True, "risk_level": "low"}}}).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    status, _, answer = exchange(emulator, put_behaviors("Transfer-Encoding: chunked\r\n", chunked))
    assert (status, answer["result"]["behaviors"]["imp_travel"]["enabled"]) == (200, True)


def test_request_chunked_body_over_limit_answers_413(emulator: EmulatorServer) -> None:
    # Refused as the chunk size is read: the client may still be sending when the connection closes.
    size = MAX_BODY + 1
    chunked = b"%x\r\n" % size + b" " * size + b"\r\n0\r\n\r\n"
    status, answer = exchange_while_sending(emulator, put_behaviors("Transfer-Encoding: chunked\r\n", chunked))
    assert (status, answer["errors"][0]["code"]) == (413, 1007)


def test_request_over_limit_answers_413_while_client_sends_body(emulator: EmulatorServer) -> None:
    # The server refuses before reading the body; the answer must survive the unread bytes still arriving.
    body = b" " * (2 * MAX_BODY)
    status, answer = exchange_while_sending(emulator, put_behaviors(f"Content-Length: {len(body)}\r\n", body))
    assert (status, answer["errors"][0]["code"]) == (413, 1007)


def exchange_while_sending(server: EmulatorServer, request: bytes) -> tuple[int, Any]:
    """Read the answer while another thread sends `request`; a send cut short by the server's close is no failure."""
    url = urlsplit(server.base_url)
    with socket.create_connection((url.hostname or "", url.port or 0), timeout=10) as sock:
        sender = threading.Thread(target=lambda: _send_quietly(sock, request))
        sender.start()
        response = http.client.HTTPResponse(sock)
        response.begin()
        status, answer = response.status, json.loads(response.read())
        sender.join(timeout=10)
    return status, answer


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError:
        pass  # the server may close once it has answered; what matters is the answer


def test_request_after_refused_one_is_served(emulator: EmulatorServer) -> None:
    assert exchange(emulator, put_behaviors("Content-Length: abc\r\n"))[0] == 400
    status, _, body = exchange(emulator, get(f"{ROOT}/behaviors".encode()))
    assert (status, body["success"]) == (200, True)


def test_request_emulator_bug_answers_500_envelope(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_request: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(emulator.app, "api", broken)
    status, _, body = exchange(emulator, get(f"{ROOT}/behaviors".encode()))
    assert (status, body["success"], body["errors"][0]["code"]) == (500, False, 1000)


def test_request_head_answers_without_body(emulator: EmulatorServer) -> None:
    # A body after a HEAD answer would be read as the start of the next response.
    url = urlsplit(emulator.base_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    conn.request("HEAD", f"{ROOT}/behaviors", headers={"Authorization": f"Bearer {TOKEN}"})
    head = conn.getresponse()
    assert (head.status, head.read()) == (200, b"")
    conn.request("GET", f"{ROOT}/behaviors", headers={"Authorization": f"Bearer {TOKEN}"})
    assert conn.getresponse().status == 200  # the connection was not left with stray body bytes
    conn.close()
