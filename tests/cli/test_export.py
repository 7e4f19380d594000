"""`zt-risk export` says whom its keys are for, and refuses a target it cannot merge into before any API call."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Control
from zt_risk_scoring.cli import EXIT_CONFIG, main
from zt_risk_scoring.emulator import EmulatorServer


def test_export_help_names_stack_program_and_adoption_in_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "stacks/__main__.py" in out and "integration_id=" in out and "adopt=True" in out


def test_export_message_names_stack_program_and_adoption_in_code(
    env: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--stack-config", str(tmp_path / "Pulumi.adopt.yaml")]) == 0
    err = capsys.readouterr().err
    assert "stacks/__main__.py" in err and "integration_id=" in err and "adopt=True" in err


TARGETS = {
    "yaml-list": b"- a\n- b\n",
    "config-list": b"config:\n  - a\n",
    "not-yaml": b"config: [\n",
    "not-utf8": b"config:\n  k: \xff\n",
}


@pytest.mark.parametrize("content", TARGETS.values(), ids=TARGETS.keys())
def test_export_unusable_target_exits_config_before_any_request(
    env: EmulatorServer, control: Control, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    target = tmp_path / "Pulumi.bad.yaml"
    target.write_bytes(content)
    assert main(["export", "--stack-config", str(target)]) == EXIT_CONFIG
    [line] = capsys.readouterr().err.splitlines()
    assert str(target) in line and control.log()["requests"] == []


def test_export_unwritable_target_exits_config(
    env: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "Pulumi.dev.yaml"
    assert main(["export", "--stack-config", str(target)]) == EXIT_CONFIG
    assert "cannot be written" in capsys.readouterr().err.splitlines()[-1]
