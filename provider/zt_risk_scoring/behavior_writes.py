"""Writing an account's behaviors so that what it holds afterwards is known, and nothing else changes.

The PUT sends every key of the account, the ones not written as they were read just before: whether the API
resets the keys a PUT leaves out is not public, and sent back as they are they keep their values either way
(the read-then-write of one account is serialized in this process: ONE_WRITER). Its answer is the account's
only when it shows every written key with the value written (the API reference's own example answers
`{"behaviors": {}}`); otherwise, and after an answer that may have applied (lost, a 5xx, a 2xx without
success), the behaviors are read back. A write that landed and failed anyway would be read by the next `up` as
the account's own values, which destroy would then "restore".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from .errors import ConfigurationError, EndpointError, RiskScoringError
from .models import Behavior, BehaviorSetting
from .text import printable

if TYPE_CHECKING:
    from .client import RiskScoringClient

SettingMap = dict[str, BehaviorSetting]


def current_behaviors(client: RiskScoringClient, keys: Collection[str]) -> dict[str, Behavior]:
    """The account's behaviors, each of `keys` present and valid (else an error naming it); the others as given
    (a key this stack gives back may have been changed or removed since)."""
    found = client.get_behaviors(strict=keys)
    missing = sorted(k for k in keys if k not in found)
    if missing:
        raise ConfigurationError(
            f"account {client.account_id} has no behavior {', '.join(map(printable, missing))} (it has "
            f"{printable(', '.join(sorted(found)) or 'none', quote=False)}): check the key's spelling; if it is right, "
            f"the answer did not come from the Risk Scoring API: check {client.settings.base_url_source} "
            f"({printable(client.settings.base_url)}). Nothing was recorded from this answer"
        )
    return found


def _shows(found: Mapping[str, Behavior], write: Mapping[str, BehaviorSetting]) -> bool:
    """Whether `found` (an answer) shows every key of `write` with exactly the value written."""
    try:
        return all(k in found and found[k].setting == v for k, v in write.items())
    except ValueError:  # a ShapeError: a value the API does not document
        return False


def write_settings(
    client: RiskScoringClient, write: SettingMap, before: SettingMap, current: Mapping[str, Behavior]
) -> dict[str, Behavior]:
    """PUT `write` (with every other key as `current` holds it: see the module) and return what the account
    holds afterwards: landed (shown by the answer, or read back) is success; not landed is the original error;
    unclear is `before` put back, or, if that fails too, an error saying what to set back."""
    failure: RiskScoringError | None = None
    try:
        answer = client.update_behaviors(_whole(current, write))
        if _shows(answer, write):
            return answer
    except RiskScoringError as exc:
        if not exc.may_have_applied:
            raise  # a refusal, a redirect or a gateway's page: the API never applied the write
        failure = exc
    after = _read_back(client)
    if after is not None and _shows(after, write):
        return after
    failure = failure or _not_applied(client, write, after)
    restore = {k: v for k, v in before.items() if k in write}
    if not restore:
        raise failure  # nothing this stack knows the earlier values of
    if after is not None and _shows(after, restore):
        raise failure  # read back: nothing of it landed
    _put_back(client, write, _whole(current, restore), failure)
    raise failure


def _whole(current: Mapping[str, Behavior], write: SettingMap) -> SettingMap:
    """`write` with every other key of the account as `current` holds it (one that holds a value the API does not
    document cannot be sent back as it is, and is left out)."""
    others = {}
    for key, behavior in current.items():
        try:
            others[key] = behavior.setting
        except ValueError:
            continue
    return {**others, **write}


class _Writers:
    """A lock per account: one read-then-write of an account's behaviors at a time in this process (two
    RiskBehaviors of one account, each sending every key, must not send each other's old values)."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __getitem__(self, account: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(account, threading.Lock())


ONE_WRITER = _Writers()


def _not_applied(
    client: RiskScoringClient, write: SettingMap, current: Mapping[str, Behavior] | None
) -> RiskScoringError:
    """The error for a PUT the API answered as a success whose values the account does not hold after."""
    if current is None:
        seen = "and reading them back failed"
    else:
        seen = "but reading them back shows " + ", ".join(
            f"{k}={json.dumps(current[k].as_given()) if k in current else 'nothing'}" for k in write
        )
    return EndpointError(
        f"PUT behaviors answered success without the values sent ({', '.join(write)}), {seen}",
        method="PUT",
        path=client.transport.path("behaviors"),
        hint=f"the answer may not be the API's: check {client.settings.base_url_source} "
        f"({printable(client.settings.base_url)})",
    )


def _put_back(client: RiskScoringClient, write: SettingMap, restore: SettingMap, failure: RiskScoringError) -> None:
    try:
        client.update_behaviors(restore)  # its answer read leniently: the write is what matters here
    except RiskScoringError as cleanup:
        values = ", ".join(f"{k}={json.dumps(v.to_api())}" for k, v in restore.items())
        raise ConfigurationError(
            f"setting behaviors {', '.join(write)} failed ({failure.summary}) and putting back the values they had "
            f"failed too ({cleanup.summary}), so they may now hold your inputs. Before this run they were: {values}. "
            "Set them back (Zero Trust dashboard, or PUT .../zt_risk_scoring/behaviors) before the next `pulumi up`, "
            "which records the values it finds as the ones to restore on destroy"
        ) from failure


def _read_back(client: RiskScoringClient) -> dict[str, Behavior] | None:
    try:
        return client.get_behaviors()
    except RiskScoringError:
        return None
