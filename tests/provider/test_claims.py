"""The guard against two resources of one program managing one thing (a behavior key, an integration) holds
within a program run, and only there."""

from __future__ import annotations

from collections.abc import Iterator

import pulumi
import pytest

from tests.conftest import ACCOUNT, OTHER_ACCOUNT
from zt_risk_scoring.behaviors import RiskBehaviors
from zt_risk_scoring.claims import ClaimError, forget_claims
from zt_risk_scoring.integration import _claim as claim_integration

ADOPTED = "4cfe8442-664b-4915-acd4-b39cd65c4314"


def _claim_integration(
    name: str, account: str, reference_id: str | None = None, integration_id: str | None = None
) -> None:
    claim_integration(name, account, reference_id, integration_id)


class _Root:
    """Stands in for one run's root Stack resource (the Automation API makes one per update)."""


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_Root]]:
    current = [_Root()]
    monkeypatch.setattr(pulumi.runtime, "get_root_resource", lambda: current[0])
    yield current
    forget_claims()


def test_claim_of_a_key_twice_in_one_run_is_refused(runs: list[_Root]) -> None:
    RiskBehaviors._claim("first", ACCOUNT, {"high_dlp": {}})
    with pytest.raises(ValueError, match="already managed by RiskBehaviors 'first'"):
        RiskBehaviors._claim("second", ACCOUNT, {"high_dlp": {}})


def test_claim_of_a_key_in_the_next_run_under_another_name_is_allowed(runs: list[_Root]) -> None:
    RiskBehaviors._claim("hdlp", ACCOUNT, {"high_dlp": {}})
    runs[0] = _Root()  # the next update of an inline program, in the same process
    RiskBehaviors._claim("high-dlp", ACCOUNT, {"high_dlp": {}})


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"reference_id": "idp-1"}, {"reference_id": "idp-1"}),
        ({"reference_id": "idp-1"}, {"reference_id": "IDP-1"}),
        ({"integration_id": ADOPTED}, {"integration_id": ADOPTED.upper()}),
    ],
    ids=["reference-id", "reference-id-other-case", "integration-id"],
)
def test_claim_of_one_integration_twice_in_one_run_is_refused(
    runs: list[_Root], first: dict[str, str], second: dict[str, str]
) -> None:
    _claim_integration("corp", ACCOUNT, **first)
    with pytest.raises(ClaimError, match="is already that of RiskIntegration 'corp' in this program"):
        _claim_integration("partners", ACCOUNT, **second)


@pytest.mark.parametrize(
    ("account", "reference_id"),
    [(OTHER_ACCOUNT, "idp-1"), (ACCOUNT, "idp-2"), (ACCOUNT, None), (ACCOUNT, "")],
    ids=["other-account", "other-reference", "none", "empty"],
)
def test_claim_of_integrations_with_distinct_identities_is_allowed(
    runs: list[_Root], account: str, reference_id: str | None
) -> None:
    _claim_integration("corp", ACCOUNT, reference_id="idp-1")
    _claim_integration("partners", account, reference_id=reference_id)


def test_claim_of_integration_in_the_next_run_is_allowed(runs: list[_Root]) -> None:
    _claim_integration("corp", ACCOUNT, reference_id="idp-1")
    runs[0] = _Root()
    _claim_integration("corp-renamed", ACCOUNT, reference_id="idp-1")


def test_claim_error_is_reported_by_the_language_host_as_one_message() -> None:
    assert issubclass(ClaimError, pulumi.RunError) and issubclass(ClaimError, ValueError)
