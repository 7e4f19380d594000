"""The acceptance suite's stack program: resources from declared.json beside it, imported.py's, and every lookup."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pulumi

import zt_risk_scoring as zt

HERE = Path(__file__).parent
KINDS = {"integration": zt.RiskIntegration, "behaviors": zt.RiskBehaviors}
spec = json.loads((HERE / "declared.json").read_text())
made = {item["name"]: KINDS[item["kind"]](item["name"], **item["args"]) for item in spec["resources"]}
if (HERE / "imported.py").exists():  # what `zt-risk export --python` wrote for the imported integration
    runpy.run_path(str(HERE / "imported.py"))

# Every lookup, after the resources exist; only what the run made is exported (nothing of other integrations,
# no user's PII beyond counts), so outputs stay the same from one preview to the next.
after = pulumi.InvokeOutputOptions(depends_on=list(made.values()))
first: zt.RiskIntegration = made[spec["lookup"]]
prefix = spec["prefix"]
pulumi.export("by_id", zt.get_integration(first.id, opts=after).apply(lambda i: i["reference_id"]))
pulumi.export("by_reference", zt.get_integration_by_reference(first.reference_id, opts=after).apply(lambda i: i["id"]))
ours = zt.list_integrations(opts=after).apply(lambda found: [i for i in found if i["reference_id"].startswith(prefix)])
pulumi.export("listed", ours.apply(lambda found: sorted(i["id"] for i in found)))
pulumi.export("summary_is_list", zt.get_summary(opts=after).apply(lambda users: isinstance(users, list)))
if spec.get("user_id"):
    pulumi.export("user_has_events", zt.get_user_risk(spec["user_id"], opts=after).apply(lambda u: "events" in u))
