"""RiskIntegration: an Okta risk-sharing integration, with adoption instead of `pulumi import`."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from .client import RiskScoringClient
from .config import account_id_problem, default_account_id
from .errors import ConfigurationError, ConnectionFailed, NotFound, RiskScoringError, ServerError
from .models import Integration, IntegrationSpec
from .runtime import RiskScoringProvider, contains_unknown, is_unknown, stack_config

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
REPLACE_ON = ("account_id", "integration_type")
POST_ATTEMPTS = 3
UPDATE_ON = ("tenant_url", "reference_id", "active")


def tenant_url_problem(value: Any) -> str | None:
    """Why `value` is not an Okta tenant base URL, or None."""
    if not isinstance(value, str):
        return f"tenant_url must be a string such as https://example.okta.com, got {value!r}"
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        return f"tenant_url must be an https URL such as https://example.okta.com, got {value!r}"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return f"tenant_url must be the tenant's base URL with no path, query or credentials, got {value!r}"
    return None


def normalize_tenant_url(value: str) -> str:
    parts = urlsplit(value)
    return f"https://{parts.netloc.lower()}"


def _check_field(news: dict[str, Any], name: str, problem: str | None) -> list[CheckFailure]:
    return [] if problem is None or is_unknown(news.get(name)) else [CheckFailure(name, problem)]


def check_integration(olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
    """Validate and normalize inputs; give a stable reference_id before anything is written."""
    inputs = dict(news)
    url, ref, active = news.get("tenant_url"), news.get("reference_id"), news.get("active", True)
    failures = _check_field(news, "tenant_url", tenant_url_problem(url))
    if not failures and isinstance(url, str) and not is_unknown(url):
        inputs["tenant_url"] = normalize_tenant_url(url)
    failures += _check_field(news, "account_id", account_id_problem(news.get("account_id")))
    if ref is None:
        # Generated once and kept: it is how a create whose response was lost finds its result.
        inputs["reference_id"] = olds.get("reference_id") or str(uuid.uuid4())
    elif not is_unknown(ref) and (not isinstance(ref, str) or not ref.strip()):
        failures.append(
            CheckFailure(
                "reference_id", f"reference_id must be a non-empty string (the Access Okta IdP id), got {ref!r}"
            )
        )
    if not isinstance(active, bool) and not is_unknown(active):
        failures.append(CheckFailure("active", f"active must be true or false, got {active!r}"))
    inputs["active"] = True if active is None else active
    kind = news.get("integration_type") or "Okta"
    if not is_unknown(kind) and str(kind).lower() != "okta":
        failures.append(
            CheckFailure(
                "integration_type", f"integration_type must be Okta (the only type Cloudflare supports), got {kind!r}"
            )
        )
    inputs["integration_type"] = "Okta" if not is_unknown(kind) else kind
    adopt_id = news.get("integration_id")
    if (
        adopt_id is not None
        and not is_unknown(adopt_id)
        and not (isinstance(adopt_id, str) and UUID_PATTERN.match(adopt_id))
    ):
        failures.append(
            CheckFailure(
                "integration_id", f"integration_id must be the UUID of an existing integration, got {adopt_id!r}"
            )
        )
    if not isinstance(news.get("adopt", False), bool):
        failures.append(CheckFailure("adopt", "adopt must be true or false"))
    return CheckResult(inputs, failures)


def _spec(props: dict[str, Any]) -> IntegrationSpec:
    return IntegrationSpec(
        tenant_url=props["tenant_url"],
        reference_id=props["reference_id"],
        active=bool(props.get("active", True)),
        integration_type=props.get("integration_type", "Okta"),
    )


def _outputs(props: dict[str, Any], found: Integration) -> dict[str, Any]:
    return {
        **props,
        "tenant_url": found.tenant_url,
        "reference_id": found.reference_id,
        "active": found.active,
        "integration_type": found.integration_type,
        "well_known_url": found.well_known_url,
        "account_tag": found.account_tag,
        "created_at": found.created_at,
    }


class RiskIntegrationProvider(RiskScoringProvider):
    """Dynamic provider for RiskIntegration."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return check_integration(olds, news)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in REPLACE_ON if olds.get(k) != news.get(k) or is_unknown(news.get(k))]
        changed = [k for k in UPDATE_ON if olds.get(k) != news.get(k) or contains_unknown(news.get(k))]
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client, spec = self.client(props["account_id"]), _spec(props)
        found = self._existing(client, props, spec)
        if found is None:
            found = _create(client, spec)
        if not spec.matches(found):
            found = client.update_integration(found.id, spec)
        return CreateResult(found.id, _outputs(props, found))

    def _existing(self, client: RiskScoringClient, props: dict[str, Any], spec: IntegrationSpec) -> Integration | None:
        """The integration this resource adopts, or None when it must be created."""
        wanted = props.get("integration_id")
        if wanted:
            try:
                return client.get_integration(wanted)
            except NotFound as exc:
                raise ConfigurationError(
                    f"integration_id {wanted} does not exist in account {props['account_id']}; "
                    "remove integration_id to create a new integration"
                ) from exc
        found = client.find_integration_by_reference(spec.reference_id)
        if found is not None and not props.get("adopt"):
            raise ConfigurationError(
                f"integration {found.id} already has reference_id {spec.reference_id}; to manage it "
                f"from this stack set adopt=True (or integration_id={found.id!r}), or choose another reference_id"
            )
        return found

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            found = self.client(props.get("account_id") or "").get_integration(id_)
        except NotFound:
            return ReadResult(None, {})
        outs = _outputs(props, found)
        inputs = {k: v for k, v in outs.items() if k in (*REPLACE_ON, *UPDATE_ON, "integration_id", "adopt")}
        return ReadResult(id_, outs, inputs=inputs)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        found = self.client(news["account_id"]).update_integration(id_, _spec(news))
        return UpdateResult(_outputs(news, found))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        try:
            self.client(props["account_id"]).delete_integration(id_)
        except NotFound:
            pass  # already gone: the desired end state


def _create(client: RiskScoringClient, spec: IntegrationSpec) -> Integration:
    """POST; after an ambiguous failure, continue with what the POST created, or POST again if nothing was."""
    failure: RiskScoringError | None = None
    for _ in range(POST_ATTEMPTS):
        try:
            return client.create_integration(spec)
        except (ConnectionFailed, ServerError) as exc:
            failure = exc
        try:
            found = client.find_integration_by_reference(spec.reference_id)
        except (ConnectionFailed, ServerError):
            break  # unknown whether the POST applied: never POST blind
        if found is not None:
            pulumi.log.debug(f"create of {spec.reference_id} lost its response; continuing with {found.id}")
            return found
    assert failure is not None
    raise failure


class RiskIntegration(pulumi.dynamic.Resource, module="zt_risk_scoring", name="RiskIntegration"):
    """An Okta risk-sharing integration.

    Adopt an existing integration with `integration_id=…`, or with `adopt=True` to take the one
    whose reference_id matches (creating it when there is none). `pulumi import` cannot load
    dynamic providers (pulumi/pulumi#16175); adoption is the supported import path.
    """

    account_id: pulumi.Output[str]
    tenant_url: pulumi.Output[str]
    reference_id: pulumi.Output[str]
    active: pulumi.Output[bool]
    integration_type: pulumi.Output[str]
    well_known_url: pulumi.Output[str]
    account_tag: pulumi.Output[str]
    created_at: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        tenant_url: pulumi.Input[str],
        reference_id: pulumi.Input[str] | None = None,
        active: pulumi.Input[bool] = True,
        account_id: pulumi.Input[str] | None = None,
        integration_type: pulumi.Input[str] = "Okta",
        integration_id: pulumi.Input[str] | None = None,
        adopt: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {
            "account_id": account_id or default_account_id(stack_config),
            "tenant_url": tenant_url,
            "reference_id": reference_id,
            "active": active,
            "integration_type": integration_type,
            **dict.fromkeys(("well_known_url", "account_tag", "created_at")),
        }
        # Only when used: each property is stored in every checkpoint, which the engine rewrites whole
        # after every step (what paces a large update), and is one more Output for the SDK to track.
        if integration_id is not None:
            props["integration_id"] = integration_id
        if adopt is not False:  # anything else goes to check(), which names what is wrong
            props["adopt"] = adopt
        super().__init__(RiskIntegrationProvider(), resource_name, props, opts)
