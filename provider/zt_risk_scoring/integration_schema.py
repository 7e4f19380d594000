"""RiskIntegration's field table, and the rules of its values: the tenant URL, the type, what delete does."""

from __future__ import annotations

import re
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .config import redacted_url
from .fields import Field, Fields, account_field, boolean, connection_field, validator
from .ids import VISIBLE_ASCII, id_problem, split_url
from .models import ACTIVE, OKTA
from .text import printable

# A DNS name in ASCII (an IDN in its xn-- form): what Okta gives a tenant.
HOSTNAME = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")
EXAMPLE_TENANT = "https://example.okta.com"
ON_DELETE = ("restore", "delete", "retain")
# What an integration's writes set, and so what `written` and `prior` hold.
MANAGED = ("tenant_url", "reference_id", "active")
# Kept in state beside the fields: whether this resource generated its reference_id (then an integration
# found with it is its own earlier attempt).
GENERATED = "reference_generated"
# In the inputs of an entry `zt-risk export --import-file` writes: the id the entry imports, so that the
# import, and the previews until the next `up`, check it against the account (the engine reads nothing).
IMPORTED = "imported_id"


def ascii_url(value: str) -> str | None:
    """`value` with an international host name in its xn-- form (a host the API may spell in Unicode);
    None when that host is no valid international name. An ASCII value is returned as it is."""
    if value.isascii():
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        ascii_host = host.encode("idna").decode("ascii") if host else host
    except (UnicodeError, ValueError):
        return None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    _, colon, port = hostport.rpartition(":")
    netloc = userinfo + at + ascii_host + (colon + port if colon else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def tenant_url_problem(value: Any) -> str | None:
    """Why `value` is not an Okta tenant base URL, or None; never raises, never shows a password it carries."""
    if not isinstance(value, str):
        return f"tenant_url must be a string such as {EXAMPLE_TENANT}, got {printable(value)}"
    shown = redacted_url(value)
    converted = ascii_url(value)
    if converted is None:
        return f"tenant_url's host is not a valid international domain name, got {shown}"
    if not VISIBLE_ASCII.fullmatch(converted):
        return (
            "tenant_url must have no spaces or control characters, and non-ASCII letters only in its host name, "
            f"got {shown}"
        )
    try:
        parts = split_url(converted)
    except ValueError as exc:
        return f"tenant_url is not a valid URL ({exc}), got {shown}"
    if "@" in parts.netloc:  # user@, user:password@, :password@ and a bare @ alike
        return f"tenant_url must not carry credentials (user@ or user:password@), got {shown}"
    if parts.scheme != "https":
        return f"tenant_url must be an https URL such as {EXAMPLE_TENANT}, got {shown}"
    if not HOSTNAME.fullmatch((parts.hostname or "").removesuffix(".")):
        return f"tenant_url's host must be a DNS name such as example.okta.com, got {shown}"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"tenant_url must be the tenant's base URL with no path, query or fragment, got {shown}"
    return None


def normalize_tenant_url(value: str) -> str:
    """The tenant URL as check stores it: scheme and host (lower case, xn-- form, no trailing dot), a port
    only when not https's own (`:443` and `:0443` name the same tenant as none), no trailing slash."""
    parts = urlsplit(ascii_url(value) or value)
    port = "" if parts.port in (None, 443) else f":{parts.port}"
    return f"https://{(parts.hostname or '').lower().removesuffix('.')}{port}"


def integration_type_problem(value: Any) -> str | None:
    if isinstance(value, str) and value.lower() == "okta":
        return None
    return f"integration_type must be Okta (the only type Cloudflare supports), got {printable(value)}"


def on_delete_problem(value: Any) -> str | None:
    if value in ON_DELETE:
        return None
    return f"on_delete must be one of {', '.join(ON_DELETE)}, got {printable(value)}"


# The one table of RiskIntegration's fields: check, diff, read, the stack program's item
# keys, `zt-risk export` and the table in docs/resources.md derive from it.
FIELDS = Fields(
    account_field("the account"),
    Field(
        "tenant_url",
        validator(tenant_url_problem, normalize_tenant_url),
        config_key="tenantUrl",
        api="tenant_url",
        doc="the Okta tenant's https base URL (stored lower-case, xn-- form, no trailing slash or dot)",
        conceal=lambda value: isinstance(value, str) and "@" in value,  # user:password@ stays unprinted
    ),
    Field(
        "reference_id",
        validator(partial(id_problem, "reference_id")),
        optional=True,
        config_key="referenceId",
        api="reference_id",
        doc="the Access Okta identity provider's id; derived from stack, name, account and tenant when omitted",
    ),
    Field("active", boolean("active"), default=ACTIVE, config_key="active", api="active", doc="sharing on or off"),
    Field(
        "integration_type",
        validator(integration_type_problem, lambda _: OKTA),
        default=OKTA,
        change="replace",
        config_key="integrationType",
        api="integration_type",
        doc="the only type Cloudflare supports",
    ),
    Field(
        "integration_id",
        validator(partial(id_problem, "integration_id")),
        change="none",
        optional=True,
        sparse=True,
        config_key="integrationId",
        api="id",
        doc="adopt this existing integration instead of creating one",
    ),
    Field(
        "adopt",
        boolean("adopt"),
        default=False,
        change="none",
        optional=True,
        sparse=True,
        config_key="adopt",
        doc="adopt the integration that has this reference_id, if there is one",
    ),
    Field(
        "on_delete",
        validator(on_delete_problem),
        default="restore",
        config_key="onDelete",
        doc="on destroy: `restore` (delete one this stack created; give one it adopted back its earlier "
        "values), `delete`, or `retain`",
    ),
    connection_field(),
    Field("well_known_url", output_only=True, api="well_known_url", doc="the SSF configuration URL to give Okta"),
    Field("account_tag", output_only=True, api="account_tag", doc="the account, as the API reports it"),
    Field("created_at", output_only=True, api="created_at", doc="when Cloudflare created it"),
    Field(
        "prior",
        output_only=True,
        doc="tenant_url, reference_id and active when this stack adopted it; {} if it created it",
    ),
    Field("written", output_only=True, doc="tenant_url, reference_id and active as this stack last set them"),
)
