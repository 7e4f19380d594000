"""What the RiskIntegrationProvider tests give check: a program's inputs, with or without a reference_id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.conftest import ACCOUNT

if TYPE_CHECKING:
    from zt_risk_scoring.integration import RiskIntegrationProvider

REF = "58ee8f00-f28a-4b09-b955-93f7c557bd43"
URL = "https://test-tenant.okta.com"
SEED = "org/proj/dev/okta"
LINKED = "idp-linked-1"


def inputs(**over: Any) -> dict[str, Any]:
    base = {"account_id": ACCOUNT, "tenant_url": URL, "reference_id": REF, "active": True, "integration_type": "Okta"}
    return {**base, **over}


def unnamed(**over: Any) -> dict[str, Any]:
    """A program's inputs without a reference_id: check would derive one from the seed for a new integration."""
    return inputs(reference_id=None, reference_seed=SEED, **over)


def created(provider: RiskIntegrationProvider, **args: Any) -> tuple[str, dict[str, Any]]:
    """Check and create a resource of `args`: its id and outputs, as the engine would keep them."""
    checked = provider.check({}, inputs(**{"reference_id": None, **args}))
    assert checked.failures == []
    made = provider.create(checked.inputs)
    return str(made.id), dict(made.outs or {})
