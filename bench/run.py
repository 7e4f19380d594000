"""`make bench`: wall time and API requests of a growing stack, against the engine floor and the API minimum.

Runs the real Pulumi CLI against an in-process emulator that adds a fixed latency to every API request.
Every phase runs as is and with PULUMI_SKIP_CHECKPOINTS=true (the `fast` columns), for ours and the floor.
BENCH_BACKEND_QUERY (default `metadata=skip`; empty for none) is the query of every stack's file:// backend
URL. BENCH_BASELINE names a directory holding another zt_risk_scoring package, run as one more variant
(`baseline`, paired too) to measure a change against the code before it. Writes a markdown table to
stdout and build/bench.json.
"""

from __future__ import annotations

import json
import math
import os
import shutil
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

from harness import PulumiStack  # noqa: E402
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
# The storage layer then writes no MD5 and no .attrs sidecar per state write (the CLI reads neither);
# the engine writes state twice per step, so this shortens a large `up` (README, Large stacks).
BACKEND_QUERY = os.environ.get("BENCH_BACKEND_QUERY", "metadata=skip")
BASELINE = os.environ.get("BENCH_BASELINE", "")
FAST = {"PULUMI_SKIP_CHECKPOINTS": "true"}


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


def paired(runs: list[dict[str, dict[str, dict[str, Any]]]], phase: str, a: str, b: str) -> float:
    """Median over runs of (a - b) in `phase`."""
    return round(statistics.median(float(r[a][phase]["wall_s"]) - float(r[b][phase]["wall_s"]) for r in runs), 3)


def median_wall(runs: list[dict[str, dict[str, dict[str, Any]]]], phase: str, name: str) -> float:
    return round(statistics.median(float(r[name][phase]["wall_s"]) for r in runs), 3)


def main() -> int:
    rows: list[dict[str, Any]] = []
    for n in SIZES:
        runs = []
        for rep in range(REPEAT):
            with tempfile.TemporaryDirectory() as tmp:
                print(f"bench: N={n} run {rep + 1}/{REPEAT} …", file=sys.stderr, flush=True)
                runs.append(measure(n, Path(tmp)))
        ours = runs[0]["ours"]  # requests and state are the same in every run (checked below)
        state = ours["create"]["state_bytes_per_resource"]
        requesting = [name for name in runs[0] if "floor" not in name]
        for phase in PHASES:
            requests = ours[phase]["requests"]
            for run in runs:
                for name in requesting:
                    if run[name][phase]["by_operation"] != ours[phase]["by_operation"]:
                        raise AssertionError(f"N={n} {phase}: requests of {name} differ from ours' first run")
            row = {
                "n": n,
                "phase": phase,
                "wall_s": median_wall(runs, phase, "ours"),
                "floor_s": median_wall(runs, phase, "floor"),
                # Paired: a machine whose speed drifts by seconds over the benchmark (a shared VM) moves
                # both halves of a pair alike, but not two medians taken minutes apart.
                "gap_s": paired(runs, phase, "ours", "floor"),
                "fast_s": median_wall(runs, phase, "fast"),
                "fast_floor_s": median_wall(runs, phase, "fast_floor"),
                "fast_gap_s": paired(runs, phase, "fast", "fast_floor"),
                "runs_s": {name: [r[name][phase]["wall_s"] for r in runs] for name in runs[0]},
                "ideal_s": round(math.ceil(requests / THREADS) * LATENCY_MS / 1000, 3),
                "requests": requests,
                "min_requests": minimum(phase, n),
                "by_operation": ours[phase]["by_operation"],
                "state_bytes_per_resource": round(state["total"]),
                "state_overhead_bytes_per_resource": round(state["beyond_own_fields"]),
            }
            if BASELINE:
                row["baseline_s"] = median_wall(runs, phase, "baseline")
                row["baseline_gap_s"] = paired(runs, phase, "baseline", "floor")
                row["ours_minus_baseline_s"] = paired(runs, phase, "ours", "baseline")
            rows.append(row)
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"latency_ms": LATENCY_MS, "backend_query": BACKEND_QUERY, "rows": rows}, indent=2))
    print(table(rows))
    if BASELINE:
        print()
        print(baseline_table(rows))
    return 0


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| N | phase | wall s | floor s | ours-floor s (paired) | ideal s | (ours-floor)/ideal | fast s | "
        "fast floor s | fast ours-floor s (paired) | requests | minimum | req/min | state B/res | "
        "beyond own fields |\n|" + "---|" * 15
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
            f"{r['ideal_s']:.2f} | {ratio} | {r['fast_s']:.2f} | {r['fast_floor_s']:.2f} | {r['fast_gap_s']:.2f} | "
            f"{r['requests']} | {r['min_requests']} | {req_ratio} | "
            f"{r['state_bytes_per_resource']} | {r['state_overhead_bytes_per_resource']} |"
        )
    return "\n".join(lines)


def baseline_table(rows: list[dict[str, Any]]) -> str:
    """The change against BENCH_BASELINE: each variant's paired gap to the floor, and ours - baseline."""
    lines = [
        "| N | phase | baseline-floor s (paired) | ours-floor s (paired) | ours-baseline s (paired) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']} | {r['phase']} | {r['baseline_gap_s']:.2f} | {r['gap_s']:.2f} | "
            f"{r['ours_minus_baseline_s']:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
