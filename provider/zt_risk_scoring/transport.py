"""The HTTP exchange with the Risk Scoring API: session, retries, the one call, and the translation of every
answer into the error tree (the one place it happens), credentials redacted from all of it."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from . import recording
from ._version import __version__
from .config import Settings
from .deadline import Deadline, WatchedAdapter
from .errors import (
    ApiMessage,
    AuthenticationError,
    BadRequest,
    ConfigurationError,
    Conflict,
    ConnectionFailed,
    EndpointError,
    NotEntitled,
    NotFound,
    PermissionDenied,
    RateLimited,
    RiskScoringError,
    ServerError,
)
from .ids import segment
from .models import ShapeError
from .retries import retry_policy
from .text import printable, redact

# Cloudflare's answers for a URL it cannot route ("No route for that URI", "Could not route to …").
ROUTING_CODES = frozenset({7000, 7003})
SAFE_METHODS = frozenset({"GET", "HEAD"})
# urllib3's "<…HTTPConnection object at 0x…>: " and "HTTPSConnectionPool(host='…', port=443): " prefixes.
_CONNECTION_NOISE = re.compile(r"<[^<>]*>: |\b\w*Connection(?:Pool)?\(host=[^)]*\): ")
STALE_CONFIG = (
    "If you changed {key} since the last `pulumi up`: `pulumi refresh` and `pulumi destroy` "
    "use the stack config saved in state at that `up`, not the new value; run `pulumi up` first, or add "
    "--run-program to refresh/destroy (`pulumi refresh --run-program`) so they read the current config"
)
T = TypeVar("T")


class Transport:
    """One account's requests to the API; safe to share across threads (one session per thread)."""

    def __init__(self, settings: Settings, account_id: str) -> None:
        self.settings = settings
        self.account_id = account_id
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("Transport holds credentials and is never pickled")

    def session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # Proxies and CA bundle from the environment, resolved once for the API host rather than
            # on every request; and never ~/.netrc, whose credentials requests would put in place of
            # the Authorization header (psf/requests#3929).
            found = session.merge_environment_settings(self.settings.base_url, {}, None, None, None)
            session.trust_env = False
            session.proxies.update(found["proxies"])
            session.verify = found["verify"]
            adapter = WatchedAdapter(max_retries=retry_policy(), pool_maxsize=8)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update({"User-Agent": f"zt-risk-scoring/{__version__}", "Accept": "application/json"})
            self._local.session = session
        return session

    def parsed(self, parse: Callable[[Any], T], method: str, path: str, body: Any = None, *, permission: str) -> T:
        """`call`, then `parse` its result; a result of another shape is an error, not a crash."""
        return self.parsed_as(parse, self.call(method, path, body, permission=permission), method, path)

    def parsed_as(self, parse: Callable[[Any], T], result: Any, method: str, path: str) -> T:
        with self._redacting():
            try:
                return parse(result)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                shape = isinstance(exc, ShapeError)
                text = shown(str(exc), self.settings, quote=not shape)
                found = text if shape else f"{type(exc).__name__}: {text}"
                raise EndpointError(
                    f"the answer is not shaped like the Risk Scoring API's ({found})",
                    method=method,
                    path=self.path(path),
                    hint=check_base_url(self.settings),
                ) from exc

    @contextmanager
    def _redacting(self) -> Iterator[None]:
        """Errors raised inside with the configured credentials replaced by ***, in their causes too.

        Every error the client raises passes here (`call`, `parsed`): a gateway or proxy may echo the
        Authorization or X-Auth-Key header back in its error text, a redirect's Location or a field.
        """
        try:
            yield
        except RiskScoringError as exc:
            exc.scrub(self.settings.secrets())
            raise

    def path(self, path: str) -> str:
        return f"/accounts/{segment('account_id', self.account_id)}/zt_risk_scoring/{path}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        permission: str,
        query: Mapping[str, str] | None = None,
        whole: bool = False,
    ) -> Any:
        """Send one request and return the envelope's `result` (`whole`: the envelope), credentials redacted."""
        with self._redacting():
            return self._request(method, path, body, permission=permission, query=query, whole=whole)

    def _request(
        self, method: str, path: str, body: Any, *, permission: str, query: Mapping[str, str] | None, whole: bool
    ) -> Any:
        rel, started = self.path(path), time.time()
        deadline = Deadline(self.settings.deadline)
        try:
            with deadline:
                response = self._send(method, rel, body, query)
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
            raise ConfigurationError(
                f"{self.settings.base_url_source} {printable(self.settings.base_url)} cannot be used "
                f"({type(exc).__name__})"
            ) from exc
        except requests.RequestException as exc:
            if deadline.expired:
                raise _past_deadline(method, rel, self.settings) from exc
            raise _connection_failed(exc, method, rel, self.settings) from exc
        recording.record(self.settings, self.account_id, response, body, started)  # only with ZT_RISK_RECORD set
        envelope = _unwrap(response, method, rel, permission, self)
        return envelope if whole else envelope.get("result")

    def _send(self, method: str, rel: str, body: Any, query: Mapping[str, str] | None) -> requests.Response:
        headers = self.settings.auth_headers()
        if method in SAFE_METHODS:  # a cache in front of the API must not answer with what was (a stale value)
            headers["Cache-Control"] = "no-cache"
        return self.session().request(
            method,
            self.settings.base_url + rel,
            params=query or None,
            json=body,
            headers=headers,
            timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            # A redirect is never followed: requests would turn PUT/DELETE into GET and hand the
            # X-Auth-Key/X-Auth-Email headers to whatever host the Location names.
            allow_redirects=False,
        )


def _outcome(method: str) -> str:
    if method in SAFE_METHODS:
        return "it was a read, so nothing was changed"
    return "the request may have been applied; it is safe to send again: run the command again to converge"


def _past_deadline(method: str, path: str, settings: Settings) -> ConnectionFailed:
    """The error for a call whose answer did not complete in time (a gateway that trickles, a stalled proxy)."""
    return ConnectionFailed(
        f"no complete answer from {printable(settings.base_url)} within {settings.deadline:g} s",
        method=method,
        path=path,
        hint=f"raise zt-risk-scoring:apiDeadline / ZT_RISK_API_DEADLINE (seconds a call may take in all) if the "
        f"API is that slow, or check the network and {settings.base_url_source}; {_outcome(method)}",
    )


def _below_http(exc: requests.RequestException) -> str:
    """What failed under HTTP (refused, not resolved, timed out, a certificate), without object reprs or the
    host and port the message names already."""
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", None) or reason  # urllib3's MaxRetryError wraps the cause
    text = _CONNECTION_NOISE.sub("", str(reason))
    return printable(text or type(reason).__name__, 160, quote=False)


def _connection_failed(exc: requests.RequestException, method: str, path: str, settings: Settings) -> ConnectionFailed:
    """The error for a request that got no HTTP answer, saying whether anything can have changed."""
    unsent = method == "POST" and _never_sent(exc)
    # A POST is retried only when it could not connect, so a last try that could not connect means none was sent;
    # PUT and DELETE are also retried after a lost answer: an earlier try may have been applied.
    outcome = "the request was not sent (no connection), so nothing was changed" if unsent else _outcome(method)
    return ConnectionFailed(
        f"no usable response from {printable(settings.base_url)} ({type(exc).__name__}: {_below_http(exc)})",
        method=method,
        path=path,
        hint=f"check the network and {settings.base_url_source}; {outcome}",
        sent=not unsent,
    )


def _never_sent(exc: BaseException) -> bool:
    """True when the connection itself failed (refused, no such host, connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    seen: BaseException | None = exc
    for _ in range(8):  # requests -> MaxRetryError -> reason
        if seen is None:
            return False
        if isinstance(seen, NewConnectionError | NameResolutionError):
            return True
        reason = getattr(seen, "reason", None)
        args = getattr(seen, "args", ())
        seen = (
            reason
            if isinstance(reason, BaseException)
            else next((a for a in args if isinstance(a, BaseException)), None)
        )
    return False


def check_base_url(settings: Settings) -> str:
    """The start of every hint for an answer that may not be the API's: which setting, and its value."""
    return f"check {settings.base_url_source} ({printable(settings.base_url)})"


def shown(text: str, settings: Settings, *, quote: bool = True) -> str:
    """Text from an answer, for a message: redacted before printable may cut it (half a key is a leak too)."""
    return printable(redact(text, settings.secrets()), quote=quote)


def _scrubbed(body: Any, secrets: tuple[str, ...]) -> Any:
    """A parsed JSON body with the credentials redacted from every string in it."""
    if not secrets:
        return body
    if isinstance(body, str):
        return redact(body, secrets)
    if isinstance(body, list):
        return [_scrubbed(item, secrets) for item in body]
    if isinstance(body, dict):
        return {key: _scrubbed(value, secrets) for key, value in body.items()}
    return body


def _is_envelope(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("success"), bool) and isinstance(body.get("errors"), list)


def _unwrap(
    response: requests.Response, method: str, path: str, permission: str, transport: Transport
) -> dict[str, Any]:
    """The envelope of a successful answer; otherwise the error the answer means."""
    try:
        # Scrubbed before anything reads it: a credential echoed back must reach no message, and no state.
        body = _scrubbed(response.json(), transport.settings.secrets())
    except ValueError:
        body = None
    if 200 <= response.status_code < 300 and _is_envelope(body) and body["success"] is True:
        return dict(body)
    where = {"status": response.status_code, "method": method, "path": path}
    raise _endpoint_error(response, body, transport.settings, where) or _api_error(
        response, body, permission, transport, where
    )


def _endpoint_error(
    response: requests.Response, body: Any, settings: Settings, where: dict[str, Any]
) -> EndpointError | None:
    """The error for an answer that is not the API's own (a redirect, a gateway page, an unroutable URL)."""
    fix = check_base_url(settings)
    status = response.status_code
    if 300 <= status < 400:
        location = shown(response.headers.get("Location", "(none)"), settings)
        return EndpointError(
            f"answered a redirect to {location}, which is never followed",
            hint=f"{fix}: it must be the API root itself, not an address that redirects; nothing was sent on",
            **where,
        )
    if not _is_envelope(body) and status < 500 and status != 429:
        return EndpointError(
            f"answered without Cloudflare's JSON envelope ({shown(response.reason or 'no reason', settings)}); "
            "this is not the Risk Scoring API",
            hint=f"{fix}: it must be the API root, such as https://api.cloudflare.com/client/v4",
            **where,
        )
    errors = messages_from(body)
    if status == 404 and ROUTING_CODES & {e.code for e in errors}:
        return EndpointError(
            "Cloudflare could not route this URL",
            errors=errors,
            hint=f"{fix}: it must end in /client/v4; an id the API does not know can also answer this",
            **where,
        )
    return None


def _api_error(
    response: requests.Response, body: Any, permission: str, transport: Transport, where: dict[str, Any]
) -> RiskScoringError:
    """The API's own refusal as a class of the error tree, with what to do about it."""
    errors = messages_from(body)
    cls = error_class_for(response.status_code, frozenset(e.code for e in errors))
    if cls is NotEntitled:
        summary = f"account {transport.account_id} does not have Zero Trust risk scoring enabled"
        return cls(summary, errors=errors, hint=_not_entitled_fix(transport.account_id), **where)
    hint = _credential_fix(cls, permission, transport)
    reason = shown(response.reason or "no body", transport.settings)
    summary = "request failed" if errors else f"unexpected response ({reason})"
    return cls(summary, errors=errors, hint=hint, **where)


def _not_entitled_fix(account_id: str) -> str:
    return (
        f"enable risk scoring for account {account_id} (a Zero Trust plan that includes it), or "
        "set account_id (or the connection's accountId, as cloudflare:accountId) to an account that has it; nothing "
        "was changed"
    )


def _credential_fix(cls: type[RiskScoringError], permission: str, transport: Transport) -> str:
    """What to check when the credential was refused ("" for any other refusal)."""
    settings = transport.settings
    if cls is AuthenticationError:
        hint = (
            f"the credential was not accepted: check that {settings.credential_source} (the credential in use) "
            "is current and not revoked"
        )
    elif cls is PermissionDenied:
        # Cloudflare answers a revoked or rotated token 403 too (code 10000, "Authentication error").
        hint = (
            f"the credential in use ({settings.credential_source}) was refused or lacks {permission} on account "
            f"{transport.account_id}: check that it is current and has that permission on that account"
        )
    else:
        return ""
    stale = STALE_CONFIG.format(key=settings.credential_source)
    return f"{hint}. {stale}" if settings.credential_in_config else hint


# What Cloudflare answers (403) for an account without the feature (reported for create and the list).
NOT_ENTITLED = 3314
# Cloudflare answers some credential problems with HTTP 400 (9106 missing headers, 6003/6111
# malformed headers); they mean "fix your credentials", not "fix your payload".
_AUTH_CODES = frozenset({6003, 6111, 9103, 9106, 9109, 10000, 10001})


def error_class_for(status: int, codes: frozenset[int]) -> type[RiskScoringError]:
    """The exception class for an HTTP status and the Cloudflare error codes it carried."""
    if status == 403 and NOT_ENTITLED in codes:
        return NotEntitled
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
