"""pyproject declares ranges; constraints.txt pins the newest tested, constraints-min.txt the declared floors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def project() -> dict[str, Any]:
    return dict(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"])


def declared() -> dict[str, Requirement]:
    """The runtime dependencies and the emulator extra's: the ranges users install."""
    listed = [*project()["dependencies"], *project()["optional-dependencies"]["emulator"]]
    return {canonicalize_name(r.name): r for r in map(Requirement, listed)}


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


def test_runtime_dependencies_leave_the_emulators_server_to_its_extra() -> None:
    runtime = {canonicalize_name(Requirement(r).name) for r in project()["dependencies"]}
    assert runtime == {"pulumi", "requests", "urllib3", "pyyaml"}
    assert {canonicalize_name(Requirement(r).name) for r in project()["optional-dependencies"]["emulator"]} == {
        "werkzeug",
        "waitress",
    }


def test_classifiers_start_at_requires_python_floor() -> None:
    versions = [
        c.rsplit(" :: ", 1)[1] for c in project()["classifiers"] if c.startswith("Programming Language :: Python :: 3.")
    ]
    minors = sorted(int(v.split(".")[1]) for v in versions)
    assert project()["requires-python"] == f">=3.{minors[0]}"
    assert minors == list(range(minors[0], minors[-1] + 1)), "a minor version between the listed ones is missing"


def test_packages_listed_are_every_package_of_the_tree() -> None:
    # The list is explicit (policy/ is mapped into the package): a subpackage missing from it would be
    # missing from the wheel, and every import of it in a user's install would fail.
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    tree = {".".join(p.parent.relative_to(ROOT / "provider").parts) for p in (ROOT / "provider").rglob("__init__.py")}
    assert listed == tree | {"zt_risk_scoring.policy_pack"}
