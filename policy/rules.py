"""The guardrail rules: plain functions over a resource's type, name, URN, properties and policy config."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from zt_risk_scoring import RiskBehaviors, RiskIntegration
from zt_risk_scoring.ids import UUID
from zt_risk_scoring.models import risk_level
from zt_risk_scoring.pulumi_private import type_token

BEHAVIORS = type_token(RiskBehaviors)
INTEGRATION = type_token(RiskIntegration)
# A resource is production when its stack is named in productionStacks, or (one program managing several accounts
# through named connections) its connection is named in productionConnections.
PRODUCTION = PolicyConfigSchema(
    properties={
        "productionStacks": {"type": "array", "items": {"type": "string"}, "default": ["prod", "production"]},
        "productionConnections": {"type": "array", "items": {"type": "string"}, "default": []},
    }
)


def _stack(args: ResourceValidationArgs) -> str:
    return args.urn.split("::")[0].removeprefix("urn:pulumi:")


def _production(args: ResourceValidationArgs) -> bool:
    config = args.get_config()
    connection = args.props.get("connection") or "cloudflare"
    return _stack(args) in (config.get("productionStacks") or []) or connection in (
        config.get("productionConnections") or []
    )


def _where(args: ResourceValidationArgs) -> str:
    """What makes the resource production, as a violation names it."""
    if _stack(args) in (args.get_config().get("productionStacks") or []):
        return f"stack {_stack(args)} is production"
    return f"connection {args.props.get('connection') or 'cloudflare'} is production"


def _is_high(level: Any) -> bool:
    # The same coercion as the models' (any case, surrounding space ignored).
    return isinstance(level, str) and bool(level) and risk_level(level) == "high"


def _known(value: Any) -> bool:
    # Values another resource has not produced yet arrive as None during preview.
    return value is not None


def impossible_travel_high(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != BEHAVIORS or not _production(args):
        return
    travel = (args.props.get("behaviors") or {}).get("imp_travel")
    if travel is None or travel.get("enabled") is not True or not _is_high(travel.get("risk_level")):
        report(f"{_where(args)}: declare imp_travel with enabled: true and risk_level: high (found {travel!r})")


def no_retain_in_production(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == BEHAVIORS and _production(args) and args.props.get("on_delete") == "retain":
        report(f"{_where(args)}: on_delete=retain leaves behaviors enabled after destroy; use restore or disable")


def inactive_needs_reason(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != INTEGRATION or args.props.get("active") is not False:
        return
    reasons = args.get_config().get("reasons") or {}
    if not str(reasons.get(args.name, "")).strip():
        report(
            f"integration {args.name} is inactive: give the reason in the policy config "
            f'(integration-inactive-needs-reason.reasons["{args.name}"]) or set active: true'
        )


def reference_is_idp(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != INTEGRATION:
        return
    reference = args.props.get("reference_id")
    if _known(reference) and not UUID.fullmatch(str(reference)):  # the whole value, not a UUID it starts with
        report(
            f"integration {args.name}: reference_id {reference!r} is not an identity provider id; set it to "
            "the Access Okta identity provider's id (a UUID), e.g. from its resource output"
        )


def policies() -> list[ResourceValidationPolicy]:
    """The pack's rules with their default enforcement; the policy config file overrides both."""
    return [
        ResourceValidationPolicy(
            name="impossible-travel-high-in-production",
            description="Impossible travel stays enabled at high risk in production stacks.",
            validate=impossible_travel_high,
            config_schema=PRODUCTION,
        ),
        ResourceValidationPolicy(
            name="no-retain-in-production",
            description="RiskBehaviors in production stacks restore or disable on destroy.",
            validate=no_retain_in_production,
            config_schema=PRODUCTION,
        ),
        ResourceValidationPolicy(
            name="integration-inactive-needs-reason",
            description="An integration may be inactive only with a reason recorded in the policy config.",
            validate=inactive_needs_reason,
            enforcement_level=EnforcementLevel.ADVISORY,
            config_schema=PolicyConfigSchema(properties={"reasons": {"type": "object", "default": {}}}),
        ),
        ResourceValidationPolicy(
            name="integration-reference-is-idp",
            description="Every integration's reference_id is an identity provider id (UUID).",
            validate=reference_is_idp,
        ),
    ]
