"""Pulumi dynamic providers for Cloudflare Zero Trust Risk Scoring."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .behaviors import RiskBehaviors, RiskBehaviorsProvider
from .config import Settings, resolve_settings
from .integration import RiskIntegration, RiskIntegrationProvider

if TYPE_CHECKING:
    from .client import RiskScoringClient
    from .lookups import (
        get_integration,
        get_integration_by_reference,
        get_summary,
        get_user_risk,
        list_integrations,
    )

# These need the HTTP client (requests and urllib3, ~30 ms to import): imported on first use (PEP 562),
# so a program that only declares resources, and the provider host until it calls the API, go without.
_LAZY = {
    "RiskScoringClient": "client",
    "get_integration": "lookups",
    "get_integration_by_reference": "lookups",
    "get_summary": "lookups",
    "get_user_risk": "lookups",
    "list_integrations": "lookups",
}

__all__ = [
    "RiskBehaviors",
    "RiskBehaviorsProvider",
    "RiskIntegration",
    "RiskIntegrationProvider",
    "RiskScoringClient",
    "Settings",
    "get_integration",
    "get_integration_by_reference",
    "get_summary",
    "get_user_risk",
    "list_integrations",
    "resolve_settings",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups find it without coming here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
