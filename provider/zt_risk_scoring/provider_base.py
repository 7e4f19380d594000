"""The base of both dynamic providers, in the engine's provider process: settings from `configure()`, lazy clients."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from .config import Lookup, resolve_settings
from .errors import RiskScoringError
from .pulumi_private import report_as_messages

if TYPE_CHECKING:
    from .client import RiskScoringClient


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
        # The engine shows what a failed call raised; ours are one message each, naming the setting and fix.
        report_as_messages((RiskScoringError,))

    def client(self, account_id: str) -> RiskScoringClient:
        """A client for `account_id`, built on first use so previews need no credentials."""
        # Imported here, not at the top: the provider host imports this module to unpickle the provider
        # at its first call, and diff, an unchanged preview and most checks never need requests and urllib3.
        from .client import RiskScoringClient

        with self._clients_lock:
            found = self._clients.get(account_id)
            if found is None:
                found = RiskScoringClient(resolve_settings(self._lookup), account_id)
                self._clients[account_id] = found
            return found
