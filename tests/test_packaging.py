"""pyproject declares ranges; constraints.txt pins the newest tested, constraints-min.txt the declared floors."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}


def pins(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    pairs = [line.split("==", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(n): v.strip() for n, v in pairs}


def test_dependencies_declare_ranges_with_floor_and_ceiling() -> None:
    for name, req in declared().items():
        operators = {spec.operator for spec in req.specifier}
        assert ">=" in operators and "<" in operators, f"{name}: {req.specifier} is not a range"


def test_constraints_min_pins_each_declared_floor() -> None:
    floors = {name: next(s.version for s in req.specifier if s.operator == ">=") for name, req in declared().items()}
    assert pins("constraints-min.txt") == floors


def test_constraints_pins_within_declared_ranges() -> None:
    newest = pins("constraints.txt")
    for name, req in declared().items():
        assert name in newest, f"constraints.txt does not pin {name}"
        assert req.specifier.contains(newest[name]), f"constraints.txt: {name}=={newest[name]} not in {req.specifier}"


def test_classifiers_start_at_requires_python_floor() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    versions = [
        c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")
    ]
    minors = sorted(int(v.split(".")[1]) for v in versions)
    assert project["requires-python"] == f">=3.{minors[0]}"
    assert minors == list(range(minors[0], minors[-1] + 1)), "a minor version between the listed ones is missing"
