"""Okta risk sharing for one Cloudflare account: behaviors, an integration fed by an identity provider, a lookup."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ResourceProvider

from zt_risk_scoring import RiskBehaviors, RiskIntegration, get_integration


class _StandInIdentityProvider(ResourceProvider):
    """STAND-IN for `cloudflare.ZeroTrustAccessIdentityProvider` (the pulumi-cloudflare plugin).

    In your program, use the real resource instead:

        idp = cloudflare.ZeroTrustAccessIdentityProvider("okta", account_id=..., name="Okta", type="okta",
                                                         config={...})

    Like it, this one gets its id from the API at create time, so the id is unknown during the first preview
    and everything built from it waits. It calls no API: it only makes up a UUID.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        import uuid  # imported here: the provider is pickled by value into the stack's state

        return CreateResult(str(uuid.uuid4()), props)


class IdentityProvider(pulumi.dynamic.Resource, module="example", name="IdentityProvider"):
    """STAND-IN: an Access identity provider whose id is assigned at create (see above)."""

    def __init__(self, name: str) -> None:
        super().__init__(_StandInIdentityProvider(), name, {"display_name": name})


config = pulumi.Config()

behaviors = RiskBehaviors(
    "risk-behaviors",
    behaviors={
        "imp_travel": {"enabled": True, "risk_level": config.get("impossibleTravelLevel") or "high"},
        "high_dlp": {"enabled": True, "risk_level": "medium"},
    },
    on_delete="restore",  # destroy puts back what the account had before
)

idp = IdentityProvider("okta-idp")
okta = RiskIntegration(
    "okta",
    tenant_url=config.require("tenantUrl"),
    reference_id=idp.id,  # another resource's output: unknown until the identity provider exists
    active=config.get_bool("active", True),
)

# A lookup takes Outputs and waits for what it depends on: unknown in the first preview, read after `up`
# creates the integration, and read again (it needs a token then) in every later preview.
live = get_integration(okta.id, opts=pulumi.InvokeOutputOptions(depends_on=[okta]))

pulumi.export("identity_provider_id", idp.id)
pulumi.export("integration_id", okta.id)
pulumi.export("well_known_url", okta.well_known_url)
pulumi.export("live_reference_id", live.apply(lambda found: found["reference_id"]))
pulumi.export("live_active", live.apply(lambda found: found["active"]))
