"""The Pulumi SDK's private APIs this package depends on, behind one door (the program, the CLI, the provider).

pyproject allows pulumi >=3.216,<4: an SDK release that moves one of these fails its test in
tests/unit/test_pulumi_private.py (run on the floor and the newest pinned SDK), not a user's `up`.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from typing import Any

import pulumi


def type_token(resource: type[pulumi.dynamic.Resource]) -> str:
    """The type the engine records for a dynamic resource class, built as pulumi.dynamic.Resource builds it."""
    return f"pulumi-python:{resource._resource_type_name}"


def serialized_provider(provider: Any) -> tuple[str, bool]:
    """`__provider` as pulumi.dynamic.Resource computes it, and whether it would be registered as a secret."""
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime._serialization import _serialize

    text, has_secrets = _serialize(True, serialize_provider, provider)
    return str(text), bool(has_secrets)


def child_resources(resource: pulumi.Resource) -> Iterable[pulumi.Resource]:
    """A component's children, as the SDK records them (and expands depends_on through them)."""
    return tuple(getattr(resource, "_childResources", ()))


async def _resolved(value: Any) -> Any:
    return value


def unknown_output() -> pulumi.Output[Any]:
    """An Output whose value is unknown (as at preview), with no resources behind it."""
    return pulumi.Output(set(), _resolved(None), _resolved(False))


def program_config() -> dict[str, str]:
    """Every config value the running program was given, namespaced keys included.

    The CLI's language host passes config in PULUMI_CONFIG; the Automation API's inline programs and
    set_mocks put it in the runtime's store instead. Either can be the only one that holds it.
    """
    return {**pulumi.runtime.config.get_config_env(), **pulumi.runtime.config.CONFIG.get()}


def current_run() -> object | None:
    """What identifies the running program's run: its resource monitor (new for every update the Automation
    API runs in one process, and for every pulumi.runtime.set_mocks), else its root Stack; None outside one."""
    from pulumi.runtime.settings import get_monitor

    return get_monitor() or pulumi.runtime.get_root_resource()


class _MessageOnly:
    """The `traceback` module as the dynamic provider host sees it, but `format_exc()` of one of `kinds`
    is the exception's message alone: what it says was written for the user, and the frames are noise."""

    def __init__(self, real: types.ModuleType, kinds: tuple[type[BaseException], ...]) -> None:
        self._real, self.kinds = real, kinds

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        current = sys.exc_info()[1]
        if isinstance(current, self.kinds):
            return str(current)
        return str(self._real.format_exc(limit, chain))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def report_as_messages(kinds: tuple[type[BaseException], ...], host: types.ModuleType | None = None) -> bool:
    """In the dynamic provider host, report a failed create/read/update/delete/check raising one of
    `kinds` as its message, not as the Python traceback the SDK sends the engine; other exceptions
    (bugs) keep theirs. The host is `python -m pulumi.dynamic`, whose servicer wraps each call in
    `_abort_with_traceback`, which reads its module's `traceback`. False where that is not so (the
    program, tests, or an SDK that changed it): nothing is changed there."""
    host = host if host is not None else sys.modules.get("__main__")
    if host is None or not callable(getattr(host, "_abort_with_traceback", None)):
        return False
    current = getattr(host, "traceback", None)
    if isinstance(current, _MessageOnly):
        current.kinds = kinds
        return True
    if not isinstance(current, types.ModuleType) or not callable(getattr(current, "format_exc", None)):
        return False
    host.traceback = _MessageOnly(current, kinds)  # type: ignore[attr-defined]
    return True


# The dynamic provider host's methods that call a provider's check, diff, create, read, update or delete.
_HOST_METHODS = frozenset({"Check", "Diff", "Create", "Read", "Update", "Delete"})


def calling_urn() -> str | None:
    """The URN of the resource the dynamic provider host is calling a provider method for, or None elsewhere.

    The SDK passes a dynamic provider no URN, but the host's own method (`Check(self, request, context)`,
    `Create`, ...) holds the engine's request, which names it: that frame is found a few calls up.
    """
    frame = sys._getframe(1)
    for _ in range(12):  # provider method -> our helpers -> the host's method: a short walk
        if frame.f_code.co_name in _HOST_METHODS:
            urn = getattr(frame.f_locals.get("request"), "urn", None)
            if isinstance(urn, str) and urn.startswith("urn:pulumi:"):
                return urn
        if frame.f_back is None:
            return None
        frame = frame.f_back
    return None
