"""What the resources' constructors use in the user's program process: its stack config, resource options."""

from __future__ import annotations

import pulumi

from .config import connection_problem, default_account_id
from .text import printable


def deleting_first(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """`opts` with delete_before_replace set, whatever the program passed.

    Every replacement of these resources must delete first: an integration's replacement takes the
    same reference_id (create would find the old one and adopt it, then the engine would delete it), and
    a behaviors config's replacement must read the values the old one restored. A targeted replace
    (`pulumi up --replace`) never asks the provider's diff, so the option is the only way to say it.
    """
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))


def config_value(key: str) -> str | None:
    """Lookup of a namespaced key (`cloudflare:apiToken`) in the running program's stack config."""
    namespace, _, name = key.partition(":")
    value = pulumi.Config(namespace).get(name)
    return None if value is None else str(value)


def connection_account_id(connection: object) -> str | None:
    """The account of `connection` in the running program's stack config (for the default connection, also
    CLOUDFLARE_ACCOUNT_ID); None for a name check will refuse."""
    if not isinstance(connection, str) or connection_problem(connection):
        return None
    return default_account_id(config_value, connection=connection)


def warn_if_recorded_differs(resource: pulumi.CustomResource, name: str, given: object, default: object) -> None:
    """Warn when the stack's state records another `name` than the program gives (read from the resource's output).

    `pulumi destroy --run-program` and `refresh --run-program` run the program but hand the provider the
    state's inputs, so a value changed in the program takes effect only at the next `up` (whose outputs then
    agree, as do a preview's): say so where they disagree.
    """

    def compare(recorded: object) -> None:
        recorded = default if recorded is None else recorded
        if recorded != given:
            pulumi.log.warn(
                f"{name} is {printable(given)} in the program but {printable(recorded)} in the stack's state: "
                "a destroy uses the state's until a `pulumi up` records the program's",
                resource=resource,
            )

    recorded = getattr(resource, name, None)
    if isinstance(recorded, pulumi.Output):  # a field registered only when set (connection) has none otherwise
        recorded.apply(compare)
