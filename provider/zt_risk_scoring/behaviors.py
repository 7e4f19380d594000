"""RiskBehaviors: the account-wide behaviors config, owning only the keys a stack declares."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
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

from .claims import ClaimError, Owner, claim
from .config import default_account_id
from .errors import ConfigurationError, EndpointError, RiskScoringError
from .fields import Field, Fields, account_field, validator
from .integration_schema import IMPORTED
from .models import RISK_LEVELS, Behavior, BehaviorSetting, risk_level
from .program import config_value, deleting_first, warn_if_recorded_differs
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

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs, failures = FIELDS.check(news)
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
        account, keys = inputs["account_id"], list(inputs.get("behaviors") or {})
        if contains_unknown(inputs.get("behaviors")):
            return []  # the keys are known at `up`, whose own check looks
        try:
            client = self.client(account)
        except ConfigurationError:
            return []  # no credentials, as at a preview: the `up`'s own check looks
        try:
            _current(client, keys)
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
        client = self.client(props["account_id"])
        wanted = _settings(props["behaviors"])
        prior = _declared(_current(client, wanted), wanted)
        applied = write_settings(client, wanted, _settings(prior))
        declared = _declared(applied, wanted)
        return CreateResult(props["account_id"], {**props, "behaviors": declared, "prior": prior, "written": declared})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        account = props.get("account_id") or id_
        declared = props.get("behaviors") or {}
        current = _current(self.client(account), declared)
        outs = {**props, "account_id": account, "behaviors": _declared(current, declared)}
        return ReadResult(id_, outs, inputs=FIELDS.read_inputs(outs))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = self.client(news["account_id"])
        wanted, written = _settings(news["behaviors"]), _written_before(olds)
        prior = dict(olds.get("prior") or {})
        # A key's prior value is read once, when this stack first takes it; never again (it now holds ours).
        added = [k for k in wanted if k not in prior and k not in (olds.get("behaviors") or {})]
        dropped = {k: v for k, v in written.items() if k not in wanted}
        current = _current(client, added) if added or dropped else {}
        prior.update(_declared(current, added))
        release = release_values(news.get("on_delete", FIELDS["on_delete"].default), dropped, prior, current)
        before = _settings({**written, **{k: prior[k] for k in added}})
        applied = write_settings(client, {**release, **wanted}, before)
        declared = _declared(applied, wanted)
        kept_prior = {k: v for k, v in prior.items() if k in wanted}
        return UpdateResult({**news, "behaviors": declared, "prior": kept_prior, "written": declared})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        written = _written_before(props)
        mode = props.get("on_delete", FIELDS["on_delete"].default)
        if mode == "retain" or not written:
            return
        client = self.client(props["account_id"])
        current = _current(client, [])
        release = release_values(mode, written, props.get("prior") or {}, current)
        if release:
            write_settings(client, release, {k: current[k].setting for k in release})


def _current(client: RiskScoringClient, keys: Collection[str]) -> dict[str, Behavior]:
    """The account's behaviors, each of `keys` present and valid (else an error naming it); the others as given
    (a key this stack gives back may have been changed or removed since)."""
    found = client.get_behaviors(strict=keys)
    missing = sorted(k for k in keys if k not in found)
    if missing:
        raise ConfigurationError(
            f"account {client.account_id} has no behavior {', '.join(map(printable, missing))} (it has "
            f"{printable(', '.join(sorted(found)) or 'none', quote=False)}): check the key's spelling; if it is right, "
            f"the answer did not come from the Risk Scoring API: check cloudflare:baseUrl / CLOUDFLARE_BASE_URL "
            f"({printable(client.settings.base_url)}). Nothing was recorded from this answer"
        )
    return found


def _shows(found: Mapping[str, Behavior], write: Mapping[str, BehaviorSetting]) -> bool:
    """Whether `found` (an answer) shows every key of `write` with exactly the value written."""
    try:
        return all(k in found and found[k].setting == v for k, v in write.items())
    except ValueError:  # a ShapeError: a value the API does not document
        return False


def write_settings(client: RiskScoringClient, write: SettingMap, before: SettingMap) -> dict[str, Behavior]:
    """PUT `write` and return what the account holds afterwards, never taking an answer that does not show it.

    The PUT's answer is the account's only when it shows every written key with the value written (the API
    reference's own example answers `{"behaviors": {}}`); otherwise, and after an answer that may have been
    applied (lost, a 5xx, a 2xx without success), the behaviors are read back. A write that landed and failed
    anyway would be read by the next `up` as the account's own values, which destroy would then "restore".
    So: landed (read back) is success; not landed is the original error; unclear is `before` put back, or, if
    that fails too, an error saying what to set back.
    """
    failure: RiskScoringError | None = None
    try:
        answer = client.update_behaviors(write)
        if _shows(answer, write):
            return answer
    except RiskScoringError as exc:
        if not exc.may_have_applied:
            raise  # a refusal, a redirect or a gateway's page: the API never applied the write
        failure = exc
    current = _read_back(client)
    if current is not None and _shows(current, write):
        return current
    failure = failure or _not_applied(client, write, current)
    restore = {k: v for k, v in before.items() if k in write}
    if not restore:
        raise failure  # nothing this stack knows the earlier values of
    if current is not None and _shows(current, restore):
        raise failure  # read back: nothing of it landed
    _put_back(client, write, restore, failure)
    raise failure


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
        hint=f"the answer may not be the API's: check cloudflare:baseUrl / CLOUDFLARE_BASE_URL "
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
    prior: pulumi.Output[dict[str, Any]]
    written: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        resource_name: str,
        behaviors: pulumi.Input[Mapping[str, Any]],
        account_id: pulumi.Input[str] | None = None,
        on_delete: str = FIELDS["on_delete"].default,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        account = account_id or default_account_id(config_value)
        self._claim(Owner(f"RiskBehaviors {resource_name!r}"), resource_name, account, behaviors)
        props = FIELDS.props({"account_id": account, "behaviors": behaviors, "on_delete": on_delete})
        super().__init__(RiskBehaviorsProvider(), resource_name, props, deleting_first(opts))
        warn_if_recorded_differs(self, "on_delete", on_delete, FIELDS["on_delete"].default)
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
