"""The guard against two resources of one program managing one thing (a behavior key, an integration) holds
within a program run, and only there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import ACCOUNT, OTHER_ACCOUNT
from zt_risk_scoring import claims
from zt_risk_scoring.behaviors import RiskBehaviors
from zt_risk_scoring.claims import ClaimError, Owner, forget_claims
from zt_risk_scoring.integration import _claim, _derived_from

ADOPTED = "4cfe8442-664b-4915-acd4-b39cd65c4314"


class _Run:
    """Stands in for one program run (the Automation API makes one per update, set_mocks one per call)."""


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_Run]]:
    current = [_Run()]
    monkeypatch.setattr(claims, "current_run", lambda: current[0])
    yield current
    forget_claims()


def integration(
    name: str,
    account: str = ACCOUNT,
    reference_id: str | None = None,
    integration_id: str | None = None,
    tenant: str = "https://a.okta.com",
) -> None:
    seed = _derived_from(f"org/project/prod/{name}", tenant) if reference_id is None else None
    _claim(Owner(f"RiskIntegration {name!r}"), name, account, reference_id, integration_id, seed)


def test_claim_of_a_key_twice_in_one_run_is_refused(runs: list[_Run]) -> None:
    RiskBehaviors._claim(Owner("RiskBehaviors 'first'"), "first", ACCOUNT, {"high_dlp": {}})
    with pytest.raises(ClaimError, match="already managed by RiskBehaviors 'first'"):
        RiskBehaviors._claim(Owner("RiskBehaviors 'second'"), "second", ACCOUNT, {"high_dlp": {}})


def test_claim_of_a_key_by_two_resources_of_one_name_is_refused(runs: list[_Run]) -> None:
    # Two components' children may share a name: they are still two resources.
    RiskBehaviors._claim(Owner("RiskBehaviors 'b'"), "b", ACCOUNT, {"high_dlp": {}})
    with pytest.raises(ClaimError, match="already managed by RiskBehaviors 'b'"):
        RiskBehaviors._claim(Owner("RiskBehaviors 'b'"), "b", ACCOUNT, {"high_dlp": {}})


def test_claim_of_a_key_in_the_next_run_under_another_name_is_allowed(runs: list[_Run]) -> None:
    RiskBehaviors._claim(Owner("RiskBehaviors 'hdlp'"), "hdlp", ACCOUNT, {"high_dlp": {}})
    runs[0] = _Run()  # the next update of an inline program, in the same process
    RiskBehaviors._claim(Owner("RiskBehaviors 'high-dlp'"), "high-dlp", ACCOUNT, {"high_dlp": {}})


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
    runs: list[_Run], first: dict[str, str], second: dict[str, str]
) -> None:
    integration("corp", **first)
    with pytest.raises(ClaimError, match="is already that of RiskIntegration 'corp' in this program"):
        integration("partners", **second)


def test_claim_of_one_derived_reference_twice_in_one_run_is_refused(runs: list[_Run]) -> None:
    integration("okta")  # a child of one component
    with pytest.raises(ClaimError, match="under another parent, has the same name and tenant"):
        integration("okta", tenant="https://A.okta.com/")  # of another: the same tenant, normalized


@pytest.mark.parametrize(
    "second",
    [
        {"account": OTHER_ACCOUNT, "reference_id": "idp-1"},
        {"reference_id": "idp-2"},
        {"reference_id": "bad/id"},  # check names its problem; no claim is made for it
        {"tenant": "https://b.okta.com"},
        {"account": OTHER_ACCOUNT},
    ],
    ids=["other-account", "other-reference", "malformed", "derived-other-tenant", "derived-other-account"],
)
def test_claim_of_integrations_with_distinct_identities_is_allowed(runs: list[_Run], second: dict[str, str]) -> None:
    integration("corp", reference_id="idp-1")
    integration("okta")
    integration("okta", **second)


def test_claim_of_integration_in_the_next_run_is_allowed(runs: list[_Run]) -> None:
    integration("corp", reference_id="idp-1")
    runs[0] = _Run()
    integration("corp-renamed", reference_id="idp-1")
