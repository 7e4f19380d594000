"""What a history is made of: the program the explorer keeps, and the steps it picks at random from it.

A step is data (a kind and its resolved parameters), so a history can be written down, replayed and shrunk.
Choices depend only on the random generator and on the model of the program and the outside world, never on
what the API answered, so a seed gives the same history every time.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("low", "medium", "high")
KEYS = ("high_dlp", "imp_travel", "sentinel_one", "placeholder_malicious_file")  # of the emulator's catalogue
# The catalogue's other keys are never declared: whatever happens, they keep the outside world's values.
TENANTS = ("https://a.okta.com", "https://b.okta.com", "https://c.okta.com")
ACCOUNTS = ("a", "b")
# The default connection, and a named one (its own token, reaching both accounts: world.py) a resource moves to.
CONNECTIONS = ("cloudflare", "c2")
DROP = "drop_after_write"
FAULTS: tuple[list[dict[str, Any]], ...] = (  # each the emulator's fault rules for one engine operation
    [{"mode": DROP, "operations": ["create_integration"]}],
    [
        {"mode": DROP, "operations": ["create_integration"]},
        {"status": 500, "count": 20, "operations": ["get_integration_by_reference", "list_integrations"]},
    ],
    [{"mode": DROP, "operations": ["update_integration"]}],
    [{"mode": DROP, "operations": ["update_behaviors"]}],
    [{"mode": DROP, "operations": ["delete_integration"]}],
    [{"status": 500, "count": 3, "operations": ["create_integration", "update_integration", "delete_integration"]}],
    [{"status": 429, "count": 2, "retry_after": 0}],
    [{"status": 502, "count": 1, "operations": ["get_integration"]}],
    [{"mode": "html", "status": 404, "count": 2, "operations": ["get_integration", "list_integrations"]}],
    [{"status": 404, "count": 1, "operations": ["get_integration"]}],
    [{"status": 404, "count": 1, "operations": ["delete_integration"]}],
    [{"mode": "html", "status": 404, "count": 1, "operations": ["delete_integration", "update_integration"]}],
    [{"mode": "redirect", "status": 302, "location": "https://login.example.com/", "count": 1}],
)
ENGINE = (
    "up", "up", "up", "up", "up", "preview", "refresh", "refresh_preview", "destroy", "replace", "target",
    "destroy_target",
)  # fmt: skip
ENGINE_RARE = ("stack_rename", "automation", "reimport", "interrupt", "revoked", "misrouted")
SIGNALS = ("INT", "KILL")


@dataclass(frozen=True)
class Step:
    """One step of a history: its kind and parameters, as written to a replay file."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.params}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Step:
        params = {k: v for k, v in raw.items() if k != "kind"}
        return cls(str(raw["kind"]), params)

    def __str__(self) -> str:
        return " ".join([self.kind, *(f"{k}={v}" for k, v in self.params.items())])


@dataclass
class Model:
    """The program as the explorer last wrote it, and what it made outside the stack (by reference_id)."""

    program: dict[str, dict[str, Any]] = field(default_factory=dict)
    foreign: dict[str, str] = field(default_factory=dict)  # reference_id → account: made by "someone else"
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def integrations(self) -> list[str]:
        return [n for n, item in self.program.items() if item["kind"] == "integration"]

    def behaviors(self) -> dict[str, Any]:
        item = self.program.get("rb")
        return dict(item["args"]["behaviors"]) if item else {}

    def copy(self) -> Model:
        return copy.deepcopy(self)


def pick(rng: random.Random, model: Model) -> Step:
    """The next step: a program change, an engine operation, an outside edit, or an operation under a fault."""
    roll = rng.random()
    if roll < 0.35:
        return _program_change(rng, model)
    if roll < 0.75:
        kind = rng.choice(ENGINE if rng.random() > 0.2 else ENGINE_RARE)
        names = model.integrations()
        if kind in ("replace", "target", "destroy_target", "reimport"):
            return Step(kind, {"name": rng.choice(names)}) if names else Step("up")
        if kind == "interrupt":  # Ctrl-C or kill -9 of `pulumi up`, somewhere between its start and its end
            return Step(kind, {"signal": rng.choice(SIGNALS), "after": round(rng.uniform(0.5, 5.0), 1)})
        if kind == "revoked":  # the token revoked just before an operation (then a new one issued)
            return Step(kind, {"then": rng.choice(("up", "refresh", "preview", "destroy"))})
        if kind == "misrouted":  # reads answered for the other account (only the reading operations: see docs)
            return Step(kind, {"then": rng.choice(("refresh", "preview"))})
        return Step(kind)
    if roll < 0.85:
        return _outside(rng, model)
    rules = rng.choice(FAULTS + FAULTS[1:2])  # a lost create whose lookups fail too: the worst case, twice as often
    return Step("fault", {"rules": rules, "then": rng.choice(("up", "up", "up", "refresh", "destroy"))})


def _program_change(rng: random.Random, model: Model) -> Step:
    names = model.integrations()
    choices = ["add", "add", "behavior_set"]
    if names:  # edits and renames most: where a resource that exists meets a rule
        choices += ["remove", "edit", "edit", "edit", "rename", "rename", "reference", "option", "group", "account"]
        choices += ["connection", "wait"]
    if model.behaviors():
        choices += ["behavior_drop"]
    if model.foreign:  # adopting someone else's integration meets the most rules (lookups, holdings, give back)
        choices += ["adopt", "adopt"]
    kind = rng.choice(choices)
    name = rng.choice(names) if names else ""
    return CHANGE_KINDS[kind](rng, model, name)


def _add(rng: random.Random, model: Model, _name: str) -> Step:
    params: dict[str, Any] = {"name": model.fresh("i"), "tenant_url": rng.choice(TENANTS), "active": rng.random() < 0.8}
    if rng.random() < 0.3:
        params["reference_id"] = model.fresh("ref-")
    return Step("add", params)


def _adopt(rng: random.Random, model: Model, _name: str) -> Step:
    reference = rng.choice(sorted(model.foreign))
    by = rng.choice(("reference", "id"))
    return Step(
        "adopt", {"name": model.fresh("i"), "reference_id": reference, "by": by, "tenant_url": rng.choice(TENANTS)}
    )


def _remove(rng: random.Random, model: Model, name: str) -> Step:
    return Step("remove", {"name": name})


def _edit(rng: random.Random, model: Model, name: str) -> Step:
    field_ = rng.choice(("tenant_url", "active", "on_delete"))
    value: Any
    if field_ == "tenant_url":
        value = rng.choice(TENANTS)
    elif field_ == "active":
        value = rng.random() < 0.5
    else:
        value = rng.choice(("restore", "retain", "delete"))
    return Step("edit", {"name": name, "field": field_, "value": value})


def _rename(rng: random.Random, model: Model, name: str) -> Step:
    return Step("rename", {"name": name, "to": model.fresh("i"), "alias": rng.random() < 0.7})


def _reference(rng: random.Random, model: Model, name: str) -> Step:
    return Step("reference", {"name": name, "value": model.fresh("ref-") if rng.random() < 0.5 else None})


def _option(rng: random.Random, model: Model, name: str) -> Step:
    option = rng.choice(("protect", "retain_on_delete", "delete_before_replace"))
    return Step("option", {"name": name, "option": option, "value": rng.random() < 0.5})


def _group(rng: random.Random, model: Model, name: str) -> Step:
    return Step("group", {"name": name, "group": rng.choice(("g1", "g2", None))})


def _wait(rng: random.Random, model: Model, name: str) -> Step:
    """Register after another resource is done (`depends_on`): the engine then checks the resources in another
    order than the program declares them, and may create one before it checks the next."""
    others = sorted(n for n in model.program if n != name)
    return Step("wait", {"name": name, "on": rng.choice(others) if others and rng.random() < 0.8 else None})


def _account(rng: random.Random, model: Model, name: str) -> Step:
    return Step("account", {"name": name, "account": rng.choice(ACCOUNTS)})


def _connection(rng: random.Random, model: Model, name: str) -> Step:
    return Step("connection", {"name": name, "connection": rng.choice(CONNECTIONS)})


def _behavior_set(rng: random.Random, model: Model, _name: str) -> Step:
    return Step(
        "behavior_set", {"key": rng.choice(KEYS), "enabled": rng.random() < 0.5, "risk_level": rng.choice(LEVELS)}
    )


def _behavior_drop(rng: random.Random, model: Model, _name: str) -> Step:
    return Step("behavior_drop", {"key": rng.choice(sorted(model.behaviors()))})


CHANGE_KINDS = {
    "add": _add,
    "adopt": _adopt,
    "remove": _remove,
    "edit": _edit,
    "rename": _rename,
    "reference": _reference,
    "option": _option,
    "group": _group,
    "wait": _wait,
    "account": _account,
    "connection": _connection,
    "behavior_set": _behavior_set,
    "behavior_drop": _behavior_drop,
}


def _outside(rng: random.Random, model: Model) -> Step:
    choices = ["foreign", "foreign", "behavior"]
    if model.integrations():
        choices += ["outside_edit", "outside_delete"]
    kind = rng.choice(choices)
    if kind == "foreign":
        return Step("foreign", {"reference_id": model.fresh("ext-"), "tenant_url": rng.choice(TENANTS)})
    if kind == "behavior":
        return Step(
            "outside_behavior",
            {"key": rng.choice(KEYS), "enabled": rng.random() < 0.5, "risk_level": rng.choice(LEVELS)},
        )
    name = rng.choice(model.integrations())
    if kind == "outside_delete":
        return Step("outside_delete", {"name": name})
    return Step("outside_edit", {"name": name, "active": rng.random() < 0.5, "tenant_url": rng.choice(TENANTS)})


NAMED = {"remove", "edit", "rename", "reference", "option", "group", "wait", "account", "connection"}


def apply_change(model: Model, step: Step) -> None:
    """A program change applied to the model's program (and `foreign` for an outside create)."""
    p, program = step.params, model.program
    if step.kind in NAMED and p["name"] not in program:
        return  # a shrunk or replayed history may name a resource an earlier (dropped) step made
    if step.kind == "add":
        args = {k: p[k] for k in ("tenant_url", "active", "reference_id") if k in p}
        program[p["name"]] = {"kind": "integration", "name": p["name"], "args": args, "opts": {}}
    elif step.kind == "adopt":
        by = (
            {"reference_id": p["reference_id"], "adopt": True}
            if p["by"] == "reference"
            else {"adopt_id_of": p["reference_id"]}
        )
        program[p["name"]] = {
            "kind": "integration",
            "name": p["name"],
            "args": {"tenant_url": p["tenant_url"], **by},
            "opts": {},
        }
    elif step.kind == "remove":
        program.pop(p["name"], None)
    elif step.kind == "edit":
        program[p["name"]]["args"][p["field"]] = p["value"]
    elif step.kind == "rename":
        _rename_in(program, p["name"], p["to"], p["alias"])
    elif step.kind == "reference":
        _set(program[p["name"]]["args"], "reference_id", p["value"])
    elif step.kind == "option":
        _set(program[p["name"]]["opts"], p["option"], p["value"] or None)
    elif step.kind == "group":
        _regroup(program[p["name"]]["opts"], p["group"])
    elif step.kind == "wait":
        _set(program[p["name"]]["opts"], "depends_on", [p["on"]] if p["on"] else None)
    elif step.kind == "account":
        _set(program[p["name"]]["args"], "account", None if p["account"] == "a" else p["account"])
    elif step.kind == "connection":
        _set(program[p["name"]]["args"], "connection", None if p["connection"] == CONNECTIONS[0] else p["connection"])
    elif step.kind in ("behavior_set", "behavior_drop"):
        _behaviors(model, step)
    elif step.kind == "foreign":
        model.foreign[p["reference_id"]] = "a"


def _set(where: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        where.pop(key, None)
    else:
        where[key] = value


def _rename_in(program: dict[str, dict[str, Any]], name: str, to: str, alias: bool) -> None:
    item = program.pop(name)
    item["name"] = to
    if alias:
        item["opts"]["aliases"] = [*item["opts"].get("aliases", []), name]
    program[to] = item


def _regroup(opts: dict[str, Any], group: str | None) -> None:
    """Into a component or back to the root, with the alias that keeps the resource's identity."""
    before = opts.get("group")
    if before == group:
        return
    _set(opts, "group", group)
    opts["moved_from"] = [*opts.get("moved_from", []), before or ""]  # aliases name each earlier parent ("": root)


def _behaviors(model: Model, step: Step) -> None:
    current = model.behaviors()
    key = step.params["key"]
    if step.kind == "behavior_set":
        current[key] = {"enabled": step.params["enabled"], "risk_level": step.params["risk_level"]}
    else:
        current.pop(key, None)
    if current:
        model.program["rb"] = {"kind": "behaviors", "name": "rb", "args": {"behaviors": current}, "opts": {}}
    else:
        model.program.pop("rb", None)
