"""RiskBehaviors: the account-wide behaviors config, owning only the keys a stack declares."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from .behavior_writes import ONE_WRITER, current_behaviors, write_settings
from .claims import ClaimError, Owner, claim
from .errors import ConfigurationError, RiskScoringError
from .fields import Field, Fields, account_field, connection_field, validator
from .integration_schema import IMPORTED
from .models import RISK_LEVELS, Behavior, BehaviorSetting, risk_level
from .program import connection_account_id, deleting_first, warn_if_recorded_differs
from .provider_base import RiskScoringProvider
from .text import printable
from .unknowns import contains_unknown, is_unknown

if TYPE_CHECKING:
    from .client import RiskScoringClient

ON_DELETE = ("restore", "disable", "retain")
KEY_PATTERN = re.compile(r"[a-z0-9_]{1,64}")
# The behavior ids Cloudflare documents with their API key; newer behaviors exist whose keys are not
# published, so another key is a warning at preview, not an error (the API has the last word at up).
KNOWN_KEYS = ("high_dlp", "imp_travel", "sentinel_one")
SettingMap = dict[str, BehaviorSetting]
# What `behaviors` must be, as every message that refuses one says it (the resource, the stack program).
SHAPE = "a non-empty map of behavior id to {enabled, risk_level}, e.g. {imp_travel: {enabled: true, risk_level: high}}"


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
        return raw, [f"behaviors must be {SHAPE}"]
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


# The one table of RiskBehaviors' fields (see integration_schema.FIELDS).
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
        validator(_on_delete_problem),
        default="restore",
        config_key="behaviorsOnDelete",
        doc="on destroy (or a key dropped): `restore` the prior values, `disable`, or `retain`",
    ),
    connection_field(),
    Field("prior", output_only=True, doc="the declared keys' values before this stack took them"),
    Field("written", output_only=True, doc="the declared keys' values as this stack last set them"),
)


def _settings(raw: Mapping[str, Any]) -> SettingMap:
    return {key: BehaviorSetting.from_api(value) for key, value in raw.items()}


def _as_outputs(settings: Mapping[str, BehaviorSetting]) -> dict[str, Any]:
    return {key: value.to_api() for key, value in sorted(settings.items())}


def _declared(current: Mapping[str, Behavior], keys: Any) -> dict[str, Any]:
    return _as_outputs({k: current[k].setting for k in keys if k in current})


def _written_before(props: Mapping[str, Any]) -> dict[str, Any]:
    """What this stack last set: `written`, or (state of versions before 0.3.0) the last values it recorded."""
    written = props.get("written")
    return dict(written if isinstance(written, Mapping) else props.get("behaviors") or {})


class RiskBehaviorsProvider(RiskScoringProvider):
    """Dynamic provider for RiskBehaviors."""

    def reaches(self, client: RiskScoringClient) -> None:
        client.get_behaviors()  # what a behaviors-only token can read

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs, failures = FIELDS.check(news)
        if not failures:
            failures += self.connection_problems(inputs)
        account = inputs.get("account_id")
        moved = olds.get("account_id") and account != olds["account_id"] and not contains_unknown(account)
        if not failures and moved:
            failures += self._unreadable(inputs, f"account {account} cannot take these behaviors")
        imported = news.get(IMPORTED) or olds.get(IMPORTED)
        if not failures and imported and imported != account:
            failures.append(CheckFailure("", f"the import entry of account {printable(imported)} names account_id "
                                         f"{printable(account)}: the import file was edited; make it again with "
                                         "`zt-risk export`"))  # fmt: skip
        elif not failures and imported:
            failures += self._unreadable(inputs, "the imported behaviors cannot be read")
        if failures and news.get(IMPORTED):  # `pulumi import` only warns about check failures: fail it instead
            raise ConfigurationError("; ".join(f.reason for f in failures))
        return CheckResult(inputs, failures)

    def _unreadable(self, inputs: dict[str, Any], what: str) -> list[CheckFailure]:
        """Whether the account can be read and has the declared keys: an account change replaces (give back in the
        old account, then read and write in the new one), and an import file's entry is stored unread."""
        keys = list(inputs.get("behaviors") or {})
        if contains_unknown(inputs.get("behaviors")):
            return []  # the keys are known at `up`, whose own check looks
        try:
            client = self.client_of(inputs)
        except ConfigurationError:
            return []  # no credentials, as at a preview: the `up`'s own check looks
        try:
            current_behaviors(client, keys)
        except RiskScoringError as exc:
            return [CheckFailure("account_id", f"{what}: {exc}; nothing was changed")]
        return []

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        account = olds.get("account_id") or id_
        if id_ != account:
            raise ConfigurationError(
                f"this RiskBehaviors' id {id_} is not its account_id {account}: the import file was edited; "
                "`pulumi state delete` it and import again from a file `zt-risk export` makes"
            )
        return FIELDS.diff(olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client_of(props)
        wanted = _settings(props["behaviors"])
        with ONE_WRITER[props["account_id"]]:
            current = current_behaviors(client, wanted)
            prior = _declared(current, wanted)
            applied = write_settings(client, wanted, _settings(prior), current)
        declared = _declared(applied, wanted)
        return CreateResult(props["account_id"], {**props, "behaviors": declared, "prior": prior, "written": declared})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        account = props.get("account_id") or id_
        declared = props.get("behaviors") or {}
        current = current_behaviors(self.client(account, props.get("connection")), declared)
        outs = {**props, "account_id": account, "behaviors": _declared(current, declared)}
        return ReadResult(id_, outs, inputs=FIELDS.read_inputs(outs))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if not FIELDS.diff(olds, {**news, **{k: olds.get(k) for k in ("on_delete", "connection")}}).changes:
            kept = {k: v for k, v in olds.items() if k != IMPORTED}  # as an update that writes keeps them
            return UpdateResult({**kept, **news, "behaviors": olds["behaviors"]})  # on_delete or connection: no write
        client = self.client_of(news)
        wanted, written = _settings(news["behaviors"]), _written_before(olds)
        prior = dict(olds.get("prior") or {})
        # A key's prior value is read once, when this stack first takes it; never again (it now holds ours).
        added = [k for k in wanted if k not in prior and k not in (olds.get("behaviors") or {})]
        dropped = {k: v for k, v in written.items() if k not in wanted}
        with ONE_WRITER[news["account_id"]]:
            current = current_behaviors(client, added)  # every key: the PUT sends them all (see write_settings)
            prior.update(_declared(current, added))
            release = release_values(news.get("on_delete", FIELDS["on_delete"].default), dropped, prior, current)
            before = _settings({**written, **{k: prior[k] for k in added}})
            applied = write_settings(client, {**release, **wanted}, before, current)
        declared = _declared(applied, wanted)
        kept_prior = {k: v for k, v in prior.items() if k in wanted}
        return UpdateResult({**news, "behaviors": declared, "prior": kept_prior, "written": declared})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        written = _written_before(props)
        mode = props.get("on_delete", FIELDS["on_delete"].default)
        if mode == "retain" or not written:
            return
        client = self.client_of(props)
        with ONE_WRITER[props["account_id"]]:
            current = current_behaviors(client, [])
            release = release_values(mode, written, props.get("prior") or {}, current)
            if release:
                write_settings(client, release, {k: current[k].setting for k in release}, current)


def release_values(
    mode: str, owned: Mapping[str, Any], prior: Mapping[str, Any], current: Mapping[str, Behavior]
) -> SettingMap:
    """What to write for keys the stack stops owning: restore, disable, or nothing (retain); only where the
    account still holds the value this stack set (`owned`), else the key is left as found, with a warning."""
    if mode == "retain":
        return {}
    changed = {
        k: current[k].as_given() if k in current else None for k, v in owned.items() if not _holds(current, k, v)
    }
    if changed:
        found = ", ".join(f"{k}={json.dumps(v)}" for k, v in changed.items())
        pulumi.log.warn(
            f"behaviors changed since this stack set them ({found}): left as they are, not given back "
            f"({mode}); another stack or a person manages them now"
        )
    mine = {k: v for k, v in owned.items() if k not in changed}
    if mode == "restore":
        return {k: BehaviorSetting.from_api(prior[k]) for k in mine if k in prior}
    return {k: BehaviorSetting(False, BehaviorSetting.from_api(v).risk_level) for k, v in mine.items()}


def _holds(current: Mapping[str, Behavior], key: str, value: Any) -> bool:
    try:
        return key in current and current[key].setting == BehaviorSetting.from_api(value)
    except ValueError:
        return False


class RiskBehaviors(pulumi.dynamic.Resource, module="zt_risk_scoring", name="RiskBehaviors"):
    """The account's risk behaviors; manages only the declared keys.

    An existing configuration is adopted as is: create reads the current values of the declared
    keys (kept in `prior`) before writing, so no import step is needed.
    """

    account_id: pulumi.Output[str]
    behaviors: pulumi.Output[dict[str, Any]]
    on_delete: pulumi.Output[str]
    connection: pulumi.Output[str]
    prior: pulumi.Output[dict[str, Any]]
    written: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        resource_name: str,
        behaviors: pulumi.Input[Mapping[str, Any]],
        account_id: pulumi.Input[str] | None = None,
        on_delete: str = FIELDS["on_delete"].default,
        opts: pulumi.ResourceOptions | None = None,
        connection: str = FIELDS["connection"].default,
    ) -> None:
        account = account_id or connection_account_id(connection)
        self._claim(Owner(f"RiskBehaviors {resource_name!r}"), resource_name, account, behaviors)
        given = {"account_id": account, "behaviors": behaviors, "on_delete": on_delete, "connection": connection}
        props = FIELDS.props(given)
        super().__init__(RiskBehaviorsProvider(), resource_name, props, deleting_first(opts))
        FIELDS.expose_defaults(self)
        for name, given_value in (("on_delete", on_delete), ("connection", connection)):
            warn_if_recorded_differs(self, name, given_value, FIELDS[name].default)
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
