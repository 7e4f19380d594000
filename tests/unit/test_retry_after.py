"""A Retry-After the client cannot parse still means "wait": a bounded pause, then the rate limit or 503 itself."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.unit.api_answers import INTEGRATION, failure, ok
from zt_risk_scoring import errors, retries
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.models import IntegrationSpec
from zt_risk_scoring.retries import MAX_RETRY_AFTER_S, retry_policy

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
UNUSABLE = {"word": "soon", "negative": "-5", "negative-float": "-0.5", "punctuation": " , "}
Answer = tuple[int, dict[str, str], Any]


class Reply:
    """The part of a urllib3 response Retry reads."""

    def __init__(self, value: str) -> None:
        self.headers = {"Retry-After": value}


class Scripted:
    """A real HTTP server (urllib3 sleeps between retries only over a real connection) answering from a script."""

    def __init__(self) -> None:
        self.script: list[Answer] = []
        self.last: Answer = (500, {}, None)
        self.requests = 0
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                scripted.requests += 1
                status, headers, body = scripted.script.pop(0) if scripted.script else scripted.last
                payload = json.dumps(body).encode()
                self.send_response(status)
                for name, value in {**headers, "Content-Type": "application/json"}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/client/v4"


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    thread.join()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", slept.append)
    return slept


def _client(server: Scripted) -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=server.base_url, token="scripted-token-0123456789"), ACCOUNT)


@pytest.mark.parametrize("value", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_retry_after_unusable_waits_the_default(value: str) -> None:
    seconds = retry_policy().get_retry_after(Reply(value))  # type: ignore[arg-type]
    assert seconds == retries.UNUSABLE_RETRY_AFTER_S and 0 < seconds <= MAX_RETRY_AFTER_S


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_get_with_unusable_retry_after_waits_then_retries(
    scripted: Scripted, sleeps: list[float], status: int, value: str
) -> None:
    scripted.script = [(status, {"Retry-After": value}, failure(10429, "slow down")), (200, {}, ok([INTEGRATION]))]
    assert len(_client(scripted).list_integrations()) == 1
    assert sleeps == [retries.UNUSABLE_RETRY_AFTER_S]


@pytest.mark.parametrize(
    ("status", "expected"), [(429, errors.RateLimited), (503, errors.ServerError)], ids=["429", "503"]
)
def test_get_with_unusable_retry_after_exhausted_reports_status(
    scripted: Scripted, sleeps: list[float], status: int, expected: type[Any]
) -> None:
    scripted.last = (status, {"Retry-After": "soon"}, failure(10429, "slow down"))
    with pytest.raises(expected) as exc:
        _client(scripted).list_integrations()
    assert exc.value.status == status and "no usable response" not in str(exc.value)
    assert scripted.requests == 1 + retry_policy().status  # type: ignore[operator]


def test_post_with_unusable_retry_after_on_429_waits_then_retries(scripted: Scripted, sleeps: list[float]) -> None:
    scripted.script = [(429, {"Retry-After": "soon"}, failure(10429, "slow")), (200, {}, ok(INTEGRATION))]
    created = _client(scripted).create_integration(IntegrationSpec("https://a.okta.com", INTEGRATION["reference_id"]))
    assert created.id == INTEGRATION["id"] and sleeps == [retries.UNUSABLE_RETRY_AFTER_S]
