"""One exception tree for the Risk Scoring API, translated from HTTP in exactly one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiMessage:
    """One Cloudflare `errors[]`/`messages[]` entry."""

    code: int
    message: str


class RiskScoringError(Exception):
    """Root of every error this package raises; never carries a credential."""

    status: int | None = None
    retryable = False

    def __init__(
        self,
        summary: str,
        *,
        status: int | None = None,
        errors: tuple[ApiMessage, ...] = (),
        method: str = "",
        path: str = "",
        hint: str = "",
    ) -> None:
        self.summary = summary
        self.status = status if status is not None else type(self).status
        self.errors = errors
        self.method = method
        self.path = path
        self.hint = hint
        super().__init__(self._text())

    def _text(self) -> str:
        where = f"{self.method} {self.path}".strip()
        parts = [f"{where}: {self.summary}" if where else self.summary]
        if self.status is not None:
            parts[0] += f" (HTTP {self.status})"
        parts += [f"Cloudflare error {e.code}: {e.message}" for e in self.errors]
        if self.hint:
            parts.append(self.hint)
        return ". ".join(parts)


class ConfigurationError(RiskScoringError):
    """Credentials, account id or base URL missing or inconsistent; not retryable."""


class BadRequest(RiskScoringError):
    """The API rejected the request as invalid (HTTP 400/422); not retryable."""

    status = 400


class AuthenticationError(RiskScoringError):
    """Credentials missing, malformed or not accepted; not retryable."""

    status = 401


class PermissionDenied(RiskScoringError):
    """The credential lacks the permission or the account; not retryable."""

    status = 403


class NotFound(RiskScoringError):
    """The object does not exist (HTTP 404); not retryable."""

    status = 404


class Conflict(RiskScoringError):
    """The object conflicts with an existing one (HTTP 409); not retryable."""

    status = 409


class RateLimited(RiskScoringError):
    """HTTP 429 after the client's own retries; retryable later."""

    status = 429
    retryable = True


class ServerError(RiskScoringError):
    """HTTP 5xx after the client's own retries; retryable later."""

    status = 500
    retryable = True


class ConnectionFailed(RiskScoringError):
    """No usable HTTP response (refused, reset, timed out); the request may or may not have applied."""

    retryable = True


# Cloudflare answers some credential problems with HTTP 400 (9106 missing headers, 6003/6111
# malformed headers); they mean "fix your credentials", not "fix your payload".
_AUTH_CODES = frozenset({6003, 6111, 9103, 9106, 9109, 10000, 10001})


def error_class_for(status: int, codes: frozenset[int]) -> type[RiskScoringError]:
    """The exception class for an HTTP status and the Cloudflare error codes it carried."""
    if codes & _AUTH_CODES and status in (400, 401, 403):
        return PermissionDenied if status == 403 else AuthenticationError
    by_status: dict[int, type[RiskScoringError]] = {
        400: BadRequest,
        401: AuthenticationError,
        403: PermissionDenied,
        404: NotFound,
        409: Conflict,
        422: BadRequest,
        429: RateLimited,
    }
    if status >= 500:
        return ServerError
    return by_status.get(status, BadRequest)


def messages_from(body: Any) -> tuple[ApiMessage, ...]:
    """The `errors[]` of a Cloudflare envelope, tolerating bodies that are not envelopes."""
    if not isinstance(body, dict):
        return ()
    raw = body.get("errors") or []
    found = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict):
            found.append(ApiMessage(int(item.get("code") or 0), str(item.get("message") or "")))
    return tuple(found)
