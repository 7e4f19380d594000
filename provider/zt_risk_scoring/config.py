"""Where credentials, base URL and account id come from: stack config first, then environment."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .errors import ConfigurationError
from .ids import VISIBLE_ASCII, id_problem, split_url
from .text import printable

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
# What may be a user[:password]@ of a URL, with or without a scheme: everything up to its last @ is masked in
# messages (more than a parser would call userinfo: a password may hold an unencoded / or ?).
_USERINFO = re.compile(r"^([^/?#@]*//)?.*@", re.DOTALL)

Lookup = Callable[[str], str | None]

# (stack config key, environment variable) per setting, as pulumi-cloudflare names them.
TOKEN = ("cloudflare:apiToken", "CLOUDFLARE_API_TOKEN")
API_KEY = ("cloudflare:apiKey", "CLOUDFLARE_API_KEY")
EMAIL = ("cloudflare:email", "CLOUDFLARE_EMAIL")
BASE_URL = ("cloudflare:baseUrl", "CLOUDFLARE_BASE_URL")
ACCOUNT_ID = ("cloudflare:accountId", "CLOUDFLARE_ACCOUNT_ID")
# Seconds to wait for each read of a response; lower it to fail fast in CI, raise it behind a slow gateway.
TIMEOUT = ("zt-risk-scoring:apiTimeout", "ZT_RISK_API_TIMEOUT")
# Seconds one API call may take in all (its retries and their waits included): an answer that trickles in a
# byte at a time never trips the per-read timeout.
DEADLINE = ("zt-risk-scoring:apiDeadline", "ZT_RISK_API_DEADLINE")


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings; secrets are excluded from repr and never logged."""

    base_url: str = DEFAULT_BASE_URL
    token: str | None = field(default=None, repr=False)
    email: str | None = None
    api_key: str | None = field(default=None, repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    deadline: float = 180.0
    # True when the credential came from stack config: refresh and destroy without the program read
    # that from the copy the engine saved at the last `up`, so a rotated token is not seen there.
    credential_in_config: bool = False
    # Where the credential in use came from, as messages name it ("cloudflare:apiToken", "CLOUDFLARE_API_TOKEN").
    credential_source: str = "cloudflare:apiToken / CLOUDFLARE_API_TOKEN"

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


def _unfit_character(value: str) -> str:
    """Where and what the first character unfit for a header is, without showing the value."""
    for position, char in enumerate(value, 1):
        if VISIBLE_ASCII.fullmatch(char):
            continue
        kind = (
            "a line break"
            if char in "\r\n"
            else "a space or tab"
            if char in " \t"
            else "a control character"
            if ord(char) < 0x20 or ord(char) == 0x7F
            else "a non-ASCII character"
        )
        return f"{kind} at character {position}"
    return "nothing"


def _credential(lookup: Lookup, env: Mapping[str, str], keys: tuple[str, str]) -> str | None:
    """A credential setting, refused (never echoed) when it cannot be an HTTP header value."""
    value = _pick(lookup, env, keys)
    if value is not None and not VISIBLE_ASCII.fullmatch(value):
        raise ConfigurationError(
            f"{keys[0]} / {keys[1]} cannot be sent in an HTTP header: it contains {_unfit_character(value)}; "
            "set it again, copied exactly (a token is letters, digits, - and _)"
        )
    return value


def without_userinfo(url: str) -> str:
    """`url` with anything that may be a user:password@ part replaced by ***@."""
    return _USERINFO.sub(r"\1***@", url)


def redacted_url(url: str) -> str:
    """`url` without anything that may be a user:password@ part, quoted for a message."""
    return printable(without_userinfo(url))


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be the API root, or None; the text never shows a password the URL carries."""
    if not VISIBLE_ASCII.fullmatch(url):
        return f"contains {_unfit_character(url)}"
    try:
        parts = split_url(url)
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL with a host, such as https://api.cloudflare.com/client/v4"
    if "@" in parts.netloc:
        return "must not carry credentials (user:password@); set cloudflare:apiToken / CLOUDFLARE_API_TOKEN instead"
    if parts.query or parts.fragment:
        return "must have no query or fragment"
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return "must be https: over http the credential would cross the network unencrypted (http is for loopback)"
    return None


def _loopback(host: str) -> bool:
    """True for localhost and loopback addresses (the emulator): the only hosts plain http may name."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _base_url(lookup: Lookup, env: Mapping[str, str]) -> str:
    url = (_pick(lookup, env, BASE_URL) or DEFAULT_BASE_URL).rstrip("/")
    problem = base_url_problem(url)
    if problem:
        raise ConfigurationError(f"cloudflare:baseUrl / CLOUDFLARE_BASE_URL {redacted_url(url)} {problem}")
    return url


def _seconds(lookup: Lookup, env: Mapping[str, str], keys: tuple[str, str], default: str, most: float) -> float:
    text = _pick(lookup, env, keys) or default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= most:
        raise ConfigurationError(f"{keys[0]} / {keys[1]} must be seconds in (0, {most:g}], got {printable(text)}")
    return seconds


def _source(lookup: Lookup, env: Mapping[str, str], token: str | None) -> str:
    """Which setting the credential in use came from (config wins over the environment, as _pick reads them)."""
    keys = TOKEN if token else API_KEY
    return keys[0] if lookup(keys[0]) else keys[1]


def _credentials(lookup: Lookup, env: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """The one credential in use, as (token, email, api_key); errors say which setting to fix."""
    token = _credential(lookup, env, TOKEN)
    api_key, email = _credential(lookup, env, API_KEY), _credential(lookup, env, EMAIL)
    if token and api_key:
        raise ConfigurationError(
            "both an API token and a global API key are set; keep one: unset "
            "cloudflare:apiKey / CLOUDFLARE_API_KEY, or cloudflare:apiToken / CLOUDFLARE_API_TOKEN"
        )
    if token:
        return token, None, None
    if api_key and email:
        return None, email, api_key
    if api_key:
        raise ConfigurationError(
            "a global API key needs its email: `pulumi config set cloudflare:email …` or export CLOUDFLARE_EMAIL"
        )
    raise ConfigurationError(missing_credentials())


# How a program's user sets the credential; the operator CLI says its own (cli/sources.py).
PROGRAM_CREDENTIAL_FIX = (
    "run `pulumi config set --secret cloudflare:apiToken …` or export CLOUDFLARE_API_TOKEN "
    "(or cloudflare:apiKey + cloudflare:email)"
)


def missing_credentials(fix: str = PROGRAM_CREDENTIAL_FIX, where: str = "") -> str:
    """The one message for no credential at all: `where` says where none was found, `fix` how to set one."""
    return f"no Cloudflare credentials{where}: {fix}"


def has_credential(lookup: Lookup, env: Mapping[str, str] | None = None) -> bool:
    """Whether a token or a global API key is set, in stack config or the environment (valid or not)."""
    env = os.environ if env is None else env
    return any(_pick(lookup, env, keys) for keys in (TOKEN, API_KEY))


def resolve_settings(lookup: Lookup, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from stack config (`lookup`) with environment fallback; errors name the key to set."""
    env = os.environ if env is None else env
    token, email, api_key = _credentials(lookup, env)
    return Settings(
        base_url=_base_url(lookup, env),
        token=token,
        email=email,
        api_key=api_key,
        read_timeout=_seconds(lookup, env, TIMEOUT, "30", 600),
        deadline=_seconds(lookup, env, DEADLINE, "180", 3600),
        credential_in_config=bool(lookup(TOKEN[0]) or lookup(API_KEY[0])),
        credential_source=_source(lookup, env, token),
    )


def default_account_id(lookup: Lookup, env: Mapping[str, str] | None = None) -> str | None:
    """The account id from `cloudflare:accountId` or CLOUDFLARE_ACCOUNT_ID, if either is set."""
    return _pick(lookup, os.environ if env is None else env, ACCOUNT_ID)


def account_id_problem(value: object, given_by: str = "pass account_id=…") -> str | None:
    """Why `value` is not a Cloudflare account id, or None when it is one (`given_by`: how the caller gives one)."""
    if not isinstance(value, str) or not value:
        return f"account_id is required: {given_by}, or set cloudflare:accountId / export CLOUDFLARE_ACCOUNT_ID"
    return id_problem("account_id", value)
