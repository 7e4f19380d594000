"""The explorer's Pulumi program: registers what `declared.json` beside it lists, so each step can rewrite it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi

from zt_risk_scoring import RiskBehaviors, RiskIntegration

KINDS = {"integration": RiskIntegration, "behaviors": RiskBehaviors}
GROUP = "explorer:index:Group"


class Group(pulumi.ComponentResource):
    """A component a resource can be moved into (aliases name where it was)."""

    def __init__(self, name: str) -> None:
        super().__init__(GROUP, name)


def parent_urn(group: str) -> Any:
    """The URN of a group, or the root stack for "" (what an alias names as the earlier parent)."""
    if not group:
        return pulumi.ROOT_STACK_RESOURCE
    return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::pulumi:pulumi:Stack${GROUP}::{group}"


def aliases(name: str, opts: dict[str, Any]) -> list[Any]:
    """Every earlier name under the current parent, and every name (earlier and current) under each earlier one."""
    names = [*opts.get("aliases", []), name]
    found: list[Any] = [pulumi.Alias(name=n) for n in names[:-1]]
    found += [pulumi.Alias(name=n, parent=parent_urn(g)) for g in opts.get("moved_from", []) for n in names]
    return found


def options(
    name: str, opts: dict[str, Any], groups: dict[str, Group], made: dict[str, pulumi.Resource]
) -> pulumi.ResourceOptions:
    group = opts.get("group")
    if group and group not in groups:
        groups[group] = Group(group)
    return pulumi.ResourceOptions(
        aliases=aliases(name, opts) or None,
        parent=groups[group] if group else None,
        protect=opts.get("protect"),
        retain_on_delete=opts.get("retain_on_delete"),
        delete_before_replace=opts.get("delete_before_replace"),
        # Only on a resource registered before it (one the program dropped, or a cycle, is not waited for).
        depends_on=[made[n] for n in opts.get("depends_on", []) if n in made] or None,
    )


def main(directory: Path = Path(__file__).parent) -> None:
    """Register what `directory`/declared.json lists (the CLI runs this file as the program; the Automation API
    step calls it inline with the stack program's directory)."""
    groups: dict[str, Group] = {}
    made: dict[str, pulumi.Resource] = {}
    pending = json.loads((directory / "declared.json").read_text())
    names = {item["name"] for item in pending}
    while pending:
        # In the program's order, but each after what it waits on (a cycle: the first, without what it lacks).
        ready = [i for i in pending if all(n in made or n not in names for n in _waits_on(i))]
        item = (ready or pending)[0]
        pending.remove(item)
        opts = options(item["name"], item.get("opts", {}), groups, made)
        made[item["name"]] = KINDS[item["kind"]](item["name"], **item["args"], opts=opts)


def _waits_on(item: dict[str, Any]) -> list[str]:
    return list(item.get("opts", {}).get("depends_on", []))


if __name__ == "__main__":
    main()
