"""One `pulumi import --file` entry per resource: inputs as check makes them, outputs as read returns them, the
provider serialized as a program would register it, and the statement that declares it."""

from __future__ import annotations

import inspect
import pprint
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import ResourceProvider

from .. import pulumi_private
from ..behaviors import RiskBehaviors, RiskBehaviorsProvider
from ..client import RiskScoringClient
from ..config import DEFAULT_CONNECTION
from ..errors import ConfigurationError, InvalidArgument, NotFound
from ..integration import RiskIntegration, RiskIntegrationProvider
from ..integration_schema import IMPORTED, MANAGED
from ..models import Integration
from ..provider_base import RiskScoringProvider

PROVIDER_KEY = "__provider"


def serialized_provider(provider: ResourceProvider) -> str:
    """`__provider` exactly as pulumi.dynamic.Resource computes it when a program registers the resource."""
    text, has_secrets = pulumi_private.serialized_provider(provider)
    if has_secrets or getattr(provider, "serialize_as_secret_always", True):
        # The program would register it as a secret, which a plain string in the import file would not match.
        raise ConfigurationError(f"{type(provider).__name__} is serialized as a secret and cannot be imported")
    return str(text)


class _ThroughClient(RiskScoringProvider):
    """A provider whose API calls go through the CLI's client (used only to read, never pickled)."""

    def __init__(self, bound: RiskScoringClient) -> None:
        super().__init__()
        self._bound = bound

    def connection_problems(self, inputs: dict[str, Any]) -> list[Any]:
        return []  # the CLI's client, built from the connection's settings, is the one that reads

    def client(self, account_id: str, connection: str | None = None) -> RiskScoringClient:
        if account_id != self._bound.account_id:
            raise ConfigurationError(f"account {account_id} is not the exported account {self._bound.account_id}")
        return self._bound


class _IntegrationReader(_ThroughClient, RiskIntegrationProvider):
    """RiskIntegrationProvider.read through the CLI's client."""


class _BehaviorsReader(_ThroughClient, RiskBehaviorsProvider):
    """RiskBehaviorsProvider.read through the CLI's client."""


@dataclass(frozen=True)
class ImportEntry:
    """One resource: its `pulumi import --file` entry and the statement that declares it in a program."""

    resource: type[pulumi.dynamic.Resource]
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]

    def spec(self) -> dict[str, Any]:
        return {
            "type": pulumi_private.type_token(self.resource),
            "name": self.name,
            "id": self.id,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }

    def arguments(self) -> dict[str, Any]:
        """The constructor's keyword arguments that make `check` produce exactly `inputs`."""
        params = inspect.signature(self.resource.__init__).parameters
        values = {k: v for k, v in self.inputs.items() if k not in (PROVIDER_KEY, IMPORTED)}
        extra = sorted(set(values) - set(params))
        if extra:
            raise ConfigurationError(
                f"{self.resource.__name__} {self.name}: input(s) {', '.join(extra)} cannot be passed by a program, "
                "so the import would not match it; this is a bug in zt-risk-scoring"
            )
        return {k: values[k] for k in params if k in values and values[k] != params[k].default}

    def code(self) -> str:
        lines = [f"{self.resource.__name__}(", f"    {self.name!r},"]
        for key, value in self.arguments().items():
            text = pprint.pformat(value, width=100 - len(key), sort_dicts=False)
            lines.append(f"    {key}=" + text.replace("\n", "\n" + " " * (len(key) + 5)) + ",")
        return "\n".join([*lines, ")"])


def _refused(what: str, failures: Iterable[Any]) -> InvalidArgument:
    reasons = "; ".join(f.reason for f in failures)
    return InvalidArgument(f"{what} cannot be imported by this version of zt-risk-scoring: {reasons}")


def integration_entry(
    client: RiskScoringClient, found: Integration, name: str, provider: str, connection: str = DEFAULT_CONNECTION
) -> ImportEntry:
    """`found` as its import entry: inputs as check produces them, outputs as read returns them."""
    raw = {
        "account_id": client.account_id,
        "connection": connection,
        "tenant_url": found.tenant_url,
        "reference_id": found.reference_id,
        "active": found.active,
        "integration_type": found.integration_type or "Okta",
        "integration_id": found.id,
    }
    checked = _IntegrationReader(client).check({}, raw)  # its API calls through the CLI's client
    if checked.failures:
        raise _refused(f"integration {found.id}", checked.failures)
    inputs = {**checked.inputs, PROVIDER_KEY: provider}
    read = _IntegrationReader(client).read(found.id, dict(inputs))
    if read.id is None:
        raise NotFound(f"integration {found.id} does not exist in account {client.account_id}; nothing written")
    # It existed before the stack: its values now are what destroy gives back (and all this stack has set).
    now = {name: (read.outs or {})[name] for name in MANAGED}
    outputs = {**(read.outs or {}), "prior": now, "written": now, IMPORTED: found.id, PROVIDER_KEY: provider}
    return ImportEntry(RiskIntegration, name, found.id, {**inputs, IMPORTED: found.id}, outputs)


def behaviors_entry(
    client: RiskScoringClient, chosen: Mapping[str, Any], name: str, provider: str, connection: str = DEFAULT_CONNECTION
) -> ImportEntry:
    """The chosen behaviors as an import entry; `prior` holds their values now, so destroy changes nothing."""
    # check adds on_delete's default
    raw = {"account_id": client.account_id, "behaviors": dict(chosen), "connection": connection}
    checked = _BehaviorsReader(client).check({}, raw)
    if checked.failures:
        raise _refused("--behaviors", checked.failures)
    inputs = {**checked.inputs, PROVIDER_KEY: provider}
    read = _BehaviorsReader(client).read(client.account_id, dict(inputs))
    now = (read.outs or {})["behaviors"]
    outputs = {**(read.outs or {}), "prior": now, "written": now, IMPORTED: client.account_id, PROVIDER_KEY: provider}
    return ImportEntry(RiskBehaviors, name, client.account_id, {**inputs, IMPORTED: client.account_id}, outputs)
