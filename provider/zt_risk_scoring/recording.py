"""Transcripts of API exchanges (ZT_RISK_RECORD=DIR): one JSON line per request, credentials and identities redacted.

Switched on by an environment variable because the providers run inside the Pulumi engine's own
processes, which only the environment reaches. Each process appends to a file of its own, so that
no two processes share a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

from .config import Settings
from .ids import UUID
from .text import redact

ENV = "ZT_RISK_RECORD"
ACCOUNT = "<account_id>"
EMAIL = "<email>"
NAME = "<name>"
# A user's routes are the only ones whose segment after zt_risk_scoring/ is an id (see the API's routes).
_USER_PATH = re.compile(rf"/zt_risk_scoring/({UUID.pattern})(?:/reset)?$")
_EMAIL_TEXT = re.compile(r"[^\s@\"'<>(),;:]+@[^\s@\"'<>(),;:]+\.[A-Za-z]{2,}")
# Response headers worth keeping: what the body is, and how long a rate limit asks to wait.
KEPT_HEADERS = ("Content-Type", "Retry-After")
_lock = threading.Lock()


def user_placeholder(user_id: str) -> str:
    """A stable stand-in for a user id: the same in every file of a run, and not reversible."""
    return f"<user:{hashlib.sha256(user_id.lower().encode()).hexdigest()[:12]}>"


def record(settings: Settings, account_id: str, response: requests.Response, body: Any, started: float) -> None:
    """Append one exchange to this process's transcript under $ZT_RISK_RECORD; nothing when it is unset."""
    directory = os.environ.get(ENV)
    if not directory:
        return
    line = json.dumps(redacted(_entry(settings, response, body, started), settings, account_id), sort_keys=True)
    target = Path(directory)
    try:
        with _lock:
            target.mkdir(parents=True, exist_ok=True)
            with (target / f"{os.getpid()}.jsonl").open("a", encoding="utf-8") as out:
                out.write(line + "\n")
    except OSError as exc:  # the request is done: a transcript that cannot be written must not fail it
        sys.stderr.write(f"zt-risk-scoring: {ENV}={directory!r}: cannot write the transcript ({exc.strerror})\n")


def _entry(settings: Settings, response: requests.Response, body: Any, started: float) -> dict[str, Any]:
    """One exchange as a transcript line holds it, before redaction."""
    request = response.request
    url, base = str(request.url or ""), settings.base_url
    try:
        answer: Any = response.json()
    except ValueError:
        # Redacted before it is cut: a credential echoed across the cut would keep its first half.
        answer = {"<not json>": redact(response.text, settings.secrets())[:2000]}
    # The client's own retries (429, 503, lost connections) happen below requests: each is a request sent too.
    retries = getattr(getattr(response.raw, "retries", None), "history", ())
    return {
        "at": started,
        "attempts": 1 + len(retries),
        "elapsed_s": round(time.time() - started, 4),
        "pid": os.getpid(),
        "method": request.method,
        "path": url[len(base) :] if url.startswith(base) else url,
        "request": body,
        "status": response.status_code,
        "headers": {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers},
        "response": answer,
    }


def redacted(entry: dict[str, Any], settings: Settings, account_id: str) -> Any:
    """`entry` with the credentials, the account id, emails, user names and user ids replaced by placeholders."""
    users = set(_USER_PATH.findall(str(entry.get("path", "")).split("?", 1)[0]))
    users |= _user_ids(entry.get("response"))
    secrets = settings.secrets()
    is_user_answer = bool(users) or str(entry.get("path", "")).endswith("/summary")

    def scrub(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: scrub(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v, key) for v in value]
        if not isinstance(value, str):
            return value
        if is_user_answer and key == "name":
            return NAME
        text = redact(value, secrets)
        if settings.email:
            text = text.replace(settings.email, EMAIL)
        text = _EMAIL_TEXT.sub(EMAIL, text.replace(account_id, ACCOUNT))
        for user in users:
            text = re.sub(re.escape(user), user_placeholder(user), text, flags=re.IGNORECASE)
        return text

    return scrub(entry)


def _user_ids(value: Any) -> set[str]:
    """Every value of a `user_id` key in an answer (the summary's users)."""
    if isinstance(value, dict):
        found = {v for k, v in value.items() if k == "user_id" and isinstance(v, str)}
        return found.union(*(_user_ids(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_user_ids(v) for v in value))
    return set()
