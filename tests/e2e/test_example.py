"""examples/okta-risk as a user runs it, the real CLI, the emulator: installed with pip into its own venv from its
requirements.txt, and as examples/okta-risk-uv and okta-risk-poetry (the same program, `toolchain: uv` and
`toolchain: poetry`) installed by `pulumi install`.
"""

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

from harness import CHECKOUT_SKIP, ROOT, UserProject
from tests.conftest import ACCOUNT, TOKEN, Control
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

EXAMPLES = {
    "pip": Path("examples") / "okta-risk",
    "uv": Path("examples") / "okta-risk-uv",
    "poetry": Path("examples") / "okta-risk-poetry",
}
BASE = {"okta-risk:impossibleTravelLevel": "high"}


def user_pip_env() -> dict[str, str]:
    """The user's pip: no constraints or import path of this project's dev environment."""
    return {k: v for k, v in os.environ.items() if k not in ("PIP_CONSTRAINT", "PYTHONPATH", "VIRTUAL_ENV")}


def toolchain_executable(name: str, workdir: Path) -> str:
    """uv from the test extra; poetry, not in the dev environment, installed from PyPI into a venv of its own."""
    if name == "uv":
        uv = shutil.which("uv", path=str(Path(sys.executable).parent))
        assert uv, "uv comes with the test extra: make venv"
        return uv
    tool_venv = workdir / f"{name}-venv"
    subprocess.run([sys.executable, "-m", "venv", str(tool_venv)], check=True, timeout=120)
    subprocess.run(
        [str(tool_venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", name],
        env=user_pip_env(),
        check=True,
        timeout=600,
    )
    return str(tool_venv / "bin" / name)


class Example(UserProject):
    """The example project inside a copy of this checkout, run by the CLI with a user's environment."""

    def __init__(self, workdir: Path, server: EmulatorServer, toolchain: str) -> None:
        source = workdir / "source"
        shutil.copytree(ROOT, source, ignore=CHECKOUT_SKIP)
        super().__init__(source / EXAMPLES[toolchain], workdir, {"CLOUDFLARE_API_TOKEN": TOKEN})
        if toolchain == "pip":
            self._install()
        else:
            self._pulumi_install(toolchain_executable(toolchain, workdir), workdir / "tools")
        self.run("stack", "init", "dev")
        self.base = {
            "cloudflare:baseUrl": server.base_url,
            "cloudflare:accountId": ACCOUNT,
            "okta-risk:tenantUrl": "https://example.okta.com",
        }
        self.set_config(BASE)
        self.applied = False  # the stack holds the example applied with BASE

    def up(self) -> None:
        self.run("up", "--yes", "--skip-preview")
        self.applied = True

    def destroy(self) -> None:
        self.run("destroy", "--yes", "--skip-preview")
        self.applied = False

    def _install(self) -> None:
        """`python -m venv venv` and `pip install -r requirements.txt`, as the example's README says."""
        subprocess.run([sys.executable, "-m", "venv", "venv"], cwd=self.dir, check=True, timeout=120)
        subprocess.run(
            ["venv/bin/pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"],
            cwd=self.dir,
            env=user_pip_env(),
            check=True,
            timeout=600,
        )

    def _pulumi_install(self, tool: str, tools: Path) -> None:
        """`pulumi install`, as the example's README says, with the toolchain's executable alone added to PATH."""
        tools.mkdir()
        (tools / Path(tool).name).symlink_to(tool)
        self.env["PATH"] = os.pathsep.join([self.env["PATH"], str(tools)])
        # poetry's venv in this copy, not in the user's poetry cache (uv's is the project's .venv already).
        self.env["POETRY_VIRTUALENVS_IN_PROJECT"] = "true"
        result = self.run("install")
        assert "Finished installing dependencies" in result.stdout, result.stdout
        assert (self.dir / ".venv" / "bin" / "python").exists()

    def set_config(self, extra: dict[str, str]) -> None:
        self.write_config("dev", {**self.base, **extra})

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json").stdout))


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def example(
    request: pytest.FixtureRequest, module_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Example]:
    project = Example(tmp_path_factory.mktemp("example"), module_emulator, request.param)
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


@pytest.fixture
def applied(example: Example) -> Example:
    """The example's stack applied with BASE: in file order the up test did it, alone this does."""
    if not example.applied:
        example.up()
    return example


# One stack per example; in file order: preview, up, preview, a change, destroy. Each test also runs alone.


def test_preview_example_creates_everything_without_python_cmd(example: Example, emu: Control) -> None:
    assert "PULUMI_PYTHON_CMD" not in example.env  # Pulumi.yaml's toolchain options are what find the venv
    writes = emu.writes()
    result = example.run("preview", "--json")
    assert _ops(result.stdout) == {"risk-behaviors": "create", "okta-idp": "create", "okta": "create"}
    assert emu.writes() == writes


def test_up_example_creates_integration_with_reference_from_identity_provider(
    example: Example, api: RiskScoringClient
) -> None:
    example.up()
    outputs = example.outputs()
    live = api.get_integration(outputs["integration_id"])
    assert live.reference_id == outputs["identity_provider_id"]
    assert (outputs["live_reference_id"], outputs["live_active"]) == (outputs["identity_provider_id"], True)
    assert api.get_behaviors()["imp_travel"].setting.risk_level == "high"


def test_preview_example_after_up_shows_no_changes(applied: Example) -> None:
    applied.run("preview", "--expect-no-changes")


def test_preview_diff_example_field_change_shows_the_field(applied: Example) -> None:
    applied.set_config({"okta-risk:impossibleTravelLevel": "low"})
    try:
        result = applied.run("preview", "--diff")
    finally:
        applied.set_config(BASE)
    assert re.search(r'~ risk_level\s*: "high" => "low"', result.stdout), result.stdout
    assert "~ 1 to update" in result.stdout


def test_destroy_example_removes_integration_and_restores_behaviors(applied: Example, api: RiskScoringClient) -> None:
    integration_id = applied.outputs()["integration_id"]
    applied.destroy()
    assert integration_id not in [i.id for i in api.list_integrations()]
    assert api.get_behaviors()["imp_travel"].setting.enabled is False
