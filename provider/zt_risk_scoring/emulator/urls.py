"""The routing tables: (path, method) → the API operation and its permission, or the test hook."""

from __future__ import annotations

import functools
from typing import NamedTuple

from werkzeug.routing import Map, Rule

from . import control, handlers
from .handlers import Handler

PREFIX = "/client/v4/accounts/<account_id>/zt_risk_scoring"
# The test hooks' path, beside the API (answered to loopback peers only, unless the emulator is told otherwise).
HOOKS_PREFIX = "/__emulator"


class Route(NamedTuple):
    """One API operation, named after its handler."""

    path: str
    method: str
    handler: Handler
    permission: str  # read | write | pii

    @property
    def operation(self) -> str:
        return self.handler.__name__


# Fixed segments (behaviors, summary, integrations) win over the {user_id} wildcard because
# werkzeug ranks static parts above converters, as Cloudflare's router does.
ROUTES: tuple[Route, ...] = (
    Route("/behaviors", "GET", handlers.get_behaviors, "read"),
    Route("/behaviors", "PUT", handlers.update_behaviors, "write"),
    Route("/summary", "GET", handlers.get_summary, "pii"),
    Route("/integrations", "GET", handlers.list_integrations, "read"),
    Route("/integrations", "POST", handlers.create_integration, "write"),
    Route("/integrations/reference_id/<reference_id>", "GET", handlers.get_integration_by_reference, "read"),
    Route("/integrations/<integration_id>", "GET", handlers.get_integration, "read"),
    Route("/integrations/<integration_id>", "PUT", handlers.update_integration, "write"),
    Route("/integrations/<integration_id>", "DELETE", handlers.delete_integration, "write"),
    Route("/<user_id>", "GET", handlers.get_user_risk, "pii"),
    Route("/<user_id>/reset", "POST", handlers.reset_user, "write"),
)

OPERATIONS = tuple(route.operation for route in ROUTES)

# The test hooks, beside the API and answered only to loopback peers unless told otherwise.
CONTROL_ROUTES: tuple[tuple[str, str, control.Hook], ...] = (
    ("/health", "GET", control.health),
    ("/log", "GET", control.get_log),
    ("/log", "DELETE", control.clear_log),
    ("/faults", "POST", control.add_faults),
    ("/faults", "DELETE", control.clear_faults),
    ("/reset", "POST", control.reset),
    ("/users", "POST", control.seed_users),
    ("/catalogue", "POST", control.add_behaviors),
    ("/revoke", "POST", control.revoke),
)


# Built once per process and shared by every app: a Map is read-only once built (each request binds it),
# and building one compiles every rule (werkzeug parses Python source for it each time).
@functools.cache
def url_map() -> Map:
    """A werkzeug Map whose endpoints are the API's Routes."""
    return Map([Rule(PREFIX + r.path, endpoint=r, methods=[r.method]) for r in ROUTES], strict_slashes=False)


@functools.cache
def control_map() -> Map:
    """A werkzeug Map whose endpoints are the test hooks."""
    return Map(
        [Rule(HOOKS_PREFIX + path, endpoint=hook, methods=[method]) for path, method, hook in CONTROL_ROUTES],
        strict_slashes=False,
    )
