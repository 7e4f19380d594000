"""The Pulumi SDK's private APIs this package depends on, behind one door (runs in the program and the CLI).

pyproject allows pulumi >=3.216,<4: an SDK release that moves one of these fails its test in
tests/unit/test_pulumi_private.py (run on the floor and the newest pinned SDK), not a user's `up`.
"""

from __future__ import annotations

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
