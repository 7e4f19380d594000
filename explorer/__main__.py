"""python -m explorer: run histories (make explore), replay one (make explore-replay), or shrink what broke.

A broken invariant stops the history with exit 1: the seed, the steps and the broken lines are printed, the
history is shrunk (steps dropped while the same invariant still breaks) and written as a replay file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from .history import Step
from .run import Outcome, history

FAILURES = Path(os.environ.get("EXPLORE_OUT", "explore-failures"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("EXPLORE_SECONDS") or 300))
    parser.add_argument(
        "--seed", type=int, action="append", help="the history (repeatable; default: EXPLORE_SEED, or new)"
    )
    parser.add_argument(
        "--max-steps", type=int, help="stop each history after this many steps (CI: the same ones always)"
    )
    parser.add_argument("--replay", type=Path, metavar="FILE", help="replay a file a broken history wrote")
    parser.add_argument("--shrink-seconds", type=float, default=float(os.environ.get("EXPLORE_SHRINK_SECONDS") or 600))
    parser.add_argument("--quiet", action="store_true", help="only the summary and what broke")
    parser.add_argument("--shrink", action="store_true", help="with --replay: shrink it further if it breaks")
    args = parser.parse_args(argv)
    log = (lambda _line: None) if args.quiet else print
    if args.replay is not None:
        return _replay(args.replay, log, args.shrink_seconds if args.shrink else None)
    seeds = args.seed or [
        int(os.environ["EXPLORE_SEED"]) if os.environ.get("EXPLORE_SEED") else random.randrange(10**6)
    ]
    per_seed = args.seconds / len(seeds)
    for seed in seeds:
        print(f"explore: seed {seed}, {per_seed:.0f} s (EXPLORE_SEED={seed} runs this history again)", flush=True)
        started = time.monotonic()
        outcome = history(seed, per_seed, log=log, max_steps=args.max_steps)
        _summary(outcome, time.monotonic() - started)
        if outcome.broken:
            return _failed(outcome, args.shrink_seconds)
    return 0


def _summary(outcome: Outcome, took: float) -> None:
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(outcome.kinds.items()))
    print(
        f"explore: seed {outcome.seed}: {len(outcome.steps)} steps ({outcome.cli_steps} under the real CLI), "
        f"{outcome.checks} invariant checks in {took:.0f} s; variants {outcome.variants or 'default'}; {kinds}; "
        f"failed (then converged): {', '.join(f'{k} {n}' for k, n in sorted(outcome.failed.items())) or 'none'}",
        flush=True,
    )


def _failed(outcome: Outcome, budget: float) -> int:
    for line in outcome.broken:
        print(f"explore: BROKEN {line}")
    print(f"explore: shrinking the {len(outcome.steps)} steps (at most {budget:.0f} s)", flush=True)
    small = shrink(outcome, budget)
    FAILURES.mkdir(parents=True, exist_ok=True)
    file = FAILURES / f"seed-{outcome.seed}.json"
    file.write_text(json.dumps(small.to_json(), indent=1) + "\n")
    print(f"explore: {len(small.steps)} steps still break it; replay: make explore-replay FILE={file}")
    for step in small.steps:
        print(f"  {step}")
    for line in small.broken:
        print(f"  BROKEN {line}")
    return 1


def _kind(broken: list[str]) -> str:
    return broken[0].split(":", 1)[0] if broken else ""


def shrink(outcome: Outcome, budget: float) -> Outcome:
    """Drop chunks of steps, then single steps, while the same invariant still breaks."""
    best, deadline, parts = outcome, time.monotonic() + budget, 2
    while len(best.steps) > 1 and time.monotonic() < deadline:
        size = math.ceil(len(best.steps) / parts)
        for start in range(0, len(best.steps), size):
            if time.monotonic() >= deadline:  # a long history's trial takes minutes: the budget is checked at each
                return best
            trial = history(
                best.seed,
                0,
                steps=best.steps[:start] + best.steps[start + size :],
                variants=best.variants,
                log=lambda _l: None,
            )
            if _kind(trial.broken) == _kind(outcome.broken):
                best, parts = trial, max(parts - 1, 2)
                break
        else:
            if size == 1:
                break
            parts = min(parts * 2, len(best.steps))
    return best


def load(file: Path) -> tuple[int, dict[str, str], list[Step]]:
    raw: dict[str, Any] = json.loads(file.read_text())
    return int(raw["seed"]), dict(raw.get("variants") or {}), [Step.from_json(s) for s in raw["steps"]]


def _replay(file: Path, log: Any, shrink_seconds: float | None = None) -> int:
    seed, variants, steps = load(file)
    started = time.monotonic()
    outcome = history(seed, 0, steps=steps, variants=variants, log=log)
    _summary(outcome, time.monotonic() - started)
    if outcome.broken and shrink_seconds is not None:
        return _failed(outcome, shrink_seconds)
    for line in outcome.broken:
        print(f"explore: BROKEN {line}")
    return 1 if outcome.broken else 0


if __name__ == "__main__":
    sys.exit(main())
