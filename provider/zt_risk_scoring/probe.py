"""Settling the API's open points against a live account: what `zt-risk probe` observes, one finding per point.

Each point is one the emulator serves as a switch (docs/emulator.md, "Open points as switches"), named the same
so that the findings can be handed to `zt-risk emulator serve --variants-file`. The probe reads, and makes one
throwaway integration (two where the API takes a reference_id twice) that it deletes before it ends, whatever
happens; the behaviors are written only with `write_behaviors` (each key put back as read) and a user is reset
only when named.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .client import READ, WRITE, RiskScoringClient
from .errors import BadRequest, ConfigurationError, Conflict, EndpointError, PermissionDenied, RiskScoringError
from .ids import segment
from .text import printable
from .transport import check_base_url

TENANT_URL = "https://zt-risk-probe.okta.com"  # the throwaway's: an Okta tenant name nobody has a reason to own
PREFIX = "zt-risk-probe-"  # `zt-risk sweep --reference-prefix zt-risk-probe-` finds what a killed probe left
UNKNOWN_KEY = "zt_risk_probe_unknown"
POINTS = (
    "reference_id_unique",
    "reference_id_case",
    "behaviors_put_answer",
    "behaviors_put_unsent",
    "behaviors_put_unknown",
    "integration_type_case",
    "integration_put_without_reference",
    "delete_result",
    "last_reset_time",
    "list_result_info",
    "reset_events",
)


@dataclass(frozen=True)
class Finding:
    """One open point: the value observed (None: not settled) and what showed it, or why it could not be."""

    name: str
    value: str | None
    how: str

    def line(self) -> str:
        if self.value is None:
            return f"{self.name}: not settled ({self.how})"
        return f"{self.name}={self.value}  ({self.how})"


def probe(
    client: RiskScoringClient,
    tenant_url: str,
    *,
    write_behaviors: bool = False,
    reset_user: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Finding]:
    """Every open point, in POINTS' order, settled where this account and these permissions allow."""
    found = {f.name: f for f in _integration_points(client, tenant_url, progress)}
    found.update((f.name, f) for f in _behavior_points(client, write_behaviors, progress))
    found.update((f.name, f) for f in _user_points(client, reset_user, progress))
    return [found[name] for name in POINTS]


def _raw(client: RiskScoringClient, method: str, path: str, body: Any = None, *, whole: bool = False) -> Any:
    permission = READ if method == "GET" else WRITE
    return client.transport.call(method, path, body, permission=permission, whole=whole)


def _made(client: RiskScoringClient, body: dict[str, Any]) -> dict[str, Any]:
    """POST an integration: its answer, an object with a string id (else an error, as any odd answer is)."""
    answer = _raw(client, "POST", "integrations", body)
    if not (isinstance(answer, dict) and isinstance(answer.get("id"), str)):
        raise EndpointError(
            f"the answer to a create has no integration id: {printable(str(answer)[:200])}",
            method="POST",
            path=client.transport.path("integrations"),
            hint=check_base_url(client.settings),
        )
    return answer


# integrations ---------------------------------------------------------------------------------------------------
def _integration_points(client: RiskScoringClient, tenant_url: str, progress: Callable[[str], None]) -> list[Finding]:
    reference = _throwaway_reference()
    findings: list[Finding] = []
    with _throwaway(client, reference, findings, progress) as ids:
        progress(f"creating a throwaway integration, reference_id {reference}")
        made, type_case = _create(client, tenant_url, reference)
        ids.append(made["id"])
        findings += [type_case, _case(client, reference), _unique(client, tenant_url, reference, ids)]
        findings.append(_put_without_reference(client, made["id"], tenant_url, reference))
        findings.append(_result_info(client))
    return findings


def _throwaway_reference() -> str:
    """A reference_id of PREFIX and random hex with a letter in it (so that its upper case differs)."""
    while True:
        tail = uuid.uuid4().hex
        if any(c.isalpha() for c in tail):
            return PREFIX + tail


@contextmanager
def _throwaway(
    client: RiskScoringClient, reference: str, findings: list[Finding], progress: Callable[[str], None]
) -> Iterator[list[str]]:
    """Yields the list the steps add the ids they made to. Whatever happens inside, those and every integration
    of `reference` (any case: a create whose answer was lost) are deleted at the end: the first delete's answer
    settles delete_result; one that cannot be deleted is an error naming it."""
    made: list[str] = []
    try:
        yield made
    finally:
        listed = [r.get("id") for r in client.list_integrations_as_given() if _is(r.get("reference_id"), reference)]
        left: list[str] = []
        for n, integration_id in enumerate(dict.fromkeys([*made, *map(str, listed)])):
            progress(f"deleting throwaway integration {integration_id}")
            try:
                answer = _raw(client, "DELETE", f"integrations/{segment('integration_id', integration_id)}")
            except RiskScoringError:
                left.append(integration_id)
                continue
            if n == 0:
                findings.append(_delete_result(answer))
        if left:
            raise ConfigurationError(
                f"the probe could not delete its throwaway integration(s) {', '.join(left)} (reference_id "
                f"{reference}): delete them with `zt-risk sweep --reference-prefix {PREFIX} --yes`"
            )


def _is(value: Any, reference: str) -> bool:
    return isinstance(value, str) and value.lower() == reference


def _create(client: RiskScoringClient, tenant_url: str, reference: str) -> tuple[dict[str, Any], Finding]:
    """The throwaway, first asked for with integration_type 'okta' (settling integration_type_case)."""
    body = {"integration_type": "okta", "tenant_url": tenant_url, "reference_id": reference}
    try:
        made = _made(client, body)
        return made, Finding(
            "integration_type_case", "insensitive", f"'okta' accepted, answered as {made.get('integration_type')!r}"
        )
    except BadRequest as refused:
        made = _made(client, {**body, "integration_type": "Okta"})
        return made, Finding("integration_type_case", "exact", f"'okta' refused: {_first(refused)}; 'Okta' accepted")


def _case(client: RiskScoringClient, reference: str) -> Finding:
    found = client.find_integration_by_reference(reference.upper())
    if found is None:
        return Finding("reference_id_case", "sensitive", "the reference_id in upper case finds nothing")
    return Finding("reference_id_case", "insensitive", "the reference_id in upper case finds the integration")


def _unique(client: RiskScoringClient, tenant_url: str, reference: str, made: list[str]) -> Finding:
    body = {"integration_type": "Okta", "tenant_url": tenant_url, "reference_id": reference}
    try:
        made.append(_made(client, body)["id"])
    except (Conflict, BadRequest) as refused:
        return Finding("reference_id_unique", "true", f"a second POST of one reference_id: {_first(refused)}")
    return Finding("reference_id_unique", "false", "a second POST of one reference_id made a second integration")


def _put_without_reference(client: RiskScoringClient, made: str, tenant_url: str, reference: str) -> Finding:
    name, path = "integration_put_without_reference", f"integrations/{segment('integration_id', made)}"
    try:
        answer = _raw(client, "PUT", path, {"tenant_url": tenant_url, "active": True})
    except BadRequest as refused:
        return Finding(
            name, None, f"a PUT without reference_id was refused, an answer no switch has: {_first(refused)}"
        )
    kept = answer.get("reference_id") if isinstance(answer, dict) else None
    if kept == reference:
        return Finding(name, "keep", "a PUT without reference_id kept it")
    if not kept:
        return Finding(name, "clear", f"a PUT without reference_id left it {kept!r}")
    return Finding(name, "regenerate", "a PUT without reference_id gave it another")


def _result_info(client: RiskScoringClient) -> Finding:
    body = _raw(client, "GET", "integrations", whole=True)
    if isinstance(body, dict) and "result_info" in body:
        return Finding(
            "list_result_info", "present", f"the list answers result_info {sorted(body['result_info'] or {})}"
        )
    return Finding("list_result_info", "absent", "the list answers no result_info")


def _delete_result(answer: Any) -> Finding:
    if answer is None:
        return Finding("delete_result", "null", "a DELETE answers result null")
    if answer == {}:
        return Finding("delete_result", "empty", "a DELETE answers result {}")
    return Finding("delete_result", None, f"a DELETE answers a result no switch has: {printable(str(answer))}")


def _first(error: RiskScoringError) -> str:
    """The status and first Cloudflare code of a refusal (its message may quote what was sent)."""
    return f"HTTP {error.status}" + (f" code {error.errors[0].code}" if error.errors else "")


# behaviors ------------------------------------------------------------------------------------------------------
BEHAVIOR_POINTS = ("behaviors_put_answer", "behaviors_put_unsent", "behaviors_put_unknown")
Settings = dict[str, dict[str, Any]]


def _behavior_points(client: RiskScoringClient, write: bool, progress: Callable[[str], None]) -> list[Finding]:
    if not write:
        why = "pass --write-behaviors: settling it writes the behaviors, each put back as read"
        return [Finding(name, None, why) for name in BEHAVIOR_POINTS]
    before = _settings(_raw(client, "GET", "behaviors"))
    if len(before) < 2:
        return [Finding(name, None, "the account has fewer than two behaviors") for name in BEHAVIOR_POINTS]
    progress(f"writing the behaviors, then putting back the {len(before)} keys as read")
    try:
        return [*_answer_and_unsent(client, before), _unknown(client, before)]
    finally:
        _put_back(client, before)


def _settings(result: Any) -> Settings:
    """{key: {enabled, risk_level}} of a behaviors answer, each as sent back in a PUT."""
    found = result.get("behaviors") if isinstance(result, dict) else None
    if not isinstance(found, dict):
        raise ConfigurationError(f"the behaviors answer has no behaviors map: {printable(str(result)[:200])}")
    return {
        k: {"enabled": v.get("enabled"), "risk_level": v.get("risk_level")}
        for k, v in found.items()
        if isinstance(v, dict)
    }


def _answer_and_unsent(client: RiskScoringClient, before: Settings) -> list[Finding]:
    """A PUT of one key as it is: its answer's shape, and whether the other keys keep their values.

    Another key is first set (in a PUT of every key) to each value of `enabled` in turn: a key left out that
    goes back to a default differs from at least one of them."""
    one, other = sorted(before)[:2]
    answer: Any = None
    for enabled in (not before[other]["enabled"], before[other]["enabled"]):
        _raw(client, "PUT", "behaviors", {"behaviors": {**before, other: {**before[other], "enabled": enabled}}})
        answer = answer or _raw(client, "PUT", "behaviors", {"behaviors": {one: before[one]}})
        after = _settings(_raw(client, "GET", "behaviors"))
        if after.get(other, {}).get("enabled") != enabled:
            unsent = Finding("behaviors_put_unsent", "reset", f"{other} changed when a PUT left it out")
            break
    else:
        unsent = Finding("behaviors_put_unsent", "keep", f"{other} kept both values when a PUT left it out")
    return [_answer_shape(answer, one), unsent]


def _answer_shape(answer: Any, sent: str) -> Finding:
    name = "behaviors_put_answer"
    shown = answer.get("behaviors") if isinstance(answer, dict) else None
    if not isinstance(shown, dict) or sent not in shown:
        return Finding(name, None, f"a PUT answers a shape no switch has: {printable(str(answer)[:200])}")
    if set(shown) == {sent}:
        return Finding(name, "sent", "a PUT of one key answers that key only")
    if any(set(v) - {"enabled", "risk_level"} for v in shown.values() if isinstance(v, dict)):
        return Finding(name, "full", "a PUT of one key answers every behavior as a GET does")
    return Finding(name, "minimal", "a PUT of one key answers every key with enabled and risk_level only")


def _unknown(client: RiskScoringClient, before: Settings) -> Finding:
    body = {"behaviors": {**before, UNKNOWN_KEY: {"enabled": False, "risk_level": "low"}}}
    try:
        _raw(client, "PUT", "behaviors", body)
    except BadRequest as refused:
        return Finding("behaviors_put_unknown", "reject", f"a PUT with an unknown key: {_first(refused)}")
    return Finding("behaviors_put_unknown", "ignore", "a PUT with an unknown key was taken")


def _put_back(client: RiskScoringClient, before: Settings) -> None:
    """Every key as it was read before the probe wrote, checked; else an error listing what to set back."""
    failure: RiskScoringError | None = None
    try:
        _raw(client, "PUT", "behaviors", {"behaviors": before})
        after = _settings(_raw(client, "GET", "behaviors"))
    except RiskScoringError as exc:
        after, failure = {}, exc
    wrong = {k: v for k, v in before.items() if after.get(k) != v}
    if wrong:
        listed = ", ".join(f"{k}={v}" for k, v in sorted(wrong.items()))
        raise ConfigurationError(
            f"the probe could not put the behaviors back as it read them: set {listed} (zero trust dashboard, or "
            "PUT .../zt_risk_scoring/behaviors)"
        ) from failure


# users ----------------------------------------------------------------------------------------------------------
def _user_points(client: RiskScoringClient, reset_user: str | None, progress: Callable[[str], None]) -> list[Finding]:
    try:
        if reset_user is None:
            read = [_last_reset_time(client, [u.user_id for u in client.summary() if u.user_id][:5])]
            return [*read, Finding("reset_events", None, "pass --reset-user USER_ID: settling it resets that user")]
        read = [_last_reset_time(client, [reset_user])]
        progress(f"resetting user {reset_user}")
        return [*read, _reset_events(client, reset_user)]
    except PermissionDenied as refused:
        why = f"the credential may not read users' risk (Zero Trust PII Read): {_first(refused)}"
        return [Finding("last_reset_time", None, why), Finding("reset_events", None, why)]


def _user(client: RiskScoringClient, user_id: str) -> dict[str, Any]:
    found = _raw(client, "GET", segment("user_id", user_id))
    if not isinstance(found, dict):
        raise ConfigurationError(f"user {user_id}: the answer is not an object: {printable(str(found)[:200])}")
    return found


def _last_reset_time(client: RiskScoringClient, candidates: list[str]) -> Finding:
    name = "last_reset_time"
    if not candidates:
        return Finding(name, None, "no user with risk events to read (the summary is empty)")
    for user_id in candidates:
        found = _user(client, user_id)
        if name not in found:
            return Finding(name, "omitted", f"user {user_id}, never reset, has no last_reset_time")
        if found[name] is None:
            return Finding(name, "null", f"user {user_id}, never reset, has last_reset_time null")
    return Finding(name, None, f"each user read ({len(candidates)}) has been reset before")


def _reset_events(client: RiskScoringClient, user_id: str) -> Finding:
    events = _user(client, user_id).get("events") or []
    if not events:
        return Finding("reset_events", None, f"user {user_id} has no events for a reset to clear; not reset")
    _raw(client, "POST", f"{segment('user_id', user_id)}/reset")
    left = _user(client, user_id).get("events") or []
    if left:
        return Finding("reset_events", "keep", f"user {user_id}'s {len(left)} event(s) are still listed after a reset")
    return Finding("reset_events", "wipe", f"user {user_id}'s {len(events)} event(s) are gone after a reset")
