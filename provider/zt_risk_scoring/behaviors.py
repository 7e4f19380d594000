"""RiskBehaviors: the account-wide behaviors config, owning only the keys a stack declares."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from .config import account_id_problem, default_account_id
from .errors import printable
from .models import RISK_LEVELS, Behavior, BehaviorSetting
from .runtime import RiskScoringProvider, contains_unknown, is_unknown, stack_config

ON_DELETE = ("restore", "disable", "retain")
KEY_PATTERN = re.compile(r"[a-z0-9_]{1,64}")
# The behavior ids Cloudflare documents with their API key; newer behaviors exist whose keys are not
# published, so another key is a warning at preview, not an error (the API has the last word at up).
KNOWN_KEYS = ("high_dlp", "imp_travel", "sentinel_one")
SettingMap = dict[str, BehaviorSetting]


def _check_behavior(key: Any, value: Any) -> tuple[dict[str, Any] | None, list[CheckFailure]]:
    where = f"behaviors.{key}"
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        return None, [
            CheckFailure(
                "behaviors",
                f"behaviors key {printable(key)}: keys are behavior ids (lowercase letters, digits and _, "
                f"such as {', '.join(KNOWN_KEYS)})",
            )
        ]
    if is_unknown(value):
        return value, []
    if not isinstance(value, Mapping):
        return None, [CheckFailure("behaviors", f"{where} must be a map with enabled and risk_level")]
    failures = []
    enabled, level = value.get("enabled"), value.get("risk_level")
    if not isinstance(enabled, bool) and not is_unknown(enabled):
        failures.append(CheckFailure("behaviors", f"{where}.enabled must be true or false, got {printable(enabled)}"))
    if isinstance(level, str) and level.strip().lower() in RISK_LEVELS:
        level = level.strip().lower()
    elif not is_unknown(level):
        failures.append(
            CheckFailure(
                "behaviors", f"{where}.risk_level must be low, medium or high (any case), got {printable(level)}"
            )
        )
    extra = sorted(set(value) - {"enabled", "risk_level"})
    if extra:
        failures.append(
            CheckFailure(
                "behaviors",
                f"{where}: unknown field(s) {', '.join(map(printable, extra))}; only enabled and risk_level "
                "are settable",
            )
        )
    return {"enabled": enabled, "risk_level": level}, failures


def check_behaviors(raw: Any) -> tuple[Any, list[CheckFailure]]:
    """Normalized behaviors map (risk_level lower-cased) and the failures found."""
    if is_unknown(raw):
        return raw, []
    if not isinstance(raw, Mapping) or not raw:
        return raw, [
            CheckFailure(
                "behaviors",
                "behaviors must be a non-empty map of behavior id to "
                "{enabled, risk_level}, e.g. {imp_travel: {enabled: true, risk_level: high}}",
            )
        ]
    normalized, failures = {}, []
    for key, value in raw.items():
        checked, problems = _check_behavior(key, value)
        normalized[key] = checked
        failures += problems
    return normalized, failures


def _settings(raw: Mapping[str, Any]) -> SettingMap:
    return {key: BehaviorSetting.from_api(value) for key, value in raw.items()}


def _as_outputs(settings: Mapping[str, BehaviorSetting]) -> dict[str, Any]:
    return {key: value.to_api() for key, value in sorted(settings.items())}


def _declared(current: Mapping[str, Behavior], keys: Any) -> dict[str, Any]:
    return _as_outputs({k: current[k].setting for k in keys if k in current})


class RiskBehaviorsProvider(RiskScoringProvider):
    """Dynamic provider for RiskBehaviors."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        behaviors, failures = check_behaviors(news.get("behaviors"))
        account = news.get("account_id")
        problem = None if is_unknown(account) else account_id_problem(account)
        if problem:
            failures.append(CheckFailure("account_id", problem))
        on_delete = news.get("on_delete") or "restore"
        if on_delete not in ON_DELETE:
            failures.append(
                CheckFailure(
                    "on_delete", f"on_delete must be one of {', '.join(ON_DELETE)}, got {printable(on_delete)}"
                )
            )
        return CheckResult({"account_id": account, "behaviors": behaviors, "on_delete": on_delete}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = ["account_id"] if olds.get("account_id") != news.get("account_id") else []
        changed = [k for k in ("behaviors", "on_delete") if olds.get(k) != news.get(k)]
        if contains_unknown(news.get("behaviors")):
            changed.append("behaviors")
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client(props["account_id"])
        wanted = _settings(props["behaviors"])
        prior = _declared(client.get_behaviors(), wanted)
        applied = client.update_behaviors(wanted)
        outs = {**props, "behaviors": _declared(applied, wanted), "prior": prior}
        return CreateResult(props["account_id"], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        account = props.get("account_id") or id_
        declared = props.get("behaviors") or {}
        current = self.client(account).get_behaviors()
        outs = {**props, "account_id": account, "behaviors": _declared(current, declared)}
        inputs: dict[str, Any] = {k: outs[k] for k in ("account_id", "behaviors") if k in outs}
        inputs["on_delete"] = props.get("on_delete", "restore")
        return ReadResult(id_, outs, inputs=inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client(news["account_id"])
        old_keys, wanted = set(olds.get("behaviors") or {}), _settings(news["behaviors"])
        prior = dict(olds.get("prior") or {})
        added = [k for k in wanted if k not in old_keys]
        if added:
            prior.update(_declared(client.get_behaviors(), added))
        dropped = {k: v for k, v in olds["behaviors"].items() if k not in wanted}
        release = _release(news.get("on_delete", "restore"), dropped, prior)
        applied = client.update_behaviors({**release, **wanted})
        prior = {k: v for k, v in prior.items() if k in wanted}
        return UpdateResult({**news, "behaviors": _declared(applied, wanted), "prior": prior})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        release = _release(props.get("on_delete", "restore"), props.get("behaviors") or {}, props.get("prior") or {})
        if release:
            self.client(props["account_id"]).update_behaviors(release)


def _release(mode: str, owned: Mapping[str, Any], prior: Mapping[str, Any]) -> SettingMap:
    """What to write for keys the stack stops owning: restore, disable, or nothing (retain)."""
    if mode == "restore":
        return {k: BehaviorSetting.from_api(prior[k]) for k in owned if k in prior}
    if mode == "disable":
        return {k: BehaviorSetting(False, BehaviorSetting.from_api(v).risk_level) for k, v in owned.items()}
    return {}


class RiskBehaviors(pulumi.dynamic.Resource, module="zt_risk_scoring", name="RiskBehaviors"):
    """The account's risk behaviors; manages only the declared keys.

    An existing configuration is adopted as is: create reads the current values of the declared
    keys (kept in `prior`) before writing, so no import step is needed.
    """

    account_id: pulumi.Output[str]
    behaviors: pulumi.Output[dict[str, Any]]
    on_delete: pulumi.Output[str]
    prior: pulumi.Output[dict[str, Any]]

    _claimed: ClassVar[dict[str, dict[str, str]]] = {}
    _claimed_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        resource_name: str,
        behaviors: pulumi.Input[Mapping[str, Any]],
        account_id: pulumi.Input[str] | None = None,
        on_delete: str = "restore",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        account = account_id or default_account_id(stack_config)
        self._claim(resource_name, account, behaviors)
        props = {"account_id": account, "behaviors": behaviors, "on_delete": on_delete, "prior": None}
        super().__init__(RiskBehaviorsProvider(), resource_name, props, opts)
        unknown = sorted(k for k in behaviors if k not in KNOWN_KEYS) if isinstance(behaviors, Mapping) else []
        if unknown:
            pulumi.log.warn(
                f"behavior key(s) {', '.join(map(printable, unknown))} are not ones this version of "
                f"zt-risk-scoring knows ({', '.join(KNOWN_KEYS)}); if Cloudflare does not know them either, "
                "`up` will fail. Check the spelling, or ignore this for a behavior newer than this package.",
                resource=self,
            )

    @classmethod
    def _claim(cls, name: str, account: Any, behaviors: Any) -> None:
        """Refuse a second RiskBehaviors that would fight over the same keys of one account."""
        if not isinstance(account, str) or not isinstance(behaviors, Mapping):
            return
        with cls._claimed_lock:
            owners = cls._claimed.setdefault(account, {})
            clashes = sorted(k for k in behaviors if owners.get(k, name) != name)
            if clashes:
                raise ValueError(
                    f"RiskBehaviors {name!r}: behavior(s) {', '.join(clashes)} of account {account} are "
                    f"already managed by RiskBehaviors {owners[clashes[0]]!r}; declare each key in one resource"
                )
            owners.update(dict.fromkeys(behaviors, name))
