"""The base of both dynamic providers, in the engine's provider process: settings from `configure()`, lazy clients."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider

from .config import (
    DEFAULT_CONNECTION,
    Lookup,
    connection_credential_fix,
    default_account_id,
    has_credential,
    other_account,
    resolve_settings,
)
from .errors import AuthenticationError, ConfigurationError, PermissionDenied, RiskScoringError
from .pulumi_private import report_as_messages
from .unknowns import contains_unknown

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
        self._clients: dict[tuple[str, str], RiskScoringClient] = {}
        self._clients_lock = threading.Lock()
        self._reached: set[tuple[str, str]] = set()

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

    def connection_problems(self, inputs: dict[str, Any]) -> list[CheckFailure]:
        """What keeps a named connection from serving the resource, found at check (at preview, before any write):
        no credential, another account in its accountId, a token its account refuses. The default connection
        keeps today's rules (a preview needs no credential; cloudflare:accountId is only a default)."""
        connection, account = inputs.get("connection"), inputs.get("account_id")
        if connection in (None, DEFAULT_CONNECTION) or contains_unknown([connection, account]):
            return []
        if not isinstance(connection, str) or not isinstance(account, str):
            return []  # check's field validators name what is wrong
        if not has_credential(self._lookup, connection=connection):
            reason = f"connection {connection!r} has no credentials: {connection_credential_fix(connection)}"
            return [CheckFailure("connection", reason)]
        own = default_account_id(self._lookup, connection=connection)
        if own and account and own != account:
            return [CheckFailure("account_id", other_account(account, connection, own))]
        return self._reach(connection, account)

    def _reach(self, connection: str, account: str) -> list[CheckFailure]:
        """One read per connection and account in this process: a token scoped to another account is refused."""
        if (connection, account) in self._reached:
            return []
        try:
            self.reaches(self.client(account, connection))
        except (AuthenticationError, PermissionDenied) as exc:
            return [CheckFailure("connection", f"connection {connection!r} cannot read account {account}: {exc}")]
        except ConfigurationError as exc:  # its baseUrl, token or timeouts cannot be used as set
            return [CheckFailure("connection", f"connection {connection!r}: {exc}")]
        except RiskScoringError:
            return []  # no answer now (a fault, a gateway): create, read and delete say it with their own calls
        self._reached.add((connection, account))
        return []

    def reaches(self, client: RiskScoringClient) -> None:
        """One read this resource's token must be allowed (raises what the API answered)."""
        client.list_integrations()

    def client_of(self, props: dict[str, Any]) -> RiskScoringClient:
        """The client for a resource's checked inputs or state: its account through its connection."""
        return self.client(props.get("account_id") or "", props.get("connection"))

    def client(self, account_id: str, connection: str | None = DEFAULT_CONNECTION) -> RiskScoringClient:
        """A client for `account_id` through `connection` (state from before connections: the default), built
        on first use so previews need no credentials."""
        # Imported here, not at the top: the provider host imports this module to unpickle the provider
        # at its first call, and diff, an unchanged preview and most checks never need requests and urllib3.
        from .client import RiskScoringClient

        with self._clients_lock:
            key = (connection or DEFAULT_CONNECTION, account_id)
            found = self._clients.get(key)
            if found is None:
                found = RiskScoringClient(resolve_settings(self._lookup, connection=key[0]), account_id)
                self._clients[key] = found
            return found
