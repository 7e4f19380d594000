"""RiskIntegration: an Okta risk-sharing integration, created, adopted by id or reference_id, or imported."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any
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

from .claims import ClaimError, Owner, claim
from .config import default_account_id, redacted_url
from .errors import (
    AuthenticationError,
    ConfigurationError,
    Conflict,
    ConnectionFailed,
    PermissionDenied,
    RateLimited,
    RiskScoringError,
    ServerError,
    printable,
)
from .fields import Field, Fields, account_field, boolean, simple
from .ids import VISIBLE_ASCII, id_problem, split_url
from .models import Integration, IntegrationSpec
from .program import deleting_first, stack_config
from .provider_base import RiskScoringProvider
from .unknowns import is_unknown

if TYPE_CHECKING:
    from .client import RiskScoringClient

POST_ATTEMPTS = 3
# Generated reference_ids are UUIDv5s of this namespace and "<org>/<project>/<stack>/<name>|<account>|<tenant>":
# the same on every attempt, so an `up` after a failed one finds what the failed one created, not a duplicate.
REFERENCE_NAMESPACE = uuid.UUID("6f0c3f2e-5a53-4be7-9d43-0d1b8c1e7a52")
# A DNS name in ASCII (an IDN in its xn-- form): what Okta gives a tenant.
HOSTNAME = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
EXAMPLE_TENANT = "https://example.okta.com"


def tenant_url_problem(value: Any) -> str | None:
    """Why `value` is not an Okta tenant base URL, or None; never raises, never shows a password it carries."""
    if not isinstance(value, str):
        return f"tenant_url must be a string such as {EXAMPLE_TENANT}, got {printable(value)}"
    shown = redacted_url(value)
    if not VISIBLE_ASCII.fullmatch(value):
        return (
            "tenant_url must be plain ASCII with no spaces or control characters (write an international "
            f"domain name in its xn-- form), got {shown}"
        )
    try:
        parts = split_url(value)
    except ValueError as exc:
        return f"tenant_url is not a valid URL ({exc}), got {shown}"
    if "@" in parts.netloc:
        return f"tenant_url must not carry credentials (user@ or user:password@), got {shown}"
    if parts.scheme != "https":
        return f"tenant_url must be an https URL such as {EXAMPLE_TENANT}, got {shown}"
    if not HOSTNAME.fullmatch(parts.hostname or ""):
        return f"tenant_url's host must be a DNS name such as example.okta.com, got {shown}"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"tenant_url must be the tenant's base URL with no path, query or fragment, got {shown}"
    return None


def generated_reference_id(seed: str, account_id: Any = None, tenant_url: Any = None) -> str:
    """The reference_id a resource gets when none is given: stable for one resource of one stack.

    The seed is organization/project/stack/name; the account and tenant join it when known, so two
    stacks of the same name on different backends take each other's integration only for the same
    tenant of the same account.
    """
    parts = [seed, *(v for v in (account_id, tenant_url) if isinstance(v, str) and not is_unknown(v))]
    return str(uuid.uuid5(REFERENCE_NAMESPACE, "|".join(parts)))


def normalize_tenant_url(value: str) -> str:
    """The tenant URL as check stores it: scheme and host (lower case), a port only when not https's own
    (`:443` and `:0443` name the same tenant as none), no trailing slash."""
    parts = urlsplit(value)
    port = "" if parts.port in (None, 443) else f":{parts.port}"
    return f"https://{(parts.hostname or '').lower()}{port}"


def integration_type_problem(value: Any) -> str | None:
    if isinstance(value, str) and value.lower() == "okta":
        return None
    return f"integration_type must be Okta (the only type Cloudflare supports), got {printable(value)}"


# The one table of RiskIntegration's fields: check, diff, read, the stack program's item
# keys, `zt-risk export` and the table in docs/resources.md derive from it.
FIELDS = Fields(
    account_field("the account"),
    Field(
        "tenant_url",
        simple(tenant_url_problem, normalize_tenant_url),
        config_key="tenantUrl",
        api="tenant_url",
        doc="the Okta tenant's https base URL (stored lower-case, no trailing slash)",
        unechoed=lambda value: isinstance(value, str) and "@" in value,  # user:password@ stays unprinted
    ),
    Field(
        "reference_id",
        simple(partial(id_problem, "reference_id")),
        optional=True,
        config_key="referenceId",
        api="reference_id",
        doc="the Access Okta identity provider's id; derived from stack, name, account and tenant when omitted",
    ),
    Field("active", boolean("active"), default=True, config_key="active", api="active", doc="sharing on or off"),
    Field(
        "integration_type",
        simple(integration_type_problem, lambda _: "Okta"),
        default="Okta",
        change="replace",
        config_key="integrationType",
        api="integration_type",
        doc="the only type Cloudflare supports",
    ),
    Field(
        "integration_id",
        simple(partial(id_problem, "integration_id")),
        change="none",
        optional=True,
        sparse=True,
        config_key="integrationId",
        api="id",
        doc="adopt this existing integration instead of creating one",
    ),
    Field(
        "adopt",
        boolean("adopt"),
        default=False,
        change="none",
        optional=True,
        sparse=True,
        config_key="adopt",
        doc="adopt the integration that has this reference_id, if there is one",
    ),
    Field("well_known_url", output_only=True, api="well_known_url", doc="the SSF configuration URL to give Okta"),
    Field("account_tag", output_only=True, api="account_tag", doc="the account, as the API reports it"),
    Field("created_at", output_only=True, api="created_at", doc="when Cloudflare created it"),
)
# Kept in state beside the fields: whether this resource generated its reference_id (then an integration
# found with it is its own earlier attempt).
GENERATED = "reference_generated"


# How check learns the reference_id of the integration a resource adopts by id: (account, id) -> it, or
# None when it cannot be read now (no credentials at a preview); a CheckFailure when there is no such one.
AdoptedReference = Callable[[str, str], "str | CheckFailure | None"]


def _not_looked_up(_account: str, _integration_id: str) -> str | CheckFailure | None:
    return None


def check_integration(
    olds: dict[str, Any], news: dict[str, Any], adopted_reference: AdoptedReference = _not_looked_up
) -> CheckResult:
    """Validate and normalize inputs; give a stable reference_id before anything is written."""
    inputs, failures = FIELDS.check(news)
    if not failures:
        failures += _keep_reference(inputs, olds, news, adopted_reference)
    return CheckResult(inputs, failures)


def _keep_reference(
    inputs: dict[str, Any], olds: dict[str, Any], news: dict[str, Any], adopted_reference: AdoptedReference
) -> list[CheckFailure]:
    """Put the reference_id this resource's integration has into its inputs; derive one only for a new one.

    The reference_id links the integration to the identity provider: one the integration has is never
    replaced by one derived from names (a stack rename, an alias, a move to another project, an
    import, dropping integration_id from the program), only by one the program names. `olds` is empty
    only for a resource still to be made (the engine's second check of a replacement included).
    """
    explicit, seed = news.get("reference_id") is not None, news.get("reference_seed")
    if not explicit and olds.get("reference_id"):
        inputs["reference_id"] = olds["reference_id"]
        if olds.get(GENERATED):
            inputs[GENERATED] = True
        _kept_here.keep(seed, inputs)
        return []
    if not explicit and not olds and _kept_here.restore(seed, inputs):
        return []  # the engine's second check of a replacement a change planned: the first, with olds, kept it
    adopted = inputs.get("integration_id") or olds.get("integration_id")
    if adopted and (not olds or not explicit):  # a new adoption is checked; an old one without reference filled
        if is_unknown(adopted) or is_unknown(inputs.get("account_id")):
            return []
        found = adopted_reference(inputs["account_id"], adopted)
        if isinstance(found, CheckFailure):
            return [] if olds else [found]  # the integration of an existing resource gone: refresh says so
        if found and not explicit:
            inputs["reference_id"] = found
    elif not olds and not explicit:
        _generate_reference(inputs, seed)
    return []


def _generate_reference(inputs: dict[str, Any], seed: Any) -> None:
    """A reference_id derived from the resource's seed (or random, for a program that passes none)."""
    if isinstance(seed, str) and seed:
        reference = generated_reference_id(seed, inputs.get("account_id"), inputs.get("tenant_url"))
        inputs["reference_id"], inputs[GENERATED] = reference, True
    else:  # a program that passes no seed (an older one): random, then kept in state
        inputs["reference_id"] = str(uuid.uuid4())


def _spec(props: dict[str, Any], current_reference: str = "") -> IntegrationSpec:
    """The wanted integration; without a reference_id of its own (adopted by id) it keeps the current one."""
    return IntegrationSpec(
        tenant_url=props["tenant_url"],
        reference_id=props.get("reference_id") or current_reference,
        active=bool(props.get("active", True)),
        integration_type=props.get("integration_type", "Okta"),
    )


def _outputs(props: dict[str, Any], found: Integration) -> dict[str, Any]:
    # The API's spelling (a tenant URL in another case or with a trailing slash, `okta`, no type at all)
    # is stored as check's normalized input would be, so it never shows as a change, least of all a replacement.
    return {**props, **FIELDS.from_api(found)}


class RiskIntegrationProvider(RiskScoringProvider):
    """Dynamic provider for RiskIntegration."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return check_integration(olds, news, self._adopted_reference)

    def _adopted_reference(self, account_id: str, integration_id: str) -> str | CheckFailure | None:
        """The reference_id of the integration adopted by id (one GET), so that it is kept in the inputs."""
        try:
            found = self.client(account_id).get_integration_if_exists(integration_id)
        except (
            ConfigurationError,
            AuthenticationError,
            PermissionDenied,
            ConnectionFailed,
            ServerError,
            RateLimited,
        ) as exc:
            # No (usable) credentials, as at a preview, or no answer now: create reads it, the next check retries.
            pulumi.log.debug(f"reference_id of integration {integration_id} not read at check: {exc.summary}")
            return None
        if found is None:
            return CheckFailure("integration_id", _gone(integration_id, account_id))
        return found.reference_id or None

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return FIELDS.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client(props["account_id"])
        # An integration with the reference_id this resource generated for itself is its own earlier attempt.
        may_adopt = bool(props.get("adopt") or props.get(GENERATED))
        found = _existing(client, props, may_adopt)
        spec = _spec(props, found.reference_id if found else "")
        if found is None:
            made, created = _create(client, spec, may_adopt)
            found = _settled(client, made, spec, created=created)
        else:
            found = _settled(client, found, spec, created=False)
        return CreateResult(found.id, _outputs(props, found))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        found = self.client(props.get("account_id") or "").get_integration_if_exists(id_)
        if found is None:
            return ReadResult(None, {})
        outs = _outputs(props, found)
        inputs = FIELDS.read_inputs(outs, extra=[GENERATED])
        return ReadResult(id_, outs, inputs=inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        found = self.client(news["account_id"]).update_integration(id_, _spec(news, olds.get("reference_id", "")))
        return UpdateResult(_outputs(news, found))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # False (already gone, the desired end state) only when the API's own list confirms it.
        self.client(props["account_id"]).delete_integration_if_exists(id_)
        _deleted_here.add(props["account_id"], id_, props.get("reference_id"))


class _Kept:
    """The reference_ids this provider process's checks kept from old inputs, by resource (its seed).

    When a change replaces a resource (an `account_id`), the engine checks it a second time without its old
    inputs: only the first check, in the same process moments before, saw the reference_id it has. (A
    targeted `--replace` checks once, without them: see docs/resources.md.)
    """

    def __init__(self) -> None:
        self._by_seed: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def keep(self, seed: Any, inputs: dict[str, Any]) -> None:
        if isinstance(seed, str) and seed:
            with self._lock:
                self._by_seed[seed] = {k: inputs[k] for k in ("reference_id", GENERATED) if k in inputs}

    def restore(self, seed: Any, inputs: dict[str, Any]) -> bool:
        with self._lock:
            kept = self._by_seed.get(seed) if isinstance(seed, str) else None
        if kept:
            inputs.update(kept)
        return bool(kept)


_kept_here = _Kept()


class _Deleted:
    """What this provider process deleted (ids and reference_ids): a replacement's create may take its place."""

    def __init__(self) -> None:
        self._keys: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def add(self, account_id: str, integration_id: str, reference_id: Any) -> None:
        with self._lock:
            self._keys.add((account_id, integration_id.lower()))
            if isinstance(reference_id, str) and reference_id:
                self._keys.add((account_id, f"reference:{reference_id}"))

    def deleted(self, account_id: str, integration_id: str, reference_id: str) -> bool:
        """Whether this process deleted that integration, or the one with that reference_id (a later replacement)."""
        with self._lock:
            keys = {(account_id, integration_id.lower()), (account_id, f"reference:{reference_id}")}
            return bool(keys & self._keys)


_deleted_here = _Deleted()


def _gone(integration_id: str, account_id: str, reference_id: Any = None) -> str:
    keep = f"set reference_id={reference_id!r}" if reference_id else "set reference_id to the one it has"
    return (
        f"integration_id {integration_id} does not exist in account {account_id}; remove integration_id to "
        f"create a new integration; if this resource adopted it and was replaced since, {keep} in the program "
        "to keep its link to the identity provider (`pulumi stack output` or `zt-risk integrations` shows it)"
    )


def _existing(client: RiskScoringClient, props: dict[str, Any], may_adopt: bool) -> Integration | None:
    """The integration this resource takes over, or None when it must be created."""
    wanted = props.get("integration_id")
    if wanted:
        found = client.get_integration_if_exists(wanted)
        if found is not None:
            return found
        reference = props.get("reference_id")
        if not (reference and _deleted_here.deleted(props["account_id"], wanted, reference)):
            raise ConfigurationError(_gone(wanted, props["account_id"], reference))
        # The replacement of a resource adopted by id: its delete, which runs first, just deleted that
        # integration; the replacement is a new one with the same reference_id.
        pulumi.log.info(f"integration {wanted} was replaced: creating one with reference_id {props['reference_id']}")
    found = client.find_integration_by_reference(props["reference_id"])
    if found is not None and not may_adopt:
        raise _taken(found, props["reference_id"])
    return found


def _settled(client: RiskScoringClient, found: Integration, spec: IntegrationSpec, created: bool) -> Integration:
    """`found` updated to `spec` where it differs (the create body cannot say active=false).

    When that update fails for an integration this call created, it is deleted again: left behind it
    would be live, active against the config, and in no state.
    """
    if spec.matches(found):
        return found
    try:
        return client.update_integration(found.id, spec)
    except RiskScoringError as exc:
        if not created:
            raise
        try:
            client.delete_integration_if_exists(found.id)
        except RiskScoringError as cleanup:
            raise ConfigurationError(
                f"integration {found.id} was created, but setting it to your inputs failed ({exc.summary}) and "
                f"deleting it again failed too ({cleanup.summary}): it is live with active={found.active}; "
                f"delete it, or run `pulumi up` again with adopt=True"
            ) from exc
        raise


def _taken(found: Integration, reference_id: str) -> ConfigurationError:
    return ConfigurationError(
        f"integration {found.id} already has reference_id {reference_id}; to manage it "
        f"from this stack set adopt=True (or integration_id={found.id!r}), or choose another reference_id"
    )


def _create(client: RiskScoringClient, spec: IntegrationSpec, may_adopt: bool) -> tuple[Integration, bool]:
    """POST; after an ambiguous failure, continue with what the POST created, or POST again if nothing was.

    Returns the integration and whether this call created it. A 409 after an ambiguous attempt is that
    attempt having landed late; a 409 on the first attempt is an integration that existed before this call,
    taken over only where this resource may adopt, and never deleted by it.
    """
    for attempt in range(POST_ATTEMPTS):
        try:
            return client.create_integration(spec), True
        except Conflict as exc:
            found = client.find_integration_by_reference(spec.reference_id)
            if found is None:
                raise
            if attempt == 0 and not may_adopt:
                raise _taken(found, spec.reference_id) from exc
            return found, attempt > 0
        except (ConnectionFailed, ServerError) as exc:
            try:
                found = client.find_integration_by_reference(spec.reference_id)
            except (ConnectionFailed, ServerError):
                raise exc from None  # unknown whether the POST applied: never POST blind
            if found is not None:
                pulumi.log.debug(f"create of {spec.reference_id} lost its response; continuing with {found.id}")
                return found, True
            if attempt == POST_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


class RiskIntegration(pulumi.dynamic.Resource, module="zt_risk_scoring", name="RiskIntegration"):
    """An Okta risk-sharing integration.

    Adopt an existing integration with `integration_id=…`, or with `adopt=True` to take the one
    whose reference_id matches (creating it when there is none). Without a reference_id, one is
    derived from the stack, the resource name, the account and the tenant, so a retried `up` finds its own
    earlier attempt.
    """

    account_id: pulumi.Output[str]
    tenant_url: pulumi.Output[str]
    reference_id: pulumi.Output[str]
    active: pulumi.Output[bool]
    integration_type: pulumi.Output[str]
    well_known_url: pulumi.Output[str | None]
    account_tag: pulumi.Output[str | None]
    created_at: pulumi.Output[str | None]

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
        account = account_id or default_account_id(stack_config)
        seed = _seed(resource_name) if reference_id is None else None
        owner = Owner(f"RiskIntegration {resource_name!r}")
        _claim(owner, resource_name, account, reference_id, integration_id, _derived_from(seed, tenant_url))
        given = {
            "account_id": account,
            "tenant_url": tenant_url,
            "reference_id": reference_id,
            "active": active,
            "integration_type": integration_type,
            "integration_id": integration_id,
            "adopt": adopt,
        }
        props = FIELDS.props(given)
        if seed is not None:  # check derives the reference_id from it (see generated_reference_id)
            props["reference_seed"] = seed
        super().__init__(RiskIntegrationProvider(), resource_name, props, deleting_first(opts))
        if seed is not None and integration_id is None:
            pulumi.Output.all(self.reference_id, self.account_id, self.tenant_url).apply(
                lambda known: _warn_if_not_derived(self, resource_name, seed, *known)
            )


def _seed(name: str) -> str:
    """What a reference_id is derived from: organization/project/stack/name (no parent: see _claim)."""
    where = (pulumi.get_organization(), pulumi.get_project(), pulumi.get_stack(), name)
    return "/".join(part for part in where if part)  # mocks have no organization


def _derived_from(seed: str | None, tenant_url: Any) -> str | None:
    """The seed and tenant a reference_id will be derived from (with the account), when both are known now."""
    if seed is None or not isinstance(tenant_url, str):
        return None
    tenant, problems = FIELDS["tenant_url"].validate(tenant_url)  # as check will store it
    return None if problems else f"{seed}|{tenant}"


def _claim(
    owner: Owner, name: str, account: Any, reference_id: Any, integration_id: Any, derivation: str | None
) -> None:
    """Refuse a second RiskIntegration of this program run with the same reference_id or integration_id, or
    one that would derive the same reference_id (the same name, under another parent, and the same tenant)."""
    named = (("reference_id", reference_id), ("integration_id", integration_id))
    given = {kind: value for kind, value in named if isinstance(value, str) and not id_problem(kind, value)}
    if not isinstance(account, str):
        return
    # The API compares both case-insensitively (one integration per reference_id in an account).
    things = [(kind, value.lower()) for kind, value in given.items()]
    if derivation is not None and integration_id is None:
        things.append(("seed", derivation))
    clashes = claim(owner, account, things)
    if not clashes:
        return
    (kind, _), other = next(iter(clashes.items()))
    if kind == "seed":
        raise ClaimError(
            f"RiskIntegration {name!r}: {other} of this program, under another parent, has the same name and "
            "tenant, so both would derive one reference_id (and manage one integration); pass reference_id=... "
            "to each, or name them apart"
        )
    raise ClaimError(
        f"RiskIntegration {name!r}: {kind} {printable(given[kind])} of account {printable(account)} is already "
        f"that of {other} in this program, and both would manage one integration; give each RiskIntegration "
        f"its own {kind}, or declare the integration once"
    )


def _warn_if_not_derived(resource: pulumi.Resource, name: str, seed: str, reference: Any, *derived_from: Any) -> None:
    """Warn when the reference_id kept in state is not the one this resource would derive now.

    It was derived under another stack or resource name (a `pulumi stack rename`, an alias) or another
    tenant, or adopted or imported. It stays, but `pulumi up --replace` checks the program's inputs
    without the old ones, so a replacement would derive another: the warning names the line that keeps it.
    """
    if not isinstance(reference, str) or not reference:
        return
    account, tenant = derived_from
    # check derives with the account and tenant it knows: at a preview of a new stack either may be unknown.
    known = ((account, tenant), (account, None), (None, tenant), (None, None))
    if reference in {generated_reference_id(seed, *parts) for parts in known}:
        return
    pulumi.log.warn(
        f"RiskIntegration {name!r} keeps reference_id {printable(reference)}, which is not the one derived from "
        "its stack, name, account and tenant now (it was adopted, imported, made random by an older version, or "
        "derived under another stack or resource name or tenant), so `pulumi up --replace` of it would give it a "
        f"new one; to keep it for good, pass reference_id={printable(reference)} (referenceId in the stack "
        "program's config)",
        resource=resource,
    )
