"""The client's time limit for one call in all: an answer that trickles in ends at the deadline, naming it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.errors import ConnectionFailed
from zt_risk_scoring.models import IntegrationSpec

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "deadline-token-0123456789"


@pytest.fixture
def trickling() -> Iterator[str]:
    """A server that sends a 200's headers at once, then its declared body one byte every 0.2 s: its base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.2)

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/client/v4"
    stop.set()
    server.join(timeout=5)
    listener.close()


@pytest.mark.parametrize(
    ("call", "outcome"),
    [
        (lambda c: c.get_behaviors(), "it was a read, so nothing was changed"),
        (lambda c: c.create_integration(IntegrationSpec("https://x.okta.com", "r")), "may have been applied"),
    ],
    ids=["read", "write"],
)
def test_call_whose_answer_trickles_fails_at_the_deadline_naming_it(trickling: str, call: object, outcome: str) -> None:
    client = RiskScoringClient(Settings(base_url=trickling, token=TOKEN, deadline=1.0), ACCOUNT)
    started = time.monotonic()
    with pytest.raises(ConnectionFailed) as exc:
        call(client)  # type: ignore[operator]
    assert time.monotonic() - started < 5
    assert "within 1 s" in str(exc.value) and "zt-risk-scoring:apiDeadline / ZT_RISK_API_DEADLINE" in str(exc.value)
    assert outcome in str(exc.value) and exc.value.may_have_applied is True
