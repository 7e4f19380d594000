"""What every dynamic provider here shares: run-time settings from `configure()`, lazy clients."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from pulumi import output
from pulumi.dynamic import ConfigureRequest, ResourceProvider
from pulumi.runtime import rpc

from .config import Lookup, resolve_settings

if TYPE_CHECKING:
    from .client import RiskScoringClient


def is_unknown(value: Any) -> bool:
    """True for a value another resource will only know at apply time (preview)."""
    return isinstance(value, output.Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN)


def contains_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return is_unknown(value)


def _no_config(_key: str) -> str | None:
    return None


class RiskScoringProvider(ResourceProvider):
    """Base provider: holds no state worth pickling; credentials arrive through `configure()`."""

    # The pickled provider is a bare class reference (tests/provider/test_serialization.py proves it
    # carries no credential or URL), so it need not be encrypted into state as a secret.
    serialize_as_secret_always = False

    def __init__(self) -> None:
        super().__init__()
        self._runtime_init()

    def _runtime_init(self) -> None:
        self._lookup: Lookup = _no_config
        self._clients: dict[str, RiskScoringClient] = {}
        self._clients_lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        # The instance is pickled into state: keep only the class reference, never config.
        return {}

    def __setstate__(self, _state: dict[str, Any]) -> None:
        self._runtime_init()

    def configure(self, req: ConfigureRequest) -> None:
        config = req.config
        self._lookup = config.get

    def client(self, account_id: str) -> RiskScoringClient:
        """A client for `account_id`, built on first use so previews need no credentials."""
        # Imported here, not at the top: the provider host imports this module to unpickle the provider
        # at its first call, and check, diff and an unchanged preview never need requests and urllib3.
        from .client import RiskScoringClient

        with self._clients_lock:
            found = self._clients.get(account_id)
            if found is None:
                found = RiskScoringClient(resolve_settings(self._lookup), account_id)
                self._clients[account_id] = found
            return found


def deleting_first(opts: Any) -> Any:
    """`opts` with delete_before_replace set, whatever the program passed.

    Every replacement of these resources must delete first: an integration's replacement takes the
    same reference_id (create would find the old one and adopt it, then the engine would delete it), and
    a behaviors config's replacement must read the values the old one restored. A targeted replace
    (`pulumi up --replace`) never asks the provider's diff, so the option is the only way to say it.
    """
    import pulumi

    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))


def stack_config(key: str) -> str | None:
    """Lookup of a namespaced key (`cloudflare:apiToken`) in the running program's stack config."""
    import pulumi

    namespace, _, name = key.partition(":")
    value = pulumi.Config(namespace).get(name)
    return None if value is None else str(value)
