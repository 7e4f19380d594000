"""Fixtures of the CLI tests: the environment pointing `zt-risk` at the emulator, a seeded user."""

from __future__ import annotations

import pytest

from tests.conftest import ACCOUNT, TOKEN, Control
from zt_risk_scoring.emulator import EmulatorServer

USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"


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
