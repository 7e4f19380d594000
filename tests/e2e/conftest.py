"""E2E fixtures: a fresh emulator per test module, and a stack of this project's program."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import PulumiStack
from tests.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN, Control, emulator_variants
from tests.e2e.declared import PROGRAM, Declared
from tests.e2e.proxy import RewritingProxy
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app
from zt_risk_scoring.models import Integration

READ_ONLY = "e2e-read-only-token-0123456789"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def module_emulator() -> Iterator[EmulatorServer]:
    tokens = [TOKEN, f"{READ_ONLY}:read"]
    server = EmulatorServer(build_app([ACCOUNT, OTHER_ACCOUNT], tokens, variants=emulator_variants())).start()
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


@pytest.fixture
def proxy(emulator: EmulatorServer) -> Iterator[RewritingProxy]:
    """A proxy in front of the session's emulator; tests set its answer_rule to rewrite what comes back."""
    running = RewritingProxy(emulator.base_url.split("/client/")[0]).start()
    yield running
    running.stop()


@pytest.fixture
def declared(tmp_path: Path, emulator: EmulatorServer) -> Declared:
    """A stack of the declared program on the session's emulator, reset for the test."""
    stack = Declared(tmp_path, env={"CLOUDFLARE_API_TOKEN": TOKEN}, program=PROGRAM)
    stack.set_config({"cloudflare:baseUrl": emulator.base_url, "cloudflare:accountId": ACCOUNT})
    return stack


def base_config(server: EmulatorServer) -> dict[str, object]:
    return {"cloudflare:baseUrl": server.base_url, "cloudflare:accountId": ACCOUNT}


def assert_state_is_account(stack: PulumiStack, api: RiskScoringClient) -> list[Integration]:
    """No duplicate reference_id, no orphan, no missing integration, state equal to the API, nothing to change."""
    live = api.list_integrations()
    duplicates = [ref for ref, count in Counter(i.reference_id for i in live).items() if count > 1]
    state = {r["id"]: r["outputs"] for r in stack.resources() if r["type"].endswith("RiskIntegration")}
    orphans = sorted({i.id for i in live} - set(state))
    missing = sorted(set(state) - {i.id for i in live})
    assert (duplicates, orphans, missing) == ([], [], [])
    for found in live:
        outs = state[found.id]
        assert (outs["tenant_url"], outs["active"], outs["reference_id"]) == (
            found.tenant_url,
            found.active,
            found.reference_id,
        )
    stack.up("--expect-no-changes")
    return live
