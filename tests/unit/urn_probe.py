"""A dynamic provider that records the URN `calling_urn()` finds in each call (for test_pulumi_private)."""

from __future__ import annotations

from typing import Any, ClassVar

from pulumi.dynamic import CheckResult, CreateResult, ResourceProvider

from zt_risk_scoring.pulumi_private import calling_urn


class UrnProbe(ResourceProvider):
    """Records calling_urn() at check and create."""

    seen: ClassVar[list[str | None]] = []
    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        UrnProbe.seen.append(calling_urn())
        return CheckResult(news, [])

    def create(self, props: dict[str, Any]) -> CreateResult:
        UrnProbe.seen.append(calling_urn())
        return CreateResult("probe-id", props)
