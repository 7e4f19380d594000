"""Text from outside as a message shows it: hidden characters escaped, long text cut, credentials redacted."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

SHOWN_MAX = 200
# Control, format (bidi overrides), separator, private-use and unassigned characters: what can move a
# terminal's cursor, recolour it or reorder the text a person reads.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def printable(value: object, limit: int = SHOWN_MAX, *, quote: bool = True) -> str:
    """`value` for a message: hidden characters escaped (\\x1b, \\u202e), long text cut, quoted.

    Values from outside (URLs, ids, API answers) go through this before they reach a terminal or log.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # the engine sends a program's 123 as 123.0: show what the user wrote
    text = value if isinstance(value, str) else str(value)
    shown = "".join(
        char.encode("unicode_escape").decode("ascii") if unicodedata.category(char) in _HIDDEN else char
        for char in text[: limit + 1]
    )
    if len(shown) > limit:
        shown = shown[: limit - 3] + "..."
    return f"'{shown}'" if quote else shown


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every known secret, also as repr/JSON/escaped/URL-quoted text would show it, replaced by ***."""
    forms: set[str] = set()
    for secret in secrets:
        forms |= {
            secret,
            repr(secret)[1:-1],
            json.dumps(secret)[1:-1],
            secret.encode("unicode_escape").decode("ascii"),
            repr(secret.encode("utf-8", "surrogatepass"))[2:-1],
            quote(secret, safe=""),
        }
        # A secret with a line break can surface one line at a time (one header line, one log line).
        forms |= {line for line in secret.splitlines() if len(line.strip()) >= 4}
    for form in sorted(forms, key=len, reverse=True):
        if form:
            text = text.replace(form, "***")
    return text
