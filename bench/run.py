"""`make bench`: wall time and API requests of a growing stack, against the engine floor and the API minimum.

Runs the real Pulumi CLI against an in-process emulator that adds a fixed latency to every API request.
Writes a markdown table to stdout and build/bench.json.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import PulumiStack  # noqa: E402

from zt_risk_scoring.emulator import EmulatorServer, build_app  # noqa: E402

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "bench-token-0123456789abcdef0123456789"
LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "25"))
SIZES = [int(n) for n in os.environ.get("BENCH_N", "1,10,50,200").split(",")]
PHASES = ("create", "preview", "update", "refresh", "destroy")
THREADS = 4  # the dynamic-provider host's thread pool


def minimum(phase: str, n: int) -> int:
    return {"create": 2 * n + 2, "preview": 0, "update": n + 1, "refresh": n + 1, "destroy": n + 1}[phase]


def ours_config(server: EmulatorServer, n: int, changed: bool) -> dict[str, Any]:
    level = "low" if changed else "high"
    return {
        "cloudflare:baseUrl": server.base_url,
        "cloudflare:accountId": ACCOUNT,
        "zt-risk-scoring:behaviors": {
            k: {"enabled": not changed, "risk_level": level} for k in ("imp_travel", "high_dlp", "sentinel_one")
        },
        "zt-risk-scoring:integrations": [
            {"name": f"i{k}", "tenantUrl": f"https://t{k}.okta.com", "referenceId": f"bench-{k}", "active": not changed}
            for k in range(n)
        ],
    }


def run_phase(stack: PulumiStack, phase: str) -> float:
    args = {
        "create": ("up", "--yes", "--skip-preview"),
        "preview": ("preview", "--expect-no-changes"),
        "update": ("up", "--yes", "--skip-preview"),
        "refresh": ("refresh", "--yes", "--skip-preview"),
        "destroy": ("destroy", "--yes", "--skip-preview"),
    }[phase]
    start = time.perf_counter()
    stack.run(*args)
    return time.perf_counter() - start


def measure_ours(n: int, workdir: Path) -> dict[str, dict[str, Any]]:
    server = EmulatorServer(build_app([ACCOUNT], [TOKEN])).start()
    server.app.faults.configure({"latency_ms": LATENCY_MS})
    stack = PulumiStack(workdir / "ours", env={"CLOUDFLARE_API_TOKEN": TOKEN})
    results: dict[str, dict[str, Any]] = {}
    try:
        for phase in PHASES:
            stack.set_config(ours_config(server, n, changed=phase in ("update", "refresh", "destroy")))
            server.app.clear_log()
            wall = run_phase(stack, phase)
            log = server.app.log()
            results[phase] = {"wall_s": wall, "requests": len(log["requests"]), "by_operation": log["counts"]}
            if phase == "create":
                results[phase]["state_bytes_per_resource"] = state_bytes(stack, n)
    finally:
        server.stop()
    return results


def state_bytes(stack: PulumiStack, n: int) -> dict[str, float]:
    resources = [r for r in json.loads(stack.export())["deployment"]["resources"] if "dynamic" in r["type"]]
    total = sum(len(json.dumps(r)) for r in resources)
    # A resource's own fields are its inputs and outputs; the rest is engine metadata (URN, parent,
    # property dependencies, and the program stack trace the SDK records, ~1.2 KB here).
    own = sum(len(json.dumps(r.get("inputs", {}))) + len(json.dumps(r.get("outputs", {}))) for r in resources)
    return {"total": total / (n + 1), "beyond_own_fields": (total - own) / (n + 1)}


def measure_floor(n: int, workdir: Path) -> dict[str, float]:
    stack = PulumiStack(
        workdir / "floor", program=ROOT / "bench" / "floor_program.py", env={"PYTHONPATH": str(ROOT / "bench")}
    )
    walls = {}
    for phase in PHASES:
        stack.set_config(
            {
                "zt-risk-scoring:count": str(n),
                "zt-risk-scoring:value": "b" if phase in ("update", "refresh", "destroy") else "a",
            }
        )
        walls[phase] = run_phase(stack, phase)
    return walls


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    rows: list[dict[str, Any]] = []
    for n in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"bench: N={n} …", file=sys.stderr, flush=True)
            ours = measure_ours(n, Path(tmp))
            floor = measure_floor(n, Path(tmp))
        state = ours["create"]["state_bytes_per_resource"]
        for phase in PHASES:
            requests = ours[phase]["requests"]
            rows.append(
                {
                    "n": n,
                    "phase": phase,
                    "wall_s": round(ours[phase]["wall_s"], 3),
                    "floor_s": round(floor[phase], 3),
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
        "| N | phase | wall s | floor s | ours-floor s | ideal s | (ours-floor)/ideal | requests | minimum | "
        "req/min | state B/res |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        over = r["wall_s"] - r["floor_s"]
        ratio = f"{over / r['ideal_s']:.2f}" if r["ideal_s"] else "n/a"
        if r["min_requests"]:
            req_ratio = f"{r['requests'] / r['min_requests']:.2f}"
        else:
            req_ratio = "0 (ok)" if not r["requests"] else "above 0"
        lines.append(
            f"| {r['n']} | {r['phase']} | {r['wall_s']:.2f} | {r['floor_s']:.2f} | {over:.2f} | "
            f"{r['ideal_s']:.2f} | {ratio} | {r['requests']} | {r['min_requests']} | {req_ratio} | "
            f"{r['state_bytes_per_resource']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
