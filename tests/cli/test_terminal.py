"""Tables and the `user` header never pass control characters, escape sequences or bidi overrides to the terminal."""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.cli.conftest import USER
from tests.conftest import Control
from zt_risk_scoring.cli import main
from zt_risk_scoring.emulator import EmulatorServer

# ESC + CSI colour, a C1 CSI, BEL, DEL, a right-to-left override, a newline and a line separator.
HOSTILE = "Ada\x1b[31mRED\x9b2J\x07\x7f\u202eevil\nnext\u2028line"


def unsafe(text: str) -> list[str]:
    """Characters of `text` a terminal would act on rather than show (newlines between lines aside)."""
    return [c for c in text.replace("\n", "") if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]


@pytest.fixture
def hostile(control: Control) -> None:
    event = {"name": HOSTILE, "risk_level": "high", "timestamp": "2026-11-01T10:00:00Z", "id": "evt\x1b]0;title\x07"}
    user = {"user_id": USER, "name": HOSTILE, "email": f"{HOSTILE}@example.com", "events": [event]}
    control.post("users", {"users": [user]})
    control.post("catalogue", {"zz_hostile": {"name": HOSTILE, "risk_level": "low"}})


COMMANDS = {"summary": ["summary"], "user": ["user", USER], "behaviors": ["behaviors"]}


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
def test_table_escapes_control_characters(
    env: EmulatorServer, hostile: None, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert unsafe(out) == [] and "\\x1b[31mRED" in out and "\\u202eevil" in out


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
def test_table_keeps_one_line_per_row(
    env: EmulatorServer, hostile: None, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert not any(line.startswith(("next", "line")) for line in lines)


def test_user_header_escapes_name_and_email(
    env: EmulatorServer, hostile: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", USER]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith("Ada\\x1b[31mRED\\x9b2J\\x07\\x7f\\u202eevil\\nnext\\u2028line <Ada\\x1b")


def test_user_json_keeps_values_exact(env: EmulatorServer, hostile: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["user", USER, "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert (data["name"], data["events"][0]["name"]) == (HOSTILE, HOSTILE) and unsafe(out) == []


def test_reset_usage_error_escapes_user_id(env: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["reset", "ab\x1b[2Jcd"])
    err = capsys.readouterr().err
    assert unsafe(err) == [] and "ab\\x1b[2Jcd" in err
