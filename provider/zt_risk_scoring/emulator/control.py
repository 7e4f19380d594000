"""Thin handlers of the /__emulator/ test hooks: the parsed JSON body in, the JSON answer out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from . import bodies
from .auth import Credentials
from .exceptions import ValidationError
from .models import RiskScoringBackend


class Faults(Protocol):
    """What the hooks do with the fault plan."""

    def configure(self, raw: Any) -> None: ...

    def describe(self) -> dict[str, Any]: ...

    def clear(self) -> None: ...


class Emulator(Protocol):
    """What the hooks use of the app (the app imports the hooks; the hooks do not import it)."""

    @property
    def backend(self) -> RiskScoringBackend: ...

    @property
    def faults(self) -> Faults: ...

    @property
    def credentials(self) -> Credentials: ...

    def log(self) -> dict[str, Any]: ...

    def clear_log(self) -> None: ...

    def reset(self) -> None: ...


Hook = Callable[[Emulator, Any], Any]


def health(app: Emulator, body: Any) -> Any:
    return {"ok": True, "variants": app.backend.variants.active()}


def get_log(app: Emulator, body: Any) -> Any:
    return app.log()


def clear_log(app: Emulator, body: Any) -> Any:
    app.clear_log()
    return {"ok": True}


def add_faults(app: Emulator, body: Any) -> Any:
    app.faults.configure(_object(body))
    return app.faults.describe()


def clear_faults(app: Emulator, body: Any) -> Any:
    app.faults.clear()
    return {"ok": True}


def reset(app: Emulator, body: Any) -> Any:
    app.reset()
    return {"ok": True}


def seed_users(app: Emulator, body: Any) -> Any:
    body = _object(body)
    accounts = app.credentials.accounts
    # Without an account, the first --account given: the one a single-account setup means.
    account = body.get("account", accounts[0] if accounts else None)
    if account not in accounts:
        raise ValidationError(f"account must be one this emulator serves ({', '.join(accounts)}), got {account!r}")
    users = body.get("users", [])
    if not isinstance(users, list):
        raise ValidationError("users must be a list of users")
    app.backend.seed_users(account, [bodies.seeded_user(user) for user in users])  # every one checked first
    return {"ok": True, "account": account, "users": len(users)}


def add_behaviors(app: Emulator, body: Any) -> Any:
    app.backend.add_behaviors(bodies.catalogue(_object(body)))
    return {"ok": True}


def revoke(app: Emulator, body: Any) -> Any:
    token = _object(body).get("token")
    if not isinstance(token, str) or not token:
        raise ValidationError("token must be a non-empty string")
    return {"revoked": app.credentials.revoke(token)}


def _object(body: Any) -> dict[str, Any]:
    """The body as a JSON object; no body is an empty one."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ValidationError("the body of a control request must be a JSON object")
    return body
