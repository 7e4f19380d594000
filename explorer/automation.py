"""The Automation API step: inline updates of the explorer's program, every one of a history in one worker process.

A process of its own, started once per history (spawned, not forked): the Automation API serves the inline
program over gRPC from the process it runs in, and a process holding gRPC threads cannot fork the CLI safely
afterwards. One worker for the whole history is what a service driving many updates looks like.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any


class Worker:
    """A spawned process that runs `up` of the explorer's program through the Automation API when asked."""

    def __init__(self) -> None:
        self._conn: Connection | None = None
        self._process: Any = None

    def up(self, project: Path, stack: str, env: dict[str, str], pulumi_root: Path) -> tuple[int, str]:
        """The exit code (0 or 1) and the output of one inline `up`."""
        if self._conn is None:
            here, there = multiprocessing.Pipe()
            self._process = multiprocessing.get_context("spawn").Process(target=_serve, args=(there,), daemon=True)
            self._process.start()
            self._conn = here
        self._conn.send((str(project), stack, env, str(pulumi_root)))
        code, out = self._conn.recv()
        return int(code), str(out)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.send(None)
            self._process.join(30)
            self._conn = None


def _serve(conn: Connection) -> None:
    while (asked := conn.recv()) is not None:
        try:
            conn.send(_up(*asked))
        except Exception as exc:  # noqa: BLE001 - any failure is the step's, reported as its output
            conn.send((1, f"{type(exc).__name__}: {exc}"))


def _up(project: str, stack_name: str, env: dict[str, str], pulumi_root: str) -> tuple[int, str]:
    import yaml
    from pulumi import automation as auto

    from . import program

    stack = auto.select_stack(
        stack_name=stack_name,
        project_name=str(yaml.safe_load((Path(project) / "Pulumi.yaml").read_text())["name"]),
        program=lambda: program.main(Path(project) / "stacks"),
        opts=auto.LocalWorkspaceOptions(
            work_dir=project,
            env_vars=env,
            pulumi_command=auto.PulumiCommand(root=pulumi_root, skip_version_check=True),
        ),
    )
    try:
        result = stack.up(color="never")
    except auto.errors.CommandError as exc:
        return 1, str(exc)
    return 0, result.stdout + result.stderr
