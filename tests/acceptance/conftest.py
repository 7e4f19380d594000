"""The acceptance run: settings from the environment, a run prefix, the account saved first and restored, the budget."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import PulumiStack, run_command
from tests.acceptance.replay import exchanges
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import account_id_problem, default_account_id, resolve_settings
from zt_risk_scoring.errors import RiskScoringError
from zt_risk_scoring.models import BehaviorSetting, Integration
from zt_risk_scoring.recording import ENV as RECORD
from zt_risk_scoring.sweep import sweep

ENABLED = os.environ.get("ZT_RISK_ACCEPTANCE") == "1"
WHAT_TO_SET = (
    "acceptance tests run against a real account only when asked: set ZT_RISK_ACCEPTANCE=1, CLOUDFLARE_API_TOKEN "
    "(or CLOUDFLARE_API_KEY + CLOUDFLARE_EMAIL), CLOUDFLARE_ACCOUNT_ID and optionally CLOUDFLARE_BASE_URL"
)
# Read as pytest loads this file, before tests/conftest.py's autouse fixture hides the developer's Cloudflare
# settings from every test: here they are the point, and are handed to each command explicitly.
SETTINGS_ENV = {k: v for k, v in os.environ.items() if k.startswith("CLOUDFLARE_")}
RECORD_DIR = os.environ.get(RECORD)
# Optional: a second account, reached through the named connection `second` with its own (account-owned) token.
SECOND_ACCOUNT = os.environ.get("ZT_RISK_ACCEPTANCE_SECOND_ACCOUNT_ID", "")
SECOND_TOKEN = os.environ.get("ZT_RISK_ACCEPTANCE_SECOND_TOKEN", "")
SECOND = "second"
SUITE_PREFIX = "zt-acc-"
# Cloudflare allows 1,200 requests per 5 minutes; half of that is the suite's own limit.
WINDOW_S, WINDOW_BUDGET = 300.0, 600
PROGRAM = Path(__file__).with_name("program.py")
STATS = pytest.StashKey[dict[str, Any]]()

Row = tuple[str, str, str, bool]


def row(found: Integration) -> Row:
    return (found.id, found.reference_id, found.tenant_url, found.active)


def busiest_window(times: list[float]) -> int:
    """The most requests that started within any WINDOW_S seconds."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > WINDOW_S:
            start += 1
        most = max(most, end - start + 1)
    return most


class Run:
    """One run against one account: its prefix, its stack and transcript, what it found and what it made."""

    def __init__(self, workdir: Path, record: Path, user_id: str | None) -> None:
        self.prefix = f"{SUITE_PREFIX}{secrets.token_hex(4)}-"
        account = default_account_id(lambda _key: None, SETTINGS_ENV)
        problem = account_id_problem(account)
        if problem:
            raise pytest.UsageError(f"{problem} ({WHAT_TO_SET})")
        self.client = RiskScoringClient(resolve_settings(lambda _key: None, SETTINGS_ENV), str(account))
        self.record = record
        self.user_id = user_id
        self.started = time.monotonic()
        self.references: set[str] = set()
        self.behaviors_before: dict[str, dict[str, Any]] = {}
        self.foreign: list[Row] = []
        self.desired: dict[str, dict[str, Any]] = {}
        self._phases = 0
        self.stack = PulumiStack(workdir, name="acceptance", env=SETTINGS_ENV, program=PROGRAM)
        self.second: RiskScoringClient | None = None
        if SECOND_ACCOUNT and SECOND_TOKEN:
            settings = {f"{SECOND}:apiToken": SECOND_TOKEN, f"{SECOND}:baseUrl": self.client.settings.base_url}
            self.second = RiskScoringClient(resolve_settings(settings.get, {}, connection=SECOND), SECOND_ACCOUNT)
            self.stack.run("config", "set", f"{SECOND}:accountId", SECOND_ACCOUNT)
            self.stack.run("config", "set", f"{SECOND}:baseUrl", self.client.settings.base_url)
            self.stack.run("config", "set", "--secret", f"{SECOND}:apiToken", SECOND_TOKEN)

    # names ---------------------------------------------------------------------------------------
    def reference(self, name: str) -> str:
        """The reference_id of this run's integration `name`, remembered so the closing sweep may delete it."""
        self.references.add(f"{self.prefix}{name}")
        return f"{self.prefix}{name}"

    def tenant(self, name: str) -> str:
        return f"https://{self.prefix}{name}.okta.com"

    # commands ------------------------------------------------------------------------------------
    def phase(self, name: str) -> Path:
        """Record what follows, in this process and every command it starts, under a folder of its own."""
        self._phases += 1
        os.environ[RECORD] = str(self.record / f"{self._phases:02d}-{name}")
        return Path(os.environ[RECORD])

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.stack.run(*args, check=check, env={RECORD: os.environ[RECORD]})

    def zt_risk(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**self.stack.env, RECORD: os.environ[RECORD]}
        return run_command([sys.executable, "-m", "zt_risk_scoring.cli", *args], self.stack.project, env)

    def declare(self, resources: list[dict[str, Any]]) -> None:
        spec = {"resources": resources, "lookup": "a", "prefix": self.prefix, "user_id": self.user_id}
        (self.stack.project / "stacks" / "declared.json").write_text(json.dumps(spec))

    # the account ---------------------------------------------------------------------------------
    def behaviors(self) -> dict[str, dict[str, Any]]:
        return {key: b.as_given() for key, b in self.client.get_behaviors().items()}

    def others(self) -> list[Row]:
        """The account's integrations that are not this run's."""
        return sorted(row(i) for i in self.client.list_integrations() if not i.reference_id.startswith(self.prefix))

    def state(self, kind: str) -> dict[str, dict[str, Any]]:
        """Resource name → outputs of the stack's resources of `kind` (RiskIntegration, RiskBehaviors)."""
        found = [r for r in self.stack.resources() if r["type"].endswith(f":{kind}")]
        return {r["urn"].rsplit("::", 1)[-1]: {**r["outputs"], "id": r["id"]} for r in found}

    def assert_account_is_state(self) -> None:
        """Nothing duplicated, orphaned or missing; state as the account; others' integrations, behaviors untouched."""
        live = self.client.list_integrations()
        ours = {i.id: i for i in live if i.reference_id.startswith(self.prefix)}
        here = self.client.account_id  # a second account's (connection `second`) are compared by its own test
        state = {o["id"]: o for o in self.state("RiskIntegration").values() if o["account_id"] == here}
        duplicates = [ref for ref, n in Counter(i.reference_id for i in ours.values()).items() if n > 1]
        assert (duplicates, sorted(set(ours) - set(state)), sorted(set(state) - set(ours))) == ([], [], [])
        for found in ours.values():
            outs = state[found.id]
            assert (outs["reference_id"], outs["tenant_url"], outs["active"]) == row(found)[1:]
        assert sorted(row(i) for i in live if i.id not in ours) == self.foreign
        declared = {k: v for outs in self.state("RiskBehaviors").values() for k, v in outs["behaviors"].items()}
        assert self.behaviors() == {**self.behaviors_before, **declared}

    # the end ---------------------------------------------------------------------------------------
    def clean_up(self) -> list[str]:
        """After a failure too: destroy, sweep this run's prefix, put back any behavior not as it was found."""
        done: list[str] = []
        if self.state("RiskIntegration") or self.state("RiskBehaviors"):
            result = self.pulumi("destroy", "--yes", "--skip-preview", check=False)
            done.append(f"destroyed what the run left in its stack (exit {result.returncode})")
        for client in (self.client, self.second) if self.second else (self.client,):
            try:
                swept = sweep(client, self.prefix, delete=True, expected=self.references)
                done += [f"swept integration {i.id} ({i.reference_id}) of account {client.account_id}" for i in swept]
            except RiskScoringError as exc:
                done.append(f"sweep of account {client.account_id}: {exc}")
        now = self.behaviors()
        # Only what can be written back: a behavior found in a shape the API does not document is left alone.
        before = self.behaviors_before.items()
        changed = {k: v for k, v in before if isinstance(v["enabled"], bool) and v["risk_level"] and now.get(k) != v}
        if changed:
            restore = {k: BehaviorSetting(bool(v["enabled"]), str(v["risk_level"])) for k, v in changed.items()}
            self.client.update_behaviors(restore)
            done.append(f"restored behaviors {', '.join(sorted(changed))} as found")
        return done

    def stats(self, notes: list[str]) -> dict[str, Any]:
        # A retried request (429, 503) counts once per attempt: each reached the API.
        times = [float(e["at"]) for e in exchanges(self.record) for _ in range(int(e.get("attempts", 1)))]
        wall = time.monotonic() - self.started
        return {"requests": len(times), "busiest": busiest_window(times), "wall_s": wall, "notes": notes}


@pytest.fixture(scope="module")
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The run: earlier runs' leftovers swept, the account saved; in the end cleaned up and restored, failed or not."""
    given = request.config.getoption("--record") or RECORD_DIR
    record = Path(given).resolve() if given else tmp_path_factory.mktemp("transcript")
    before = os.environ.get(RECORD)
    acc = Run(tmp_path_factory.mktemp("acceptance"), record, request.config.getoption("--test-user-id"))
    notes: list[str] = []
    try:
        acc.phase("sweep-start")
        swept = acc.zt_risk("sweep", "--reference-prefix", SUITE_PREFIX, "--yes")
        assert swept.returncode == 0, swept.stderr
        notes += [f"start: {line}" for line in swept.stdout.splitlines()]
        acc.behaviors_before, acc.foreign = acc.behaviors(), acc.others()
        yield acc
    finally:
        acc.phase("cleanup")
        notes += acc.clean_up()
        if before is None:
            os.environ.pop(RECORD, None)
        else:
            os.environ[RECORD] = before
        request.config.stash[STATS] = acc.stats(notes) | {"record": str(record) if given else ""}


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    stats = config.stash.get(STATS, None)
    if stats is None:
        return
    write = terminalreporter.write_line
    for note in stats["notes"]:
        write(f"acceptance: {note}")
    write(
        f"acceptance: {stats['requests']} requests (at most {stats['busiest']} in any 5 minutes; Cloudflare allows "
        f"1,200), wall time {stats['wall_s']:.1f} s" + (f"; transcript in {stats['record']}" if stats["record"] else "")
    )
