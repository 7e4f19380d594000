"""Pulumi dynamic providers for Cloudflare Zero Trust Risk Scoring."""

from .behaviors import RiskBehaviors, RiskBehaviorsProvider
from .client import RiskScoringClient
from .config import Settings, resolve_settings
from .integration import RiskIntegration, RiskIntegrationProvider
from .lookups import (
    get_integration,
    get_integration_by_reference,
    get_summary,
    get_user_risk,
    list_integrations,
)

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
