"""Typed, frozen views of the Risk Scoring API's objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .config import without_userinfo
from .text import printable

RiskLevel = Literal["low", "medium", "high"]
# The one integration type Cloudflare supports, and what an integration is when nothing says otherwise:
# the create body has no `active`, and a new integration is active.
OKTA = "Okta"
ACTIVE = True
RISK_LEVELS: tuple[RiskLevel, ...] = ("low", "medium", "high")


def risk_level(value: Any) -> str:
    """A known level lower-cased; a level this version does not know is kept as the API gave it.

    Cloudflare may add levels: reading one must not break a refresh, the CLI or an export. Writing one
    is refused earlier, by the resources' `check`.
    """
    if not isinstance(value, str) or not value:
        raise ValueError(f"risk_level must be a non-empty string, got {value!r}")
    text = value.strip().lower()
    return text if text in RISK_LEVELS else value


class ShapeError(ValueError):
    """A field a resource manages that the answer gives with the wrong type or not at all."""


def given_text(value: Any) -> str | None:
    """A text field nothing here manages, as the API gave it: null stays None, a non-string its JSON spelling."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def managed_text(where: str, raw: Mapping[str, Any], name: str) -> str:
    """A string field a resource manages (`where` prefixes its name); anything else is a ShapeError naming it."""
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        raise ShapeError(f"{where}{name} must be a non-empty string, got {_described(raw, name)}")
    return value


def managed_bool(where: str, raw: Mapping[str, Any], name: str) -> bool:
    """A boolean a resource manages: true or false only, never a truthiness guess ("false" is not false)."""
    value = raw.get(name)
    if not isinstance(value, bool):
        raise ShapeError(f"{where}{name} must be true or false, got {_described(raw, name)}")
    return value


def _described(raw: Mapping[str, Any], name: str) -> str:
    if name not in raw:
        return "nothing (the field is missing)"
    return "null" if raw[name] is None else printable(raw[name])


@dataclass(frozen=True)
class BehaviorSetting:
    """The writable part of a behavior: whether it is on and the level it assigns."""

    enabled: bool
    risk_level: str

    def to_api(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "risk_level": self.risk_level}

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> BehaviorSetting:
        return cls(enabled=bool(raw["enabled"]), risk_level=risk_level(raw["risk_level"]))


@dataclass(frozen=True)
class Behavior:
    """A behavior as GET returns it, every field as given: a behavior no resource declares is only shown.

    `setting` is the strict view, for the keys a resource manages (the client checks those on read).
    """

    key: str
    name: str | None
    description: str | None
    enabled: Any
    risk_level: Any

    @property
    def setting(self) -> BehaviorSetting:
        """enabled and risk_level exactly; ShapeError naming the field when either is not what the API documents."""
        where, raw = f"behaviors.{self.key}.", self.as_given()
        return BehaviorSetting(managed_bool(where, raw, "enabled"), managed_text(where, raw, "risk_level"))

    def as_given(self) -> dict[str, Any]:
        """{enabled, risk_level} as the API gave them (null or absent: None)."""
        return {"enabled": self.enabled, "risk_level": self.risk_level}

    @classmethod
    def from_api(cls, key: str, raw: Any) -> Behavior:
        raw = raw if isinstance(raw, Mapping) else {}
        level = raw.get("risk_level")
        return cls(
            key=key,
            name=given_text(raw.get("name")),
            description=given_text(raw.get("description")),
            enabled=raw.get("enabled"),
            # A known level lower-cased, as check stores it; anything else kept as given.
            risk_level=risk_level(level) if isinstance(level, str) and level else level,
        )


def behaviors_from_api(result: Any) -> dict[str, Behavior]:
    """The `result.behaviors` map of GET/PUT behaviors."""
    raw = (result or {}).get("behaviors") or {}
    return {key: Behavior.from_api(key, value) for key, value in raw.items()}


@dataclass(frozen=True)
class Integration:
    """An Okta risk-sharing integration (`dlp_RiskScoreIntegration`).

    The fields RiskIntegration manages (id, tenant_url, reference_id, active) are read strictly; the
    others may be null or absent (None), and are shown as given.
    """

    id: str
    account_tag: str | None
    integration_type: str | None
    reference_id: str
    tenant_url: str
    well_known_url: str | None
    active: bool
    created_at: str | None

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> Integration:
        where = f"integration {raw['id']}: " if isinstance(raw.get("id"), str) else "an integration: "
        return cls(
            id=managed_text(where, raw, "id"),
            account_tag=given_text(raw.get("account_tag")),
            integration_type=given_text(raw.get("integration_type")),
            reference_id=managed_text(where, raw, "reference_id"),
            # A password the API (or a person in the dashboard) put in it goes no further: not into state or output.
            tenant_url=without_userinfo(managed_text(where, raw, "tenant_url")),
            well_known_url=given_text(raw.get("well_known_url")),
            active=managed_bool(where, raw, "active"),
            created_at=given_text(raw.get("created_at")),
        )


@dataclass(frozen=True)
class IntegrationSpec:
    """What a caller wants an integration to be; the body of create and update."""

    tenant_url: str
    reference_id: str
    active: bool = ACTIVE
    integration_type: str = OKTA

    def create_body(self) -> dict[str, Any]:
        # The create body has no `active`; an inactive integration is created, then updated.
        return {
            "integration_type": self.integration_type,
            "tenant_url": self.tenant_url,
            "reference_id": self.reference_id,
        }

    def update_body(self) -> dict[str, Any]:
        return {"tenant_url": self.tenant_url, "active": self.active, "reference_id": self.reference_id}

    def matches(self, integration: Integration) -> bool:
        return (
            integration.tenant_url == self.tenant_url
            and integration.reference_id == self.reference_id
            and integration.active == self.active
        )


@dataclass(frozen=True)
class UserRiskSummary:
    """One row of the account summary."""

    user_id: str | None
    name: str | None
    email: str | None
    max_risk_level: str | None
    event_count: int | str | None
    last_event: str | None

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> UserRiskSummary:
        # Nothing here writes a summary row: every field is shown as given, none can fail the listing.
        count = raw.get("event_count")
        return cls(
            user_id=given_text(raw.get("user_id")),
            name=given_text(raw.get("name")),
            email=given_text(raw.get("email")),
            max_risk_level=given_text(raw.get("max_risk_level")),
            event_count=count if isinstance(count, int) and not isinstance(count, bool) else given_text(count),
            last_event=given_text(raw.get("last_event")),
        )


@dataclass(frozen=True)
class RiskEvent:
    """One event that raised a user's risk."""

    id: str | None
    name: str | None
    risk_level: str | None
    timestamp: str | None
    event_details: Any = None

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> RiskEvent:
        return cls(
            id=given_text(raw.get("id")),
            name=given_text(raw.get("name")),
            risk_level=given_text(raw.get("risk_level")),
            timestamp=given_text(raw.get("timestamp")),
            event_details=raw.get("event_details"),
        )


@dataclass(frozen=True)
class UserRisk:
    """A user's risk level and events."""

    name: str | None
    email: str | None
    risk_level: str | None
    last_reset_time: str | None
    events: tuple[RiskEvent, ...] = field(default_factory=tuple)

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> UserRisk:
        return cls(
            name=given_text(raw.get("name")),
            email=given_text(raw.get("email")),
            risk_level=given_text(raw.get("risk_level")),
            last_reset_time=given_text(raw.get("last_reset_time")),
            events=tuple(RiskEvent.from_api(e) for e in raw.get("events") or []),
        )
