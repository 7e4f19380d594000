"""The emulator is an independent witness: no imports between it and the client/providers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "provider" / "zt_risk_scoring"
# Every module of the package outside the emulator, but the CLI's entry point, whose `emulator serve`
# imports the emulator when it runs.
PROVIDER_SIDE = sorted(
    str(p.relative_to(PACKAGE))
    for p in PACKAGE.rglob("*.py")
    if p.relative_to(PACKAGE).parts[0] != "emulator" and p.relative_to(PACKAGE) != Path("cli", "entry.py")
)


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("name", PROVIDER_SIDE)
def test_import_provider_module_never_reaches_emulator(name: str) -> None:
    assert not [m for m in imported_modules(PACKAGE / name) if "emulator" in m]


@pytest.mark.parametrize("path", sorted((PACKAGE / "emulator").glob("*.py")), ids=lambda p: p.name)
def test_import_emulator_module_stays_inside_emulator(path: Path) -> None:
    outside = [m for m in imported_modules(path) if m.startswith("..") or m.startswith("zt_risk_scoring")]
    assert outside == []
