"""Names the exports give resources: the ones a person would pick, unique within a stack."""

from __future__ import annotations

import re


def resource_name(tenant_url: str) -> str:
    """A name a person would pick for an integration: its tenant host with dots as dashes."""
    host = tenant_url.split("://", 1)[-1].split("/", 1)[0].lower()
    return re.sub(r"[^a-z0-9]+", "-", host).strip("-") or "integration"


def unique(name: str, taken: set[str]) -> str:
    chosen, n = name, 2
    while chosen in taken:
        chosen, n = f"{name}-{n}", n + 1
    taken.add(chosen)
    return chosen
