"""RiskBehaviors' guard against two resources owning one key holds within a program run, and only there."""

from __future__ import annotations

from collections.abc import Iterator

import pulumi
import pytest

from tests.conftest import ACCOUNT
from zt_risk_scoring.behaviors import RiskBehaviors, forget_claims


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
