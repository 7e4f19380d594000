"""What a RiskIntegration's delete does: delete what its stack created; give what it adopted back (`on_delete`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pulumi

from .creation import reference_holder
from .holdings import DELETED, HELD, LEFT, resource_label
from .integration_schema import FIELDS, GENERATED, MANAGED
from .models import Integration, IntegrationSpec
from .text import printable

if TYPE_CHECKING:
    from .client import RiskScoringClient


def adopted(integration_id: str, props: dict[str, Any]) -> bool:
    """Whether the integration existed before this resource took it (adopted by id, by reference, or imported).

    `prior` says so since 0.3.0 ({} when this resource created it). State from earlier versions has none:
    its `integration_id` (not a successor a replacement made), or `adopt=True` with a reference_id not derived
    for this resource, count as adopted.
    """
    prior = props.get("prior")
    if isinstance(prior, dict):
        return bool(prior)
    by_id = str(props.get("integration_id") or "").lower() == integration_id.lower()
    return by_id or bool(props.get("adopt") and not props.get(GENERATED))


def delete(client: RiskScoringClient, integration_id: str, props: dict[str, Any], owner: str | None) -> None:
    """Delete, give back or keep the integration, as `on_delete` says; never one another resource now holds."""
    account = props["account_id"]
    holder = HELD.holder(account, ("id", integration_id.lower()))
    if holder is not None and holder != owner:
        hand_over(client, integration_id, props, holder)
        if adopted(integration_id, props):
            pulumi.log.info(f"integration {integration_id} is now managed by {resource_label(holder)}: left as it is")
        else:  # a rename without an alias, the new resource adopting it: its origin is not carried over
            made_by = resource_label(owner or "")
            pulumi.log.warn(
                f"integration {integration_id}, which this stack created as {made_by}, is now managed "
                f"by {resource_label(holder)}: left as it is. If that resource adopted it (adopt=True or "
                "integration_id), it records it as adopted, so a destroy gives it back and leaves it on the account: "
                f'set on_delete="delete" there to have it deleted with the stack (a rename with an alias keeps one '
                "resource and its origin)"
            )
        return
    HELD.let_go(owner, account, integration_id, props.get("reference_id"))
    mode = props.get("on_delete") or FIELDS["on_delete"].default
    if mode == "delete" or (mode == "restore" and not adopted(integration_id, props)):
        # False (already gone, the desired end state) only when the API's own list confirms it.
        client.delete_integration_if_exists(integration_id)
        DELETED.add(account, integration_id, props.get("reference_id"))
        return
    if mode == "restore":
        give_back(client, integration_id, props)
    LEFT.add(account, integration_id, owner)  # a replacement of this resource may adopt it again


def hand_over(client: RiskScoringClient, integration_id: str, props: dict[str, Any], holder: str) -> None:
    """Leave the integration to `holder` as its state says it is: what this resource set there, where `holder`
    holds other values, is set to those (its diff saw no change, so nothing else writes them in this `up`)."""
    wanted = HELD.expected(holder, props["account_id"], integration_id)
    current = client.get_integration_if_exists(integration_id) if wanted else None
    if current is None:
        return
    written = _written(props)
    back = {
        name: wanted[name]
        for name in MANAGED
        if name in wanted
        and FIELDS[name].normalized(getattr(current, name)) == FIELDS[name].normalized(written.get(name))
        and FIELDS[name].normalized(wanted[name]) != FIELDS[name].normalized(getattr(current, name))
    }
    put = _put_back(client, current, back)
    if put:
        pulumi.log.info(
            f"integration {integration_id}: set back to what {resource_label(holder)} holds ({_named(put)})"
        )


def _written(props: dict[str, Any]) -> dict[str, Any]:
    """The values this resource last set (older state: its last values)."""
    recorded = props.get("written")
    return recorded if isinstance(recorded, dict) else props


def _named(values: dict[str, Any]) -> str:
    return ", ".join(f"{name}={printable(json.dumps(value), quote=False)}" for name, value in values.items())


def give_back(client: RiskScoringClient, integration_id: str, props: dict[str, Any]) -> None:
    """Put back the values an adopted integration had, where it still holds what this stack set; leave it."""
    prior = props.get("prior")
    current = client.get_integration_if_exists(integration_id)
    if current is None:
        return
    if not isinstance(prior, dict) or not prior:
        pulumi.log.info(
            f"integration {integration_id} was adopted by an earlier version, which kept no earlier values: "
            "left as it is"
        )
        return
    written = _written(props)
    back, changed = {}, {}
    for name in MANAGED:
        now, set_here = getattr(current, name), FIELDS[name].normalized(written.get(name))
        if FIELDS[name].normalized(now) != set_here:
            changed[name] = now
        elif name in prior and prior[name] != now:
            back[name] = prior[name]
    if changed:
        pulumi.log.warn(
            f"integration {integration_id} was changed since this stack set it ({_named(changed)}): those fields are "
            "left as they are; the others get back the values they had when this stack adopted it"
        )
    _put_back(client, current, back)


def _put_back(client: RiskScoringClient, current: Integration, back: dict[str, Any]) -> dict[str, Any]:
    """Write `back` over `current` (one PUT, none when empty) and return what was written. A reference_id another
    integration of the account has meanwhile is left as it is: an API that takes twins would make two, and one
    that refuses them would fail this delete on every try."""
    back = dict(back)
    other = reference_holder(client, str(back["reference_id"]), current.id) if "reference_id" in back else None
    if other is not None:
        earlier = back.pop("reference_id")
        pulumi.log.warn(
            f"integration {printable(current.id, quote=False)}: its earlier reference_id {printable(earlier)} is now "
            f"that of integration {printable(other.id, quote=False)}, so it keeps {printable(current.reference_id)}"
        )
    if back:
        client.update_integration(current.id, _spec(current, back))
    return back


def _spec(current: Integration, back: dict[str, Any]) -> IntegrationSpec:
    merged = {name: back.get(name, getattr(current, name)) for name in MANAGED}
    return IntegrationSpec(merged["tenant_url"], merged["reference_id"], bool(merged["active"]))
