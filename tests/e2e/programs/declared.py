"""A program whose resources are declared in declared.json beside it, so each test writes the program it needs."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi

from zt_risk_scoring import RiskBehaviors, RiskIntegration, list_integrations

KINDS = {"integration": RiskIntegration, "behaviors": RiskBehaviors}
made: dict[str, pulumi.Resource] = {}

for item in json.loads((Path(__file__).parent / "declared.json").read_text()):
    if item["kind"] == "listed":  # an output: the ids list_integrations() finds
        pulumi.export(item["name"], list_integrations().apply(lambda found: [i["id"] for i in found]))
        continue
    opts = item.get("opts", {})
    made[item["name"]] = KINDS[item["kind"]](
        item["name"],
        **item["args"],
        opts=pulumi.ResourceOptions(
            aliases=[pulumi.Alias(name=a) for a in opts.get("aliases", [])] or None,
            replace_on_changes=opts.get("replace_on_changes"),
            delete_before_replace=opts.get("delete_before_replace"),
            depends_on=[made[name] for name in opts.get("depends_on", [])] or None,
        ),
    )
