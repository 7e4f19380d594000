"""One RiskIntegration declared with the `import_` resource option, which the engine refuses for dynamic resources."""

from __future__ import annotations

import pulumi

from zt_risk_scoring import RiskIntegration

config = pulumi.Config()
RiskIntegration(
    "via-import",
    tenant_url=config.require("tenantUrl"),
    reference_id=config.require("referenceId"),
    opts=pulumi.ResourceOptions(import_=config.require("importId")),
)
