"""What the resources' constructors use in the user's program process: its stack config, resource options."""

from __future__ import annotations

import pulumi


def deleting_first(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    """`opts` with delete_before_replace set, whatever the program passed.

    Every replacement of these resources must delete first: an integration's replacement takes the
    same reference_id (create would find the old one and adopt it, then the engine would delete it), and
    a behaviors config's replacement must read the values the old one restored. A targeted replace
    (`pulumi up --replace`) never asks the provider's diff, so the option is the only way to say it.
    """
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))


def stack_config(key: str) -> str | None:
    """Lookup of a namespaced key (`cloudflare:apiToken`) in the running program's stack config."""
    namespace, _, name = key.partition(":")
    value = pulumi.Config(namespace).get(name)
    return None if value is None else str(value)
