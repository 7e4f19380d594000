"""One exception tree for the Risk Scoring API (HTTP answers become these in transport.py, and only there)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .text import redact


@dataclass(frozen=True)
class ApiMessage:
    """One Cloudflare `errors[]`/`messages[]` entry."""

    code: int
    message: str


class RiskScoringError(Exception):
    """Root of every error this package raises; never carries a credential."""

    status: int | None = None

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

    @property
    def may_have_applied(self) -> bool:
        """Whether a write that failed this way may have been applied all the same: never for a refusal the API
        answered (4xx, a redirect, a gateway's page), always for a 2xx that is not the API's success, for a 5xx
        and for an answer that never came (after the request was sent)."""
        return self.status is not None and (200 <= self.status < 300 or self.status >= 500)

    def scrub(self, secrets: Iterable[str]) -> None:
        """Replace `secrets` by *** in this error's text and in the text of every exception it chains to.

        The dynamic-provider host prints the whole traceback, causes included, so a credential an answer
        echoed must be gone from all of them, not only from this message.
        """
        secrets = tuple(s for s in secrets if s)
        if not secrets:
            return
        self.summary, self.hint = redact(self.summary, secrets), redact(self.hint, secrets)
        self.errors = tuple(replace(e, message=redact(e.message, secrets)) for e in self.errors)
        self.args = (self._text(),)
        seen: BaseException | None = self.__cause__ or self.__context__
        for _ in range(16):  # a chain is short; the bound only guards against a cycle
            if seen is None:
                break
            if redact(str(seen), secrets) != str(seen):
                seen.args = (redact(str(seen), secrets),)
            seen = seen.__cause__ or seen.__context__

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


class EndpointError(ConfigurationError):
    """The answer did not come from the Risk Scoring API (a redirect, a gateway, a wrong base URL).

    Never evidence that an object is gone: the request may not have reached Cloudflare at all.
    """


class InvalidArgument(RiskScoringError):
    """A value that cannot be sent as given (an id that does not fit its URL segment); nothing was sent."""


class BadRequest(RiskScoringError):
    """The API rejected the request as invalid (HTTP 400/422); not retryable."""

    status = 400


class AuthenticationError(RiskScoringError):
    """Credentials missing, malformed or not accepted; not retryable."""

    status = 401


class PermissionDenied(RiskScoringError):
    """The credential lacks the permission or the account; not retryable."""

    status = 403


class NotEntitled(PermissionDenied):
    """The account does not have Zero Trust risk scoring (HTTP 403, Cloudflare code 3314); not retryable."""


class NotFound(RiskScoringError):
    """The object does not exist (HTTP 404); not retryable."""

    status = 404


class Conflict(RiskScoringError):
    """The object conflicts with an existing one (HTTP 409); not retryable."""

    status = 409


class RateLimited(RiskScoringError):
    """HTTP 429 after the client's own retries; retryable later."""

    status = 429


class ServerError(RiskScoringError):
    """HTTP 5xx after the client's own retries; retryable later."""

    status = 500


class ConnectionFailed(RiskScoringError):
    """No usable HTTP response (refused, reset, timed out, past its deadline); the request may or may not have
    applied, unless it was never sent (`sent` False: no connection)."""

    def __init__(self, summary: str, *, sent: bool = True, **where: Any) -> None:
        self.sent = sent
        super().__init__(summary, **where)

    @property
    def may_have_applied(self) -> bool:
        return self.sent
