"""`make bench` (`python -m bench.run`): wall time and API requests of a growing stack against the engine floor.

Writes a markdown table to stdout and build/bench.json; see bench/workload.py for the variants and knobs.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.workload import (
    BACKEND_QUERY,
    BASELINE,
    LATENCY_MS,
    PHASES,
    REPEAT,
    ROOT,
    SIZES,
    THREADS,
    measure,
    minimum,
)


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
