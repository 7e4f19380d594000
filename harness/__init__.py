"""Drive the real Pulumi CLI for the e2e tests and the benchmarks: this project's stacks, user projects."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def ensured_dir(script: str, variable: str) -> str:
    """$variable (set by make), else the directory scripts/<script> builds or finds and prints last."""
    if os.environ.get(variable):
        return os.environ[variable]
    out = subprocess.run([str(ROOT / "scripts" / script)], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def pulumi_dir() -> str:
    """Directory of the pinned CLI: $PULUMI_DIR from `make test`, else scripts/ensure-pulumi (cached)."""
    return ensured_dir("ensure-pulumi", "PULUMI_DIR")


def codegen_dir() -> str:
    """The SDK generators for `pulumi package gen-sdk`: $ZT_RISK_CODEGEN_DIR, else scripts/ensure-codegen."""
    return ensured_dir("ensure-codegen", "ZT_RISK_CODEGEN_DIR")


def default_sigint() -> None:
    """Undo an inherited SIGINT-ignore (background jobs get one).

    The engine stops the language host with SIGINT; a host that ignores it is killed only after 5 s.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# What `pip install <checkout>` needs of it: no git, venvs, caches or build output.
# The TypeScript example's README has a user make node_modules, package-lock.json and sdks.
CHECKOUT_SKIP = shutil.ignore_patterns(
    *(".git", ".venv*", "venv", ".demo", "build", "*.egg-info", "__pycache__", ".*_cache"),
    *("node_modules", "package-lock.json", "sdks"),
)
# A local file backend with no network: no update check, no plugin downloads, an empty passphrase.
OFFLINE = {
    "PULUMI_CONFIG_PASSPHRASE": "",
    "PULUMI_SKIP_UPDATE_CHECK": "true",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
}


def run_command(
    argv: list[str], cwd: Path, env: dict[str, str], timeout: int = 300, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """`argv` in `cwd` with `env`, output captured, no standard input, SIGINT as by default; with `check`, an
    AssertionError with its output if it fails."""
    result = subprocess.run(
        argv,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        preexec_fn=default_sigint,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def run_pulumi(cwd: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`pulumi ARGS` in `cwd`, non-interactive and without colour; an AssertionError with its output if it fails."""
    return run_command(["pulumi", *args, "--non-interactive", "--color", "never"], cwd, env, check=check)


def backend_env(workdir: Path) -> dict[str, str]:
    """A file backend and a Pulumi home of their own under `workdir`, offline."""
    (workdir / "backend").mkdir(exist_ok=True)
    (workdir / "home").mkdir(exist_ok=True)
    # metadata=skip: no MD5 and .attrs sidecar per state write (the CLI reads neither; see docs/performance.md).
    backend = f"file://{workdir / 'backend'}?metadata=skip"
    return {"PULUMI_BACKEND_URL": backend, "PULUMI_HOME": str(workdir / "home"), **OFFLINE}


class UserProject:
    """A project directory of a user's own, run with a user's environment: the pinned CLI on PATH and no
    Python of this project's (so the project's runtime options, `virtualenv` or `toolchain`, find its venv)."""

    def __init__(self, directory: Path, workdir: Path, env: dict[str, str]) -> None:
        self.dir = directory
        ours = {str(Path(sys.executable).parent), str(Path(sys.prefix) / "bin")}
        path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p not in ours]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "PULUMI_", "VIRTUAL_ENV"))},
            "PATH": os.pathsep.join([pulumi_dir(), *path]),
            **backend_env(workdir),
            **env,
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_pulumi(self.dir, self.env, *args, check=check)

    def write_config(self, stack: str, config: dict[str, Any]) -> None:
        """Replace the stack's whole config (keeps the encryption salt `stack init` wrote)."""
        stack_file = self.dir / f"Pulumi.{stack}.yaml"
        current = yaml.safe_load(stack_file.read_text()) if stack_file.exists() else None
        stack_file.write_text(yaml.safe_dump({**(current or {}), "config": config}))


class PulumiStack:
    """One stack of a copy of this project, run by the real CLI."""

    def __init__(
        self,
        workdir: Path,
        name: str = "e2e",
        env: dict[str, str] | None = None,
        program: Path | None = None,
        project: str | None = None,
    ) -> None:
        self.project = workdir / "project"
        self.name = name
        (self.project / "stacks").mkdir(parents=True)
        shutil.copy(ROOT / "Pulumi.yaml", self.project / "Pulumi.yaml")
        if project is not None:  # another project of the same program (a second team's repository)
            described = yaml.safe_load((self.project / "Pulumi.yaml").read_text())
            (self.project / "Pulumi.yaml").write_text(yaml.safe_dump({**described, "name": project}, sort_keys=False))
        shutil.copy(program or ROOT / "stacks" / "__main__.py", self.project / "stacks" / "__main__.py")
        venv_bin = str(Path(sys.executable).parent)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "PULUMI_"))},
            "PATH": os.pathsep.join([pulumi_dir(), venv_bin, os.environ.get("PATH", "")]),
            "PULUMI_PYTHON_CMD": sys.executable,
            **backend_env(workdir),
            **(env or {}),
        }
        self.run("stack", "init", name)

    @property
    def config_file(self) -> Path:
        return self.project / "stacks" / f"Pulumi.{self.name}.yaml"

    def set_config(self, config: dict[str, Any]) -> None:
        """Replace the stack's whole config (keeps the encryption salt `stack init` wrote)."""
        current = yaml.safe_load(self.config_file.read_text()) if self.config_file.exists() else {}
        current = current or {}
        current["config"] = config
        self.config_file.write_text(yaml.safe_dump(current, sort_keys=False))

    def run(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_pulumi(self.project, {**self.env, **(env or {})}, *args, check=check)

    def up(
        self, *extra: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *extra, check=check, env=env)

    def preview(self, *extra: str, check: bool = True, env: dict[str, str] | None = None) -> dict[str, Any]:
        """`pulumi preview --json`, parsed: steps and changeSummary."""
        result = self.run("preview", "--json", *extra, check=check, env=env)
        return dict(json.loads(result.stdout))

    def refresh(
        self, *extra: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run("refresh", "--yes", "--skip-preview", *extra, check=check, env=env)

    def destroy(
        self, *extra: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "--yes", "--skip-preview", *extra, check=check, env=env)

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json").stdout))

    def export(self, show_secrets: bool = False) -> str:
        return self.run("stack", "export", *(["--show-secrets"] if show_secrets else [])).stdout

    def resources(self) -> list[dict[str, Any]]:
        return list(json.loads(self.export())["deployment"].get("resources", []))

    def ours(self) -> list[tuple[str, Any]]:
        """This project's resources in state, with their outputs (the engine's own entries left out)."""
        return sorted((r["urn"], r.get("outputs")) for r in self.resources() if "dynamic" in r["type"])


def ops(preview: dict[str, Any]) -> dict[str, str]:
    """Resource name → step op, for the steps that do something."""
    return {
        step["urn"].rsplit("::", 1)[-1]: step["op"]
        for step in preview.get("steps", [])
        if step["op"] != "same" and "pulumi:pulumi:Stack" not in step["urn"]
    }
