"""RiskBehaviors: the account-wide behaviors config, owning only the keys a stack declares."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from .claims import ClaimError, Owner, claim
from .config import default_account_id
from .errors import ConfigurationError, ConnectionFailed, EndpointError, RiskScoringError, ServerError, printable
from .fields import Field, Fields, account_field, simple
from .models import RISK_LEVELS, Behavior, BehaviorSetting, risk_level
from .program import deleting_first, stack_config
from .provider_base import RiskScoringProvider
from .unknowns import is_unknown

if TYPE_CHECKING:
    from .client import RiskScoringClient

ON_DELETE = ("restore", "disable", "retain")
KEY_PATTERN = re.compile(r"[a-z0-9_]{1,64}")
# The behavior ids Cloudflare documents with their API key; newer behaviors exist whose keys are not
# published, so another key is a warning at preview, not an error (the API has the last word at up).
KNOWN_KEYS = ("high_dlp", "imp_travel", "sentinel_one")
SettingMap = dict[str, BehaviorSetting]


def _key_problem(key: Any) -> str | None:
    if isinstance(key, str) and KEY_PATTERN.fullmatch(key):
        return None
    return (
        f"behaviors key {printable(key)}: keys are behavior ids (lowercase letters, digits and _, "
        f"such as {', '.join(KNOWN_KEYS)})"
    )


def _setting_problems(where: str, value: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """One behavior's {enabled, risk_level}: risk_level lower-cased, and what is wrong with it."""
    problems = []
    enabled, level = value.get("enabled"), value.get("risk_level")
    if not isinstance(enabled, bool) and not is_unknown(enabled):
        problems.append(f"{where}.enabled must be true or false, got {printable(enabled)}")
    known = risk_level(level) if isinstance(level, str) and level else None  # the models' coercion
    if known in RISK_LEVELS:
        level = known
    elif not is_unknown(level):
        problems.append(f"{where}.risk_level must be low, medium or high (any case), got {printable(level)}")
    extra = sorted(set(value) - {"enabled", "risk_level"})
    if extra:
        fields = ", ".join(map(printable, extra))
        problems.append(f"{where}: unknown field(s) {fields}; only enabled and risk_level are settable")
    return {"enabled": enabled, "risk_level": level}, problems


def validate_behaviors(raw: Any) -> tuple[Any, list[str]]:
    """The behaviors map normalized (risk_level lower-cased; unknown values kept), and its problems."""
    if not isinstance(raw, Mapping) or not raw:
        return raw, [
            "behaviors must be a non-empty map of behavior id to "
            "{enabled, risk_level}, e.g. {imp_travel: {enabled: true, risk_level: high}}"
        ]
    normalized: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        where, key_problem = f"behaviors.{key}", _key_problem(key)
        if key_problem or is_unknown(value):
            normalized[key] = None if key_problem else value
            problems += [key_problem] if key_problem else []
        elif not isinstance(value, Mapping):
            normalized[key] = None
            problems.append(f"{where} must be a map with enabled and risk_level")
        else:
            normalized[key], found = _setting_problems(where, value)
            problems += found
    return normalized, problems


def _on_delete_problem(value: Any) -> str | None:
    if value in ON_DELETE:
        return None
    return f"on_delete must be one of {', '.join(ON_DELETE)}, got {printable(value)}"


# The one table of RiskBehaviors' fields (see integration.FIELDS).
FIELDS = Fields(
    account_field("the account (the resource's id)"),
    Field(
        "behaviors",
        validate_behaviors,
        config_key="behaviors",
        doc="behavior id → `{enabled, risk_level}`; only these keys are read, diffed and written",
    ),
    Field(
        "on_delete",
        simple(_on_delete_problem),
        default="restore",
        config_key="behaviorsOnDelete",
        doc="on destroy (or a key dropped): `restore` the prior values, `disable`, or `retain`",
    ),
    Field("prior", output_only=True, doc="the declared keys' values before this stack took them"),
)


def _settings(raw: Mapping[str, Any]) -> SettingMap:
    return {key: BehaviorSetting.from_api(value) for key, value in raw.items()}


def _as_outputs(settings: Mapping[str, BehaviorSetting]) -> dict[str, Any]:
    return {key: value.to_api() for key, value in sorted(settings.items())}


def _declared(current: Mapping[str, Behavior], keys: Any) -> dict[str, Any]:
    return _as_outputs({k: current[k].setting for k in keys if k in current})


class RiskBehaviorsProvider(RiskScoringProvider):
    """Dynamic provider for RiskBehaviors."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(*FIELDS.check(news))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return FIELDS.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client(props["account_id"])
        wanted = _settings(props["behaviors"])
        prior = _declared(client.get_behaviors(owned=wanted), wanted)
        applied = _written(client, wanted, _settings(prior))
        outs = {**props, "behaviors": _declared(applied, wanted), "prior": prior}
        return CreateResult(props["account_id"], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        account = props.get("account_id") or id_
        declared = props.get("behaviors") or {}
        current = self.client(account).get_behaviors(owned=declared)
        outs = {**props, "account_id": account, "behaviors": _declared(current, declared)}
        inputs = {"on_delete": FIELDS["on_delete"].default, **FIELDS.read_inputs(outs)}
        return ReadResult(id_, outs, inputs=inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client(news["account_id"])
        old_keys, wanted = set(olds.get("behaviors") or {}), _settings(news["behaviors"])
        prior = dict(olds.get("prior") or {})
        added = [k for k in wanted if k not in old_keys]
        if added:
            prior.update(_declared(client.get_behaviors(owned=added), added))
        dropped = {k: v for k, v in olds["behaviors"].items() if k not in wanted}
        release = _release(news.get("on_delete", FIELDS["on_delete"].default), dropped, prior)
        # What the keys written hold now: the values this stack set, and the prior values of added keys.
        before = _settings({**olds["behaviors"], **{k: prior[k] for k in added if k in prior}})
        applied = _written(client, {**release, **wanted}, before)
        prior = {k: v for k, v in prior.items() if k in wanted}
        return UpdateResult({**news, "behaviors": _declared(applied, wanted), "prior": prior})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        release = _release(
            props.get("on_delete", FIELDS["on_delete"].default), props.get("behaviors") or {}, props.get("prior") or {}
        )
        if release:
            self.client(props["account_id"]).update_behaviors(release)


def _written(client: RiskScoringClient, write: SettingMap, before: SettingMap) -> dict[str, Behavior]:
    """PUT `write`; when its answer is lost, find out whether it landed, and leave no half-known write behind.

    A write that landed and failed anyway would be read back by the next `up` as the account's own
    values, which destroy would then "restore". So: landed (read back) is success; not landed is the
    original error; unclear is `before` put back, or, if that fails too, an error saying what to set back.
    """
    current: dict[str, Behavior] | None = None
    try:
        return client.update_behaviors(write, owned=write)
    except (ConnectionFailed, ServerError) as exc:
        failure: RiskScoringError = exc
        current = _read_back(client, write)
    except EndpointError as exc:
        if exc.status is not None and not 200 <= exc.status < 300:
            raise  # a redirect or a gateway's refusal: the API never saw the write
        failure = exc  # a 2xx answer not of the API's shape: the write landed, so put back what was there
    if current is not None and all(k in current and current[k].setting == v for k, v in write.items()):
        return current
    restore = {k: v for k, v in before.items() if k in write}
    if not restore:
        raise failure  # nothing this stack knows the earlier values of
    if current is not None and all(current[k].setting == v for k, v in restore.items() if k in current):
        raise failure  # read back: nothing of it landed
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
    raise failure


def _read_back(client: RiskScoringClient, keys: Mapping[str, Any]) -> dict[str, Behavior] | None:
    try:
        return client.get_behaviors(owned=keys)
    except RiskScoringError:
        return None


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

    def __init__(
        self,
        resource_name: str,
        behaviors: pulumi.Input[Mapping[str, Any]],
        account_id: pulumi.Input[str] | None = None,
        on_delete: str = "restore",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        account = account_id or default_account_id(stack_config)
        self._claim(Owner(f"RiskBehaviors {resource_name!r}"), resource_name, account, behaviors)
        props = FIELDS.props({"account_id": account, "behaviors": behaviors, "on_delete": on_delete})
        super().__init__(RiskBehaviorsProvider(), resource_name, props, deleting_first(opts))
        unknown = sorted(k for k in behaviors if k not in KNOWN_KEYS) if isinstance(behaviors, Mapping) else []
        if unknown:
            named = printable(", ".join(map(printable, unknown)), quote=False)  # cut: a program may pass thousands
            pulumi.log.warn(
                f"behavior key(s) {named} are not ones this version of "
                f"zt-risk-scoring knows ({', '.join(KNOWN_KEYS)}); if Cloudflare does not know them either, "
                "`up` will fail. Check the spelling, or ignore this for a behavior newer than this package.",
                resource=self,
            )

    @staticmethod
    def _claim(owner: Owner, name: str, account: Any, behaviors: Any) -> None:
        """Refuse a second RiskBehaviors of this program run that would fight over the same keys of one account."""
        if not isinstance(account, str) or not isinstance(behaviors, Mapping):
            return
        clashes = claim(owner, account, (("behavior", k) for k in behaviors))
        if clashes:
            keys = sorted(key for _, key in clashes)
            raise ClaimError(
                f"RiskBehaviors {name!r}: behavior(s) {', '.join(map(printable, keys))} of account "
                f"{printable(account)} are already managed by {clashes[('behavior', keys[0])]}; "
                "declare each key in one resource"
            )
