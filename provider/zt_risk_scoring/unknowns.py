"""Values only known at apply time, as check, diff and the program see them at preview (both processes)."""

from __future__ import annotations

from typing import Any

from pulumi import output
from pulumi.runtime import rpc


def is_unknown(value: Any) -> bool:
    """True for a value another resource will only know at apply time (preview)."""
    return isinstance(value, output.Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def contains_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return is_unknown(value)
