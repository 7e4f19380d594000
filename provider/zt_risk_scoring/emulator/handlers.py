"""Thin API handlers, each named after its operation: path arguments and the body (checked by `bodies`) in, one
backend call, `result` out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from . import bodies
from .models import RiskScoringBackend

Handler = Callable[..., Any]


class Paged(NamedTuple):
    """A result that comes with the envelope's `result_info`."""

    result: Any
    info: dict[str, Any]


def get_behaviors(b: RiskScoringBackend, account_id: str, body: Any) -> Any:
    return b.get_behaviors(account_id)


def update_behaviors(b: RiskScoringBackend, account_id: str, body: Any) -> Any:
    ignoring = b.variants["behaviors_put_unknown"] == "ignore"
    return b.put_behaviors(account_id, bodies.behaviors_update(body, nulls_ignored=ignoring))


def get_summary(b: RiskScoringBackend, account_id: str, body: Any) -> Any:
    return b.summary(account_id)


def get_user_risk(b: RiskScoringBackend, account_id: str, body: Any, user_id: str) -> Any:
    return b.user_risk(account_id, user_id)


def reset_user(b: RiskScoringBackend, account_id: str, body: Any, user_id: str) -> Any:
    return b.reset_user(account_id, user_id)


def list_integrations(b: RiskScoringBackend, account_id: str, body: Any) -> Any:
    found = b.list_integrations(account_id)
    if b.variants["list_result_info"] == "absent":
        return found
    return Paged(found, {"page": 1, "per_page": max(20, len(found)), "count": len(found), "total_count": len(found)})


def create_integration(b: RiskScoringBackend, account_id: str, body: Any) -> Any:
    any_case = b.variants["integration_type_case"] == "insensitive"
    return b.create_integration(account_id, bodies.integration_create(body, type_in_any_case=any_case))


def get_integration(b: RiskScoringBackend, account_id: str, body: Any, integration_id: str) -> Any:
    return b.get_integration(account_id, integration_id)


def get_integration_by_reference(b: RiskScoringBackend, account_id: str, body: Any, reference_id: str) -> Any:
    return b.get_by_reference(account_id, reference_id)


def update_integration(b: RiskScoringBackend, account_id: str, body: Any, integration_id: str) -> Any:
    return b.update_integration(account_id, integration_id, bodies.integration_update(body))


def delete_integration(b: RiskScoringBackend, account_id: str, body: Any, integration_id: str) -> Any:
    b.delete_integration(account_id, integration_id)
    return None if b.variants["delete_result"] == "null" else {}  # cloudflare-go's fixture: null; the spec: {}
