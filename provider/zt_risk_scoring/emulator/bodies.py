"""Request bodies, checked and normalized before they reach the model (moto keeps these in responses.py):
each names the field that is wrong (400/1002), and nothing is written unless all of a body is right."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .exceptions import ValidationError

RISK_LEVELS = ("low", "medium", "high")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def risk_level(value: Any, where: str) -> str:
    """A risk level as the API documents it (low, medium, high, lower case), else a ValidationError naming `where`."""
    if value not in RISK_LEVELS:
        raise ValidationError(f"{where}.risk_level must be one of low, medium, high, got {value!r}")
    return str(value)


def json_object(body: Any, what: str) -> Mapping[str, Any]:
    """`body` if it is a JSON object, else a ValidationError naming `what`."""
    if not isinstance(body, dict):
        raise ValidationError(f"request body must be a JSON object ({what})")
    return body


def _require(body: Mapping[str, Any], name: str, kind: type, what: str) -> Any:
    if name not in body or body[name] is None:
        raise ValidationError(f"{name} is required ({what})")
    value = body[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ValidationError(f"{name} must be a {kind.__name__} ({what})")
    return value


def _uri(value: str) -> str:
    problem = ValidationError(f"tenant_url must be an absolute URI such as https://tenant.okta.com, got {value!r}")
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # an unclosed or invalid [IPv6] host, a netloc that NFKC turns into a / ? # @ or :
        raise problem from exc
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise problem
    return value


def _reference(body: Mapping[str, Any]) -> str | None:
    value = body.get("reference_id")
    if value is not None and not isinstance(value, str):
        raise ValidationError("reference_id must be a string or null")
    return value or None


def integration_create(body: Any, type_in_any_case: bool = False) -> dict[str, Any]:
    what = "create integration"
    body = json_object(body, what)
    kind = _require(body, "integration_type", str, what)
    if kind != "Okta" and not (type_in_any_case and kind.lower() == "okta"):
        raise ValidationError(f"integration_type must be Okta, got {kind!r}")
    kind = "Okta"  # as it answers it, however it was sent
    url = _uri(_require(body, "tenant_url", str, what))
    return {"integration_type": kind, "tenant_url": url, "reference_id": _reference(body)}


def integration_update(body: Any) -> dict[str, Any]:
    what = "update integration"
    body = json_object(body, what)
    active = _require(body, "active", bool, what)
    url = _uri(_require(body, "tenant_url", str, what))
    return {"active": active, "tenant_url": url, "reference_id": _reference(body)}


def behaviors_update(body: Any, nulls_ignored: bool = False) -> dict[str, dict[str, Any] | None]:
    what = "update behaviors"
    behaviors = _require(json_object(body, what), "behaviors", dict, what)
    checked: dict[str, dict[str, Any] | None] = {}
    for key, value in behaviors.items():
        where = f"behaviors.{key}"
        if value is None and nulls_ignored:
            checked[key] = None  # dropped by the model, silently
            continue
        value = json_object(value, where)
        enabled = _require(value, "enabled", bool, where)
        level = risk_level(_require(value, "risk_level", str, where), where)
        checked[key] = {"enabled": enabled, "risk_level": level}
    return checked


def _optional(body: Mapping[str, Any], name: str, kind: type, what: str) -> Any:
    value = body.get(name)
    if value is not None and (not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))):
        raise ValidationError(f"{name} must be a {kind.__name__} ({what})")
    return value


def catalogue(body: Any) -> list[tuple[str, str, str, str, int]]:
    """Catalogue rows from `{key: {name, description, risk_level, enabled}}`, checked before any is written."""
    rows = []
    for key, spec in json_object(body, "catalogue").items():
        where = f"catalogue.{key}"
        spec = json_object(spec, where)
        level = risk_level(_optional(spec, "risk_level", str, where) or "low", where)
        name = _optional(spec, "name", str, where) or key
        description = _optional(spec, "description", str, where) or ""
        rows.append((key, name, description, level, int(bool(_optional(spec, "enabled", bool, where)))))
    return rows


def seeded_user(body: Any) -> dict[str, Any]:
    """A seeded user `{user_id, name?, email?, last_reset_time?, events?: [{name, risk_level, ...}]}`, checked,
    with every optional field present (null is absent)."""
    what = "seed user"
    user = json_object(body, what)
    user_id = _require(user, "user_id", str, what)
    if not user_id:
        raise ValidationError("user_id must not be empty (seed user)")
    checked = {name: _optional(user, name, str, what) or "" for name in ("name", "email")}
    events = []
    for n, raw in enumerate(_optional(user, "events", list, what) or []):
        where = f"seed user {user_id} events[{n}]"
        event = json_object(raw, where)
        name = _require(event, "name", str, where)
        level = risk_level(_require(event, "risk_level", str, where), where)
        events.append(
            {
                "id": _optional(event, "id", str, where) or str(uuid.uuid4()),
                "name": name,
                "risk_level": level,
                "timestamp": _optional(event, "timestamp", str, where) or now(),
                "event_details": _optional(event, "event_details", dict, where) or {},
            }
        )
    return {
        "user_id": user_id,
        **checked,
        "last_reset_time": _optional(user, "last_reset_time", str, what),
        "events": events,
    }
