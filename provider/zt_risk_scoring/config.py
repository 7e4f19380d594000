"""Where credentials, base URL and account id come from: stack config first, then environment."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
ACCOUNT_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")

Lookup = Callable[[str], str | None]

# (stack config key, environment variable) per setting, as pulumi-cloudflare names them.
TOKEN = ("cloudflare:apiToken", "CLOUDFLARE_API_TOKEN")
API_KEY = ("cloudflare:apiKey", "CLOUDFLARE_API_KEY")
EMAIL = ("cloudflare:email", "CLOUDFLARE_EMAIL")
BASE_URL = ("cloudflare:baseUrl", "CLOUDFLARE_BASE_URL")
ACCOUNT_ID = ("cloudflare:accountId", "CLOUDFLARE_ACCOUNT_ID")
# Seconds to wait for a response; lower it to fail fast in CI, raise it behind a slow gateway.
TIMEOUT = ("zt-risk-scoring:apiTimeout", "ZT_RISK_API_TIMEOUT")


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings; secrets are excluded from repr and never logged."""

    base_url: str = DEFAULT_BASE_URL
    token: str | None = field(default=None, repr=False)
    email: str | None = None
    api_key: str | None = field(default=None, repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    def auth_headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {"X-Auth-Email": self.email or "", "X-Auth-Key": self.api_key or ""}

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.token, self.api_key) if s)


def _pick(lookup: Lookup, env: Mapping[str, str], keys: tuple[str, str]) -> str | None:
    value = lookup(keys[0])
    if value in (None, ""):
        value = env.get(keys[1])
    return value or None


def resolve_settings(lookup: Lookup, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from stack config (`lookup`) with environment fallback; errors name the key to set."""
    env = os.environ if env is None else env
    token = _pick(lookup, env, TOKEN)
    api_key, email = _pick(lookup, env, API_KEY), _pick(lookup, env, EMAIL)
    base_url = (_pick(lookup, env, BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigurationError(f"cloudflare:baseUrl / CLOUDFLARE_BASE_URL must be an http(s) URL, got {base_url!r}")
    timeout_text = _pick(lookup, env, TIMEOUT) or "30"
    try:
        timeout = float(timeout_text)
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 600:
        raise ConfigurationError(
            f"zt-risk-scoring:apiTimeout / ZT_RISK_API_TIMEOUT must be seconds in (0, 600], got {timeout_text!r}"
        )
    if token and api_key:
        raise ConfigurationError(
            "both an API token and a global API key are set; keep one: unset "
            "cloudflare:apiKey / CLOUDFLARE_API_KEY, or cloudflare:apiToken / CLOUDFLARE_API_TOKEN"
        )
    if token:
        return Settings(base_url=base_url, token=token, read_timeout=timeout)
    if api_key and email:
        return Settings(base_url=base_url, email=email, api_key=api_key, read_timeout=timeout)
    if api_key:
        raise ConfigurationError(
            "a global API key needs its email: `pulumi config set cloudflare:email …` or export CLOUDFLARE_EMAIL"
        )
    raise ConfigurationError(
        "no Cloudflare credentials: run `pulumi config set --secret cloudflare:apiToken …` "
        "or export CLOUDFLARE_API_TOKEN (or cloudflare:apiKey + cloudflare:email)"
    )


def default_account_id(lookup: Lookup, env: Mapping[str, str] | None = None) -> str | None:
    """The account id from `cloudflare:accountId` or CLOUDFLARE_ACCOUNT_ID, if either is set."""
    return _pick(lookup, os.environ if env is None else env, ACCOUNT_ID)


def account_id_problem(value: object) -> str | None:
    """Why `value` is not a Cloudflare account id, or None when it is one."""
    if not isinstance(value, str) or not value:
        return "account_id is required: pass account_id=…, or set cloudflare:accountId / export CLOUDFLARE_ACCOUNT_ID"
    if not ACCOUNT_ID_PATTERN.match(value):
        return f"account_id must be 32 lowercase hex characters (the dashboard's Account ID), got {value!r}"
    return None
