"""RiskIntegrationProvider.diff: changes named by field, old and new compared as check stores them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ACCOUNT, configured
from tests.provider.integration_inputs import inputs
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.integration import RiskIntegrationProvider


@pytest.fixture
def provider(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


def test_diff_tenant_url_with_its_default_port_is_no_change(provider: RiskIntegrationProvider) -> None:
    olds = {**provider.check({}, inputs()).inputs, "tenant_url": "https://a.okta.com:443"}  # as 0.2.0 stored it
    news = provider.check(olds, inputs(tenant_url="https://a.okta.com")).inputs
    assert provider.diff("id", olds, news).changes is False


@pytest.mark.parametrize(
    ("field", "value", "replaces"),
    [
        ("integration_type", "Other", ["integration_type"]),
        ("account_id", "f" * 32, ["account_id"]),
        ("active", False, []),
        ("tenant_url", "https://b.okta.com", []),
        ("reference_id", "other", []),
    ],
    ids=["type", "account", "active", "url", "ref"],
)
def test_diff_names_replaces(provider: RiskIntegrationProvider, field: str, value: Any, replaces: list[str]) -> None:
    result = provider.diff("id", inputs(), inputs(**{field: value}))
    assert (result.changes, result.replaces) == (True, replaces)


def test_diff_equal_reports_no_changes(provider: RiskIntegrationProvider) -> None:
    olds = {**inputs(), "well_known_url": "x", "created_at": "y", "account_tag": ACCOUNT}
    assert provider.diff("id", olds, inputs(adopt=True)).changes is False


@pytest.mark.parametrize("stored", ["okta", "OKTA", None, ""], ids=["lower", "upper", "missing", "empty"])
def test_diff_of_integration_type_spelled_otherwise_is_no_change(
    provider: RiskIntegrationProvider, stored: str | None
) -> None:
    wanted = provider.check({}, inputs()).inputs
    olds = {**wanted, "integration_type": stored}
    assert provider.diff("id", olds, wanted).changes is False


def test_diff_of_account_replaces_deleting_first(provider: RiskIntegrationProvider) -> None:
    wanted = provider.check({}, inputs()).inputs
    result = provider.diff("id", {**wanted, "account_id": "f" * 32}, wanted)
    assert (result.replaces, result.delete_before_replace) == (["account_id"], True)
