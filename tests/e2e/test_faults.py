"""Fault matrix under the real CLI: `pulumi up` (and a second one if the first failed), then compare.

Every row ends with no duplicate integrations, no orphans, stack state equal to the emulator's, and,
where the first `up` failed, a message a person can act on. Figures go to build/fault-matrix.json.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from harness import ROOT, PulumiStack, default_sigint
from tests.conftest import (
    ACCOUNT,
    OTHER_ACCOUNT,
    TOKEN,
    Control,
    emulator_argv,
    emulator_variants,
    free_port,
    start_emulator_process,
    stop_emulator_process,
)
from tests.e2e.conftest import assert_state_is_account
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app

READ_ONLY = "fault-read-only-0123456789"
OTHER = "fault-other-account-0123456789"
REVOCABLE = "fault-revocable-0123456789"
REPORT = ROOT / "build" / "fault-matrix.json"


@pytest.fixture(scope="module")
def module_emulator() -> Iterator[EmulatorServer]:
    tokens = [TOKEN, f"{READ_ONLY}:read", f"{OTHER}@{OTHER_ACCOUNT}", REVOCABLE]
    server = EmulatorServer(build_app([ACCOUNT, OTHER_ACCOUNT], tokens, variants=emulator_variants())).start()
    yield server
    server.stop()


@pytest.fixture
def fresh(module_emulator: EmulatorServer, emu: Control, tmp_path: Path) -> PulumiStack:
    emu.post("reset", {})
    module_emulator.app.credentials.tokens.setdefault(REVOCABLE, module_emulator.app.credentials.tokens[TOKEN])
    return PulumiStack(tmp_path, env={"CLOUDFLARE_API_TOKEN": TOKEN})


def config(
    base_url: str | None, n: int = 3, active: bool = True, level: str = "high", generated: bool = False, **extra: Any
) -> dict[str, Any]:
    """Stack config of n integrations (reference_ids chosen, or generated) and two behaviors."""
    return {
        **({"cloudflare:baseUrl": base_url} if base_url else {}),
        "cloudflare:accountId": ACCOUNT,
        "zt-risk-scoring:behaviors": {
            "imp_travel": {"enabled": True, "risk_level": level},
            "high_dlp": {"enabled": True, "risk_level": level},
        },
        "zt-risk-scoring:integrations": [
            {
                "name": f"okta-{k}",
                "tenantUrl": f"https://fault{k}.okta.com",
                **({} if generated else {"referenceId": f"fault-{k}"}),
                "active": active,
            }
            for k in range(n)
        ],
        **extra,
    }


def converge(stack: PulumiStack, env: dict[str, str] | None = None, attempts: int = 2) -> tuple[int, str]:
    """`pulumi up` until it succeeds (at most `attempts`); returns the attempts used and the first failure text."""
    first_failure = ""
    for attempt in range(1, attempts + 1):
        result = stack.up(check=False, env=env if attempt == 1 else None)
        if result.returncode == 0:
            return attempt, first_failure
        first_failure = first_failure or result.stdout + result.stderr
    raise AssertionError(f"did not converge in {attempts} ups:\n{first_failure}")


def assert_consistent(stack: PulumiStack, api: RiskScoringClient, row: str, attempts: int, emu: Control) -> None:
    live = assert_state_is_account(stack, api)
    record(
        row,
        attempts=attempts,
        integrations=len(live),
        duplicates=0,
        orphans=0,
        requests=len(emu.log()["requests"]),
    )


def record(row: str, **figures: Any) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    rows = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    rows[row] = figures
    REPORT.write_text(json.dumps(rows, indent=2, sort_keys=True))


TRANSIENT = [
    ("429-storm", {"rules": [{"status": 429, "retry_after": 1, "count": 8}]}),
    ("5xx-burst", {"rules": [{"status": 503, "count": 6}, {"status": 502, "count": 3}]}),
    ("lost-post", {"rules": [{"mode": "drop_after_write", "operations": ["create_integration"], "count": 3}]}),
    ("post-503-before-write", {"rules": [{"status": 503, "operations": ["create_integration"], "count": 3}]}),
]


@pytest.mark.parametrize("faults", [f for _, f in TRANSIENT], ids=[r for r, _ in TRANSIENT])
def test_up_under_transient_faults_converges(
    fresh: PulumiStack,
    module_emulator: EmulatorServer,
    api: RiskScoringClient,
    emu: Control,
    request: pytest.FixtureRequest,
    faults: dict[str, Any],
) -> None:
    fresh.set_config(config(module_emulator.base_url))
    emu.post("faults", faults)
    attempts, _ = converge(fresh)
    module_emulator.app.faults.clear()
    assert_consistent(fresh, api, request.node.callspec.id, attempts, emu)


def test_up_with_latency_beyond_timeout_converges(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    fresh.set_config(config(module_emulator.base_url, **{"zt-risk-scoring:apiTimeout": "1"}))
    emu.post("faults", {"rules": [{"mode": "delay", "delay_s": 1.5, "count": 4}]})
    attempts, _ = converge(fresh)
    assert_consistent(fresh, api, "latency-beyond-timeout", attempts, emu)


@pytest.mark.parametrize("operation", ["update_behaviors", "update_integration"])
def test_update_with_lost_put_response_converges(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control, operation: str
) -> None:
    fresh.set_config(config(module_emulator.base_url))
    fresh.up()
    fresh.set_config(config(module_emulator.base_url, active=False, level="low"))
    emu.post("faults", {"rules": [{"mode": "drop_after_write", "operations": [operation], "count": 2}]})
    attempts, _ = converge(fresh)
    assert all(not i.active for i in api.list_integrations())
    assert_consistent(fresh, api, f"lost-put-{operation}", attempts, emu)


def test_destroy_with_lost_delete_response_converges(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    fresh.set_config(config(module_emulator.base_url))
    fresh.up()
    emu.post("faults", {"rules": [{"mode": "drop_after_write", "operations": ["delete_integration"], "count": 3}]})
    result = fresh.destroy(check=False)
    attempts = 1 if result.returncode == 0 else 2
    if attempts == 2:
        fresh.destroy()
    assert api.list_integrations() == []
    assert fresh.resources() == []
    record(
        "lost-delete", attempts=attempts, integrations=0, duplicates=0, orphans=0, requests=len(emu.log()["requests"])
    )


AUTH_ROWS = [
    ("read-only-token", READ_ONLY, "lacks Zero Trust Write on account"),
    ("other-account-token", OTHER, f"has no access to account {ACCOUNT}"),
    ("connection-refused", TOKEN, "no usable response from 'http://127.0.0.1:9/client/v4'"),
]


@pytest.mark.parametrize(("token", "expected"), [r[1:] for r in AUTH_ROWS], ids=[r[0] for r in AUTH_ROWS])
def test_up_with_unusable_credentials_or_endpoint_writes_nothing(
    fresh: PulumiStack,
    module_emulator: EmulatorServer,
    api: RiskScoringClient,
    emu: Control,
    request: pytest.FixtureRequest,
    token: str,
    expected: str,
) -> None:
    refused = request.node.callspec.id == "connection-refused"
    fresh.set_config(config("http://127.0.0.1:9/client/v4" if refused else module_emulator.base_url))
    result = fresh.up(check=False, env={"CLOUDFLARE_API_TOKEN": token})
    assert result.returncode != 0
    assert expected in result.stdout
    assert token not in result.stdout + result.stderr
    assert emu.writes() == 0
    fresh.set_config(config(module_emulator.base_url))
    attempts, _ = converge(fresh)
    assert_consistent(fresh, api, request.node.callspec.id, attempts + 1, emu)


def test_up_after_token_revoked_since_preview_fails_clearly(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    fresh.set_config(config(module_emulator.base_url))
    env = {"CLOUDFLARE_API_TOKEN": REVOCABLE}
    fresh.preview(env=env)
    emu.post("revoke", {"token": REVOCABLE})
    result = fresh.up(check=False, env=env)
    assert result.returncode != 0
    assert "is current and not revoked" in result.stdout and REVOCABLE not in result.stdout
    assert emu.writes() == 0
    attempts, _ = converge(fresh)
    assert_consistent(fresh, api, "revoked-token", attempts + 1, emu)


def test_up_of_20_integrations_with_10_percent_failures_converges(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    fresh.set_config(config(module_emulator.base_url, n=20))
    emu.post(
        "faults", {"seed": 7, "rules": [{"status": 503, "rate": 0.05}, {"mode": "drop_after_write", "rate": 0.05}]}
    )
    attempts, _ = converge(fresh, attempts=3)
    module_emulator.app.faults.clear()
    assert len(api.list_integrations()) == 20
    assert_consistent(fresh, api, "20-integrations-10pct-failures", attempts, emu)


def test_up_with_emulator_restart_midway_converges(fresh: PulumiStack, tmp_path: Path) -> None:
    argv = emulator_argv(free_port(), TOKEN, tmp_path / "restart.sqlite")
    proc, base = start_emulator_process(argv)
    try:
        requests.post(base.replace("/client/v4", "/__emulator/faults"), json={"latency_ms": 600}, timeout=5)
        fresh.set_config(config(base, n=10))
        up = subprocess.Popen(
            ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive"],
            cwd=fresh.project,
            env=fresh.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=default_sigint,
        )
        time.sleep(3.0)
        assert up.poll() is None, "the up finished before the restart; raise the latency"
        stop_emulator_process(proc, signal.SIGTERM)
        proc, base = start_emulator_process(argv)
        output = up.communicate(timeout=300)[0].decode()
        attempts = 1 if up.returncode == 0 else 1 + converge(fresh)[0]
        api = RiskScoringClient(Settings(base_url=base, token=TOKEN), ACCOUNT)
        live = api.list_integrations()
        assert len(live) == 10, output
        assert len({i.reference_id for i in live}) == 10
        state_ids = {r["id"] for r in fresh.resources() if r["type"].endswith("RiskIntegration")}
        assert state_ids == {i.id for i in live}
        fresh.up("--expect-no-changes")
        record(
            "emulator-restart-mid-up", attempts=attempts, integrations=len(live), duplicates=0, orphans=0, requests=None
        )
    finally:
        stop_emulator_process(proc, signal.SIGTERM)


def test_up_after_lost_post_and_failing_lookups_continues_own_attempt(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    # The POST lands but its answer is lost, and every lookup after it fails: the first `up` cannot
    # know what it created and must stop. The next `up` derives the same reference_id and continues.
    fresh.set_config(config(module_emulator.base_url, n=1, generated=True))
    lookups = ["get_integration_by_reference"]
    rules = [
        {"status": 404, "operations": lookups, "count": 1},
        {"mode": "drop_after_write", "operations": ["create_integration"], "count": 1},
        {"status": 503, "operations": lookups, "count": 100},
    ]
    emu.post("faults", {"rules": rules})
    first = fresh.up(check=False)
    assert first.returncode != 0 and "may have been applied" in first.stdout
    assert len(api.list_integrations()) == 1
    module_emulator.app.faults.clear()
    attempts, _ = converge(fresh)
    assert_consistent(fresh, api, "lost-post-then-lookups-fail", attempts + 1, emu)


def test_up_whose_post_lands_after_a_lookup_continues_on_conflict(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    fresh.set_config(config(module_emulator.base_url, n=1))
    lookups = ["get_integration_by_reference"]
    rules = [
        {"mode": "drop_after_write", "operations": ["create_integration"], "count": 1},
        {"status": 404, "operations": lookups, "count": 2},
    ]
    emu.post("faults", {"rules": rules})
    attempts, _ = converge(fresh, attempts=1)
    assert emu.counts()["create_integration"] == 2
    assert_consistent(fresh, api, "post-lands-late-409", attempts, emu)


@pytest.mark.parametrize("command", ["up", "destroy"])
def test_gateway_redirect_writes_nothing_and_keeps_state(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control, command: str
) -> None:
    fresh.set_config(config(module_emulator.base_url, level="low" if command == "destroy" else "high"))
    if command == "destroy":
        fresh.up()
    before, live = fresh.ours(), (api.list_integrations(), api.get_behaviors())
    elsewhere = "http://127.0.0.1:9/login?next=/client/v4"
    emu.post("faults", {"rules": [{"mode": "redirect", "location": elsewhere, "count": 1000}]})
    result = fresh.up(check=False) if command == "up" else fresh.destroy(check=False)
    module_emulator.app.faults.clear()
    assert result.returncode != 0
    assert elsewhere in result.stdout and "cloudflare:baseUrl" in result.stdout
    assert (api.list_integrations(), api.get_behaviors()) == live  # a redirected write applied nothing
    assert fresh.ours() == before
    if command == "destroy":
        assert len(api.list_integrations()) == 3
        fresh.destroy()
        assert api.list_integrations() == []
    else:
        attempts, _ = converge(fresh)
        assert_consistent(fresh, api, "gateway-redirect", attempts + 1, emu)


@pytest.mark.parametrize("command", ["refresh", "destroy"])
def test_base_url_without_client_v4_fails_and_keeps_state(
    fresh: PulumiStack, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control, command: str
) -> None:
    # The base URL comes from the environment: refresh and destroy read it at run time (a value in
    # stack config would come from the copy saved at the last `up`).
    fresh.set_config(config(None))
    fresh.up(env={"CLOUDFLARE_BASE_URL": module_emulator.base_url})
    before = fresh.ours()
    wrong = {"CLOUDFLARE_BASE_URL": module_emulator.base_url.removesuffix("/client/v4")}
    writes = emu.writes()
    result = fresh.run(command, "--yes", check=False, env=wrong)
    assert result.returncode != 0
    assert "cloudflare:baseUrl" in result.stdout
    assert emu.writes() == writes
    assert fresh.ours() == before
    assert len(api.list_integrations()) == 3
    fresh.destroy(env={"CLOUDFLARE_BASE_URL": module_emulator.base_url})
    assert api.list_integrations() == []
