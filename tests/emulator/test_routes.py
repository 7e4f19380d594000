"""The routing tables: every handler is served by exactly one route (an operation is named after its handler)."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from zt_risk_scoring.emulator import control, handlers
from zt_risk_scoring.emulator.urls import CONTROL_ROUTES, ROUTES


def public_functions(module: ModuleType) -> list[str]:
    return sorted(
        name
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    )


@pytest.mark.parametrize(
    ("module", "routed"),
    [
        (handlers, [r.handler.__name__ for r in ROUTES]),
        (control, [hook.__name__ for _, _, hook in CONTROL_ROUTES]),
    ],
    ids=["api", "control"],
)
def test_route_every_handler_served_once(module: ModuleType, routed: list[str]) -> None:
    assert sorted(routed) == public_functions(module)
