"""What must hold after every step of a history, whatever happened: each check returns the broken ones, a line each.

1. no two integrations of one reference_id; no integration the stack made left outside state (after a
   successful up or destroy); 2. after an up and a refresh, state equals the account and a preview plans
   nothing; 3. behaviors no resource ever declared keep the outside world's values, declared ones equal the
   program after an up; 4. what the outside world made is deleted or changed only where a resource took it;
   6. no credential in any output or state. (5, convergence after a failure, is the driver's.)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from zt_risk_scoring.models import Integration

from .world import World


@dataclass
class Ledger:
    """What the invariants compare with: the outside world's values and what the stack may leave behind."""

    baseline: dict[str, dict[str, Any]] = field(default_factory=dict)  # behaviors of account a, undeclared keys
    declared_ever: set[str] = field(default_factory=set)
    foreign: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # id → (reference, tenant, active)
    taken: set[str] = field(default_factory=set)  # foreign ids a resource adopted (they may change)
    released: set[str] = field(default_factory=set)  # ids the stack let go with retain_on_delete / on_delete
    references: dict[str, str] = field(default_factory=dict)  # id → the reference_id state last recorded
    imported: set[str] = field(default_factory=set)  # ids brought back by `pulumi import`: existed before the stack
    state_before: dict[str, dict[str, Any]] = field(default_factory=dict)


def integrations_in_state(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in resources if r["type"].endswith("RiskIntegration") and r.get("id")}


def one_resource_each(resources: list[dict[str, Any]]) -> list[str]:
    """1: no two resources in state hold one integration (by id, in any case)."""
    ids = Counter(r["id"].lower() for r in resources if r["type"].endswith("RiskIntegration") and r.get("id"))
    holders = {
        id_: sorted(r["urn"].rsplit("::", 1)[-1] for r in resources if (r.get("id") or "").lower() == id_)
        for id_, n in ids.items()
        if n > 1
    }
    return [f"1: resources {', '.join(names)} in state all hold integration {id_}" for id_, names in holders.items()]


def live(world: World) -> dict[str, list[Integration]]:
    return {k: api.list_integrations() for k, api in world.api.items()}


def no_duplicates(found: dict[str, list[Integration]]) -> list[str]:
    broken = []
    for account, integrations in found.items():
        counts = Counter(i.reference_id.lower() for i in integrations)
        broken += [f"1: account {account} has {n} integrations of reference_id {r}" for r, n in counts.items() if n > 1]
    return broken


def no_orphans(found: dict[str, list[Integration]], state: dict[str, dict[str, Any]], ledger: Ledger) -> list[str]:
    """After a successful up or destroy: every integration on the accounts is in state, someone else's, or let go."""
    allowed = set(state) | set(ledger.foreign) | ledger.released
    return [
        f"1: integration {i.id} (reference_id {i.reference_id}, account {k}) is on the account and in no state"
        for k, integrations in found.items()
        for i in integrations
        if i.id not in allowed
    ]


def release(ledger: Ledger, state: dict[str, dict[str, Any]]) -> None:
    """Ids that left state since the last look, and that the stack was told to let go, may stay on the account."""
    urns = {r["urn"] for r in state.values()}
    for id_, now in state.items():
        before = ledger.state_before.get(id_)
        # Another resource (not the same one renamed with an alias: that keeps its creation time) took it over by
        # adoption, its holder gone: it is adopted now, and given back on destroy (docs/resources.md, "Renaming").
        taken_over = before is not None and before["urn"] not in urns and before.get("created") != now.get("created")
        adopting = (now.get("inputs") or {}).get("adopt") or (now.get("inputs") or {}).get("integration_id")
        if taken_over and adopting:
            ledger.imported.add(id_)
    for id_, before in ledger.state_before.items():
        outs = before.get("outputs") or {}
        given_back = id_ in ledger.imported and outs.get("on_delete") != "delete"
        if id_ not in state and (before.get("retainOnDelete") or outs.get("on_delete") == "retain" or given_back):
            ledger.released.add(id_)
    ledger.state_before = dict(state)


def kept(
    before: dict[str, dict[str, Any]], state: dict[str, dict[str, Any]], found: dict[str, list[Integration]], why: str
) -> list[str]:
    """4: after a step that never asks for it (a refresh, a preview, anything under a revoked token), every
    integration that was in state and is still live on an account is still in state."""
    live_ids = {i.id for integrations in found.values() for i in integrations}
    return [
        f"4: after {why}, {resource['urn']} (integration {id_}, still live) is no longer in state"
        for id_, resource in before.items()
        if id_ not in state and id_ in live_ids
    ]


def state_is_account(found: dict[str, list[Integration]], state: dict[str, dict[str, Any]]) -> list[str]:
    """After up and refresh: each integration in state is live, with the values state records."""
    by_id = {i.id: i for integrations in found.values() for i in integrations}
    broken = []
    for id_, resource in state.items():
        outs, here = resource.get("outputs") or {}, by_id.get(id_)
        if here is None:
            broken.append(f"2: {resource['urn']} is in state with id {id_}, which no account has")
            continue
        recorded = (outs.get("tenant_url"), outs.get("active"), outs.get("reference_id"))
        if recorded != (here.tenant_url, here.active, here.reference_id):
            broken.append(
                f"2: {resource['urn']}: state {recorded}, account {(here.tenant_url, here.active, here.reference_id)}"
            )
    return broken


def behaviors(world: World, ledger: Ledger, program: dict[str, Any] | None) -> list[str]:
    """Keys never declared as the outside world set them; with `program` (after an up), declared ones as it says."""
    current = {k: b.setting.to_api() for k, b in world.api["a"].get_behaviors().items()}
    broken = [
        f"3: behavior {k} nobody declared is {current.get(k)}, the outside world set {v}"
        for k, v in ledger.baseline.items()
        if k not in ledger.declared_ever and current.get(k) != v
    ]
    for k, v in (program or {}).items():
        if current.get(k) != v:
            broken.append(f"3: behavior {k} is {current.get(k)} after an up of {v}")
    return broken


def foreign_kept(found: dict[str, list[Integration]], ledger: Ledger) -> list[str]:
    """Someone else's integrations that no resource took: still there, as they were made."""
    by_id = {i.id: i for i in found["a"]}
    broken = []
    for id_, made in ledger.foreign.items():
        if id_ in ledger.taken:
            continue
        here = by_id.get(id_)
        if here is None:
            broken.append(f"4: someone else's integration {id_} ({made[0]}) was deleted")
        elif (here.reference_id, here.tenant_url, here.active) != made:
            broken.append(
                f"4: someone else's integration {id_} became {(here.reference_id, here.tenant_url, here.active)}"
            )
    return broken


def references_kept(state: dict[str, dict[str, Any]], ledger: Ledger, named: set[str]) -> list[str]:
    """4: an integration's reference_id (its link to the identity provider) changes only to one the program names."""
    broken = []
    for id_, resource in state.items():
        now = (resource.get("outputs") or {}).get("reference_id")
        before = ledger.references.get(id_)
        if before is not None and now != before and now not in named:
            broken.append(f"4: {resource['urn']}: reference_id {before} became {now}, which no program named")
        if now:
            ledger.references[id_] = now
    return broken


def no_credential(world: World) -> list[str]:
    """6: no token of the history (revoked ones included) in what the step's commands printed or state holds."""
    leaked = [n for n, text in enumerate(world.outputs) if any(token in text for token in world.tokens)]
    world.outputs.clear()
    return [f"6: a token appears in output {n} of the step" for n in leaked]
