"""Fault injection: added latency, given statuses, dropped or delayed responses."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MODES = ("status", "drop", "drop_after_write", "delay")


@dataclass
class FaultRule:
    """Applies to the next `count` matching requests, or to a `rate` share of them."""

    mode: str = "status"
    status: int = 503
    count: int | None = 1
    rate: float | None = None
    retry_after: int | None = None
    delay_s: float = 0.0
    methods: frozenset[str] | None = None
    operations: frozenset[str] | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FaultRule:
        mode = str(raw.get("mode", "status"))
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        rate = raw.get("rate")
        return cls(
            mode=mode,
            status=int(raw.get("status", 503)),
            count=None if rate is not None and "count" not in raw else raw.get("count", 1),
            rate=None if rate is None else float(rate),
            retry_after=raw.get("retry_after"),
            delay_s=float(raw.get("delay_s", 0.0)),
            methods=frozenset(m.upper() for m in raw["methods"]) if raw.get("methods") else None,
            operations=frozenset(raw["operations"]) if raw.get("operations") else None,
        )

    def matches(self, operation: str, method: str) -> bool:
        return (self.methods is None or method in self.methods) and (
            self.operations is None or operation in self.operations
        )


class FaultPlan:
    """The active faults; thread-safe, seeded so a rate gives the same sequence every run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency_s = 0.0
        self._rules: list[FaultRule] = []
        self._rng = random.Random(0)

    def configure(self, raw: Mapping[str, Any]) -> None:
        rules = [FaultRule.from_json(r) for r in raw.get("rules", [])]
        with self._lock:
            if "latency_ms" in raw:
                self.latency_s = float(raw["latency_ms"]) / 1000.0
            self._rules.extend(rules)
            self._rng = random.Random(int(raw.get("seed", 0)))

    def clear(self) -> None:
        with self._lock:
            self.latency_s = 0.0
            self._rules.clear()

    def pick(self, operation: str, method: str) -> FaultRule | None:
        """The rule that fires for this request, consuming one of its count."""
        with self._lock:
            for rule in self._rules:
                if not rule.matches(operation, method):
                    continue
                if rule.rate is not None and self._rng.random() >= rule.rate:
                    continue
                if rule.count is not None:
                    if rule.count <= 0:
                        continue
                    rule.count -= 1
                return rule
        return None

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency_ms": self.latency_s * 1000.0,
                "rules": [{"mode": r.mode, "status": r.status, "count": r.count, "rate": r.rate} for r in self._rules],
            }
