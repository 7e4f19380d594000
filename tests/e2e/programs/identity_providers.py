"""Stand-in for the stack that manages Access identity providers with pulumi-cloudflare; exports an IdP id."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ResourceProvider


class _IdentityProviderProvider(ResourceProvider):
    """Makes an id at create, as the API does for cloudflare.ZeroTrustAccessIdentityProvider."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        import uuid  # imported here: this class is pickled by value into the stack's state

        new_id = str(uuid.uuid4())
        return CreateResult(new_id, {**props, "idp_id": new_id})


class IdentityProvider(pulumi.dynamic.Resource, module="access", name="IdentityProvider"):
    """An Okta identity provider of Zero Trust Access (stand-in); `idp_id` is known after create."""

    idp_id: pulumi.Output[str]

    def __init__(self, name: str) -> None:
        super().__init__(_IdentityProviderProvider(), name, {"idp_name": name, "idp_id": None})


pulumi.export("oktaIdpId", IdentityProvider("okta").idp_id)
