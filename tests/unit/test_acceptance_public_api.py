"""The acceptance suite can only use the public API: no file of it names the emulator's control plane or imports it."""

from __future__ import annotations

from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[1] / "acceptance"
# What runs against a real account; the checker (replay.py) and the CI driver (against_emulator.py) are the
# test side, which may start an emulator of their own.
FILES = ("conftest.py", "test_account.py", "program.py")


@pytest.mark.parametrize("name", FILES)
def test_acceptance_file_names_no_control_plane(name: str) -> None:
    text = (SUITE / name).read_text()
    assert [w for w in ("__emulator", "zt_risk_scoring.emulator", "tests.conftest", "Control") if w in text] == []
