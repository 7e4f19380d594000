"""Stack program: risk behaviors and Okta integrations from stack config, beside an identity provider."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ResourceProvider

from zt_risk_scoring import RiskBehaviors, RiskIntegration

PROJECT_KEYS = {"accountId", "apiTimeout", "behaviors", "behaviorsOnDelete", "identityProviders", "integrations"}
ITEM_KEYS = {
    "name",
    "tenantUrl",
    "referenceId",
    "referenceFrom",
    "active",
    "adopt",
    "integrationId",
    "accountId",
    "integrationType",
    "retainOnDelete",
    "importId",
}


def _check_config_keys() -> None:
    """A typo in a config key must fail the preview, not silently change nothing."""
    keys = {k.split(":", 1)[1] for k in pulumi.runtime.config.get_config_env() if k.startswith("zt-risk-scoring:")}
    unknown = sorted(keys - PROJECT_KEYS)
    if unknown:
        raise ValueError(
            f"unknown config key(s) zt-risk-scoring:{', zt-risk-scoring:'.join(unknown)}; "
            f"known keys: {', '.join(sorted(PROJECT_KEYS))}"
        )
    for item in config.get_object("integrations") or []:
        extra = sorted(set(item) - ITEM_KEYS) if isinstance(item, dict) else ["(not a map)"]
        if extra or "name" not in item or "tenantUrl" not in item:
            raise ValueError(
                f"zt-risk-scoring:integrations item {item!r}: needs name and tenantUrl; "
                f"unknown key(s) {', '.join(extra) or 'none'}; known keys: {', '.join(sorted(ITEM_KEYS))}"
            )


config = pulumi.Config()
_check_config_keys()
account_id = config.get("accountId") or pulumi.Config("cloudflare").get("accountId")


class _ExampleIdentityProvider(ResourceProvider):
    """Stands in for cloudflare.ZeroTrustAccessIdentityProvider, whose plugin cannot be fetched offline.

    Like the real one, its id is assigned by the API at create time, so during preview it is unknown.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        import uuid  # imported here: this class is pickled by value into state

        new_id = str(uuid.uuid4())
        return CreateResult(new_id, {**props, "idp_id": new_id})


class ExampleIdentityProvider(pulumi.dynamic.Resource, module="stacks", name="ExampleIdentityProvider"):
    """An Okta identity provider of Zero Trust Access (stand-in); `idp_id` is known after create."""

    idp_id: pulumi.Output[str]

    def __init__(self, name: str) -> None:
        super().__init__(_ExampleIdentityProvider(), name, {"idp_name": name, "idp_id": None})


identity_providers = {name: ExampleIdentityProvider(name) for name in config.get_object("identityProviders") or []}

behaviors = config.get_object("behaviors")
if behaviors is not None:  # present but empty is an error the resource reports
    RiskBehaviors(
        "risk-behaviors",
        behaviors=behaviors,
        account_id=account_id,
        on_delete=config.get("behaviorsOnDelete") or "restore",
    )

exported: dict[str, Any] = {}
for item in config.get_object("integrations") or []:
    reference: Any = item.get("referenceId")
    if item.get("referenceFrom"):
        reference = identity_providers[item["referenceFrom"]].idp_id
    integration = RiskIntegration(
        item["name"],
        tenant_url=item["tenantUrl"],
        reference_id=reference,
        active=item.get("active", True),
        account_id=item.get("accountId", account_id),
        integration_type=item.get("integrationType", "Okta"),
        integration_id=item.get("integrationId"),
        adopt=item.get("adopt", False),
        opts=pulumi.ResourceOptions(
            retain_on_delete=bool(item.get("retainOnDelete", False)),
            # Kept to show that the engine refuses it for dynamic resources (pulumi/pulumi#16175).
            import_=item.get("importId"),
        ),
    )
    exported[item["name"]] = {
        "id": integration.id,
        "well_known_url": integration.well_known_url,
        "reference_id": integration.reference_id,
    }

pulumi.export("integrations", exported)
