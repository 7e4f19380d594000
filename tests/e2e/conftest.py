"""E2E fixtures: a fresh emulator per test module, and a stack of this project's program."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import PulumiStack
from tests.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN, Control
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app

READ_ONLY = "e2e-read-only-token-0123456789"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def module_emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(build_app([ACCOUNT, OTHER_ACCOUNT], [TOKEN, f"{READ_ONLY}:read"])).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(module_emulator: EmulatorServer) -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=module_emulator.base_url, token=TOKEN), ACCOUNT)


@pytest.fixture(scope="module")
def emu(module_emulator: EmulatorServer) -> Control:
    return Control(module_emulator)


@pytest.fixture(scope="module")
def stack(module_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> PulumiStack:
    workdir: Path = tmp_path_factory.mktemp("e2e")
    return PulumiStack(workdir, env={"CLOUDFLARE_API_TOKEN": TOKEN})


def base_config(server: EmulatorServer) -> dict[str, object]:
    return {"cloudflare:baseUrl": server.base_url, "cloudflare:accountId": ACCOUNT}
