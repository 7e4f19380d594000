"""The built wheel alone in a clean venv: no checkout on the path, no web server, the example under the real CLI.

The emulator it runs against is the same wheel installed with its `[emulator]` extra, in a venv of its own,
started as a separate process: what a user does with `pip install 'zt-risk-scoring[emulator]'`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import ROOT, UserProject, run_command
from tests.conftest import ACCOUNT, TOKEN, free_port, start_emulator_process, stop_emulator_process
from zt_risk_scoring._version import __version__
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings

# A user's pip: nothing of this project's dev environment.
USER_ENV = {k: v for k, v in os.environ.items() if k not in ("PIP_CONSTRAINT", "PYTHONPATH", "VIRTUAL_ENV")}


def pip_install(venv: Path, *requirements: str) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *requirements], cwd=venv.parent, env=USER_ENV, check=True, timeout=600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        env=USER_ENV,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return next(out.glob("zt_risk_scoring-*.whl"))


@pytest.fixture(scope="module")
def project(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> UserProject:
    """examples/okta-risk outside the checkout, its `venv` holding the wheel alone (with its dependencies)."""
    workdir = tmp_path_factory.mktemp("wheel-user")
    directory = workdir / "okta-risk"
    shutil.copytree(ROOT / "examples" / "okta-risk", directory)
    pip_install(directory / "venv", str(wheel))
    return UserProject(directory, workdir, {"CLOUDFLARE_API_TOKEN": TOKEN})


@pytest.fixture(scope="module")
def served(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The emulator from the wheel's extra, as a process of its own: its base URL."""
    venv = tmp_path_factory.mktemp("wheel-emulator") / "venv"
    pip_install(venv, f"{wheel}[emulator]")
    argv = [str(venv / "bin" / "zt-risk"), "emulator", "serve", "--port", str(free_port()), "--token", TOKEN]
    proc, base_url = start_emulator_process(argv)
    yield base_url
    stop_emulator_process(proc, 15)


def test_install_of_wheel_brings_no_web_server(project: UserProject) -> None:
    listed = run_command([str(project.dir / "venv" / "bin" / "python"), "-m", "pip", "list"], project.dir, USER_ENV)
    names = {line.split()[0].lower() for line in listed.stdout.splitlines()[2:]}
    assert "zt-risk-scoring" in names and not names & {"waitress", "werkzeug"}


def test_version_of_installed_wheel(project: UserProject) -> None:
    result = run_command([str(project.dir / "venv" / "bin" / "zt-risk"), "--version"], project.dir, USER_ENV)
    assert result.stdout == f"zt-risk {__version__}\n"


def test_example_from_wheel_previews_applies_and_destroys(project: UserProject, served: str) -> None:
    project.run("stack", "init", "dev")
    project.write_config(
        "dev",
        {"cloudflare:baseUrl": served, "cloudflare:accountId": ACCOUNT, "okta-risk:tenantUrl": "https://x.okta.com"},
    )
    assert "+ 4 to create" in project.run("preview").stdout  # the stack, behaviors, identity provider, integration
    project.run("up", "--yes", "--skip-preview")
    api = RiskScoringClient(Settings(base_url=served, token=TOKEN), ACCOUNT)
    assert [i.tenant_url for i in api.list_integrations()] == ["https://x.okta.com"]
    project.run("preview", "--expect-no-changes")
    project.run("destroy", "--yes", "--skip-preview")
    assert api.list_integrations() == []


def test_policy_pack_installed_with_wheel_runs_from_its_path(wheel: Path, tmp_path: Path, served: str) -> None:
    directory = tmp_path / "okta-risk"
    shutil.copytree(ROOT / "examples" / "okta-risk", directory)
    pip_install(directory / "venv", f"{wheel}[policy]")
    venv_bin = str(directory / "venv" / "bin")
    # An activated venv: the policy pack runs with the `python3` first on PATH.
    user = UserProject(directory, tmp_path, {"CLOUDFLARE_API_TOKEN": TOKEN})
    user.env["PATH"] = os.pathsep.join([venv_bin, user.env["PATH"]])
    pack = run_command([f"{venv_bin}/zt-risk", "policy-pack-path"], directory, USER_ENV).stdout.strip()
    assert Path(pack, "PulumiPolicy.yaml").is_file() and "site-packages" in pack
    user.run("stack", "init", "prod")
    user.write_config(
        "prod",
        {"cloudflare:baseUrl": served, "cloudflare:accountId": ACCOUNT, "okta-risk:tenantUrl": "https://x.okta.com",
         "okta-risk:impossibleTravelLevel": "low"},
    )  # fmt: skip
    result = user.run("preview", "--policy-pack", pack, check=False)
    assert result.returncode != 0  # impossible travel below high in a production stack is mandatory
    assert "impossible-travel-high-in-production" in result.stdout + result.stderr
