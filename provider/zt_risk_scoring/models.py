"""Typed, frozen views of the Risk Scoring API's objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

RiskLevel = Literal["low", "medium", "high"]
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
    """A behavior as GET returns it; name and description are read-only."""

    key: str
    name: str
    description: str
    setting: BehaviorSetting

    @classmethod
    def from_api(cls, key: str, raw: dict[str, Any]) -> Behavior:
        return cls(
            key=key,
            name=str(raw.get("name", "")),
            description=str(raw.get("description", "")),
            setting=BehaviorSetting.from_api(raw),
        )


def behaviors_from_api(result: Any) -> dict[str, Behavior]:
    """The `result.behaviors` map of GET/PUT behaviors."""
    raw = (result or {}).get("behaviors") or {}
    return {key: Behavior.from_api(key, value) for key, value in raw.items()}


@dataclass(frozen=True)
class Integration:
    """An Okta risk-sharing integration (`dlp_RiskScoreIntegration`)."""

    id: str
    account_tag: str
    integration_type: str
    reference_id: str
    tenant_url: str
    well_known_url: str
    active: bool
    created_at: str

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> Integration:
        return cls(
            id=str(raw["id"]),
            account_tag=str(raw.get("account_tag", "")),
            integration_type=str(raw.get("integration_type", "")),
            reference_id=str(raw.get("reference_id") or ""),
            tenant_url=str(raw.get("tenant_url", "")),
            well_known_url=str(raw.get("well_known_url", "")),
            active=bool(raw.get("active")),
            created_at=str(raw.get("created_at", "")),
        )


@dataclass(frozen=True)
class IntegrationSpec:
    """What a caller wants an integration to be; the body of create and update."""

    tenant_url: str
    reference_id: str
    active: bool = True
    integration_type: str = "Okta"

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

    user_id: str
    name: str
    email: str
    max_risk_level: str
    event_count: int
    last_event: str

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> UserRiskSummary:
        return cls(
            user_id=str(raw["user_id"]),
            name=str(raw.get("name", "")),
            email=str(raw.get("email", "")),
            max_risk_level=str(raw.get("max_risk_level", "")),
            event_count=int(raw.get("event_count", 0)),
            last_event=str(raw.get("last_event", "")),
        )


@dataclass(frozen=True)
class RiskEvent:
    """One event that raised a user's risk."""

    id: str
    name: str
    risk_level: str
    timestamp: str
    event_details: Any = None

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> RiskEvent:
        return cls(
            id=str(raw["id"]),
            name=str(raw.get("name", "")),
            risk_level=str(raw.get("risk_level", "")),
            timestamp=str(raw.get("timestamp", "")),
            event_details=raw.get("event_details"),
        )


@dataclass(frozen=True)
class UserRisk:
    """A user's risk level and events."""

    name: str
    email: str
    risk_level: str | None
    last_reset_time: str | None
    events: tuple[RiskEvent, ...] = field(default_factory=tuple)

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> UserRisk:
        return cls(
            name=str(raw.get("name", "")),
            email=str(raw.get("email", "")),
            risk_level=raw.get("risk_level"),
            last_reset_time=raw.get("last_reset_time"),
            events=tuple(RiskEvent.from_api(e) for e in raw.get("events") or []),
        )
