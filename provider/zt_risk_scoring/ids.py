"""The kinds of id this package puts into URL paths, each checked whole before it is sent."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, quote, urlsplit

from .errors import InvalidArgument
from .text import printable

# What can stand in an HTTP header or a URL unquoted: visible ASCII, nothing else (credentials, base and
# tenant URLs are checked against it before they are sent).
VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ACCOUNT = re.compile(r"[0-9a-f]{32}")
# A reference_id travels as one path segment (`integrations/reference_id/{ref}`): only RFC 3986
# unreserved characters survive every proxy and server unchanged, and a leading letter or digit
# rules out the dot segments (`.`, `..`) that clients and servers remove from paths.
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,254}")

KINDS: dict[str, tuple[re.Pattern[str], str]] = {
    "account_id": (ACCOUNT, "32 lowercase hex characters (the dashboard's Account ID)"),
    "integration_id": (UUID, "a UUID such as 4cfe8442-664b-4915-acd4-b39cd65c4314"),
    "user_id": (UUID, "a UUID such as f2108713-1206-4e84-8b80-0e71a6a1c67b"),
    "reference_id": (
        REFERENCE,
        "1 to 255 letters, digits, '-', '.', '_' or '~', starting with a letter or digit "
        "(it is sent as a URL path segment)",
    ),
}


def split_url(value: str) -> SplitResult:
    """`value` split into its parts; ValueError says why its port cannot be served on (base and tenant URLs)."""
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:  # its text quotes the "port", which may be a piece of a password (user:pa55/…@host)
        raise ValueError("the port is not a number from 1 to 65535") from None
    if port == 0:  # urlsplit accepts it; no server listens on port 0
        raise ValueError("port 0, where nothing can listen: give a port from 1 to 65535, or none")
    return parts


def id_problem(kind: str, value: object) -> str | None:
    """Why `value` is not a `kind` id the API can be addressed with, or None."""
    pattern, shape = KINDS[kind]
    if isinstance(value, str) and pattern.fullmatch(value):
        return None
    return f"{kind} must be {shape}, got {printable(value)}"


def segment(kind: str, value: object) -> str:
    """`value` as one URL path segment, refused (nothing sent) unless it is a well-formed `kind` id."""
    problem = id_problem(kind, value)
    if problem:
        raise InvalidArgument(problem)
    return quote(str(value), safe="")
