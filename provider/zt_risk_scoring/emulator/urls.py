"""The routing table: (path, method) → operation and the permission it needs."""

from __future__ import annotations

from typing import NamedTuple

from werkzeug.routing import Map, Rule

PREFIX = "/client/v4/accounts/<account_id>/zt_risk_scoring"


class Route(NamedTuple):
    """One API operation."""

    path: str
    method: str
    operation: str
    permission: str  # read | write | pii


# Fixed segments (behaviors, summary, integrations) win over the {user_id} wildcard because
# werkzeug ranks static parts above converters, as Cloudflare's router does.
ROUTES: tuple[Route, ...] = (
    Route("/behaviors", "GET", "get_behaviors", "read"),
    Route("/behaviors", "PUT", "update_behaviors", "write"),
    Route("/summary", "GET", "get_summary", "pii"),
    Route("/integrations", "GET", "list_integrations", "read"),
    Route("/integrations", "POST", "create_integration", "write"),
    Route("/integrations/reference_id/<reference_id>", "GET", "get_integration_by_reference", "read"),
    Route("/integrations/<integration_id>", "GET", "get_integration", "read"),
    Route("/integrations/<integration_id>", "PUT", "update_integration", "write"),
    Route("/integrations/<integration_id>", "DELETE", "delete_integration", "write"),
    Route("/<user_id>", "GET", "get_user_risk", "pii"),
    Route("/<user_id>/reset", "POST", "reset_user", "write"),
)

PERMISSIONS = {route.operation: route.permission for route in ROUTES}
OPERATIONS = tuple(route.operation for route in ROUTES)


def url_map() -> Map:
    """A werkzeug Map whose endpoints are operation names."""
    return Map(
        [Rule(PREFIX + r.path, endpoint=r.operation, methods=[r.method]) for r in ROUTES],
        strict_slashes=False,
    )
