"""Fault injection: added latency, given statuses, gateway answers, dropped or delayed responses."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.urls import iri_to_uri

from .exceptions import ValidationError
from .urls import OPERATIONS

MODES = ("status", "drop", "drop_after_write", "delay", "trickle", "redirect", "html")
# Modes that answer in place of the API, without running the operation.
ANSWERING_MODES = frozenset({"status", "drop", "redirect", "html"})
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
RULE_KEYS = frozenset(
    {"mode", "status", "count", "rate", "retry_after", "delay_s", "methods", "operations", "location"}
)
PLAN_KEYS = frozenset({"latency_ms", "rules", "seed"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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
    location: str | None = None

    @classmethod
    def from_json(cls, raw: Any) -> FaultRule:
        """A rule from its JSON form; a malformed one raises ValidationError naming the bad field."""
        if not isinstance(raw, Mapping):
            raise ValidationError("each fault rule must be a JSON object")
        unknown = sorted(set(raw) - RULE_KEYS)
        if unknown:
            raise ValidationError(
                f"unknown fault rule field {', '.join(unknown)}; known: {', '.join(sorted(RULE_KEYS))}"
            )
        mode = raw.get("mode", "status")
        if mode not in MODES:
            raise ValidationError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        rate = _number(raw, "rate", 0.0, 1.0)
        # A rate alone applies for ever; with a count it also stops after `count` firings. An
        # explicit null count never runs out.
        count = _integer(raw, "count", 0) if "count" in raw else None if rate is not None else 1
        return cls(
            mode=mode,
            status=_status(raw, mode),
            count=count,
            rate=rate,
            retry_after=_integer(raw, "retry_after", 0),
            delay_s=_number(raw, "delay_s", 0.0, 600.0) or 0.0,
            methods=_names(raw, "methods", METHODS, str.upper),
            operations=_names(raw, "operations", frozenset(OPERATIONS), str),
            location=_location(raw, mode),
        )

    def matches(self, operation: str, method: str) -> bool:
        return (self.methods is None or method in self.methods) and (
            self.operations is None or operation in self.operations
        )


def _integer(raw: Mapping[str, Any], name: str, low: int) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ValidationError(f"{name} must be an integer >= {low}, got {value!r}")
    return value


def _number(raw: Mapping[str, Any], name: str, low: float, high: float) -> float | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def _status(raw: Mapping[str, Any], mode: str) -> int:
    default = 302 if mode == "redirect" else 404 if mode == "html" else 503
    value = raw.get("status", default)
    if mode == "redirect":
        if value not in REDIRECT_STATUSES or isinstance(value, bool):
            raise ValidationError(f"a redirect's status must be one of {REDIRECT_STATUSES}, got {value!r}")
        return int(value)
    # An error envelope needs an error status; a gateway's HTML page may also be a 200 (a captive portal).
    low = 400 if mode == "status" else 200
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 599:
        raise ValidationError(f"status must be an HTTP status from {low} to 599 for mode {mode}, got {value!r}")
    return value


def _names(
    raw: Mapping[str, Any], name: str, known: frozenset[str], normalise: Callable[[str], str]
) -> frozenset[str] | None:
    value = raw.get(name)
    if not value:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"{name} must be a list of strings, got {value!r}")
    names = frozenset(normalise(v) for v in value)
    unknown = sorted(names - known)
    if unknown:
        raise ValidationError(f"unknown {name} {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return names


def _location(raw: Mapping[str, Any], mode: str) -> str | None:
    value = raw.get("location")
    if mode != "redirect":
        if value is not None:
            raise ValidationError(f"location applies to mode redirect only, not {mode}")
        return None
    # A header value cannot hold a line break; one would let the rule inject headers.
    problem = ValidationError(f"a redirect needs a location URL (one line), got {value!r}")
    if not isinstance(value, str) or not value or any(c in value for c in "\r\n\0"):
        raise problem
    try:
        # What the response will do to it: a location it cannot convert (a bad [IPv6] host or port, a label
        # IDNA refuses) would make every request the rule matches a 500.
        iri_to_uri(value)
    except ValueError as exc:
        raise problem from exc
    return value


class FaultPlan:
    """The active faults; thread-safe, seeded so a rate gives the same sequence every run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.latency_s = 0.0
        self._rules: list[FaultRule] = []
        self._rng = random.Random(0)

    def configure(self, raw: Any) -> None:
        """Add rules and set latency; validates everything before changing anything."""
        if not isinstance(raw, Mapping):
            raise ValidationError("the faults body must be a JSON object")
        unknown = sorted(set(raw) - PLAN_KEYS)
        if unknown:
            raise ValidationError(f"unknown faults field {', '.join(unknown)}; known: {', '.join(sorted(PLAN_KEYS))}")
        rules_raw = raw.get("rules", [])
        if not isinstance(rules_raw, list):
            raise ValidationError("rules must be a list of fault rules")
        rules = [FaultRule.from_json(r) for r in rules_raw]
        latency_ms = _number(raw, "latency_ms", 0.0, 600_000.0)
        seed = _integer(raw, "seed", 0)
        with self._lock:
            if latency_ms is not None:
                self.latency_s = latency_ms / 1000.0
            self._rules.extend(rules)
            self._rng = random.Random(seed or 0)

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
                "rules": [
                    {"mode": r.mode, "status": r.status, "count": r.count, "rate": r.rate, "location": r.location}
                    for r in self._rules
                ],
            }
