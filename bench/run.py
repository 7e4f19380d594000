"""`make bench`: wall time and API requests of a growing stack, against the engine floor and the API minimum.

Runs the real Pulumi CLI against an in-process emulator that adds a fixed latency to every API request.
Writes a markdown table to stdout and build/bench.json.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import PulumiStack  # noqa: E402

from zt_risk_scoring.emulator import EmulatorServer, build_app  # noqa: E402

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "bench-token-0123456789abcdef0123456789abcdef"  # the peer provider wants 40-80 characters
LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "25"))
SIZES = [int(n) for n in os.environ.get("BENCH_N", "1,10,50,200").split(",")]
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))  # wall times are medians of this many runs
PHASES = ("create", "preview", "update", "refresh", "destroy")
CHANGED_PHASES = ("update", "refresh", "destroy")  # they run with every field changed
BEHAVIORS = ("imp_travel", "high_dlp", "sentinel_one")
THREADS = 4  # the dynamic-provider host's thread pool


def minimum(phase: str, n: int) -> int:
    return {"create": 2 * n + 2, "preview": 0, "update": n + 1, "refresh": n + 1, "destroy": n + 1}[phase]


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
    """What a stack declares: behaviors and integrations (bench/peers.py gives the same to OpenTofu)."""

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


def ours_phases(
    n: int, workdir: Path, args: dict[str, tuple[str, ...]] = PULUMI_ARGS
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Our stack program through every phase, with `args` as each phase's CLI arguments."""
    with emulator(LATENCY_MS) as server:
        stack = PulumiStack(workdir / "ours", env={"CLOUDFLARE_API_TOKEN": TOKEN})
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


def floor_phases(n: int, workdir: Path) -> Iterator[float]:
    stack = PulumiStack(
        workdir / "floor", program=ROOT / "bench" / "floor_program.py", env={"PYTHONPATH": str(ROOT / "bench")}
    )
    for phase in PHASES:
        stack.set_config(
            {
                "zt-risk-scoring:count": str(n),
                "zt-risk-scoring:value": "b" if phase in CHANGED_PHASES else "a",
            }
        )
        yield run_phase(stack, phase)


def measure(n: int, workdir: Path) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Ours and the floor, each phase of ours followed at once by the same phase of the floor."""
    ours, floor = {}, {}
    # zip pulls one phase from each generator in turn, so a pair is seconds apart, not a whole run.
    for (phase, result), floor_wall in zip(ours_phases(n, workdir), floor_phases(n, workdir), strict=True):
        ours[phase], floor[phase] = result, floor_wall
    return ours, floor


def main() -> int:
    rows: list[dict[str, Any]] = []
    for n in SIZES:
        ours_runs, floor_runs = [], []
        for rep in range(REPEAT):
            with tempfile.TemporaryDirectory() as tmp:
                print(f"bench: N={n} run {rep + 1}/{REPEAT} …", file=sys.stderr, flush=True)
                ours_run, floor_run = measure(n, Path(tmp))
                ours_runs.append(ours_run)
                floor_runs.append(floor_run)
        ours = ours_runs[0]  # requests and state are the same in every run (checked below)
        state = ours["create"]["state_bytes_per_resource"]
        for phase in PHASES:
            requests = ours[phase]["requests"]
            if any(run[phase]["by_operation"] != ours[phase]["by_operation"] for run in ours_runs):
                raise AssertionError(f"N={n} {phase}: requests differ between runs")
            # Paired: a machine whose speed drifts by seconds over the benchmark (a shared VM) moves both
            # halves of a pair alike, but not two medians taken minutes apart.
            gaps = [o[phase]["wall_s"] - f[phase] for o, f in zip(ours_runs, floor_runs, strict=True)]
            rows.append(
                {
                    "n": n,
                    "phase": phase,
                    "wall_s": round(statistics.median(run[phase]["wall_s"] for run in ours_runs), 3),
                    "floor_s": round(statistics.median(run[phase] for run in floor_runs), 3),
                    "gap_s": round(statistics.median(gaps), 3),
                    "wall_runs_s": [round(run[phase]["wall_s"], 3) for run in ours_runs],
                    "floor_runs_s": [round(run[phase], 3) for run in floor_runs],
                    "ideal_s": round(math.ceil(requests / THREADS) * LATENCY_MS / 1000, 3),
                    "requests": requests,
                    "min_requests": minimum(phase, n),
                    "by_operation": ours[phase]["by_operation"],
                    "state_bytes_per_resource": round(state["total"]),
                    "state_overhead_bytes_per_resource": round(state["beyond_own_fields"]),
                }
            )
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2))
    print(table(rows))
    return 0


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| N | phase | wall s | floor s | ours-floor s (paired) | ideal s | (ours-floor)/ideal | requests | minimum | "
        "req/min | state B/res | beyond own fields |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        over = r["gap_s"]
        ratio = f"{over / r['ideal_s']:.2f}" if r["ideal_s"] else "n/a"
        if r["min_requests"]:
            req_ratio = f"{r['requests'] / r['min_requests']:.2f}"
        else:
            req_ratio = "0 (ok)" if not r["requests"] else "above 0"
        lines.append(
            f"| {r['n']} | {r['phase']} | {r['wall_s']:.2f} | {r['floor_s']:.2f} | {over:.2f} | "
            f"{r['ideal_s']:.2f} | {ratio} | {r['requests']} | {r['min_requests']} | {req_ratio} | "
            f"{r['state_bytes_per_resource']} | {r['state_overhead_bytes_per_resource']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
