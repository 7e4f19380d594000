"""The program the upgrade tests apply with an earlier version of this package and then with this one.

It uses only what every supported version has: the two resources and their first arguments.
"""

from __future__ import annotations

import pulumi

from zt_risk_scoring import RiskBehaviors, RiskIntegration

config = pulumi.Config()
HIGH = {"enabled": True, "risk_level": "high"}

RiskBehaviors("behaviors", behaviors={"imp_travel": HIGH, "high_dlp": HIGH})
# No reference_id: derived by versions since e36def4's ancestors, random before them.
RiskIntegration(
    "generated", tenant_url="https://generated.okta.com", active=config.get_bool("generatedActive") is not False
)
RiskIntegration("chosen", tenant_url="https://chosen.okta.com", reference_id="idp-chosen", active=False)
