"""The stack-config export: the live account as the `zt-risk-scoring:*` config that stacks/ adopts exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..behaviors import validate_behaviors
from ..client import RiskScoringClient
from ..config import DEFAULT_CONNECTION
from ..integration_schema import FIELDS as INTEGRATION_FIELDS
from ..models import RISK_LEVELS
from .naming import resource_name, unique

# The config namespace of this repository's stack program (its Pulumi.yaml project name).
PROJECT = "zt-risk-scoring"
Note = Callable[[str], None]
SCOPE = (
    f"The {PROJECT}:* keys are read only by this repository's stack program (stacks/__main__.py); "
    "in your own Pulumi program, adopt existing integrations in code with "
    "RiskIntegration(..., integration_id=ID) or adopt=True (RiskBehaviors adopts the live values by itself). "
    "To import them with `pulumi import` instead, use export --import-file FILE."
)


def exported_behaviors(client: RiskScoringClient, warn: Note) -> dict[str, Any]:
    """Every behavior as the API gives it, so the file stays a true copy (the resource refuses what it cannot write)."""
    behaviors = {k: b.as_given() for k, b in sorted(client.get_behaviors().items())}
    for key, setting in behaviors.items():
        for problem in validate_behaviors({key: setting})[1]:
            warn(
                f"behavior {key}: {problem}, which this version cannot write: `pulumi up` will refuse it until "
                f"zt-risk-scoring knows it; or set it in the stack config (enabled true or false, risk_level "
                f"{', '.join(RISK_LEVELS)})"
            )
    return behaviors


def exported_integrations(client: RiskScoringClient) -> list[dict[str, Any]]:
    """Every integration as an item of the stack program's `integrations`, named after its tenant."""
    # The item keys are RiskIntegration's fields that users set and the API reports (its field table); a
    # field whose change replaces is left to the program (integration_type: Okta is its one value).
    keys = [
        (f.config_key, f.api) for f in INTEGRATION_FIELDS.inputs if f.config_key and f.api and f.change != "replace"
    ]
    taken: set[str] = set()
    return [
        {"name": unique(resource_name(i.tenant_url), taken)} | {key: getattr(i, api) for key, api in keys}
        for i in client.list_integrations()
    ]


def export_config(
    client: RiskScoringClient, note: Note = lambda _text: None, connection: str = DEFAULT_CONNECTION
) -> dict[str, Any]:
    """The stack config that makes the stack program adopt the account's live state exactly (through
    `connection`: a named one is the program's connection, its account that connection's accountId)."""
    note("reading behaviors …")
    behaviors = exported_behaviors(client, lambda text: note(f"warning: {text}"))
    note("reading integrations …")
    integrations = exported_integrations(client)
    note(f"found {len(behaviors)} behaviors and {len(integrations)} integrations")
    where = {f"{connection}:accountId": client.account_id}
    if connection != DEFAULT_CONNECTION:
        where[f"{PROJECT}:connection"] = connection
    return {
        **where,
        f"{PROJECT}:behaviors": behaviors,
        f"{PROJECT}:integrations": integrations,
    }
