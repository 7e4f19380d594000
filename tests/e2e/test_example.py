"""examples/okta-risk as a user runs it: its own venv from its requirements.txt, the real CLI, the emulator."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ACCOUNT, TOKEN, Control
from tests.e2e.harness import ROOT, default_sigint, pulumi_dir
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

EXAMPLE = Path("examples") / "okta-risk"
# What pip needs of the checkout: no git, venvs, caches or build output (ours or the example's).
SKIP = shutil.ignore_patterns(".git", ".venv*", "venv", ".demo", "build", "*.egg-info", "__pycache__", ".*_cache")


class Example:
    """The example project inside a copy of this checkout, run by the CLI with a user's environment."""

    def __init__(self, workdir: Path, server: EmulatorServer) -> None:
        source = workdir / "source"
        shutil.copytree(ROOT, source, ignore=SKIP)
        self.dir = source / EXAMPLE
        # The user's PATH: the pinned CLI, and no Python that has pulumi (the venv option must be what works).
        ours = {str(Path(sys.executable).parent), str(Path(sys.prefix) / "bin")}
        path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p not in ours]
        (workdir / "backend").mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "PULUMI_", "VIRTUAL_ENV"))},
            "PATH": os.pathsep.join([pulumi_dir(), *path]),
            "PULUMI_BACKEND_URL": f"file://{workdir / 'backend'}",
            "PULUMI_HOME": str(workdir / "home"),
            "PULUMI_CONFIG_PASSPHRASE": "",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "CLOUDFLARE_API_TOKEN": TOKEN,
        }
        self._install()
        self.run("stack", "init", "dev")
        self.base = {
            "cloudflare:baseUrl": server.base_url,
            "cloudflare:accountId": ACCOUNT,
            "okta-risk:tenantUrl": "https://example.okta.com",
        }
        self.set_config({"okta-risk:impossibleTravelLevel": "high"})

    def _install(self) -> None:
        """`python -m venv venv` and `pip install -r requirements.txt`, as the example's README says."""
        # The user's pip: no constraints or import path of this project's dev environment.
        env = {k: v for k, v in os.environ.items() if k not in ("PIP_CONSTRAINT", "PYTHONPATH", "VIRTUAL_ENV")}
        subprocess.run([sys.executable, "-m", "venv", "venv"], cwd=self.dir, check=True, timeout=120)
        subprocess.run(
            ["venv/bin/pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"],
            cwd=self.dir,
            env=env,
            check=True,
            timeout=600,
        )

    def set_config(self, extra: dict[str, str]) -> None:
        stack_file = self.dir / "Pulumi.dev.yaml"
        current = yaml.safe_load(stack_file.read_text()) if stack_file.exists() else None
        stack_file.write_text(yaml.safe_dump({**(current or {}), "config": {**self.base, **extra}}))

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive", "--color", "never"],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
            preexec_fn=default_sigint,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json").stdout))


@pytest.fixture(scope="module")
def example(module_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Example]:
    project = Example(tmp_path_factory.mktemp("example"), module_emulator)
    yield project
    project.run("destroy", "--yes", "--skip-preview", check=False)


def _ops(preview: str) -> dict[str, str]:
    """Resource name → op of a `preview --json`, for the steps that do something."""
    steps = json.loads(preview)["steps"]
    return {
        s["urn"].rsplit("::", 1)[-1]: s["op"]
        for s in steps
        if s["op"] != "same" and "pulumi:pulumi:Stack" not in s["urn"]
    }


# The tests below run in file order on one stack: preview, up, preview, a change, destroy.


def test_preview_example_creates_everything_without_python_cmd(example: Example, emu: Control) -> None:
    assert "PULUMI_PYTHON_CMD" not in example.env  # Pulumi.yaml's `virtualenv: venv` is what finds the venv
    writes = emu.writes()
    result = example.run("preview", "--json")
    assert _ops(result.stdout) == {"risk-behaviors": "create", "okta-idp": "create", "okta": "create"}
    assert emu.writes() == writes


def test_up_example_creates_integration_with_reference_from_identity_provider(
    example: Example, api: RiskScoringClient
) -> None:
    example.run("up", "--yes", "--skip-preview")
    outputs = example.outputs()
    live = api.get_integration(outputs["integration_id"])
    assert live.reference_id == outputs["identity_provider_id"]
    assert (outputs["live_reference_id"], outputs["live_active"]) == (outputs["identity_provider_id"], True)
    assert api.get_behaviors()["imp_travel"].setting.risk_level == "high"


def test_preview_example_after_up_shows_no_changes(example: Example) -> None:
    example.run("preview", "--expect-no-changes")


def test_preview_diff_example_field_change_shows_the_field(example: Example) -> None:
    example.set_config({"okta-risk:impossibleTravelLevel": "low"})
    result = example.run("preview", "--diff")
    assert re.search(r'~ risk_level\s*: "high" => "low"', result.stdout), result.stdout
    assert "~ 1 to update" in result.stdout


def test_destroy_example_removes_integration_and_restores_behaviors(example: Example, api: RiskScoringClient) -> None:
    integration_id = example.outputs()["integration_id"]
    example.run("destroy", "--yes", "--skip-preview")
    assert integration_id not in [i.id for i in api.list_integrations()]
    assert api.get_behaviors()["imp_travel"].setting.enabled is False
