"""One history: generated from a seed within a time budget, or replayed from a file; invariants after every step."""

from __future__ import annotations

import itertools
import random
import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zt_risk_scoring.emulator.variants import CHOICES, USER_ENDPOINTS_ONLY, Variants
from zt_risk_scoring.models import BehaviorSetting, Integration

from . import invariants as inv
from .history import CHANGE_KINDS, LEVELS, Model, Step, apply_change, pick
from .world import World

CHANGES = frozenset(CHANGE_KINDS)  # the program changes: the model and the program file, no CLI
OUTSIDE = {"foreign", "outside_behavior", "outside_edit", "outside_delete"}
UPS = {"up", "replace"}  # they apply the whole program (--target applies a part)
# Steps that never ask for an integration to leave state: a live one missing from state after them is lost.
KEEPING = {"preview", "refresh", "refresh_preview", "revoked", "misrouted"}


@dataclass
class Outcome:
    """What a history did: its steps, how many ran the CLI, the invariants checked and the first ones broken."""

    seed: int
    variants: dict[str, str]
    steps: list[Step] = field(default_factory=list)
    cli_steps: int = 0
    checks: int = 0
    broken: list[str] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)  # engine steps that exited non-zero, by kind

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "variants": self.variants,
            "steps": [s.to_json() for s in self.steps],
            "broken": self.broken,
        }


def variants_for(seed: int) -> dict[str, str]:
    """The API's answers a seed's history runs against: each open point a resource meets, its default or another."""
    rng = random.Random(f"variants-{seed}")
    chosen = {}
    for name, values in CHOICES.items():
        if name not in USER_ENDPOINTS_ONLY and rng.random() < 0.4:
            chosen[name] = rng.choice(values[1:])
    return chosen


class Explorer:
    """Runs steps in a world, keeping the model, the ledger and the last program an up applied."""

    def __init__(self, world: World, outcome: Outcome) -> None:
        self.world, self.outcome = world, outcome
        self.model = Model()
        self.last_good = Model()
        self.ledger = inv.Ledger(baseline=_customized(world, outcome.seed))
        self.dirty = False  # the outside world changed something the stack manages since its last refresh and up
        self.edited_declared: set[str] = set()
        self.named: set[str] = set()  # every reference_id a program of this history named (set, maybe dropped later)
        # The integrations in state and on the accounts at the last look, while no command has run since.
        self.seen: tuple[dict[str, dict[str, Any]], dict[str, list[Integration]]] | None = None

    def step(self, step: Step) -> list[str]:
        self.outcome.steps.append(step)
        self.named |= _named(step)
        self.outcome.kinds[step.kind] = self.outcome.kinds.get(step.kind, 0) + 1
        if step.kind in CHANGES:
            apply_change(self.model, step)
            self.ledger.declared_ever |= set(self.model.behaviors())
            self.world.write(self.model)
            return []
        if step.kind in OUTSIDE:
            self._outside(step)
            return self._always()
        self.outcome.cli_steps += 1
        before = self.seen[0] if self.seen else self._look()[0]
        result, done = self._run(step)
        if step.kind in KEEPING or step.params.get("then") in KEEPING:  # none may take a live one out of state
            kept = inv.kept(before, *self._look(), why=str(step))
            if kept:
                return kept
        if result.returncode != 0:
            self.outcome.failed[step.kind] = self.outcome.failed.get(step.kind, 0) + 1
            return self._converge(step)
        return self._after(done)

    def _run(self, step: Step) -> tuple[subprocess.CompletedProcess[str], Step]:
        """Run an engine step; the step whose checks follow when it succeeds (an up for an update in any form)."""
        p, world = step.params, self.world
        if step.kind == "fault":
            world.faults(p["rules"])
            try:
                return world.engine(Step(p["then"])), Step(p["then"])
            finally:
                world.faults([])
        if step.kind == "revoked":
            return world.revoked(Step(p["then"])), Step(p["then"])
        if step.kind == "misrouted":
            result = world.misrouted(Step(p["then"]))
            self.ledger.released |= {world.witness} if world.witness else set()  # b's: neither ours nor watched
            return result, Step(p["then"])
        if step.kind == "interrupt":
            return world.interrupted(p["signal"], p["after"]), Step("up")
        if step.kind == "automation":
            return world.automation(), Step("up")
        if step.kind == "reimport":
            result = world.reimported(p["name"])
            imported = [r["id"] for r in world.resources() if r["urn"].endswith(f"::{p['name']}") and r.get("id")]
            if result.returncode == 0:
                self.ledger.imported |= set(imported)  # existed before the stack now: given back on destroy
            return result, step
        if step.kind == "destroy_target" and world.urn(p["name"]) is None:
            return world.engine(Step("up")), Step("up")  # not in state: a plain up, checked as one
        return world.engine(step), step

    def _outside(self, step: Step) -> None:
        self.world.outside(step, self.model)
        p = step.params
        if step.kind == "foreign":
            made = next(i for i in self.world.api["a"].list_integrations() if i.reference_id == p["reference_id"])
            self.ledger.foreign[made.id] = (made.reference_id, made.tenant_url, made.active)
            self.model.foreign[p["reference_id"]] = "a"
        elif step.kind == "outside_behavior":
            value = {"enabled": p["enabled"], "risk_level": p["risk_level"]}
            if p["key"] in self.ledger.declared_ever:
                self.edited_declared.add(p["key"])
            else:
                self.ledger.baseline[p["key"]] = value
            self.dirty = True
        else:
            self.dirty = True

    def _after(self, done: Step) -> list[str]:
        """The checks after an engine step that succeeded."""
        broken = self._always()
        if done.kind in UPS:
            self.last_good = self.model.copy()
            broken += self._converged()
        if done.kind in UPS or done.kind in ("destroy", "destroy_target"):
            state, found = self.seen or self._look()
            broken += inv.no_orphans(found, state, self.ledger)
        if done.kind == "destroy":
            broken += self._given_back()
        return broken

    def _converged(self) -> list[str]:
        """2: refresh, then (after outside edits) up again; state equals the account and a preview plans nothing."""
        self.outcome.checks += 1
        self.seen = None
        refreshed = self.world.pulumi("refresh", "--yes", "--skip-preview")
        if refreshed.returncode != 0:
            return [f"2: refresh after a successful up failed: {_tail(refreshed.stderr or refreshed.stdout)}"]
        if self.dirty:
            # What the refresh saw may need the user's fixes first (an integration adopted by id that someone
            # deleted: the program must stop naming it).
            self._user_fixes(Step("refresh"))
            again = self.world.pulumi("up", "--yes", "--skip-preview")
            if again.returncode != 0:
                return [f"2: up after a refresh failed: {_tail(again.stderr or again.stdout)}"]
            self.dirty = False
        state, found = self.seen = self._look()
        broken = inv.state_is_account(found, state)
        broken += inv.behaviors(self.world, self.ledger, self._declared())
        planned = self.world.pulumi("preview", "--expect-no-changes")
        if planned.returncode != 0:
            # Which properties it would change (the first preview prints only the resource and the counts).
            detail = self.world.pulumi("preview", "--diff").stdout
            changed = [line.strip() for line in detail.splitlines() if line.strip().startswith(("~ ", "+ ", "- "))]
            broken.append(
                f"2: a preview after up and refresh plans changes: {_tail(planned.stdout)} | {' | '.join(changed[:12])}"
            )
        return broken

    def _user_fixes(self, failed: Step) -> None:
        """What a user does when the program names what the account no longer allows: adopt=True where an
        integration the stack retained holds the resource's reference_id (its create would be refused), and no
        adoption by id of an integration someone deleted (its check is refused: the id does not exist).

        After `pulumi up` was killed, a create may have landed that state never recorded (the engine drops its
        pending create): one with the resource's own derived reference_id is taken up again by the next create,
        one with a reference_id the program sets is refused with a message saying adopt=True, which the user
        sets; that integration is then treated as existing before the stack (given back on destroy).
        """
        taken = {self.ledger.references[id_] for id_ in self.ledger.released if id_ in self.ledger.references}
        if failed.kind == "interrupt":
            lost = self._unrecorded()
            taken |= set(lost)
            self.ledger.imported |= set(lost.values())
        present = {i.reference_id for i in self.world.api["a"].list_integrations()}
        named: set[tuple[str, str]] = set()
        for name, item in list(self.model.program.items()):
            args = item["args"]
            # Declare each integration once (the refusal's own advice): a later resource naming one an earlier
            # resource of the account names is dropped. A failed up may have applied the earlier one already.
            wanted = (args.get("account", "a"), str(args.get("reference_id") or args.get("adopt_id_of")).lower())
            if item["kind"] == "integration" and (args.get("adopt") or args.get("adopt_id_of")):
                if wanted in named:
                    del self.model.program[name]
                    continue
                named.add(wanted)
            if args.get("reference_id") in taken:
                args["adopt"] = True
            if args.get("adopt_id_of") and args["adopt_id_of"] not in present:
                del self.model.program[name]
        self.world.write(self.model)

    def _unrecorded(self) -> dict[str, str]:
        """reference_id → id of each live integration no state holds, nobody else made and the stack did not let
        go, whose reference_id the program sets (what an interrupted create can leave)."""
        state, found = self._look()
        allowed = set(state) | set(self.ledger.foreign) | self.ledger.released
        named = {item["args"].get("reference_id") for item in self.model.program.values()}
        return {
            i.reference_id: i.id
            for integrations in found.values()
            for i in integrations
            if i.id not in allowed and i.reference_id in named
        }

    def _declared(self) -> dict[str, Any]:
        return {k: v for k, v in self.model.behaviors().items() if k not in self.edited_declared}

    def _converge(self, failed: Step) -> list[str]:
        """5: after a failed step, a clean up converges (back to the last program an up applied if this one is
        refused, then to the resources of it that state holds); then the other invariants hold."""
        self.outcome.checks += 1
        if failed.kind == "interrupt":  # a killed update leaves the backend's lock: `pulumi cancel`, as it says
            self.world.pulumi("cancel", "--yes")
        self._user_fixes(failed)
        result = self.world.pulumi("up", "--yes", "--skip-preview")
        if result.returncode != 0:
            self.model.program = self.last_good.copy().program
            self._user_fixes(failed)
            self.world.write(self.model)
            result = self.world.pulumi("up", "--yes", "--skip-preview")
        if result.returncode != 0:
            # The failed step applied part of its program (an integration moved, adopted or given back), and the
            # last good program now asks for a hand-over within one deployment, which the provider refuses before
            # any write (holdings.py); a user applies it in two: first what state holds, then the rest.
            held = {r["urn"].rsplit("::", 1)[-1] for r in self.world.resources()}
            program = self.model.program
            self.model.program = {n: i for n, i in program.items() if n in held or i["kind"] != "integration"}
            self._user_fixes(failed)
            result = self.world.pulumi("up", "--yes", "--skip-preview")
        if result.returncode != 0:
            return [f"5: after {failed}, a clean up fails: {_tail(result.stderr or result.stdout)}"]
        return self._after(Step("up"))

    def _always(self) -> list[str]:
        """1, 3 (undeclared keys), 4, 6: after every step, failed or not."""
        self.outcome.checks += 1
        state, found = self.seen = self._look()
        inv.release(self.ledger, state)
        self.ledger.taken |= set(state) & set(self.ledger.foreign)
        broken = (
            inv.no_duplicates(found)
            + inv.one_resource_each(self.world.last)
            + inv.behaviors(self.world, self.ledger, None)
        )
        broken += inv.references_kept(state, self.ledger, self.named)
        return broken + inv.foreign_kept(found, self.ledger) + inv.no_credential(self.world)

    def _look(self) -> tuple[dict[str, dict[str, Any]], dict[str, list[Integration]]]:
        """The integrations in state (one `stack export`) and on each account, now."""
        return inv.integrations_in_state(self.world.resources()), inv.live(self.world)

    def _given_back(self) -> list[str]:
        """3: after a destroy, each key the stack took and nobody else changed holds its value from before."""
        current = {k: b.setting.to_api() for k, b in self.world.api["a"].get_behaviors().items()}
        return [
            f"3: after destroy, behavior {k} is {current.get(k)}; before the stack took it, {self.ledger.baseline[k]}"
            for k in sorted(self.ledger.declared_ever - self.edited_declared)
            if k in self.ledger.baseline and current.get(k) != self.ledger.baseline[k]
        ]


def _named(step: Step) -> set[str]:
    """The reference_id a program change names, if any."""
    if step.kind in ("add", "adopt") and "reference_id" in step.params:
        return {str(step.params["reference_id"])}
    if step.kind == "reference" and step.params.get("value"):
        return {str(step.params["value"])}
    return set()


def _customized(world: World, seed: int) -> dict[str, dict[str, Any]]:
    """Account a's behaviors as someone set them before the history (not the catalogue's): what they hold now."""
    rng, api = random.Random(f"behaviors-{seed}"), world.api["a"]
    current = api.get_behaviors()
    api.update_behaviors({k: BehaviorSetting(rng.random() < 0.5, rng.choice(LEVELS)) for k in current})
    return {k: b.setting.to_api() for k, b in api.get_behaviors().items()}


def _tail(text: str, lines: int = 6) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:] if line.strip())


def history(
    seed: int, seconds: float, *, steps: list[Step] | None = None, variants: dict[str, str] | None = None,
    env: dict[str, str] | None = None, log: Any = print, max_steps: int | None = None,
) -> Outcome:  # fmt: skip
    """Generate steps from `seed` for `seconds` (or replay `steps`) until an invariant breaks."""
    chosen = variants_for(seed) if variants is None else variants
    outcome = Outcome(seed, chosen)
    with tempfile.TemporaryDirectory(prefix="explore-") as tmp:
        world = World(Path(tmp), Variants.of(chosen), f"explore-{secrets.token_hex(12)}", env)
        try:
            explorer = Explorer(world, outcome)
            for n, step in enumerate(itertools.islice(_steps(seed, seconds, steps, explorer.model), max_steps)):
                broken = explorer.step(step)
                log(f"explore: {n:4d} {step}{'  BROKEN' if broken else ''}")
                if broken:
                    outcome.broken = broken
                    break
        finally:
            world.close()
    return outcome


def _steps(seed: int, seconds: float, given: list[Step] | None, model: Model) -> Iterator[Step]:
    if given is not None:
        yield from given
        return
    rng, deadline = random.Random(seed), time.monotonic() + seconds
    while time.monotonic() < deadline:
        yield pick(rng, model)
