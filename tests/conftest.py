"""Shared fixtures: an in-process emulator on a free port, clients and configured providers."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# Hypothesis imports its optimiser lazily, deep inside a test's stack; pytest rewrites that import (hypothesis is
# a pytest plugin), and CPython 3.11's ast.parse at that depth can fail ("AST constructor recursion depth
# mismatch", seen once in make test-min). Imported here, at collection, it is never imported deep.
import hypothesis.internal.conjecture.optimiser  # noqa: F401
import pytest
import requests
from pulumi.dynamic import Config, ConfigureRequest

from zt_risk_scoring import integration
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app
from zt_risk_scoring.emulator.variants import Variants
from zt_risk_scoring.models import BehaviorSetting
from zt_risk_scoring.provider_base import RiskScoringProvider

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
OTHER_ACCOUNT = "f037e56e89293a057740de681ac9abbe"
UNENTITLED_ACCOUNT = "0123456789abcdef0123456789ab3314"  # served without risk scoring: 403, code 3314
TOKEN = "test-token-full-0123456789"
READ_TOKEN = "test-token-read-0123456789"
NO_PII_TOKEN = "test-token-nopii-0123456789"
OTHER_TOKEN = "test-token-other-0123456789"
SCOPED_TOKEN = "test-token-scoped-0123456789"  # reaches ACCOUNT only, as an account-owned token does
EMAIL, API_KEY = "ops@example.com", "0123456789abcdef0123456789abcdef01234"


@pytest.fixture(scope="session", autouse=True)
def _event_loop() -> Iterator[None]:
    """One event loop for the session, current in the main thread, and every loop the tests cause closed at the end.

    The Pulumi SDK makes asyncio futures outside any running loop (set_mocks, every Resource), which
    asks asyncio for the thread's current loop: Python 3.12+ deprecates creating one implicitly, and
    the futures of one test's root stack outlive it, so every test must share the loop. Its mock
    monitor also wants a loop in each executor thread and makes one it never closes (a
    ResourceWarning on 3.13): the executor here gives each worker a loop of ours instead.
    """
    loop = asyncio.new_event_loop()
    worker_loops: list[asyncio.AbstractEventLoop] = []

    def give_worker_a_loop() -> None:
        worker = asyncio.new_event_loop()
        asyncio.set_event_loop(worker)
        worker_loops.append(worker)

    executor = ThreadPoolExecutor(thread_name_prefix="pulumi-executor", initializer=give_worker_a_loop)
    loop.set_default_executor(executor)
    asyncio.set_event_loop(loop)
    yield
    # Pulumi outputs of programs that failed on purpose hold futures whose exception nobody retrieves; collected
    # here, asyncio reports them like any others during the session, not on stderr after pytest's summary.
    gc.collect()
    executor.shutdown(wait=True)
    for worker in worker_loops:
        worker.close()
    asyncio.set_event_loop(None)
    loop.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    # Here, not in tests/acceptance/conftest.py: pytest takes options only from conftests it loads at start-up.
    group = parser.getgroup("acceptance", "the acceptance suite (tests/acceptance, ZT_RISK_ACCEPTANCE=1)")
    group.addoption("--record", metavar="DIR", help="write every request and response, redacted (or ZT_RISK_RECORD)")
    group.addoption(
        "--test-user-id", metavar="UUID", help="a test user the suite may read and reset (never any other user)"
    )


# The API variants the emulators of a test run serve (`make test-variants` runs modules once per variant):
# NAME=VALUE pairs separated by commas, or a file `zt-risk probe --variants-file` wrote; unset, each open
# point's default guess.
VARIANTS_ENV = "ZT_RISK_TEST_VARIANTS"


def emulator_variants() -> Variants:
    given = os.environ.get(VARIANTS_ENV, "")
    if given and "=" not in given:
        return Variants.parse([], Path(given))
    return Variants.parse(filter(None, given.split(",")))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked `assumes(NAME=VALUE)` asserts one answer of an open point: skipped while another is served."""
    served = emulator_variants()
    for mark in item.iter_markers("assumes"):
        for name, value in mark.kwargs.items():
            if served[name] != value:
                pytest.skip(f"asserts the answer {name}={value}; the emulators serve {name}={served[name]}")


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    app = build_app(
        [ACCOUNT, OTHER_ACCOUNT, UNENTITLED_ACCOUNT],
        [
            TOKEN,
            f"{READ_TOKEN}:read",
            f"{NO_PII_TOKEN}:read,write",
            f"{OTHER_TOKEN}@{OTHER_ACCOUNT}",
            f"{SCOPED_TOKEN}@{ACCOUNT}",
        ],
        [f"{EMAIL}:{API_KEY}"],
        unentitled=[UNENTITLED_ACCOUNT],
        variants=emulator_variants(),
    )
    server = EmulatorServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorServer]:
    """The session's emulator, reset to a fresh account for each test."""
    emulator_server.app.reset()
    yield emulator_server


class Control:
    """Test-side access to the emulator's /__emulator/ hooks."""

    def __init__(self, server: EmulatorServer) -> None:
        self.root = server.base_url.removesuffix("/client/v4") + "/__emulator/"

    def post(self, action: str, body: Any) -> Any:
        response = requests.post(self.root + action, json=body, timeout=5)
        response.raise_for_status()
        return response.json()

    def log(self) -> dict[str, Any]:
        return dict(requests.get(self.root + "log", timeout=5).json())

    def writes(self) -> int:
        return int(self.log()["writes"])

    def counts(self) -> dict[str, int]:
        return dict(self.log()["counts"])


@pytest.fixture
def control(emulator: EmulatorServer) -> Control:
    return Control(emulator)


def settings_for(server: EmulatorServer, token: str = TOKEN, **kw: Any) -> Settings:
    return Settings(base_url=server.base_url, token=token, **kw)


@pytest.fixture
def client(emulator: EmulatorServer) -> RiskScoringClient:
    return RiskScoringClient(settings_for(emulator, read_timeout=5.0), ACCOUNT)


def changed_elsewhere(client: RiskScoringClient, changes: dict[str, BehaviorSetting]) -> None:
    """Another writer's (a person's, another stack's) change of some behaviors, the other keys sent as they are:
    whether a PUT resets the keys it leaves out is open (variant behaviors_put_unsent)."""
    whole = {key: found.setting for key, found in client.get_behaviors().items()}
    client.update_behaviors({**whole, **changes})


def configured(provider: RiskScoringProvider, server: EmulatorServer, token: str = TOKEN) -> Any:
    config = {"cloudflare:apiToken": token, "cloudflare:baseUrl": server.base_url}
    provider.configure(ConfigureRequest(Config(config, "zt-risk-scoring")))
    return provider


@pytest.fixture(autouse=True)
def _fresh_provider_process() -> None:
    """Each test is a provider process of its own: what another test's checks kept or deletes removed is not its."""
    integration.reset_process_memory()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's Cloudflare credentials."""
    for name in (
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_BASE_URL",
        "CLOUDFLARE_ACCOUNT_ID",
    ):
        monkeypatch.delenv(name, raising=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def emulator_argv(port: int, token: str, state: Path) -> list[str]:
    """Command line of a separate emulator process keeping its state in `state`."""
    return [
        sys.executable,
        "-m",
        "zt_risk_scoring.emulator",
        "--port",
        str(port),
        "--token",
        token,
        "--state",
        str(state),
        *(f"--variant={name}={value}" for name, value in emulator_variants().chosen.items()),
    ]


def start_emulator_process(argv: list[str]) -> tuple[subprocess.Popen[str], str]:
    """Start `argv` and wait for the line that says it is listening; returns it and its base URL."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("zt-risk emulator listening on "), line
    return proc, line.rsplit(" ", 1)[-1].strip()


def stop_emulator_process(proc: subprocess.Popen[str], sig: int) -> int:
    proc.send_signal(sig)
    code = proc.wait(timeout=10)
    assert proc.stdout is not None
    proc.stdout.close()
    return code
