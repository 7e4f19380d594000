"""Read-only lookups for stack programs: Inputs in, Outputs out, unknown at preview until what they depend on exists."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias, cast

import pulumi

from .client import PII, READ, RiskScoringClient
from .config import DEFAULT_CONNECTION, account_id_problem, default_account_id, other_account, resolve_settings
from .errors import (
    AuthenticationError,
    ConfigurationError,
    EndpointError,
    NotFound,
    PermissionDenied,
    RiskScoringError,
)
from .program import config_value
from .pulumi_private import child_resources, unknown_output

Options: TypeAlias = pulumi.InvokeOptions | pulumi.InvokeOutputOptions | None
Call: TypeAlias = Callable[[RiskScoringClient, Any], Any]


def _account(name: str, account_id: str | None, connection: str) -> str:
    own = default_account_id(config_value, connection=connection)
    account = account_id or own
    if connection != DEFAULT_CONNECTION and own and account != own:
        raise pulumi.RunError(f"{name}: {other_account(str(account), connection, own)}")
    problem = account_id_problem(account)
    if problem or account is None:
        raise pulumi.RunError(f"{name}: {problem}")
    return account


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _custom_resources(resources: Iterable[pulumi.Resource]) -> list[pulumi.CustomResource]:
    """The custom resources among `resources`, a component standing for its children (as in depends_on)."""
    found: list[pulumi.CustomResource] = []
    for resource in resources:
        if isinstance(resource, pulumi.CustomResource):
            found.append(resource)
        else:
            found += _custom_resources(child_resources(resource))
    return found


def _ids(resources: Iterable[pulumi.Resource]) -> pulumi.Output[list[Any]]:
    # A resource to be created has an unknown id at preview, and its id resolves only once the engine has
    # created (or updated) it: waiting on ids is how the SDK gates invokes on engines without dependsOn.
    ids = [r.id for r in _custom_resources(resources) if isinstance(getattr(r, "id", None), pulumi.Output)]
    return pulumi.Output.all(*ids)


def _resources_in(depends_on: Any) -> list[pulumi.Resource]:
    if depends_on is None:
        return []
    return [depends_on] if isinstance(depends_on, pulumi.Resource) else list(depends_on)


async def _carried_ids(inputs: pulumi.Output[Any]) -> pulumi.Output[list[Any]]:
    # Output.resources() is how the SDK itself learns which resources an invoke's arguments come from.
    return _ids(await inputs.resources())


def _ready(inputs: pulumi.Output[Any], opts: Options) -> pulumi.Output[list[Any]]:
    """Known once every resource behind the inputs and every `opts.depends_on` resource has its id."""
    depends_on: Any = opts.depends_on if isinstance(opts, pulumi.InvokeOutputOptions) else None
    declared: pulumi.Output[list[Any]] = pulumi.Output.from_input(depends_on).apply(lambda d: _ids(_resources_in(d)))
    # from_input lifts the Output the coroutine returns: its value, known-ness and resources.
    carried: pulumi.Output[list[Any]] = pulumi.Output.from_input(cast(Any, _carried_ids(inputs)))
    return pulumi.Output.all(declared, carried)


# Errors a preview without credentials, or with too weak a token, can meet: the hint says why a preview calls at all.
_ACCESS_ERRORS = (AuthenticationError, PermissionDenied)


def _user_error(name: str, exc: RiskScoringError, permission: str) -> pulumi.RunError:
    text = f"{name}: {exc}"
    if isinstance(exc, _ACCESS_ERRORS) or (isinstance(exc, ConfigurationError) and not isinstance(exc, EndpointError)):
        text += (
            ". Lookups run during `pulumi preview` as soon as their inputs are known, so a preview of this "
            f"program needs the same credentials as `up`, with {permission}"
        )
    # RunError is what the language host prints as one message, without a Python traceback.
    return pulumi.RunError(text)


_NOT_YET = object()


def _unknown_if_not_yet(found: Any) -> Any:
    return unknown_output() if found is _NOT_YET else found


def _lookup(
    name: str,
    call: Call,
    permission: str,
    account_id: pulumi.Input[str] | None,
    arg: Any,
    opts: Options,
    connection: str = DEFAULT_CONNECTION,
) -> pulumi.Output[Any]:
    inputs = pulumi.Output.all(account_id, arg)

    async def run(values: list[Any]) -> Any:
        (account, value), dependency_ids = values
        try:
            # Settings come from the stack config, which belongs to the program's thread.
            settings = resolve_settings(config_value, connection=connection)
            client = RiskScoringClient(settings, _account(name, account, connection))
            # The HTTP call in a worker thread: a slow answer must not stall the program's registrations.
            found = await asyncio.get_running_loop().run_in_executor(None, call, client, value)
        except NotFound as exc:
            if not (pulumi.runtime.is_dry_run() and any(dependency_ids)):
                raise _user_error(name, exc, permission) from None
            # A preview reads the account as it is before this update, which may be about to create or change
            # what the lookup names (a renamed reference_id): unknown here, read again by `up` once it has.
            pulumi.log.info(f"{name}: nothing found yet; read again during `up`, after the resources it depends on")
            return _NOT_YET
        except RiskScoringError as exc:
            raise _user_error(name, exc, permission) from None
        return _plain(found)

    # Only a plain (not async) apply callback can turn its Output unknown: the SDK lifts an Output it returns.
    return pulumi.Output.all(inputs, _ready(inputs, opts)).apply(run).apply(_unknown_if_not_yet)


def get_integration(
    integration_id: pulumi.Input[str],
    account_id: pulumi.Input[str] | None = None,
    opts: Options = None,
    connection: str = DEFAULT_CONNECTION,
) -> pulumi.Output[Any]:
    """The integration with this id, as a dict."""
    return _lookup(
        "get_integration", lambda c, i: c.get_integration(i), READ, account_id, integration_id, opts, connection
    )


def get_integration_by_reference(
    reference_id: pulumi.Input[str],
    account_id: pulumi.Input[str] | None = None,
    opts: Options = None,
    connection: str = DEFAULT_CONNECTION,
) -> pulumi.Output[Any]:
    """The integration with this reference_id, as a dict."""
    return _lookup(
        "get_integration_by_reference",
        lambda c, r: c.get_integration_by_reference(r),
        READ,
        account_id,
        reference_id,
        opts,
        connection,
    )


def list_integrations(
    account_id: pulumi.Input[str] | None = None, opts: Options = None, connection: str = DEFAULT_CONNECTION
) -> pulumi.Output[Any]:
    """Every integration of the account, as dicts."""
    return _lookup("list_integrations", lambda c, _: c.list_integrations(), READ, account_id, None, opts, connection)


def get_summary(
    account_id: pulumi.Input[str] | None = None, opts: Options = None, connection: str = DEFAULT_CONNECTION
) -> pulumi.Output[Any]:
    """Users with risk events: counts, last event and max level."""
    return _lookup("get_summary", lambda c, _: c.summary(), PII, account_id, None, opts, connection)


def get_user_risk(
    user_id: pulumi.Input[str],
    account_id: pulumi.Input[str] | None = None,
    opts: Options = None,
    connection: str = DEFAULT_CONNECTION,
) -> pulumi.Output[Any]:
    """A user's risk level and events."""
    return _lookup("get_user_risk", lambda c, u: c.user_risk(u), PII, account_id, user_id, opts, connection)
