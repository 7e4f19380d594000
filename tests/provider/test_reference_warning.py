"""A RiskIntegration whose kept reference_id is not the one it derives now says so, naming the line that keeps it."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from tests.conftest import ACCOUNT
from zt_risk_scoring.integration import _warn_if_not_derived
from zt_risk_scoring.reference import generated_reference_id

SEED = "org/project/prod/okta"
TENANT = "https://acme.okta.com"
RESOURCE: Any = object()  # what pulumi.log.warn attaches the warning to


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, resource=None: said.append(message))
    return said


@pytest.mark.parametrize(
    "reference",
    [
        generated_reference_id(SEED, ACCOUNT, TENANT),
        generated_reference_id(SEED, ACCOUNT),  # derived at a preview that did not know the tenant yet
        generated_reference_id(SEED),
        None,  # not known yet (a preview of a new resource, mocks)
    ],
    ids=["derived", "derived-without-tenant", "derived-from-seed-alone", "unknown"],
)
def test_warn_when_reference_is_derived_says_nothing(warnings: list[str], reference: Any) -> None:
    _warn_if_not_derived(RESOURCE, "okta", SEED, reference, ACCOUNT, TENANT)
    assert warnings == []


@pytest.mark.parametrize(
    "reference",
    [generated_reference_id("org/project/dev/okta", ACCOUNT, TENANT), "idp-0oa1b2c3"],
    ids=["derived-under-another-stack", "adopted"],
)
def test_warn_when_reference_is_not_derived_names_the_fix(warnings: list[str], reference: str) -> None:
    _warn_if_not_derived(RESOURCE, "okta", SEED, reference, ACCOUNT, TENANT)
    [said] = warnings
    assert "pulumi up --replace" in said and f"pass reference_id={reference!r}" in said
