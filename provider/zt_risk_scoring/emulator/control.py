"""Thin handlers of the /__emulator/ test hooks: the parsed JSON body in, the JSON answer out."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .exceptions import ValidationError

if TYPE_CHECKING:
    from .app import EmulatorApp

Hook = Callable[["EmulatorApp", Any], Any]


def health(app: EmulatorApp, body: Any) -> Any:
    return {"ok": True}


def get_log(app: EmulatorApp, body: Any) -> Any:
    return app.log()


def clear_log(app: EmulatorApp, body: Any) -> Any:
    app.clear_log()
    return {"ok": True}


def add_faults(app: EmulatorApp, body: Any) -> Any:
    app.faults.configure(_object(body))
    return app.faults.describe()


def clear_faults(app: EmulatorApp, body: Any) -> Any:
    app.faults.clear()
    return {"ok": True}


def reset(app: EmulatorApp, body: Any) -> Any:
    app.reset()
    return {"ok": True}


def seed_users(app: EmulatorApp, body: Any) -> Any:
    body = _object(body)
    accounts = app.credentials.accounts
    # Without an account, the first --account given: the one a single-account setup means.
    account = body.get("account", accounts[0] if accounts else None)
    if account not in accounts:
        raise ValidationError(f"account must be one this emulator serves ({', '.join(accounts)}), got {account!r}")
    users = body.get("users", [])
    if not isinstance(users, list):
        raise ValidationError("users must be a list of users")
    app.backend.seed_users(account, users)
    return {"ok": True, "account": account, "users": len(users)}


def add_behaviors(app: EmulatorApp, body: Any) -> Any:
    app.backend.add_behaviors(_object(body))
    return {"ok": True}


def revoke(app: EmulatorApp, body: Any) -> Any:
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
