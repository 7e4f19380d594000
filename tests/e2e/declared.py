"""Stacks of the declared program (programs/declared.py): each test writes the resources it registers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness import PulumiStack

PROGRAM = Path(__file__).resolve().parent / "programs" / "declared.py"
TENANT = "https://corp.okta.com"
CHOSEN = "idp-corp-7"
URN_NAME = "corp"


class Declared(PulumiStack):
    """A stack of the declared program: `declare` writes the resources it registers."""

    def declare(self, *items: dict[str, Any]) -> None:
        (self.project / "stacks" / "declared.json").write_text(json.dumps(list(items)))

    def urn(self, name: str) -> str:
        return next(r["urn"] for r in self.resources() if r["urn"].endswith(f"::{name}"))

    def integrations(self) -> list[dict[str, Any]]:
        return [r for r in self.resources() if r["type"].endswith("RiskIntegration")]


def integration(name: str = URN_NAME, opts: dict[str, Any] | None = None, **args: Any) -> dict[str, Any]:
    return {"kind": "integration", "name": name, "args": {"tenant_url": TENANT, **args}, "opts": opts or {}}


def behaviors(name: str, **args: Any) -> dict[str, Any]:
    return {"kind": "behaviors", "name": name, "args": args}


def listed(name: str = "listed") -> dict[str, Any]:
    """An output of the ids `list_integrations()` finds."""
    return {"kind": "listed", "name": name}
