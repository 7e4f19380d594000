"""Guardrail policy pack for zt-risk-scoring stacks (run with `pulumi preview --policy-pack policy/`).

Each rule's enforcement (mandatory, advisory, disabled) and settings come from the policy config file
(`--policy-pack-config policy/config.example.json`).
"""

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import policies

PolicyPack(name="zt-risk-scoring-guardrails", enforcement_level=EnforcementLevel.MANDATORY, policies=policies())
