"""The credentials one zt-risk run has seen, and text with each of them replaced by ***."""

from __future__ import annotations

from collections.abc import Iterable

from ..text import redact


class Redactor:
    """Collects the credentials as the command learns them (environment, stack config) and redacts text of them."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        self._secrets += [s for s in secrets if s and s not in self._secrets]

    def __call__(self, text: str) -> str:
        return redact(text, self._secrets)
