"""A clone builds, tests and runs on its own: no file of the project reaches a `shared` folder beside it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Folders that are generated or installed, never written by the project.
SKIPPED_DIRS = {"__pycache__", "build", "dist", "node_modules"}
SOURCE_SUFFIXES = {".py", ".sh", ".toml", ".cfg", ".ini", ".yaml", ".yml", ".json", ".go", ".mod", ".tf", ".mk"}
# Ways a path can step out of the repository into a sibling `shared` folder or its contents.
SHARED_SIBLING = re.compile(
    r"\.\.[/\\]+shared\b"  # ../shared, ..\shared
    r"|[\"']\.\.[\"']\s*,\s*[\"']shared[\"']"  # os.path.join("..", "shared")
    r"|/\s*[\"']shared[\"']"  # Path(...).parents[2] / "shared"
    r"|\bshared/(?:cloudflare-api|reference|seeds|hooks)\b"  # any path into the sibling's folders
)


def project_files() -> Iterator[Path]:
    """Sources, scripts and build files; executables without a suffix count as scripts."""
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(p in SKIPPED_DIRS or p.endswith(".egg-info") or (p.startswith(".") and p != ".ci") for p in parts):
            continue
        if path.is_file() and (path.suffix in SOURCE_SUFFIXES or path.name == "Makefile" or not path.suffix):
            yield path


def references_to_shared(text: str) -> list[str]:
    return [m.group(0) for m in SHARED_SIBLING.finditer(text)]


@pytest.mark.parametrize(
    "line",
    [
        'SPEC = Path(__file__).resolve().parents[3] / "shared" / "cloudflare-api" / "x.json"',
        'spec = os.path.join(os.path.dirname(__file__), "..", "shared", "x.json")',
        "SPEC := $(CURDIR)/../shared/cloudflare-api/x.json",
        'cat "$(dirname "$0")/../../shared/seeds/users.json"',
        "open('/srv/checkout/shared/reference/api.md')",
    ],
    ids=["pathlib-parents", "os-path-join", "makefile", "shell-dirname", "absolute"],
)
def test_scan_shared_reference_is_found(line: str) -> None:
    assert references_to_shared(line)


def test_scan_project_files_reach_no_shared_sibling() -> None:
    files = list(project_files())
    assert any(f.name == "Makefile" for f in files) and any(f.suffix == ".py" for f in files)
    hits = {
        str(f.relative_to(ROOT)): found
        for f in files
        if f != Path(__file__).resolve()  # this file names the patterns it looks for
        and (found := references_to_shared(f.read_text(encoding="utf-8", errors="replace")))
    }
    assert hits == {}, "a fresh clone has no shared/ beside it; vendor what you need into the repository"
