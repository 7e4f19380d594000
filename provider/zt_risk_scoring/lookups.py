"""Read-only lookups for stack programs, returning Outputs; same credentials as the providers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pulumi

from .client import RiskScoringClient
from .config import default_account_id, resolve_settings
from .errors import ConfigurationError
from .runtime import stack_config


def _client(account_id: str | None) -> RiskScoringClient:
    account = account_id or default_account_id(stack_config)
    if not account:
        raise ConfigurationError(
            "account_id is required: pass account_id=… or set cloudflare:accountId / CLOUDFLARE_ACCOUNT_ID"
        )
    return RiskScoringClient(resolve_settings(stack_config), account)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _lookup(
    call: Callable[[RiskScoringClient, Any], Any],
    account_id: pulumi.Input[str] | None,
    arg: pulumi.Input[str] | None = None,
) -> pulumi.Output[Any]:
    return pulumi.Output.all(account_id, arg).apply(lambda v: _plain(call(_client(v[0]), v[1])))


def get_integration(
    integration_id: pulumi.Input[str], account_id: pulumi.Input[str] | None = None
) -> pulumi.Output[Any]:
    """The integration with this id, as a dict."""
    return _lookup(lambda c, i: c.get_integration(i), account_id, integration_id)


def get_integration_by_reference(
    reference_id: pulumi.Input[str], account_id: pulumi.Input[str] | None = None
) -> pulumi.Output[Any]:
    """The integration with this reference_id, as a dict."""
    return _lookup(lambda c, r: c.get_integration_by_reference(r), account_id, reference_id)


def list_integrations(account_id: pulumi.Input[str] | None = None) -> pulumi.Output[Any]:
    """Every integration of the account, as dicts."""
    return _lookup(lambda c, _: c.list_integrations(), account_id)


def get_summary(account_id: pulumi.Input[str] | None = None) -> pulumi.Output[Any]:
    """Users with risk events: counts, last event and max level."""
    return _lookup(lambda c, _: c.summary(), account_id)


def get_user_risk(user_id: pulumi.Input[str], account_id: pulumi.Input[str] | None = None) -> pulumi.Output[Any]:
    """A user's risk level and events."""
    return _lookup(lambda c, u: c.user_risk(u), account_id, user_id)
