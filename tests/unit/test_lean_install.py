"""A plain install has no web server: the providers, lookups, stack program and CLI never import the emulator's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from zt_risk_scoring import cli
from zt_risk_scoring._version import __version__

# Run with the emulator's dependencies made unimportable, as in a venv of a plain `pip install`.
WITHOUT_EXTRA = "import sys; sys.modules.update(werkzeug=None, waitress=None); "


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_EXTRA + code], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "code",
    [
        "import zt_risk_scoring, zt_risk_scoring.integration, zt_risk_scoring.behaviors",
        "from zt_risk_scoring import RiskScoringClient, list_integrations, get_summary",
        "import zt_risk_scoring.exporting.import_file, zt_risk_scoring.exporting.stack_config",
        "import runpy; runpy.run_path('stacks/__main__.py')",
    ],
    ids=["resources", "client-and-lookups", "import-plan", "stack-program"],
)
def test_import_without_emulator_extra_succeeds(code: str) -> None:
    result = python(code)
    # The stack program outside an engine fails only on the missing engine, never on an import (an import of a
    # module set to None in sys.modules raises ModuleNotFoundError "import of werkzeug halted").
    assert "ModuleNotFoundError" not in result.stderr and " halted" not in result.stderr, result.stderr


@pytest.mark.parametrize("argv", [["--version"], ["summary", "--help"], ["emulator", "--help"]], ids=str)
def test_cli_without_emulator_extra_runs(argv: list[str]) -> None:
    result = python(f"from zt_risk_scoring.cli import main; sys.exit(main({argv!r}))")
    assert result.returncode == 0, result.stderr


def test_emulator_serve_without_extra_names_what_to_install() -> None:
    result = python("from zt_risk_scoring.cli import main; sys.exit(main(['emulator', 'serve', '--port', '0']))")
    assert result.returncode == cli.EXIT_CONFIG
    assert result.stderr.strip().splitlines() == [
        "zt-risk: the emulator needs werkzeug, which a plain install leaves out: "
        "pip install 'zt-risk-scoring[emulator]'"
    ]


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert (done.value.code, capsys.readouterr().out) == (0, f"zt-risk {__version__}\n")


def test_policy_pack_path_names_the_folder_of_the_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["policy-pack-path"]) == cli.EXIT_OK
    folder = Path(capsys.readouterr().out.strip())
    assert {"PulumiPolicy.yaml", "__main__.py", "rules.py"} <= {p.name for p in folder.iterdir()}
