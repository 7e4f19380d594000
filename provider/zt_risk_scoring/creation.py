"""Creating a RiskIntegration, top to bottom: find what it takes over, else POST (never twice), then set it to
the inputs; what it took over is recorded as adopted, with the values it had."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from .errors import ConfigurationError, Conflict, ConnectionFailed, RiskScoringError, ServerError
from .holdings import DELETED, HELD, LEFT, PREDECESSORS, keys
from .integration_schema import FIELDS, GENERATED, MANAGED
from .models import Integration, IntegrationSpec
from .reference import looks_derived
from .text import printable

if TYPE_CHECKING:
    from .client import RiskScoringClient

POST_ATTEMPTS = 3


@dataclass(frozen=True)
class Made:
    """The integration a create leaves, and its values before: {} when this resource made it."""

    integration: Integration
    prior: dict[str, Any]


def create(client: RiskScoringClient, props: dict[str, Any], owner: str | None) -> Made:
    """The integration `props` asks for, made or taken over, set to `props`."""
    # An integration with the reference_id this resource generated for itself is its own earlier attempt.
    may_adopt = bool(props.get("adopt") or props.get(GENERATED))
    found = integration_to_adopt(client, props, may_adopt, owner)
    spec = spec_of(props, found.reference_id if found else "")
    if found is None:
        made, created = post_integration(client, spec, may_adopt)
        if not created:
            _take(client, props, made, owner)
        elif owner:
            HELD.take(owner, client.account_id, keys(made.id, made.reference_id))
    else:
        made, created = found, False
        _take(client, props, found, owner)
    before = PREDECESSORS.prior_of(client.account_id, made.id, owner)  # its own, left by a retained replace
    if before is not None and not created:
        pulumi.log.info(f"integration {made.id} is this resource's own (its replacement kept it): taken again")
    prior = {} if created or _own_attempt(props, made) else before if before is not None else values(made)
    return Made(set_to_spec(client, made, spec, created=created), prior)


def _take(client: RiskScoringClient, props: dict[str, Any], found: Integration, owner: str | None) -> None:
    """Refuse to take over `found` when it is another stack's; else hold it for this resource, before any write."""
    # A replacement taking again what its delete left, or what the engine kept without a delete (retained).
    again = LEFT.left_by(client.account_id, found.id, owner) or _predecessor(client, found, owner)
    if derived_elsewhere(props, found) and not again:
        raise ConfigurationError(f"{derived_elsewhere_reason(found)}. Nothing was written")
    HELD.take(owner, client.account_id, keys(found.id, found.reference_id))


def _predecessor(client: RiskScoringClient, found: Integration, owner: str | None) -> bool:
    return PREDECESSORS.prior_of(client.account_id, found.id, owner) is not None


def derived_elsewhere(props: dict[str, Any], found: Integration) -> bool:
    """Whether `found`'s reference_id is one this package derived for another resource (so never adopted here)."""
    return not _own_attempt(props, found) and looks_derived(found.reference_id)


def derived_elsewhere_reason(found: Integration) -> str:
    return (
        f"integration {found.id} has reference_id {printable(found.reference_id)}, which zt-risk-scoring derived "
        "for a resource of another stack (or another resource of this one): adopting it would make two "
        "resources manage one integration, and each destroy undo the other. If that stack no longer manages "
        "it (`pulumi state delete` there), bring it here with `zt-risk export --import-file` and `pulumi "
        "import`; to rename a resource of this stack, give it an alias"
    )


def _own_attempt(props: dict[str, Any], found: Integration) -> bool:
    """Whether `found` carries the reference_id this resource derived for itself (an earlier attempt of its own)."""
    return bool(props.get(GENERATED)) and found.reference_id == props.get("reference_id")


def values(found: Integration) -> dict[str, Any]:
    """The values of `found` an integration's writes set (what `prior` and `written` hold)."""
    return {name: getattr(found, name) for name in MANAGED}


def spec_of(props: dict[str, Any], current_reference: str = "") -> IntegrationSpec:
    """The wanted integration; without a reference_id of its own (adopted by id) it keeps the current one."""
    return IntegrationSpec(
        tenant_url=props["tenant_url"],
        reference_id=props.get("reference_id") or current_reference,
        active=bool(FIELDS["active"].normalized(props.get("active"))),
        integration_type=FIELDS["integration_type"].normalized(props.get("integration_type")),
    )


def adopted_id_missing(integration_id: str, account_id: str, reference_id: Any = None) -> str:
    """The message for an `integration_id` the account does not have."""
    keep = f"set reference_id={reference_id!r}" if reference_id else "set reference_id to the one it has"
    return (
        f"integration_id {integration_id} does not exist in account {account_id}; remove integration_id to "
        f"create a new integration; if this resource adopted it and was replaced since, {keep} in the program "
        "to keep its link to the identity provider (`pulumi stack output` or `zt-risk integrations` shows it)"
    )


def integration_to_adopt(
    client: RiskScoringClient, props: dict[str, Any], may_adopt: bool, owner: str | None = None
) -> Integration | None:
    """The integration this resource takes over, or None when it must be created."""
    wanted = props.get("integration_id")
    if wanted:
        found = client.get_integration_if_exists(wanted)
        if found is not None:
            return found
        reference = props.get("reference_id")
        if not (reference and DELETED.deleted(props["account_id"], wanted, reference)):
            raise ConfigurationError(adopted_id_missing(wanted, props["account_id"], reference))
        # The replacement of a resource adopted by id and deleted (on_delete="delete"): its delete, which runs
        # first, just deleted that integration; the replacement is a new one with the same reference_id.
        pulumi.log.info(f"integration {wanted} was replaced: creating one with reference_id {props['reference_id']}")
    found = client.find_integration_by_reference(props["reference_id"])
    if found is not None:
        only_one(client, props["reference_id"])
    if found is not None and not may_adopt and not _predecessor(client, found, owner):
        raise reference_taken(found, props["reference_id"])
    return found


def _one_of_ours(client: RiskScoringClient, made: Integration, reference_id: str) -> Integration:
    """After a POST that followed an ambiguous one: where the API lets a reference_id be taken twice, the earlier
    POST may have landed after the lookup said it had not. Then the one just made is deleted again, and the
    earlier one (this call's too) is the integration: never two of one resource."""
    holders = _holders(client, reference_id)
    others = [i for i in holders if i.id != made.id]
    if not others:
        return made
    if len(others) > 1:
        raise _twins(client, reference_id, holders)
    client.delete_integration_if_exists(made.id)
    pulumi.log.info(f"create of {reference_id} landed twice; kept {others[0].id}, deleted {made.id}")
    return others[0]


def only_one(client: RiskScoringClient, reference_id: str) -> None:
    """Refuse to go on with a reference_id two integrations of the account have: whether the API refuses a second
    one is not public, and taking either would leave the other live and unmanaged (one list; only where one was
    found, so never on the path that creates)."""
    holders = _holders(client, reference_id)
    if len(holders) > 1:
        raise _twins(client, reference_id, holders)


def reference_free(client: RiskScoringClient, reference_id: str, integration_id: str) -> None:
    """Refuse to give integration `integration_id` a reference_id another integration of the account has (one
    list): whether the API refuses that PUT is not public, and one that takes it would leave two."""
    other = reference_holder(client, reference_id, integration_id)
    if other is not None:
        raise ConfigurationError(
            f"reference_id {printable(reference_id)} is already that of integration "
            f"{printable(other.id, quote=False)} in account {client.account_id}; choose another reference_id for "
            f"integration {integration_id}, or keep its current one. Nothing was written"
        )


def reference_holder(client: RiskScoringClient, reference_id: str, integration_id: str) -> Integration | None:
    """Another integration of the account than `integration_id` with `reference_id` (any case), if any (one list)."""
    others = [i for i in _holders(client, reference_id) if i.id.lower() != integration_id.lower()]
    return others[0] if others else None


def _holders(client: RiskScoringClient, reference_id: str) -> list[Integration]:
    """The account's integrations with `reference_id`, in any case (one list)."""
    return [i for i in client.list_integrations() if i.reference_id.lower() == reference_id.lower()]


def _twins(client: RiskScoringClient, reference_id: str, holders: list[Integration]) -> ConfigurationError:
    twins = sorted(i.id for i in holders)
    return ConfigurationError(
        f"account {client.account_id} has {len(twins)} integrations with reference_id {printable(reference_id)} "
        f"(any case): {', '.join(twins)}; keep one (delete the others in the Zero Trust dashboard, or with DELETE "
        ".../zt_risk_scoring/integrations/ID), or adopt one with integration_id=... Nothing was written"
    )


def set_to_spec(client: RiskScoringClient, found: Integration, spec: IntegrationSpec, created: bool) -> Integration:
    """`found` updated to `spec` where it differs (the create body cannot say active=false).

    When that update fails for an integration this call created, it is deleted again: left behind it
    would be live, active against the config, and in no state.
    """
    if spec.matches(found):
        return found
    if not created:  # adopted: its values before are what destroy gives back, never lost to an unclear write
        return write_or_put_back(client, found.id, spec, spec_of(values(found)))
    try:
        return client.update_integration(found.id, spec)
    except RiskScoringError as exc:
        try:
            client.delete_integration_if_exists(found.id)
        except RiskScoringError as cleanup:
            raise ConfigurationError(
                f"integration {found.id} was created, but setting it to your inputs failed ({exc.summary}) and "
                f"deleting it again failed too ({cleanup.summary}): it is live with active={found.active}; "
                f"delete it, or run `pulumi up` again with adopt=True"
            ) from exc
        raise


def write_or_put_back(
    client: RiskScoringClient, integration_id: str, spec: IntegrationSpec, before: IntegrationSpec
) -> Integration:
    """PUT `spec`; when the answer may have been applied all the same (lost, past its deadline, a 5xx), read back:
    landed is success, not landed the original error, and unclear `before` put back (or an error listing it).

    A write that landed and failed anyway would be read by the next `up` as the integration's own values, which
    it would record as the ones to give back on destroy.
    """
    try:
        return client.update_integration(integration_id, spec)
    except RiskScoringError as exc:
        if not exc.may_have_applied:
            raise
        failure = exc
    try:
        current = client.get_integration_if_exists(integration_id)
    except RiskScoringError:
        current = None
    if current is not None and _holds(current, spec):
        return current
    if current is None or not _holds(current, before):
        _put_back(client, integration_id, before, failure)
    raise failure


def _holds(found: Integration, spec: IntegrationSpec) -> bool:
    """Whether `found` holds `spec`'s values, each compared as check stores it (the API may spell them otherwise)."""
    return all(FIELDS[n].normalized(getattr(found, n)) == FIELDS[n].normalized(getattr(spec, n)) for n in MANAGED)


def _put_back(
    client: RiskScoringClient, integration_id: str, before: IntegrationSpec, failure: RiskScoringError
) -> None:
    try:
        client.update_integration(integration_id, before)
    except RiskScoringError as cleanup:
        values = f"tenant_url={before.tenant_url}, reference_id={before.reference_id}, active={before.active}"
        raise ConfigurationError(
            f"setting integration {integration_id} failed ({failure.summary}) and putting back the values it had "
            f"failed too ({cleanup.summary}), so it may now hold your inputs. Before this run it had {values}: set "
            "them back (Zero Trust dashboard, or PUT .../zt_risk_scoring/integrations/ID) before the next `pulumi up`"
        ) from failure


def reference_taken(found: Integration, reference_id: str) -> ConfigurationError:
    return ConfigurationError(
        f"integration {found.id} already has reference_id {reference_id}; to manage it "
        f"from this stack set adopt=True (or integration_id={found.id!r}), or choose another reference_id"
    )


def _after_conflict(
    client: RiskScoringClient, spec: IntegrationSpec, may_adopt: bool, attempt: int, exc: Conflict
) -> tuple[Integration, bool]:
    found = client.find_integration_by_reference(spec.reference_id)
    if found is None:
        raise exc
    if attempt == 0 and not may_adopt:
        raise reference_taken(found, spec.reference_id) from exc
    return found, attempt > 0


def _landed(client: RiskScoringClient, reference_id: str, failure: RiskScoringError) -> Integration | None:
    """What a POST whose answer was lost created, or None when it created nothing."""
    try:
        found = client.find_integration_by_reference(reference_id)
    except (ConnectionFailed, ServerError):
        raise failure from None  # unknown whether the POST applied: never POST blind
    if found is not None:
        pulumi.log.debug(f"create of {reference_id} lost its response; continuing with {found.id}")
    return found


def post_integration(client: RiskScoringClient, spec: IntegrationSpec, may_adopt: bool) -> tuple[Integration, bool]:
    """POST; after an ambiguous failure, continue with what the POST created, or POST again if nothing was.

    Returns the integration and whether this call created it. A 409 after an ambiguous attempt is that
    attempt having landed late; a 409 on the first attempt is an integration that existed before this call,
    taken over only where this resource may adopt, and never deleted by it.
    """
    for attempt in range(POST_ATTEMPTS):
        try:
            made = client.create_integration(spec)
            return (made if attempt == 0 else _one_of_ours(client, made, spec.reference_id)), True
        except Conflict as exc:
            return _after_conflict(client, spec, may_adopt, attempt, exc)
        except RiskScoringError as exc:
            if not exc.may_have_applied:
                raise
            found = _landed(client, spec.reference_id, exc)
            if found is not None:
                return found, True
            if attempt == POST_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")
