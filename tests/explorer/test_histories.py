"""Histories of the explorer replayed under the real CLI: the regressions it found, and one of every kind of step.

Each replays with invariants checked after every step (explorer/invariants.py); a broken one fails the test with
the lines the explorer prints. regressions/ holds each shrunk history that once broke an invariant, kept after
its fix; histories/ the ones written by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from explorer.__main__ import load
from explorer.run import history

HERE = Path(__file__).parent
FILES = sorted([*HERE.glob("regressions/*.json"), *HERE.glob("histories/*.json")])
pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("file", FILES, ids=[f"{f.parent.name}/{f.stem}" for f in FILES])
def test_replay_of_history_breaks_no_invariant(file: Path) -> None:
    seed, variants, steps = load(file)
    outcome = history(seed, 0, steps=steps, variants=variants, log=lambda _line: None)
    assert (outcome.broken, len(outcome.steps)) == ([], len(steps))


def test_every_kind_of_step_is_in_a_kept_history() -> None:
    from explorer.run import CHANGES, OUTSIDE

    kinds = {s.kind for f in FILES for s in load(f)[2]}
    from explorer.history import ENGINE, ENGINE_RARE

    assert (CHANGES | OUTSIDE | {*ENGINE, *ENGINE_RARE, "fault"}) - kinds == set()
