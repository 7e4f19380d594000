"""Who may call what: API tokens with permission sets and accounts, global API keys, and the accounts without the
feature."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .exceptions import Forbidden, InvalidCredentials, MalformedAuthorization, MissingCredentials, NotEntitled

ALL = frozenset({"read", "write", "pii"})
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
PERMISSION_NAMES = {"read": "Zero Trust Read", "write": "Zero Trust Write", "pii": "Zero Trust PII Read"}


@dataclass(frozen=True)
class Grant:
    """What one credential may do; `accounts=None` means every account the emulator serves."""

    permissions: frozenset[str] = ALL
    accounts: frozenset[str] | None = None


def parse_token(spec: str) -> tuple[str, Grant]:
    """`TOKEN[:read,write,pii][@ACCOUNT]` → (token, grant)."""
    spec, _, account = spec.partition("@")
    token, _, perms = spec.partition(":")
    permissions = frozenset(p.strip() for p in perms.split(",") if p.strip()) or ALL
    unknown = permissions - ALL
    # The message never repeats the token: it is a credential, and it may end up in a CI log.
    if not token:
        raise ValueError("bad --token: the token is empty; use TOKEN[:read,write,pii][@ACCOUNT]")
    if not _HEADER_SAFE.fullmatch(token):
        # No client can send it: an Authorization header carries visible ASCII only.
        raise ValueError("bad --token: a token is visible ASCII (no spaces or control characters)")
    if unknown:
        raise ValueError(
            f"bad --token: unknown permission {', '.join(sorted(unknown))}; use TOKEN[:read,write,pii][@ACCOUNT]"
        )
    return token, Grant(permissions, frozenset({account}) if account else None)


def parse_api_key(spec: str) -> tuple[tuple[str, str], Grant]:
    """`EMAIL:KEY` → ((email, key), a grant of everything)."""
    email, _, key = spec.partition(":")
    if not email or not key:
        raise ValueError("bad --api-key: use EMAIL:KEY")
    return (email, key), Grant(ALL)


class Credentials:
    """The emulator's credential table; checks never reveal a credential in their messages."""

    def __init__(
        self,
        tokens: Mapping[str, Grant],
        keys: Mapping[tuple[str, str], Grant],
        accounts: Iterable[str],
        unentitled: Iterable[str] = (),
    ) -> None:
        self.tokens = dict(tokens)
        self.keys = dict(keys)
        # In the order given: the first is the default account of the control plane.
        self.accounts = tuple(dict.fromkeys(accounts))
        # Accounts without the feature: a credential that may call them still gets 403/3314 (reported, not recorded).
        self.unentitled = frozenset(unentitled)

    def revoke(self, token: str) -> bool:
        return self.tokens.pop(token, None) is not None

    def authorize(self, headers: Any, account: str, permission: str) -> None:
        grant = self._grant(headers)
        if account not in self.accounts or (grant.accounts is not None and account not in grant.accounts):
            raise Forbidden(f"Authentication error: the credential has no access to account {account}")
        # Write implies read, as Cloudflare's Zero Trust Write group does.
        held = grant.permissions | ({"read"} if "write" in grant.permissions else set())
        if permission not in held:
            raise Forbidden(f"Authentication error: this operation requires {PERMISSION_NAMES[permission]}")
        if account in self.unentitled:
            raise NotEntitled()

    def _grant(self, headers: Any) -> Grant:
        auth = headers.get("Authorization", "")
        email, key = headers.get("X-Auth-Email", ""), headers.get("X-Auth-Key", "")
        if auth:
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer" or not _HEADER_SAFE.fullmatch(token.strip()):
                raise MalformedAuthorization()  # not `Bearer <token>`: Cloudflare answers 400/6003 (6111)
            grant = self.tokens.get(token.strip())
        elif email and key:
            grant = self.keys.get((email, key))
        else:
            raise MissingCredentials()
        if grant is None:
            raise InvalidCredentials()
        return grant
