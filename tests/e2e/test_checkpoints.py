"""`PULUMI_SKIP_CHECKPOINTS=true`: an `up` killed mid-run loses its state, and the next `up` still converges.

The engine then writes state only at the end of a run, so a SIGKILL leaves none of what the run created.
The next `up` must find those integrations by reference_id instead of creating duplicates.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import PulumiStack, default_sigint
from tests.conftest import ACCOUNT, TOKEN, Control
from tests.e2e.conftest import assert_state_is_account
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer, build_app

N = 50
# Slow enough that a run of N creates (two requests each, four at a time) lasts seconds, so the kill
# lands between the first and the last create.
LATENCY_MS = 150
FAST = {"PULUMI_SKIP_CHECKPOINTS": "true"}


@pytest.fixture(scope="module")
def module_emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN])).start()
    yield server
    server.stop()


@pytest.fixture
def fresh(emu: Control, tmp_path: Path) -> PulumiStack:
    emu.post("reset", {})
    return PulumiStack(tmp_path, env={"CLOUDFLARE_API_TOKEN": TOKEN})


def config(base_url: str, reference: str) -> dict[str, Any]:
    """N integrations: reference_ids generated, or chosen by the user (with adopt or without)."""
    items = []
    for k in range(N):
        item: dict[str, Any] = {"name": f"okta-{k}", "tenantUrl": f"https://kill{k}.okta.com"}
        if reference != "generated":
            item["referenceId"] = f"kill-{k}"
        if reference == "adopt":
            item["adopt"] = True
        items.append(item)
    return {
        "cloudflare:baseUrl": base_url,
        "cloudflare:accountId": ACCOUNT,
        "zt-risk-scoring:behaviors": {"imp_travel": {"enabled": True, "risk_level": "high"}},
        "zt-risk-scoring:integrations": items,
    }


def created(emu: Control) -> int:
    return sum(1 for e in emu.log()["requests"] if e["operation"] == "create_integration" and e["status"] < 400)


def survivors(session: int) -> list[int]:
    """Live processes of `session` (the CLI's, which the language host and the providers share)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                if os.getsid(int(entry.name)) == session and stat.rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry.name))
            except (ProcessLookupError, FileNotFoundError):
                pass
    return found


def kill_session(session: int) -> None:
    """SIGKILL every process of the run: the engine starts each plugin in a process group of its own."""
    deadline = time.monotonic() + 10
    while pids := survivors(session):
        assert time.monotonic() < deadline, f"processes {pids} outlived SIGKILL"
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


def kill_mid_run(stack: PulumiStack, emu: Control) -> int:
    """A fast `up` SIGKILLed (CLI, language host, providers) after some but not all creates; returns how many."""
    emu.post("faults", {"latency_ms": LATENCY_MS})
    up = subprocess.Popen(
        ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive"],
        cwd=stack.project,
        env={**stack.env, **FAST},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        preexec_fn=default_sigint,
        start_new_session=True,  # a session of its own, which the engine's plugins stay in
    )
    try:
        deadline = time.monotonic() + 90
        while created(emu) < N // 5:
            assert up.poll() is None, "the up ended before the kill; raise LATENCY_MS"
            assert time.monotonic() < deadline, "no creates within 90 s"
            time.sleep(0.05)
    finally:
        kill_session(up.pid)
        up.wait(timeout=10)
    # Requests in flight at the kill still land (as on the real API); let them, then measure.
    time.sleep(2 * LATENCY_MS / 1000 + 0.5)
    emu.post("faults", {"latency_ms": 0})
    done = created(emu)
    assert 0 < done < N, f"{done} of {N} integrations created at the kill"
    # The killed CLI could not release the backend's stack lock; removing it is the first step after any crash.
    stack.run("cancel", "--yes")
    return done


def assert_converged(stack: PulumiStack, api: RiskScoringClient) -> None:
    """One integration per resource, state equal to the API, and nothing left to change."""
    assert len(assert_state_is_account(stack, api)) == N


@pytest.mark.parametrize("reference", ["generated", "adopt"])
def test_up_after_fast_up_killed_mid_run_converges(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control, reference: str
) -> None:
    fresh.set_config(config(module_emulator.base_url, reference))
    kill_mid_run(fresh, emu)
    assert [r for r in fresh.resources() if r["type"].endswith("RiskIntegration")] == []  # the run saved nothing
    fresh.up()
    assert_converged(fresh, api)


def test_up_after_fast_up_killed_mid_run_without_adopt_refuses_chosen_ids(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    # A user-chosen reference_id may be someone else's integration: only adopt says it is this stack's.
    fresh.set_config(config(module_emulator.base_url, "chosen"))
    done = kill_mid_run(fresh, emu)
    result = fresh.up(check=False)
    assert result.returncode != 0
    assert "set adopt=True" in result.stdout
    live = api.list_integrations()
    assert max(Counter(i.reference_id for i in live).values()) == 1
    assert len(live) >= done
