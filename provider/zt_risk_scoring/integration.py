"""RiskIntegration: an Okta risk-sharing integration, created, adopted by id or reference_id, or imported.

The provider's lifecycle methods are here, short; what they call: the field table (integration_schema), the
reference_id rules (reference), the create algorithm (creation), delete and release (release), and which
resource holds which integration this deployment (holdings).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from . import creation, release
from .claims import ClaimError, Owner, claim
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    NotEntitled,
    PermissionDenied,
    RateLimited,
    RiskScoringError,
    ServerError,
)
from .holdings import DELETED, HELD, LEFT, PREDECESSORS, ClaimedElsewhere, keys
from .ids import id_problem
from .integration_schema import FIELDS, GENERATED, IMPORTED, MANAGED
from .models import Integration
from .program import connection_account_id, deleting_first, warn_if_recorded_differs
from .provider_base import RiskScoringProvider
from .pulumi_private import calling_urn
from .reference import KEPT, AdoptedReference, keep_reference, not_looked_up, own_references
from .text import printable
from .unknowns import contains_unknown, is_unknown

# Errors that mean "no (usable) credentials or no answer now" where a check reads: create reads again.
NOT_NOW = (ConfigurationError, AuthenticationError, PermissionDenied, ConnectionFailed, ServerError, RateLimited)


def check_integration(
    olds: dict[str, Any], news: dict[str, Any], adopted_reference: AdoptedReference = not_looked_up
) -> CheckResult:
    """Validate and normalize inputs; give a stable reference_id before anything is written."""
    inputs, failures = FIELDS.check(news)
    if not failures:
        failures += keep_reference(inputs, olds, news, adopted_reference)
    return CheckResult(inputs, failures)


def _outputs(props: dict[str, Any], found: Integration, **recorded: Any) -> dict[str, Any]:
    # The API's spelling (a tenant URL in another case or with a trailing slash, `okta`, no type at all)
    # is stored as check's normalized input would be, so it never shows as a change, least of all a replacement.
    outs = {k: v for k, v in props.items() if k != IMPORTED}
    return {**outs, **FIELDS.from_api(found), **recorded}


def _set_values(found: Integration) -> dict[str, Any]:
    """What this stack set: the managed fields of the answer to its write, as check stores them."""
    api = FIELDS.from_api(found)
    return {name: api[name] for name in MANAGED}


def moves_account(olds: dict[str, Any], inputs: dict[str, Any]) -> bool:
    """Whether a checked resource changes account (a replacement: delete in the old one, create in the new)."""
    old, new = olds.get("account_id"), inputs.get("account_id")
    return bool(old) and isinstance(new, str) and not is_unknown(new) and old != new


class RiskIntegrationProvider(RiskScoringProvider):
    """Dynamic provider for RiskIntegration."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        fields, problems = FIELDS.check(news)
        # Before any read: a connection that cannot serve this resource is not used for the adoption lookup.
        refused = [] if problems else self.connection_problems(fields)
        connection = str(fields.get("connection"))
        adopted = not_looked_up if refused else (lambda *named: self._adopted_reference(connection, *named))
        checked = check_integration(olds, news, adopted)
        inputs, failures = checked.inputs, refused or list(checked.failures)
        if not failures and moves_account(olds, inputs):
            failures += self._target_problems(inputs)
        if not failures and (news.get(IMPORTED) or olds.get(IMPORTED)):
            failures += self._import_problems(news.get(IMPORTED) or olds[IMPORTED], inputs)
        if not failures:
            failures += _held(olds, inputs)
        if failures and news.get(IMPORTED):  # `pulumi import` only warns about check failures: fail it instead
            raise ConfigurationError("; ".join(f.reason for f in failures))
        return CheckResult(inputs, failures)

    def _adopted_reference(
        self, connection: str, account_id: str, integration_id: str
    ) -> str | CheckFailure | None:
        """The reference_id of the integration adopted by id (one GET), so that it is kept in the inputs."""
        try:
            found = self.client(account_id, connection).get_integration_if_exists(integration_id)
        except NotEntitled as exc:
            return CheckFailure("account_id", str(exc))  # no up can succeed there: said at preview, nothing written
        except NOT_NOW as exc:
            # No (usable) credentials, as at a preview, or no answer now: create reads it, the next check retries.
            pulumi.log.debug(f"reference_id of integration {integration_id} not read at check: {exc.summary}")
            return None
        if found is None:
            return CheckFailure("integration_id", creation.adopted_id_missing(integration_id, account_id))
        return found.reference_id or None

    def _target_problems(self, inputs: dict[str, Any]) -> list[CheckFailure]:
        """What would make the create in a new account fail after the delete in the old one ran: found now, at
        check, before the engine deletes anything (with credentials at hand; an `up` always has them)."""
        account = inputs["account_id"]
        try:
            client = self.client_of(inputs)
        except ConfigurationError:
            return []  # no credentials, as at a preview: the `up`'s own check looks
        try:
            return _blocking_create(client, inputs)
        except RiskScoringError as exc:
            return [
                CheckFailure(
                    "account_id",
                    f"moving this integration to account {account} replaces it (delete, then create there), and "
                    f"whether account {account} can take it could not be read ({exc}); nothing was changed: "
                    "fix that and run again, or keep the account_id",
                )
            ]

    def _import_problems(self, imported: Any, inputs: dict[str, Any]) -> list[CheckFailure]:
        """An imported entry's id against the account: the engine stores an import file's entries unread."""
        account = inputs.get("account_id")
        if contains_unknown([account, inputs.get("reference_id")]):
            return []
        try:
            client = self.client_of(inputs)
        except ConfigurationError:
            return []  # no credentials, as at a preview: the `up`'s own check looks
        try:
            found = client.get_integration_if_exists(imported) if isinstance(imported, str) else None
        except RiskScoringError as exc:
            return [CheckFailure("", f"the imported integration {printable(imported)} could not be read: {exc}")]
        if found is None:
            reason = f"the imported integration {printable(imported)} does not exist in account {printable(account)}"
        elif (
            inputs.get("integration_id") not in (None, found.id)
            or (inputs.get("reference_id") or found.reference_id).lower() != found.reference_id.lower()
        ):
            reason = f"the import entry of integration {found.id} names other values (integration_id, reference_id)"
        else:
            return []
        return [CheckFailure("", f"{reason}: the import file was edited; make it again with `zt-risk export`")]

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        imported = olds.get(IMPORTED)
        if isinstance(imported, str) and imported.lower() != id_.lower():
            raise ConfigurationError(
                f"this resource's id {id_} is not the integration its import entry named ({imported}): the import "
                "file was edited; `pulumi state delete` it and import again from a file `zt-risk export` makes"
            )
        urn, account = calling_urn(), olds.get("account_id") or ""
        HELD.take(urn, account, keys(id_, olds.get("reference_id")))
        HELD.expect(urn, account, id_, {n: olds.get(n) for n in MANAGED})
        PREDECESSORS.add(account, id_, urn, olds.get("prior"))
        return FIELDS.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        made = creation.create(self.client_of(props), props, calling_urn())
        found, written = made.integration, _set_values(made.integration)
        HELD.expect(calling_urn(), props["account_id"], found.id, written)
        return CreateResult(found.id, _outputs(props, found, prior=made.prior, written=written))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        account = props.get("account_id") or ""
        HELD.take(calling_urn(), account, keys(id_))
        found = self.client(account, props.get("connection")).get_integration_if_exists(id_)
        if found is None:
            return ReadResult(None, {})
        outs = _outputs(props, found)
        inputs = FIELDS.read_inputs(outs, extra=[GENERATED])
        return ReadResult(id_, outs, inputs=inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        HELD.take(calling_urn(), news["account_id"], keys(id_))
        spec = creation.spec_of(news, olds.get("reference_id", ""))
        kept = {k: v for k, v in olds.items() if k not in {f.name for f in FIELDS.inputs} and k != IMPORTED}
        if all(FIELDS[n].normalized(olds.get(n)) == getattr(spec, n) for n in MANAGED):
            return UpdateResult({**kept, **news, **{n: olds.get(n) for n in MANAGED}})  # on_delete only: no write
        before = creation.spec_of({n: olds.get(n) for n in MANAGED}, spec.reference_id)
        client = self.client_of(news)
        if spec.reference_id.lower() != str(olds.get("reference_id") or "").lower():
            creation.reference_free(client, spec.reference_id, id_)  # an API that takes twins would make one
        found = creation.write_or_put_back(client, id_, spec, before)
        written = _set_values(found)
        HELD.expect(calling_urn(), news["account_id"], id_, written)
        return UpdateResult({**_outputs({**kept, **news}, found), "written": written})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        release.delete(self.client_of(props), id_, props, calling_urn())


def _blocking_create(client: Any, inputs: dict[str, Any]) -> list[CheckFailure]:
    """Why creating `inputs` in `client`'s account would fail (the adopted id is not there, the reference_id is
    taken), as read from that account: nothing to refuse is []."""
    account, adopted, reference = client.account_id, inputs.get("integration_id"), inputs.get("reference_id")
    if contains_unknown([adopted, reference]):
        return []  # known at `up`, whose own check looks
    if adopted:
        found = client.get_integration_if_exists(adopted)
        if found is None:
            return [
                CheckFailure(
                    "integration_id",
                    f"integration_id {adopted} does not exist in account {account}, and an integration cannot move "
                    f"between accounts: remove integration_id to create one in account {account} (its reference_id "
                    "is kept), or keep the account_id. Nothing was changed",
                )
            ]
    else:
        found = client.find_integration_by_reference(reference) if isinstance(reference, str) else None
        if found is not None and isinstance(reference, str):
            try:
                creation.only_one(client, reference)
            except ConfigurationError as exc:
                return [CheckFailure("reference_id", exc.summary)]
    if found is not None and not adopted and not (inputs.get("adopt") or inputs.get(GENERATED)):
        taken = creation.reference_taken(found, found.reference_id)
        return [CheckFailure("reference_id", f"{taken.summary} (in account {account})")]
    if found is not None and creation.derived_elsewhere(inputs, found):
        return [CheckFailure("reference_id", f"{creation.derived_elsewhere_reason(found)} (in account {account})")]
    return []


def _held(olds: dict[str, Any], inputs: dict[str, Any]) -> list[CheckFailure]:
    """Hold, for this resource, the integration its inputs (and old inputs) name; a failure if another holds it."""
    urn = calling_urn()
    try:
        if olds.get("account_id") and olds.get("reference_id"):
            HELD.take(urn, olds["account_id"], keys(reference_id=olds["reference_id"]))
        account = inputs.get("account_id")
        if isinstance(account, str) and not is_unknown(account):
            HELD.take(urn, account, keys(inputs.get("integration_id"), inputs.get("reference_id")))
    except ClaimedElsewhere as exc:
        return [CheckFailure("integration_id" if exc.key[0] == "id" else "reference_id", str(exc))]
    return []


def reset_process_memory() -> None:
    """Forget what this provider process remembers of its deployment (kept reference_ids, deletions, holdings):
    for tests, each of which is a provider process of its own."""
    KEPT.reset()
    for memory in (HELD, DELETED, LEFT, PREDECESSORS):
        memory.reset()


class RiskIntegration(pulumi.dynamic.Resource, module="zt_risk_scoring", name="RiskIntegration"):
    """An Okta risk-sharing integration.

    Adopt an existing integration with `integration_id=…`, or with `adopt=True` to take the one
    whose reference_id matches (creating it when there is none). Without a reference_id, one is
    derived from the stack, the resource name, the account and the tenant, so a retried `up` finds its own
    earlier attempt. `on_delete`: "restore" deletes one this stack created and gives one it adopted back
    its earlier values; "delete" and "retain" do that whatever its origin.
    """

    account_id: pulumi.Output[str]
    tenant_url: pulumi.Output[str]
    reference_id: pulumi.Output[str]
    active: pulumi.Output[bool]
    integration_type: pulumi.Output[str]
    on_delete: pulumi.Output[str]
    connection: pulumi.Output[str]
    well_known_url: pulumi.Output[str | None]
    account_tag: pulumi.Output[str | None]
    created_at: pulumi.Output[str | None]
    prior: pulumi.Output[dict[str, Any]]
    written: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        resource_name: str,
        tenant_url: pulumi.Input[str],
        reference_id: pulumi.Input[str] | None = None,
        active: pulumi.Input[bool] = FIELDS["active"].default,
        account_id: pulumi.Input[str] | None = None,
        integration_type: pulumi.Input[str] = FIELDS["integration_type"].default,
        integration_id: pulumi.Input[str] | None = None,
        adopt: bool = FIELDS["adopt"].default,
        on_delete: str = FIELDS["on_delete"].default,
        opts: pulumi.ResourceOptions | None = None,
        connection: str = FIELDS["connection"].default,
    ) -> None:
        # Every field argument by its name, as the table names them: none is copied here by hand.
        given = {k: v for k, v in locals().items() if k in {f.name for f in FIELDS.inputs}}
        given["account_id"] = account = account_id or connection_account_id(connection)
        seed = _seed(resource_name) if reference_id is None else None
        owner = Owner(f"RiskIntegration {resource_name!r}")
        _claim(owner, resource_name, account, reference_id, integration_id, _derived_from(seed, tenant_url))
        props = FIELDS.props(given)
        if seed is not None:  # check derives the reference_id from it (see generated_reference_id)
            props["reference_seed"] = seed
        super().__init__(RiskIntegrationProvider(), resource_name, props, deleting_first(opts))
        FIELDS.expose_defaults(self)
        for name, given_value in (("on_delete", on_delete), ("connection", connection)):
            warn_if_recorded_differs(self, name, given_value, FIELDS[name].default)
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
    if reference in own_references(seed, *derived_from):
        return
    pulumi.log.warn(
        f"RiskIntegration {name!r} keeps reference_id {printable(reference)}, which is not the one derived from "
        "its stack, name, account and tenant now (it was adopted, imported, made random by an older version, or "
        "derived under another stack or resource name or tenant), so `pulumi up --replace` of it would give it a "
        f"new one; to keep it for good, pass reference_id={printable(reference)} (referenceId in the stack "
        "program's config)",
        resource=resource,
    )
