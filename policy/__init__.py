"""The guardrail policy pack, shipped in the package as zt_risk_scoring.policy_pack (`zt-risk policy-pack-path`)."""
