"""Planted defects the explorer must catch (make explore-mutants): each a copy of the package with one change,
run by the provider under the real CLI (PYTHONPATH puts the copy first), the explorer's own checks unchanged."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .run import history

PACKAGE = Path(__file__).resolve().parent.parent / "provider" / "zt_risk_scoring"
# name → (file, the text replaced, its replacement), each text found exactly once
MUTANTS: dict[str, list[tuple[str, str, str]]] = {
    "duplicate-guard-skipped": [
        (
            "creation.py",
            '    found = client.find_integration_by_reference(props["reference_id"])\n',
            "    found = None\n",
        )
    ],
    "404-taken-as-gone": [
        (
            "client.py",
            "        if answer.status != 404:\n            raise answer\n",
            "        if answer.status != 404:\n            raise answer\n        return\n",
        )
    ],
    "reference-derived-again": [
        (
            "reference.py",
            '    if not explicit and olds.get("reference_id") and not _adopts_another(inputs, olds):',
            "    if False:",
        ),
        (
            "reference.py",
            "    elif not olds and not explicit:\n        generate_reference",
            "    elif not explicit:\n        generate_reference",
        ),
    ],
    "undeclared-key-written": [
        (
            "behavior_writes.py",
            "    return {**others, **write}",
            "    return {**{k: type(v)(not v.enabled, v.risk_level) for k, v in others.items()}, **write}",
        )
    ],
    "credential-in-message": [
        ("transport.py", "            exc.scrub(self.settings.secrets())\n", "            pass\n"),
        ("transport.py", '({printable(settings.base_url)})"', '({printable(settings.base_url)}, {settings.token})"'),
    ],
}


def planted(name: str, into: Path) -> Path:
    """A copy of the package with mutant `name`'s changes, under `into` (the PYTHONPATH entry)."""
    copy = into / "zt_risk_scoring"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for file, old, new in MUTANTS[name]:
        text = (copy / file).read_text()
        if text.count(old) != 1:
            raise SystemExit(f"mutant {name}: {file} no longer has the text it replaces once: {old!r}")
        (copy / file).write_text(text.replace(old, new))
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer.mutants", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="the budget of each mutant, shared by its seeds")
    parser.add_argument("--seeds", type=int, nargs="+", default=[4, 1], help="4: an API that takes duplicates")
    parser.add_argument("names", nargs="*", default=list(MUTANTS))
    args = parser.parse_args(argv)
    missed = []
    for name in args.names:
        with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
            env = {"PYTHONPATH": str(planted(name, Path(tmp)))}
            started, caught = time.monotonic(), None
            for seed in args.seeds:  # each seed its share of the budget: one history's API answers may hide it
                outcome = history(seed, args.seconds / len(args.seeds), env=env, log=lambda _line: None)
                if outcome.broken:
                    caught = outcome
                    break
        took = time.monotonic() - started
        if caught is None:
            missed.append(name)
            print(f"mutants: {name}: NOT caught in {took:.0f} s", flush=True)
        else:
            print(
                f"mutants: {name}: caught in {took:.0f} s (seed {caught.seed}, step {len(caught.steps)}): "
                f"{caught.broken[0]}",
                flush=True,
            )
    print(f"mutants: {len(args.names) - len(missed)} of {len(args.names)} caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
