"""The benchmark's workload and phases (a library for bench.run, bench.peers and bench.processes).

The real Pulumi CLI against an in-process emulator that adds a fixed latency to every API request; every
phase as is and with PULUMI_SKIP_CHECKPOINTS=true (the `fast` variants), for ours and the floor.
BENCH_BACKEND_QUERY (default `metadata=skip`; empty for none) is the query of every stack's file:// backend
URL. BENCH_BASELINE names a directory holding another zt_risk_scoring package, run as one more variant
(`baseline`) to measure a change against the code before it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import ROOT, PulumiStack
from zt_risk_scoring.emulator import EmulatorServer, build_app

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "bench-token-0123456789abcdef0123456789abcdef"  # the peer provider wants 40-80 characters
LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "25"))
SIZES = [int(n) for n in os.environ.get("BENCH_N", "1,10,50,200").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))  # wall times are medians of this many runs
PHASES = ("create", "preview", "update", "refresh", "destroy")
CHANGED_PHASES = ("update", "refresh", "destroy")  # they run with every field changed
BEHAVIORS = ("imp_travel", "high_dlp", "sentinel_one")
THREADS = 4  # the dynamic-provider host's thread pool
# The storage layer then writes no MD5 and no .attrs sidecar per state write (the CLI reads neither);
# the engine writes state twice per step, so this shortens a large `up` (README, Large stacks).
BACKEND_QUERY = os.environ.get("BENCH_BACKEND_QUERY", "metadata=skip")
BASELINE = os.environ.get("BENCH_BASELINE", "")
FAST = {"PULUMI_SKIP_CHECKPOINTS": "true"}


def minimum(phase: str, n: int) -> int:
    """The requests a phase needs. The behaviors are read before every write (a PUT sends every key as the account
    holds it, and destroy gives back only what still holds the stack's values): update and destroy are N + 2."""
    return {"create": 2 * n + 2, "preview": 0, "update": n + 2, "refresh": n + 1, "destroy": n + 2}[phase]


@dataclass(frozen=True)
class Integration:
    """One integration of a workload, in neither tool's vocabulary."""

    name: str
    tenant_url: str
    reference_id: str | None
    active: bool = True
    adopt: bool = False


@dataclass(frozen=True)
class Workload:
    """What a stack declares: behaviors and integrations (bench.peers gives the same to OpenTofu)."""

    behaviors: dict[str, dict[str, Any]]
    integrations: list[Integration]


def workload(n: int, changed: bool) -> Workload:
    """N integrations and 3 behaviors; `changed` flips every field an update can change."""
    level = "low" if changed else "high"
    return Workload(
        behaviors={k: {"enabled": not changed, "risk_level": level} for k in BEHAVIORS},
        integrations=[Integration(f"i{k}", f"https://t{k}.okta.com", f"bench-{k}", not changed) for k in range(n)],
    )


def pulumi_config(base_url: str, load: Workload) -> dict[str, Any]:
    items = []
    for i in load.integrations:
        item: dict[str, Any] = {"name": i.name, "tenantUrl": i.tenant_url, "active": i.active}
        if i.reference_id is not None:
            item["referenceId"] = i.reference_id
        if i.adopt:
            item["adopt"] = True
        items.append(item)
    return {
        "cloudflare:baseUrl": base_url,
        "cloudflare:accountId": ACCOUNT,
        "zt-risk-scoring:behaviors": load.behaviors,
        "zt-risk-scoring:integrations": items,
    }


# Phase -> CLI arguments: no preview before up/refresh/destroy, so each phase does its work once.
PULUMI_ARGS: dict[str, tuple[str, ...]] = {
    "create": ("up", "--yes", "--skip-preview"),
    "preview": ("preview", "--expect-no-changes"),
    "update": ("up", "--yes", "--skip-preview"),
    "refresh": ("refresh", "--yes", "--skip-preview"),
    "destroy": ("destroy", "--yes", "--skip-preview"),
}


def run_phase(stack: PulumiStack, phase: str) -> float:
    start = time.perf_counter()
    stack.run(*PULUMI_ARGS[phase])
    return time.perf_counter() - start


@contextmanager
def emulator(latency_ms: float = 0.0) -> Iterator[EmulatorServer]:
    """An in-process emulator adding `latency_ms` to every API request."""
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN])).start()
    server.app.faults.configure({"latency_ms": latency_ms})
    try:
        yield server
    finally:
        server.stop()


def time_phases(
    run: Callable[[str], object], set_load: Callable[[Workload], None], n: int, server: EmulatorServer
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each phase's wall time and API requests (from the emulator's log), in any tool."""
    for phase in PHASES:
        set_load(workload(n, changed=phase in CHANGED_PHASES))
        server.app.clear_log()
        start = time.perf_counter()
        run(phase)
        wall = time.perf_counter() - start
        log = server.app.log()
        yield phase, {"wall_s": round(wall, 3), "requests": len(log["requests"]), "by_operation": log["counts"]}


def stack_env(workdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a bench stack: the backend URL with BENCH_BACKEND_QUERY, then `extra`."""
    env = {"PULUMI_BACKEND_URL": f"file://{workdir / 'backend'}?{BACKEND_QUERY}"} if BACKEND_QUERY else {}
    return {**env, **(extra or {})}


def beside_program(stack: PulumiStack, source: Path) -> None:
    """Copy a module or package next to the stack program: importable by the program and the provider host.

    Both run with the program's directory first on sys.path. PYTHONPATH would do too, but the language
    host then runs `pip list` on every run (~0.2 s), which the stacks compared here would not all pay.
    """
    target = stack.project / "stacks" / source.name
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy(source, target)


def ours_phases(
    n: int,
    workdir: Path,
    args: dict[str, tuple[str, ...]] = PULUMI_ARGS,
    env: dict[str, str] | None = None,
    package: Path | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Our stack program through every phase, with `args` as each phase's CLI arguments.

    `package`: a zt_risk_scoring package directory to run instead of the installed one.
    """
    with emulator(LATENCY_MS) as server:
        stack = PulumiStack(workdir / "ours", env={"CLOUDFLARE_API_TOKEN": TOKEN, **stack_env(workdir / "ours", env)})
        if package is not None:
            beside_program(stack, package)
        for phase, result in time_phases(
            lambda phase: stack.run(*args[phase]),
            lambda load: stack.set_config(pulumi_config(server.base_url, load)),
            n,
            server,
        ):
            if phase == "create":  # outside the timed call
                result["state_bytes_per_resource"] = state_bytes(stack, n)
            yield phase, result


def state_bytes(stack: PulumiStack, n: int) -> dict[str, float]:
    resources = [r for r in json.loads(stack.export())["deployment"]["resources"] if "dynamic" in r["type"]]
    total = sum(len(json.dumps(r)) for r in resources)
    # A resource's own fields are its inputs and outputs; the rest is engine metadata (URN, parent,
    # property dependencies, and the program stack trace the SDK records, ~1.2 KB here).
    own = sum(len(json.dumps(r.get("inputs", {}))) + len(json.dumps(r.get("outputs", {}))) for r in resources)
    return {"total": total / (n + 1), "beyond_own_fields": (total - own) / (n + 1)}


def floor_phases(n: int, workdir: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    stack = PulumiStack(
        workdir / "floor", program=ROOT / "bench" / "floor_program.py", env=stack_env(workdir / "floor", env)
    )
    beside_program(stack, ROOT / "bench" / "floor_provider.py")
    for phase in PHASES:
        stack.set_config(
            {
                "zt-risk-scoring:count": str(n),
                "zt-risk-scoring:value": "b" if phase in CHANGED_PHASES else "a",
            }
        )
        yield phase, {"wall_s": round(run_phase(stack, phase), 3)}


def variants(n: int, workdir: Path) -> dict[str, Iterator[tuple[str, dict[str, Any]]]]:
    """Every variant's phases; each in a directory of its own."""
    for name in ("ours", "floor", "fast", "fast_floor", "baseline"):
        (workdir / name).mkdir()
    found = {
        "ours": ours_phases(n, workdir / "ours"),
        "floor": floor_phases(n, workdir / "floor"),
        "fast": ours_phases(n, workdir / "fast", env=FAST),
        "fast_floor": floor_phases(n, workdir / "fast_floor", env=FAST),
    }
    if BASELINE:
        found["baseline"] = ours_phases(n, workdir / "baseline", package=Path(BASELINE) / "zt_risk_scoring")
    return found


def measure(n: int, workdir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Variant -> phase -> result, each phase of every variant run in turn before the next phase."""
    runs = variants(n, workdir)
    out: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in runs}
    # zip pulls one phase from each generator in turn, so a pair is seconds apart, not a whole run.
    for results in zip(*runs.values(), strict=True):
        for name, (phase, result) in zip(runs, results, strict=True):
            out[name][phase] = result
    return out
