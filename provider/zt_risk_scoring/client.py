"""HTTP client for the Risk Scoring API: one method per operation, envelope unwrapped in one place."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, NameResolutionError, NewConnectionError
from urllib3.util.retry import Retry

from . import recording
from ._version import __version__
from .config import Settings
from .errors import (
    AuthenticationError,
    ConfigurationError,
    ConnectionFailed,
    EndpointError,
    NotFound,
    PermissionDenied,
    RiskScoringError,
    error_class_for,
    messages_from,
    printable,
    redact,
)
from .ids import segment
from .models import (
    Behavior,
    BehaviorSetting,
    Integration,
    IntegrationSpec,
    ShapeError,
    UserRisk,
    UserRiskSummary,
    behaviors_from_api,
)

MAX_RETRY_AFTER_S = 30.0
MAX_PAGES = 100
# The wait after a 429/503 whose Retry-After is not a number of seconds or a date ("soon", "-5"): still
# an answer that says "wait", so a short pause of our own rather than none, or a failed request.
UNUSABLE_RETRY_AFTER_S = 2.0
READ = "Zero Trust Read or Zero Trust Write"
WRITE = "Zero Trust Write"
PII = "Zero Trust PII Read"
# Cloudflare's answers for a URL it cannot route ("No route for that URI", "Could not route to …").
ROUTING_CODES = frozenset({7000, 7003})
SAFE_METHODS = frozenset({"GET", "HEAD"})
# urllib3's "<…HTTPConnection object at 0x…>: " and "HTTPSConnectionPool(host='…', port=443): " prefixes.
_CONNECTION_NOISE = re.compile(r"<[^<>]*>: |\b\w*Connection(?:Pool)?\(host=[^)]*\): ")
STALE_CONFIG = (
    "If you changed cloudflare:apiToken since the last `pulumi up`: `pulumi refresh` and `pulumi destroy` "
    "use the stack config saved in state at that `up`, not the new value; run `pulumi up` first, or add "
    "--run-program to refresh/destroy (`pulumi refresh --run-program`) so they read the current config"
)
T = TypeVar("T")


class _Retry(Retry):
    """urllib3 Retry that retries 429 for every method and caps Retry-After."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        # A 429 is refused before processing, so even a POST is safe to send again.
        if status_code == 429:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER_S)

    def parse_retry_after(self, retry_after: str) -> float:
        # urllib3 raises InvalidHeader here, which requests reports as if no answer had come at all.
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            return UNUSABLE_RETRY_AFTER_S


def retry_policy() -> Retry:
    """GET/PUT/DELETE retry 429/502/503/504 and lost connections; POST only 429 and refused connects."""
    return _Retry(
        total=6,
        connect=3,
        read=2,
        status=5,
        backoff_factor=0.25,
        backoff_max=8.0,
        status_forcelist=(429, 502, 503, 504),
        allowed_methods=frozenset({"GET", "PUT", "DELETE"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class RiskScoringClient:
    """Client for one account; safe to share across threads (one session per thread)."""

    def __init__(self, settings: Settings, account_id: str) -> None:
        self.settings = settings
        self.account_id = account_id
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("RiskScoringClient holds credentials and is never pickled")

    # behaviors ---------------------------------------------------------------
    def get_behaviors(self, owned: Collection[str] = ()) -> dict[str, Behavior]:
        """Every behavior as given; those in `owned` (the keys a resource manages) must have a valid setting."""
        return self._parsed(partial(_behaviors, owned=owned), "GET", "behaviors", permission=READ)

    def update_behaviors(
        self, settings: Mapping[str, BehaviorSetting], owned: Collection[str] = ()
    ) -> dict[str, Behavior]:
        """PUT `settings`; the answer as `get_behaviors(owned)` reads it."""
        body = {"behaviors": {key: value.to_api() for key, value in settings.items()}}
        return self._parsed(partial(_behaviors, owned=owned), "PUT", "behaviors", body, permission=WRITE)

    # users -------------------------------------------------------------------
    def summary(self) -> list[UserRiskSummary]:
        return self._parsed(_summary_rows, "GET", "summary", permission=PII)

    def user_risk(self, user_id: str) -> UserRisk:
        return self._parsed(UserRisk.from_api, "GET", segment("user_id", user_id), permission=PII)

    def reset_user(self, user_id: str) -> None:
        self._call("POST", f"{segment('user_id', user_id)}/reset", permission=WRITE)

    # integrations ------------------------------------------------------------
    def list_integrations(self) -> list[Integration]:
        """Every integration of the account: all pages, should an answer say it has more than one."""
        found: list[Integration] = []
        query: dict[str, str] = {}
        for _ in range(MAX_PAGES):
            body = self._call("GET", "integrations", permission=READ, query=query, whole=True)
            page = self._parsed_as(_integration_list, body.get("result"), "GET", "integrations")
            found += [self._owned(item, "GET", "integrations") for item in page]
            query = self._parsed_as(partial(_next_page, query=query), body.get("result_info"), "GET", "integrations")
            if not query:
                return found
        raise EndpointError(
            f"the list of integrations did not end after {MAX_PAGES} pages",
            method="GET",
            path=self._path("integrations"),
            hint=_check_base_url(self.settings),
        )

    def get_integration(self, integration_id: str) -> Integration:
        path = f"integrations/{segment('integration_id', integration_id)}"
        found = self._parsed(Integration.from_api, "GET", path, permission=READ)
        return self._owned(found, "GET", path, id_=integration_id)

    def get_integration_by_reference(self, reference_id: str) -> Integration:
        path = f"integrations/reference_id/{segment('reference_id', reference_id)}"
        found = self._parsed(Integration.from_api, "GET", path, permission=READ)
        return self._owned(found, "GET", path, reference_id=reference_id)

    def find_integration_by_reference(self, reference_id: str) -> Integration | None:
        """The integration with this reference_id, or None when the API answers that there is none.

        Used only before a create: a None that is wrong leads to a POST, which a misrouted URL refuses too.
        """
        try:
            return self.get_integration_by_reference(reference_id)
        except NotFound:
            return None

    def get_integration_if_exists(self, integration_id: str) -> Integration | None:
        """The integration, or None only when the API says it does not exist and its list agrees."""
        try:
            return self.get_integration(integration_id)
        except (NotFound, EndpointError) as exc:
            self._confirm_absent(integration_id, exc)
            return None

    def delete_integration_if_exists(self, integration_id: str) -> bool:
        """Delete; False only when the API says there is no such integration and its list agrees."""
        try:
            self.delete_integration(integration_id)
        except (NotFound, EndpointError) as exc:
            self._confirm_absent(integration_id, exc)
            return False
        return True

    def create_integration(self, spec: IntegrationSpec) -> Integration:
        made = self._parsed(Integration.from_api, "POST", "integrations", spec.create_body(), permission=WRITE)
        return self._owned(made, "POST", "integrations", reference_id=spec.reference_id)

    def update_integration(self, integration_id: str, spec: IntegrationSpec) -> Integration:
        path = f"integrations/{segment('integration_id', integration_id)}"
        found = self._parsed(Integration.from_api, "PUT", path, spec.update_body(), permission=WRITE)
        return self._owned(found, "PUT", path, id_=integration_id)

    def delete_integration(self, integration_id: str) -> None:
        self._call("DELETE", f"integrations/{segment('integration_id', integration_id)}", permission=WRITE)

    def _confirm_absent(self, integration_id: str, answer: RiskScoringError) -> None:
        """Accept a 404 for an integration as "gone" only if the route demonstrably works.

        A wrong base URL, a gateway or a proxy also answer 404; taking that for "gone" would drop live
        integrations from state (refresh) or leave them orphaned (destroy). The list of integrations
        answering, and without this id, proves the API itself said so.
        """
        if answer.status != 404:
            raise answer
        try:
            listed = self.list_integrations()
        except RiskScoringError as exc:
            raise EndpointError(
                f"{answer.method} {answer.path} answered 404, and listing the account's integrations to confirm "
                f"that integration {integration_id} is gone failed too ({exc.summary}, HTTP {exc.status})",
                hint=f"{_check_base_url(self.settings)}: it must be the API root, such as "
                "https://api.cloudflare.com/client/v4; nothing was changed",
            ) from exc
        if any(found.id.lower() == integration_id.lower() for found in listed):
            raise EndpointError(
                f"{answer.method} {answer.path} answered 404, yet integration {integration_id} is in the list "
                "of the account's integrations; a proxy or gateway may be answering for some paths",
                hint=_check_base_url(self.settings),
            ) from answer

    def _owned(
        self, found: Integration, method: str, path: str, *, id_: str = "", reference_id: str = ""
    ) -> Integration:
        """`found`, if it is what was asked for: this account's, and the id or reference_id asked.

        A proxy that rewrites the account, or a gateway answering with another object, must not have
        its answer recorded as ours (refresh would store another's fields, a list would prove nothing).
        """
        asked = (("account_tag", self.account_id), ("id", id_), ("reference_id", reference_id))
        for name, want in asked:
            got = getattr(found, name)
            # The account is checked where the answer gives it; an id or reference asked for must be there.
            if want and (got or name != "account_tag") and got.lower() != want.lower():
                break
        else:
            return found
        raise EndpointError(
            f"the answer is for another object: its {name} is {printable(got)}, not {printable(want)}; "
            "a proxy or gateway may be rewriting requests or answers",
            method=method,
            path=self._path(path),
            hint=f"{_check_base_url(self.settings)}; nothing was recorded from this answer",
        )

    # transport ---------------------------------------------------------------
    def _session(self) -> requests.Session:
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
            adapter = HTTPAdapter(max_retries=retry_policy(), pool_maxsize=8)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update({"User-Agent": f"zt-risk-scoring/{__version__}", "Accept": "application/json"})
            self._local.session = session
        return session

    def _parsed(self, parse: Callable[[Any], T], method: str, path: str, body: Any = None, *, permission: str) -> T:
        """`_call`, then `parse` its result; a result of another shape is an error, not a crash."""
        return self._parsed_as(parse, self._call(method, path, body, permission=permission), method, path)

    def _parsed_as(self, parse: Callable[[Any], T], result: Any, method: str, path: str) -> T:
        with self._redacting():
            try:
                return parse(result)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                shape = isinstance(exc, ShapeError)
                text = _shown(str(exc), self.settings, quote=not shape)
                found = text if shape else f"{type(exc).__name__}: {text}"
                raise EndpointError(
                    f"the answer is not shaped like the Risk Scoring API's ({found})",
                    method=method,
                    path=self._path(path),
                    hint=_check_base_url(self.settings),
                ) from exc

    @contextmanager
    def _redacting(self) -> Iterator[None]:
        """Errors raised inside with the configured credentials replaced by ***, in their causes too.

        Every error the client raises passes here (`_call`, `_parsed`): a gateway or proxy may echo the
        Authorization or X-Auth-Key header back in its error text, a redirect's Location or a field.
        """
        try:
            yield
        except RiskScoringError as exc:
            exc.scrub(self.settings.secrets())
            raise

    def _path(self, path: str) -> str:
        return f"/accounts/{segment('account_id', self.account_id)}/zt_risk_scoring/{path}"

    def _call(
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
        rel = self._path(path)
        started = time.time()
        try:
            response = self._session().request(
                method,
                self.settings.base_url + rel,
                params=query or None,
                json=body,
                headers=self.settings.auth_headers(),
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                # A redirect is never followed: requests would turn PUT/DELETE into GET and hand the
                # X-Auth-Key/X-Auth-Email headers to whatever host the Location names.
                allow_redirects=False,
            )
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
            raise ConfigurationError(
                f"cloudflare:baseUrl / CLOUDFLARE_BASE_URL {printable(self.settings.base_url)} cannot be used "
                f"({type(exc).__name__})"
            ) from exc
        except requests.RequestException as exc:
            raise _connection_failed(exc, method, rel, self.settings.base_url) from exc
        recording.record(self.settings, self.account_id, response, body, started)  # only with ZT_RISK_RECORD set
        envelope = _unwrap(response, method, rel, permission, self)
        return envelope if whole else envelope.get("result")


def _below_http(exc: requests.RequestException) -> str:
    """What failed under HTTP (refused, not resolved, timed out, a certificate), without object reprs or the
    host and port the message names already."""
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", None) or reason  # urllib3's MaxRetryError wraps the cause
    text = _CONNECTION_NOISE.sub("", str(reason))
    return printable(text or type(reason).__name__, 160, quote=False)


def _connection_failed(exc: requests.RequestException, method: str, path: str, base_url: str) -> ConnectionFailed:
    """The error for a request that got no HTTP answer, saying whether anything can have changed."""
    if method in SAFE_METHODS:
        outcome = "it was a read, so nothing was changed"
    elif method == "POST" and _never_sent(exc):
        # A POST is retried only when it could not connect, so a last try that could not connect means none was sent.
        outcome = "the request was not sent (no connection), so nothing was changed"
    else:
        # PUT and DELETE are also retried after a lost answer: an earlier try may have been applied.
        outcome = "the request may have been applied; it is safe to send again: run the command again to converge"
    return ConnectionFailed(
        f"no usable response from {printable(base_url)} ({type(exc).__name__}: {_below_http(exc)})",
        method=method,
        path=path,
        hint=f"check the network and cloudflare:baseUrl / CLOUDFLARE_BASE_URL; {outcome}",
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


def _behaviors(result: Any, owned: Collection[str]) -> dict[str, Behavior]:
    """Every behavior as given, after checking the setting of each `owned` key the answer has."""
    found = behaviors_from_api(result)
    for key in owned:
        if key in found:
            _ = found[key].setting  # ShapeError naming the field unless it is exactly what the API documents
    return found


def _summary_rows(result: Any) -> list[UserRiskSummary]:
    return [UserRiskSummary.from_api(u) for u in (result or {}).get("users") or []]


def _integration_list(result: Any) -> list[Integration]:
    if not isinstance(result, list):
        raise TypeError(f"a list of integrations was expected, got {type(result).__name__}")
    return [Integration.from_api(i) for i in result]


def _next_page(info: Any, *, query: Mapping[str, str]) -> dict[str, str]:
    """The query for the page after this one, or {} when `result_info` says there is none.

    The API answers the list in one page (no result_info); a gateway or a future API that pages it
    must not make a later page's integrations look absent.
    """
    if not isinstance(info, Mapping):
        return {}
    cursor = info.get("cursor")
    if isinstance(cursor, str) and cursor:
        return {"cursor": cursor}
    page, pages = _count(info.get("page")), _count(info.get("total_pages"))
    if pages is not None and pages > 1 and (page is None or str(page) != query.get("page", str(page))):
        raise ValueError(f"result_info says {pages} pages but not which one this is (page {info.get('page')!r})")
    if page is not None and pages is not None and page < pages:
        return {**query, "page": str(page + 1)}
    return {}


def _count(value: Any) -> int | None:
    """A page number as JSON may give it (1 or "1"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _check_base_url(settings: Settings) -> str:
    """The start of every hint for an answer that may not be the API's: which setting, and its value."""
    return f"check cloudflare:baseUrl / CLOUDFLARE_BASE_URL ({printable(settings.base_url)})"


def _shown(text: str, settings: Settings, *, quote: bool = True) -> str:
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
    response: requests.Response, method: str, path: str, permission: str, client: RiskScoringClient
) -> dict[str, Any]:
    """The envelope of a successful answer; otherwise the error the answer means."""
    try:
        # Scrubbed before anything reads it: a credential echoed back must reach no message, and no state.
        body = _scrubbed(response.json(), client.settings.secrets())
    except ValueError:
        body = None
    if 200 <= response.status_code < 300 and _is_envelope(body) and body["success"] is True:
        return dict(body)
    where = {"status": response.status_code, "method": method, "path": path}
    raise _endpoint_error(response, body, client.settings, where) or _api_error(
        response, body, permission, client, where
    )


def _endpoint_error(
    response: requests.Response, body: Any, settings: Settings, where: dict[str, Any]
) -> EndpointError | None:
    """The error for an answer that is not the API's own (a redirect, a gateway page, an unroutable URL)."""
    fix = _check_base_url(settings)
    status = response.status_code
    if 300 <= status < 400:
        location = _shown(response.headers.get("Location", "(none)"), settings)
        return EndpointError(
            f"answered a redirect to {location}, which is never followed",
            hint=f"{fix}: it must be the API root itself, not an address that redirects; nothing was sent on",
            **where,
        )
    if not _is_envelope(body) and status < 500 and status != 429:
        return EndpointError(
            f"answered without Cloudflare's JSON envelope ({_shown(response.reason or 'no reason', settings)}); "
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
    response: requests.Response, body: Any, permission: str, client: RiskScoringClient, where: dict[str, Any]
) -> RiskScoringError:
    """The API's own refusal as a class of the error tree, with what to do about it."""
    errors = messages_from(body)
    cls = error_class_for(response.status_code, frozenset(e.code for e in errors))
    hint = ""
    if cls is AuthenticationError:
        hint = (
            "the credential was not accepted: check that cloudflare:apiToken / CLOUDFLARE_API_TOKEN "
            "(or the API key and email) is current and not revoked"
        )
        hint += f". {STALE_CONFIG}" if client.settings.credential_in_config else ""
    if cls is PermissionDenied:
        hint = (
            f"this call needs an API token with {permission} on account {client.account_id}; "
            "check the token's permissions and account"
        )
    reason = _shown(response.reason or "no body", client.settings)
    summary = "request failed" if errors else f"unexpected response ({reason})"
    return cls(summary, errors=errors, hint=hint, **where)
