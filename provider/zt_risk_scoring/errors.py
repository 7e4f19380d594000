"""One exception tree for the Risk Scoring API, translated from HTTP in exactly one place."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

SHOWN_MAX = 200
# Control, format (bidi overrides), separator, private-use and unassigned characters: what can move a
# terminal's cursor, recolour it or reorder the text a person reads.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def printable(value: object, limit: int = SHOWN_MAX, *, quote: bool = True) -> str:
    """`value` for a message: hidden characters escaped (\\x1b, \\u202e), long text cut, quoted.

    Values from outside (URLs, ids, API answers) go through this before they reach a terminal or log.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # the engine sends a program's 123 as 123.0: show what the user wrote
    text = value if isinstance(value, str) else str(value)
    shown = "".join(
        char.encode("unicode_escape").decode("ascii") if unicodedata.category(char) in _HIDDEN else char
        for char in text[: limit + 1]
    )
    if len(shown) > limit:
        shown = shown[: limit - 3] + "..."
    return f"'{shown}'" if quote else shown


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every known secret, also as repr/JSON/escaped/URL-quoted text would show it, replaced by ***."""
    forms: set[str] = set()
    for secret in secrets:
        forms |= {
            secret,
            repr(secret)[1:-1],
            json.dumps(secret)[1:-1],
            secret.encode("unicode_escape").decode("ascii"),
            repr(secret.encode("utf-8", "surrogatepass"))[2:-1],
            quote(secret, safe=""),
        }
        # A secret with a line break can surface one line at a time (one header line, one log line).
        forms |= {line for line in secret.splitlines() if len(line.strip()) >= 4}
    for form in sorted(forms, key=len, reverse=True):
        if form:
            text = text.replace(form, "***")
    return text


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
            code = item.get("code")
            found.append(
                ApiMessage(code if isinstance(code, int) else 0, printable(item.get("message") or "", quote=False))
            )
    return tuple(found)
