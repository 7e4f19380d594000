"""Fixtures of the CLI tests: the environment pointing `zt-risk` at the emulator, a seeded user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses

from tests.conftest import ACCOUNT, TOKEN, Control
from zt_risk_scoring.emulator import EmulatorServer

USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"
# A Cloudflare stand-in (`api`) for answers the emulator does not give.
BASE = "https://cf.test/client/v4"
ROOT = f"{BASE}/accounts/{ACCOUNT}/zt_risk_scoring"


@pytest.fixture
def env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", emulator.base_url)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    return emulator


@pytest.fixture
def seeded(control: Control) -> None:
    event = {"name": "Impossible Travel", "risk_level": "high", "timestamp": "2026-11-01T10:00:00Z"}
    control.post("users", {"users": [{"user_id": USER, "name": "Ada", "email": "ada@example.com", "events": [event]}]})


def envelope(result: Any) -> dict[str, Any]:
    return {"success": True, "errors": [], "messages": [], "result": result}


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    """A Cloudflare stand-in answering with shapes the emulator does not produce."""
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", BASE)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
