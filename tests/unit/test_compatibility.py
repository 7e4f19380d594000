"""The names that live in users' state, pinned: none may change within a major version (docs/install.md)."""

from __future__ import annotations

import pytest

from zt_risk_scoring import RiskBehaviors, RiskBehaviorsProvider, RiskIntegration, RiskIntegrationProvider
from zt_risk_scoring.behaviors import FIELDS as BEHAVIOR_FIELDS
from zt_risk_scoring.integration_schema import FIELDS as INTEGRATION_FIELDS
from zt_risk_scoring.integration_schema import GENERATED
from zt_risk_scoring.pulumi_private import type_token
from zt_risk_scoring.reference import generated_reference_id


@pytest.mark.parametrize(
    ("provider", "path"),
    [
        (RiskIntegrationProvider, "zt_risk_scoring.integration.RiskIntegrationProvider"),
        (RiskBehaviorsProvider, "zt_risk_scoring.behaviors.RiskBehaviorsProvider"),
    ],
    ids=["integration", "behaviors"],
)
def test_provider_class_path_is_unchanged(provider: type, path: str) -> None:
    assert f"{provider.__module__}.{provider.__qualname__}" == path


@pytest.mark.parametrize(
    ("resource", "token"),
    [
        (RiskIntegration, "pulumi-python:dynamic/zt_risk_scoring:RiskIntegration"),
        (RiskBehaviors, "pulumi-python:dynamic/zt_risk_scoring:RiskBehaviors"),
    ],
    ids=["integration", "behaviors"],
)
def test_type_token_is_unchanged(resource: type[RiskIntegration], token: str) -> None:
    assert type_token(resource) == token


def test_field_names_in_state_are_unchanged() -> None:
    assert [f.name for f in INTEGRATION_FIELDS.all] + [GENERATED] == [
        "account_id", "tenant_url", "reference_id", "active", "integration_type", "integration_id", "adopt",
        "on_delete", "connection", "well_known_url", "account_tag", "created_at", "prior", "written",
        "reference_generated",
    ]  # fmt: skip
    behaviors = ["account_id", "behaviors", "on_delete", "connection", "prior", "written"]
    assert [f.name for f in BEHAVIOR_FIELDS.all] == behaviors


def test_reference_id_derivation_is_unchanged() -> None:
    derived = generated_reference_id(
        "organization/zt-risk-scoring/prod/okta", "023e105f4ecef8ad9ca31a8372d0c353", "https://example.okta.com"
    )
    assert derived == "9e9ce96a-af2b-5350-9a47-e3612cd94663"
