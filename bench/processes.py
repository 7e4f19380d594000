"""Per-process CPU and lifetime of each phase, ours against the floor: where a small stack's time goes.

`BENCH_N=1 BENCH_REPEAT=5 python -m bench.processes`: runs the phases as bench.run does, samples /proc
every few ms for every process of the CLI's session (the CLI, the language host, the program, the
dynamic-provider host) and prints, per phase and role, the medians of CPU seconds and of seconds alive.
CPU comes in clock ticks (10 ms), so only medians over several runs mean anything.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.workload import (
    CHANGED_PHASES,
    LATENCY_MS,
    PHASES,
    PULUMI_ARGS,
    ROOT,
    TOKEN,
    beside_program,
    emulator,
    pulumi_config,
    workload,
)
from harness import PulumiStack, default_sigint

TICK = os.sysconf("SC_CLK_TCK")
N = int(os.environ.get("BENCH_N", "1").split(",")[0])
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def role(cmdline: str) -> str:
    if "pulumi.dynamic" in cmdline:
        return "provider"
    if "pulumi-language-python-exec" in cmdline:
        return "program"
    if "pulumi-language-python" in cmdline:
        return "language host"
    if "pulumi-resource-pulumi-python" in cmdline:
        return "provider sh"
    return "cli" if cmdline.startswith("pulumi") else "other: " + cmdline[:60]


class Sampler(threading.Thread):
    """Samples CPU ticks and first/last sight of every process in one session until stopped."""

    def __init__(self, session: int) -> None:
        super().__init__(daemon=True)
        self.session, self.stop = session, threading.Event()
        self.seen: dict[int, dict[str, Any]] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                pid = int(entry.name)
                try:
                    if os.getsid(pid) != self.session:
                        continue
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    if pid not in self.seen:
                        cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                        self.seen[pid] = {"role": role(cmd), "first": now}
                except (ProcessLookupError, FileNotFoundError):
                    continue
                # utime and stime are fields 14 and 15 of stat; here 11 and 12 after the command name.
                self.seen[pid].update(last=now, cpu=(int(fields[11]) + int(fields[12])) / TICK)
            time.sleep(0.005)


def profile(stack: PulumiStack, args: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """CPU and alive seconds per role for one CLI run (roles with several processes are summed)."""
    proc = subprocess.Popen(
        ["pulumi", *args, "--non-interactive", "--color", "never"],
        cwd=stack.project,
        env=stack.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        preexec_fn=default_sigint,
        start_new_session=True,
    )
    sampler = Sampler(proc.pid)
    start = time.monotonic()
    sampler.start()
    if proc.wait(timeout=300) != 0:
        raise AssertionError(f"pulumi {' '.join(args)} failed")
    wall = time.monotonic() - start
    sampler.stop.set()
    sampler.join()
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"cpu": 0.0, "alive": 0.0})
    for p in sampler.seen.values():
        out[p["role"]]["cpu"] += p.get("cpu", 0.0)
        out[p["role"]]["alive"] += p["last"] - p["first"]
    out["total"] = {"cpu": sum(v["cpu"] for v in out.values()), "alive": wall}
    return dict(out)


def phases(stack: PulumiStack, configure: Callable[[str], None]) -> dict[str, dict[str, dict[str, float]]]:
    result = {}
    for phase in PHASES:
        configure(phase)
        result[phase] = profile(stack, PULUMI_ARGS[phase])
    return result


def one_run() -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """Every phase of ours, then of the floor, in fresh stacks."""
    with tempfile.TemporaryDirectory() as tmp, emulator(LATENCY_MS) as server:
        ours = PulumiStack(Path(tmp) / "ours", env={"CLOUDFLARE_API_TOKEN": TOKEN})
        floor = PulumiStack(Path(tmp) / "floor", program=ROOT / "bench" / "floor_program.py")
        beside_program(floor, ROOT / "bench" / "floor_provider.py")

        def ours_config(phase: str) -> None:
            ours.set_config(pulumi_config(server.base_url, workload(N, changed=phase in CHANGED_PHASES)))

        def floor_config(phase: str) -> None:
            value = "b" if phase in CHANGED_PHASES else "a"
            floor.set_config({"zt-risk-scoring:count": str(N), "zt-risk-scoring:value": value})

        return {"ours": phases(ours, ours_config), "floor": phases(floor, floor_config)}


def main() -> int:
    runs = []
    for rep in range(REPEAT):
        print(f"processes: N={N} run {rep + 1}/{REPEAT} …", file=sys.stderr, flush=True)
        runs.append(one_run())
    print("| phase | role | ours cpu s | floor cpu s | ours alive s | floor alive s |\n|---|---|---|---|---|---|")
    for phase in PHASES:
        for r in sorted({r for run in runs for kind in run.values() for r in kind[phase]}):

            def med(kind: str, what: str, r: str = r, phase: str = phase) -> float:
                return statistics.median(run[kind][phase].get(r, {}).get(what, 0.0) for run in runs)

            print(
                f"| {phase} | {r} | {med('ours', 'cpu'):.2f} | {med('floor', 'cpu'):.2f} | "
                f"{med('ours', 'alive'):.2f} | {med('floor', 'alive'):.2f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
