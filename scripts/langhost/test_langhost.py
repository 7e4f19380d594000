"""The language-host shim's own tests, under the real CLI: a user's project whose Pulumi.yaml names
`virtualenv: venv`, this package pip-installed into that venv from the checkout (dependencies resolved from
pyproject's ranges), and no PULUMI_PYTHON_CMD and no Python on PATH that has `pulumi`.

They stand apart from tests/ (beside the shim's Go tests) and need nothing of its fixtures; `make test` runs
them with the suite (pyproject's testpaths), marked e2e. tests/e2e/test_example.py runs whole example projects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from harness import CHECKOUT_SKIP, ROOT, UserProject
from zt_risk_scoring.emulator import EmulatorServer, build_app

pytestmark = pytest.mark.e2e

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "langhost-test-token-0123456789"

PROGRAM = """\
import pulumi
from zt_risk_scoring import RiskBehaviors

behaviors = RiskBehaviors("behaviors", behaviors={"imp_travel": {"enabled": True, "risk_level": "high"}})
pulumi.export("account", behaviors.id)
"""


def project_yaml(virtualenv: str) -> str:
    runtime = {"name": "python", "options": {"toolchain": "pip", "virtualenv": virtualenv}}
    return yaml.safe_dump({"name": "user-project", "runtime": runtime}, sort_keys=False)


class InstalledProject(UserProject):
    """A project directory outside this repository, with its own Pulumi.yaml naming `virtualenv: venv`."""

    def __init__(self, workdir: Path, server: EmulatorServer) -> None:
        directory = workdir / "project"
        directory.mkdir()
        (directory / "Pulumi.yaml").write_text(project_yaml("venv"))
        (directory / "__main__.py").write_text(PROGRAM)
        super().__init__(directory, workdir, {"CLOUDFLARE_API_TOKEN": TOKEN})
        self.run("stack", "init", "dev")
        self.write_config("dev", {"cloudflare:baseUrl": server.base_url, "cloudflare:accountId": ACCOUNT})


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    emulator = EmulatorServer(build_app([ACCOUNT], [TOKEN])).start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def user_project(server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InstalledProject]:
    workdir = tmp_path_factory.mktemp("install")
    project = InstalledProject(workdir, server)
    source = workdir / "source"
    shutil.copytree(ROOT, source, ignore=CHECKOUT_SKIP)
    venv.create(project.dir / "venv", with_pip=True)
    subprocess.run(
        [str(project.dir / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet", str(source)],
        check=True,
        timeout=600,
        env={k: v for k, v in os.environ.items() if k not in ("PIP_CONSTRAINT", "PYTHONPATH")},
    )
    yield project


def test_preview_virtualenv_option_without_python_cmd(user_project: InstalledProject, server: EmulatorServer) -> None:
    server.app.reset()
    assert "PULUMI_PYTHON_CMD" not in user_project.env
    assert str(Path(sys.executable).parent) not in user_project.env["PATH"].split(os.pathsep)
    result = user_project.run("preview", "--json")
    steps = {s["urn"].rsplit("::", 1)[-1]: s["op"] for s in json.loads(result.stdout)["steps"]}
    assert steps["behaviors"] == "create"
    assert server.app.log()["writes"] == 0


def test_preview_virtualenv_missing_names_the_option(user_project: InstalledProject) -> None:
    (user_project.dir / "Pulumi.yaml").write_text(project_yaml("no-such-venv"))
    try:
        result = user_project.run("preview", check=False)
    finally:
        (user_project.dir / "Pulumi.yaml").write_text(project_yaml("venv"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "The 'virtualenv' option in Pulumi.yaml is set to \"no-such-venv\"" in output
    assert "doesn't exist" in output


def test_preview_provider_package_in_venv_requires_its_plugin(user_project: InstalledProject) -> None:
    """The shim skips `pip list` only when no package can need a plugin: a pulumi-* one still counts."""
    site = next((user_project.dir / "venv" / "lib").glob("python*/site-packages"))
    dist = site / "pulumi_fakecloud-1.2.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pulumi-fakecloud\nVersion: 1.2.3\n")
    try:
        # A missing plugin the program never uses is only logged (it picks default provider versions).
        result = user_project.run("preview", "-v=7", "--logtostderr", "--logflow")
    finally:
        shutil.rmtree(dist)
    assert "package fakecloud-1.2.3 () is required by language host" in result.stderr
