"""HTTP client for the Risk Scoring API: one method per operation, envelope unwrapped in one place."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .config import Settings
from .errors import (
    AuthenticationError,
    ConnectionFailed,
    PermissionDenied,
    RiskScoringError,
    error_class_for,
    messages_from,
)
from .models import (
    Behavior,
    BehaviorSetting,
    Integration,
    IntegrationSpec,
    UserRisk,
    UserRiskSummary,
    behaviors_from_api,
)

MAX_RETRY_AFTER_S = 30.0
READ = "Zero Trust Read or Zero Trust Write"
WRITE = "Zero Trust Write"
PII = "Zero Trust PII Read"


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
    def get_behaviors(self) -> dict[str, Behavior]:
        return behaviors_from_api(self._call("GET", "behaviors", permission=READ))

    def update_behaviors(self, settings: Mapping[str, BehaviorSetting]) -> dict[str, Behavior]:
        body = {"behaviors": {key: value.to_api() for key, value in settings.items()}}
        return behaviors_from_api(self._call("PUT", "behaviors", body, permission=WRITE))

    # users -------------------------------------------------------------------
    def summary(self) -> list[UserRiskSummary]:
        result = self._call("GET", "summary", permission=PII) or {}
        return [UserRiskSummary.from_api(u) for u in result.get("users") or []]

    def user_risk(self, user_id: str) -> UserRisk:
        return UserRisk.from_api(self._call("GET", _seg(user_id), permission=PII) or {})

    def reset_user(self, user_id: str) -> None:
        self._call("POST", f"{_seg(user_id)}/reset", permission=WRITE)

    # integrations ------------------------------------------------------------
    def list_integrations(self) -> list[Integration]:
        return [Integration.from_api(i) for i in self._call("GET", "integrations", permission=READ) or []]

    def get_integration(self, integration_id: str) -> Integration:
        path = f"integrations/{_seg(integration_id)}"
        return Integration.from_api(self._call("GET", path, permission=READ))

    def get_integration_by_reference(self, reference_id: str) -> Integration:
        path = f"integrations/reference_id/{_seg(reference_id)}"
        return Integration.from_api(self._call("GET", path, permission=READ))

    def find_integration_by_reference(self, reference_id: str) -> Integration | None:
        """The integration with this reference_id, or None when there is none."""
        try:
            return self.get_integration_by_reference(reference_id)
        except RiskScoringError as exc:
            if exc.status == 404:
                return None
            raise

    def create_integration(self, spec: IntegrationSpec) -> Integration:
        result = self._call("POST", "integrations", spec.create_body(), permission=WRITE)
        return Integration.from_api(result)

    def update_integration(self, integration_id: str, spec: IntegrationSpec) -> Integration:
        path = f"integrations/{_seg(integration_id)}"
        return Integration.from_api(self._call("PUT", path, spec.update_body(), permission=WRITE))

    def delete_integration(self, integration_id: str) -> None:
        self._call("DELETE", f"integrations/{_seg(integration_id)}", permission=WRITE)

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
            session.headers.update({"User-Agent": "zt-risk-scoring/0.1", "Accept": "application/json"})
            self._local.session = session
        return session

    def _call(self, method: str, path: str, body: Any = None, *, permission: str) -> Any:
        """Send one request and return the envelope's `result`, or raise from the error tree."""
        rel = f"/accounts/{_seg(self.account_id)}/zt_risk_scoring/{path}"
        try:
            response = self._session().request(
                method,
                self.settings.base_url + rel,
                json=body,
                headers=self.settings.auth_headers(),
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            )
        except requests.RequestException as exc:
            raise ConnectionFailed(
                f"no usable response from {self.settings.base_url} ({type(exc).__name__})",
                method=method,
                path=rel,
                hint="check the network and cloudflare:baseUrl; the request may have been applied",
            ) from exc
        return _unwrap(response, method, rel, permission)


def _seg(value: str) -> str:
    return quote(str(value), safe="")


def _unwrap(response: requests.Response, method: str, path: str, permission: str) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.ok and isinstance(body, dict) and body.get("success") is not False:
        return body.get("result")
    errors = messages_from(body)
    cls = error_class_for(response.status_code, frozenset(e.code for e in errors))
    hint = ""
    if cls is AuthenticationError:
        hint = (
            "the credential was not accepted: check that cloudflare:apiToken / CLOUDFLARE_API_TOKEN "
            "(or the API key and email) is current and not revoked"
        )
    if cls is PermissionDenied:
        hint = (
            f"this call needs an API token with {permission} on account "
            f"{path.split('/')[2]}; check the token's permissions and account"
        )
    summary = "request failed" if errors else f"unexpected response ({response.reason or 'no body'})"
    raise cls(summary, status=response.status_code, errors=errors, method=method, path=path, hint=hint)
