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
# A setting's (stack config key, environment variable); a named connection's settings have no variable.
Keys = tuple[str, str | None]

# The connection resources use unless they name another: the `cloudflare:` config namespace and the
# CLOUDFLARE_* variables, as pulumi-cloudflare reads them. A named connection NAME is the `NAME:` namespace
# alone: it never falls back to a variable, which would be the default connection's token (docs/resources.md).
DEFAULT_CONNECTION = "cloudflare"
# A Pulumi config namespace: what `pulumi config set NAME:apiToken` accepts before the colon.
CONNECTION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
# Namespaces that hold other settings: a connection of that name would read them as credentials.
RESERVED_NAMESPACES = frozenset({"zt-risk-scoring", "pulumi"})

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
    # Where the base URL is set, as messages name it (a named connection's `NAME:baseUrl`).
    base_url_source: str = "cloudflare:baseUrl / CLOUDFLARE_BASE_URL"

    def auth_headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        return {"X-Auth-Email": self.email or "", "X-Auth-Key": self.api_key or ""}

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.token, self.api_key) if s)


def connection_problem(value: object) -> str | None:
    """Why `value` cannot name a connection (a stack config namespace), or None."""
    if isinstance(value, str) and CONNECTION_NAME.fullmatch(value) and value not in RESERVED_NAMESPACES:
        return None
    return (
        "connection must name a stack config namespace holding apiToken (or apiKey and email), accountId and "
        f"baseUrl, such as \"prod\" for prod:apiToken (default \"{DEFAULT_CONNECTION}\"; not "
        f"{' or '.join(sorted(RESERVED_NAMESPACES))}), got {printable(value)}"
    )


def keys_of(keys: Keys, connection: str = DEFAULT_CONNECTION) -> Keys:
    """The keys of the setting `keys` (the default connection's) in `connection`."""
    if connection == DEFAULT_CONNECTION or not keys[0].startswith(f"{DEFAULT_CONNECTION}:"):
        return keys
    return (f"{connection}:{keys[0].partition(':')[2]}", None)


def named(keys: Keys) -> str:
    """How messages name a setting: `cloudflare:apiToken / CLOUDFLARE_API_TOKEN`, or `prod:apiToken`."""
    return keys[0] if keys[1] is None else f"{keys[0]} / {keys[1]}"


def _pick(lookup: Lookup, env: Mapping[str, str], keys: Keys) -> str | None:
    value = lookup(keys[0])
    if value in (None, "") and keys[1] is not None:
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


def _credential(lookup: Lookup, env: Mapping[str, str], keys: Keys) -> str | None:
    """A credential setting, refused (never echoed) when it cannot be an HTTP header value."""
    value = _pick(lookup, env, keys)
    if value is not None and not VISIBLE_ASCII.fullmatch(value):
        raise ConfigurationError(
            f"{named(keys)} cannot be sent in an HTTP header: it contains {_unfit_character(value)}; "
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
        return (
            "must not carry credentials (user:password@); set the token as the connection's apiToken instead "
            "(cloudflare:apiToken / CLOUDFLARE_API_TOKEN, or NAME:apiToken)"
        )
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


def _base_url(lookup: Lookup, env: Mapping[str, str], connection: str) -> str:
    keys = keys_of(BASE_URL, connection)
    url = (_pick(lookup, env, keys) or DEFAULT_BASE_URL).rstrip("/")
    problem = base_url_problem(url)
    if problem:
        raise ConfigurationError(f"{named(keys)} {redacted_url(url)} {problem}")
    return url


def _seconds(lookup: Lookup, env: Mapping[str, str], keys: Keys, default: str, most: float) -> float:
    text = _pick(lookup, env, keys) or default
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= most:
        raise ConfigurationError(f"{keys[0]} / {keys[1]} must be seconds in (0, {most:g}], got {printable(text)}")
    return seconds


def _source(lookup: Lookup, token: str | None, connection: str) -> str:
    """Which setting the credential in use came from (config wins over the environment, as _pick reads them)."""
    keys = keys_of(TOKEN if token else API_KEY, connection)
    return keys[0] if lookup(keys[0]) or keys[1] is None else keys[1]


def _credentials(
    lookup: Lookup, env: Mapping[str, str], connection: str
) -> tuple[str | None, str | None, str | None]:
    """The one credential in use, as (token, email, api_key); errors say which setting to fix."""
    token_keys, key_keys, email_keys = (keys_of(k, connection) for k in (TOKEN, API_KEY, EMAIL))
    token = _credential(lookup, env, token_keys)
    api_key, email = _credential(lookup, env, key_keys), _credential(lookup, env, email_keys)
    if token and api_key:
        raise ConfigurationError(
            f"both an API token and a global API key are set; keep one: unset {named(key_keys)}, or {named(token_keys)}"
        )
    if token:
        return token, None, None
    if api_key and email:
        return None, email, api_key
    if api_key:
        set_email = f"`pulumi config set {email_keys[0]} …`" + (f" or export {email_keys[1]}" if email_keys[1] else "")
        raise ConfigurationError(f"a global API key needs its email: {set_email}")
    if connection != DEFAULT_CONNECTION:
        fix, where = connection_credential_fix(connection), f" for connection {connection!r}"
        raise ConfigurationError(missing_credentials(fix, where))
    raise ConfigurationError(missing_credentials())


# How a program's user sets the credential; the operator CLI says its own (cli/sources.py).
PROGRAM_CREDENTIAL_FIX = (
    "run `pulumi config set --secret cloudflare:apiToken …` or export CLOUDFLARE_API_TOKEN "
    "(or cloudflare:apiKey + cloudflare:email)"
)


def connection_credential_fix(connection: str) -> str:
    """How a program's user sets a named connection's credential (its namespace only, never a variable)."""
    return (
        f"run `pulumi config set --secret {connection}:apiToken …` (or {connection}:apiKey + {connection}:email); "
        "a named connection reads only its own stack config, never the CLOUDFLARE_* variables"
    )


def other_account(account: str, connection: str, own: str) -> str:
    """The one message for an account_id that is not its named connection's (`own`, from NAME:accountId)."""
    return (
        f"account_id {account} is not the account of connection {connection!r} ({connection}:accountId is {own}): "
        f"pass account_id={own}, or name the connection of account {account}, or change {connection}:accountId"
    )


def missing_credentials(fix: str = PROGRAM_CREDENTIAL_FIX, where: str = "") -> str:
    """The one message for no credential at all: `where` says where none was found, `fix` how to set one."""
    return f"no Cloudflare credentials{where}: {fix}"


def has_credential(
    lookup: Lookup, env: Mapping[str, str] | None = None, connection: str = DEFAULT_CONNECTION
) -> bool:
    """Whether a token or a global API key is set for `connection` (valid or not)."""
    env = os.environ if env is None else env
    return any(_pick(lookup, env, keys_of(keys, connection)) for keys in (TOKEN, API_KEY))


def resolve_settings(
    lookup: Lookup, env: Mapping[str, str] | None = None, connection: str = DEFAULT_CONNECTION
) -> Settings:
    """The settings of `connection` from stack config (`lookup`), the default one's with environment
    fallback; errors name the key to set."""
    env = os.environ if env is None else env
    problem = connection_problem(connection)
    if problem:
        raise ConfigurationError(problem)
    token, email, api_key = _credentials(lookup, env, connection)
    return Settings(
        base_url=_base_url(lookup, env, connection),
        token=token,
        email=email,
        api_key=api_key,
        read_timeout=_seconds(lookup, env, TIMEOUT, "30", 600),
        deadline=_seconds(lookup, env, DEADLINE, "180", 3600),
        credential_in_config=bool(lookup(keys_of(TOKEN, connection)[0]) or lookup(keys_of(API_KEY, connection)[0])),
        credential_source=_source(lookup, token, connection),
        base_url_source=named(keys_of(BASE_URL, connection)),
    )


def default_account_id(
    lookup: Lookup, env: Mapping[str, str] | None = None, connection: str = DEFAULT_CONNECTION
) -> str | None:
    """The account id of `connection`: `cloudflare:accountId` or CLOUDFLARE_ACCOUNT_ID, or `NAME:accountId`."""
    return _pick(lookup, os.environ if env is None else env, keys_of(ACCOUNT_ID, connection))


def account_id_problem(value: object, given_by: str = "pass account_id=…") -> str | None:
    """Why `value` is not a Cloudflare account id, or None when it is one (`given_by`: how the caller gives one)."""
    if not isinstance(value, str) or not value:
        return (
            f"account_id is required: {given_by}, or set cloudflare:accountId / export CLOUDFLARE_ACCOUNT_ID "
            "(for connection=NAME: NAME:accountId)"
        )
    return id_problem("account_id", value)
