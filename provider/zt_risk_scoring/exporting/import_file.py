"""The import-file export: the live account as a `pulumi import --file` spec and the program code declaring it."""

from __future__ import annotations

import inspect
import json
import pprint
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import ResourceProvider

from .. import pulumi_private, stack_cli
from .._version import __version__
from ..behaviors import RiskBehaviors, RiskBehaviorsProvider, validate_behaviors
from ..client import RiskScoringClient
from ..errors import ConfigurationError, InvalidArgument, NotFound
from ..integration import RiskIntegration, RiskIntegrationProvider
from ..integration_schema import IMPORTED, MANAGED
from ..models import Integration
from ..provider_base import RiskScoringProvider
from ..text import printable
from .naming import resource_name, unique

PROVIDER_KEY = "__provider"
# The import file's own block: the engine ignores keys it does not know; `export` reads it back to
# refuse overwriting a file made for another account.
META_KEY = "zt-risk-scoring"
FORMAT = 1
BEHAVIORS_NAME = "risk-behaviors"
Note = Callable[[str], None]


def serialized_provider(provider: ResourceProvider) -> str:
    """`__provider` exactly as pulumi.dynamic.Resource computes it when a program registers the resource."""
    text, has_secrets = pulumi_private.serialized_provider(provider)
    if has_secrets or getattr(provider, "serialize_as_secret_always", True):
        # The program would register it as a secret, which a plain string in the import file would not match.
        raise ConfigurationError(f"{type(provider).__name__} is serialized as a secret and cannot be imported")
    return str(text)


class _ThroughClient(RiskScoringProvider):
    """A provider whose API calls go through the CLI's client (used only to read, never pickled)."""

    def __init__(self, bound: RiskScoringClient) -> None:
        super().__init__()
        self._bound = bound

    def client(self, account_id: str) -> RiskScoringClient:
        if account_id != self._bound.account_id:
            raise ConfigurationError(f"account {account_id} is not the exported account {self._bound.account_id}")
        return self._bound


class _IntegrationReader(_ThroughClient, RiskIntegrationProvider):
    """RiskIntegrationProvider.read through the CLI's client."""


class _BehaviorsReader(_ThroughClient, RiskBehaviorsProvider):
    """RiskBehaviorsProvider.read through the CLI's client."""


@dataclass(frozen=True)
class ImportEntry:
    """One resource: its `pulumi import --file` entry and the statement that declares it in a program."""

    resource: type[pulumi.dynamic.Resource]
    name: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]

    def spec(self) -> dict[str, Any]:
        return {
            "type": pulumi_private.type_token(self.resource),
            "name": self.name,
            "id": self.id,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }

    def arguments(self) -> dict[str, Any]:
        """The constructor's keyword arguments that make `check` produce exactly `inputs`."""
        params = inspect.signature(self.resource.__init__).parameters
        values = {k: v for k, v in self.inputs.items() if k not in (PROVIDER_KEY, IMPORTED)}
        extra = sorted(set(values) - set(params))
        if extra:
            raise ConfigurationError(
                f"{self.resource.__name__} {self.name}: input(s) {', '.join(extra)} cannot be passed by a program, "
                "so the import would not match it; this is a bug in zt-risk-scoring"
            )
        return {k: values[k] for k in params if k in values and values[k] != params[k].default}

    def code(self) -> str:
        lines = [f"{self.resource.__name__}(", f"    {self.name!r},"]
        for key, value in self.arguments().items():
            text = pprint.pformat(value, width=100 - len(key), sort_dicts=False)
            lines.append(f"    {key}=" + text.replace("\n", "\n" + " " * (len(key) + 5)) + ",")
        return "\n".join([*lines, ")"])


@dataclass(frozen=True)
class ImportPlan:
    """Every resource to import from one account, in a stable order."""

    account_id: str
    entries: tuple[ImportEntry, ...]
    left_out: tuple[str, ...] = field(default=())

    def document(self) -> dict[str, Any]:
        """The `pulumi import --file` document."""
        return {
            META_KEY: {"format": FORMAT, "version": __version__, "account_id": self.account_id},
            "resources": [entry.spec() for entry in self.entries],
        }

    def python(self) -> str:
        """Program code declaring the imported resources, so that program and state agree after the import."""
        used = sorted({entry.resource.__name__ for entry in self.entries})
        header = [
            f"# Imported from account {self.account_id} with `pulumi import --file` "
            f"(written by zt-risk export, zt-risk-scoring {__version__}).",
            "# Keep them as they are until `pulumi preview --expect-no-changes` passes; then edit freely.",
            f"from zt_risk_scoring import {', '.join(used)}",
        ]
        return "\n\n".join(["\n".join(header), *(entry.code() for entry in self.entries)]) + "\n"


# what a stack already manages --------------------------------------------------------------------
@dataclass(frozen=True)
class Managed:
    """What one stack's state already holds, so an import never makes a second owner."""

    integrations: dict[str, str] = field(default_factory=dict)  # integration id -> resource name
    behaviors: dict[str, str] = field(default_factory=dict)  # behavior key of the account -> resource name
    names: frozenset[str] = frozenset()


def managed_in(deployment: Mapping[str, Any], account_id: str) -> Managed:
    """What a `pulumi stack export` deployment manages in `account_id`."""
    integrations, behaviors, names = {}, {}, set()
    for res in deployment.get("resources") or []:
        urn, kind = str(res.get("urn", "")), res.get("type")
        name = urn.rsplit("::", 1)[-1]
        names.add(name)
        inputs = res.get("inputs") or {}
        if kind == pulumi_private.type_token(RiskIntegration) and res.get("id"):
            integrations[str(res["id"])] = name
        if kind == pulumi_private.type_token(RiskBehaviors) and inputs.get("account_id") == account_id:
            behaviors.update(dict.fromkeys(inputs.get("behaviors") or {}, name))
    return Managed(integrations, behaviors, frozenset(names))


def managed_by_stack(stack: str, account_id: str) -> Managed:
    """What stack `stack` manages, from `pulumi stack export` in the current directory."""
    exported = stack_cli.pulumi_json(stack, "stack", "export", missing="install it to check what the stack manages")
    return managed_in(exported.get("deployment") or {}, account_id)


# building the plan -------------------------------------------------------------------------------
def _refused(what: str, failures: Iterable[Any]) -> InvalidArgument:
    reasons = "; ".join(f.reason for f in failures)
    return InvalidArgument(f"{what} cannot be imported by this version of zt-risk-scoring: {reasons}")


def integration_entry(client: RiskScoringClient, found: Integration, name: str, provider: str) -> ImportEntry:
    """`found` as its import entry: inputs as check produces them, outputs as read returns them."""
    raw = {
        "account_id": client.account_id,
        "tenant_url": found.tenant_url,
        "reference_id": found.reference_id,
        "active": found.active,
        "integration_type": found.integration_type or "Okta",
        "integration_id": found.id,
    }
    checked = _IntegrationReader(client).check({}, raw)  # its API calls through the CLI's client
    if checked.failures:
        raise _refused(f"integration {found.id}", checked.failures)
    inputs = {**checked.inputs, PROVIDER_KEY: provider}
    read = _IntegrationReader(client).read(found.id, dict(inputs))
    if read.id is None:
        raise NotFound(f"integration {found.id} does not exist in account {client.account_id}; nothing written")
    # It existed before the stack: its values now are what destroy gives back (and all this stack has set).
    now = {name: (read.outs or {})[name] for name in MANAGED}
    outputs = {**(read.outs or {}), "prior": now, "written": now, IMPORTED: found.id, PROVIDER_KEY: provider}
    return ImportEntry(RiskIntegration, name, found.id, {**inputs, IMPORTED: found.id}, outputs)


def behaviors_entry(client: RiskScoringClient, chosen: Mapping[str, Any], name: str, provider: str) -> ImportEntry:
    """The chosen behaviors as an import entry; `prior` holds their values now, so destroy changes nothing."""
    raw = {"account_id": client.account_id, "behaviors": dict(chosen)}  # check adds on_delete's default
    checked = RiskBehaviorsProvider().check({}, raw)
    if checked.failures:
        raise _refused("--behaviors", checked.failures)
    inputs = {**checked.inputs, PROVIDER_KEY: provider}
    read = _BehaviorsReader(client).read(client.account_id, dict(inputs))
    now = (read.outs or {})["behaviors"]
    outputs = {**(read.outs or {}), "prior": now, "written": now, IMPORTED: client.account_id, PROVIDER_KEY: provider}
    return ImportEntry(RiskBehaviors, name, client.account_id, {**inputs, IMPORTED: client.account_id}, outputs)


def chosen_behaviors(client: RiskScoringClient, wanted: str, managed: Managed, note: Note) -> dict[str, Any]:
    """The current settings of the behaviors `wanted` names (`all`, or keys separated by commas)."""
    current = {key: b.as_given() for key, b in sorted(client.get_behaviors().items())}
    every = wanted.strip() == "all"
    keys = sorted(current) if every else [k.strip() for k in wanted.split(",") if k.strip()]
    missing = [k for k in keys if k not in current]
    if missing or not keys:
        raise NotFound(
            f"--behaviors {printable(wanted)}: {', '.join(map(printable, missing)) or 'no key'} is not a behavior "
            f"of account {client.account_id} (it has {', '.join(current) or 'none'}); name keys separated by "
            "commas, or all; nothing written"
        )
    chosen: dict[str, Any] = {}
    for key in keys:
        owner = managed.behaviors.get(key)
        if owner is not None:
            note(f"behavior {key} is already managed by the stack's RiskBehaviors {owner!r}; left out")
        elif every and (problems := validate_behaviors({key: current[key]})[1]):
            note(f"behavior {key} cannot be written by this version ({'; '.join(problems)}); left out")
        else:
            chosen[key] = current[key]
    return chosen


def oldest_first(client: RiskScoringClient, only: Sequence[str]) -> list[Integration]:
    """The account's integrations (all, or `only`), oldest first so that names are stable."""
    listed = sorted(client.list_integrations(), key=lambda i: (i.created_at or "", i.id))
    unknown = sorted(set(only) - {i.id for i in listed})
    if unknown:
        raise NotFound(
            f"--integration {', '.join(unknown)}: no such integration in account {client.account_id}; "
            "`zt-risk integrations` lists them; nothing written"
        )
    return [i for i in listed if not only or i.id in only]


def build_plan(
    client: RiskScoringClient,
    *,
    behaviors: str | None = None,
    only: Sequence[str] = (),
    managed: Managed | None = None,
    note: Note = lambda _text: None,
) -> ImportPlan:
    """Read the account and plan the import of its integrations (all, or `only`) and the chosen behaviors."""
    managed = managed or Managed()
    entries: list[ImportEntry] = []
    taken = set(managed.names)
    if behaviors is not None:
        chosen = chosen_behaviors(client, behaviors, managed, note)
        if chosen:
            name = unique(BEHAVIORS_NAME, taken)
            entries.append(behaviors_entry(client, chosen, name, serialized_provider(RiskBehaviorsProvider())))
    taken.add(BEHAVIORS_NAME)
    provider = serialized_provider(RiskIntegrationProvider())
    left_out: list[str] = []
    for found in oldest_first(client, only):
        owner = managed.integrations.get(found.id)
        if owner is not None:
            where = f"integration {found.id} ({printable(found.tenant_url)})"
            note(f"{where} is already managed by the stack as {owner!r}; left out")
            left_out.append(found.id)
        else:
            name = unique(resource_name(found.tenant_url), taken)
            entries.append(integration_entry(client, found, name, provider))
    return ImportPlan(client.account_id, tuple(entries), tuple(left_out))


# files -------------------------------------------------------------------------------------------
def existing_problem(path: Path, account_id: str, note: Note) -> str | None:
    """Why `path` must not be replaced by an import file for `account_id`, or None."""
    where = f"--import-file {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        return f"{where}: exists and cannot be read ({getattr(exc, 'strerror', None) or type(exc).__name__})"
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    meta = document.get(META_KEY) if isinstance(document, dict) else None
    if not isinstance(meta, dict):
        return f"{where}: exists and is not an import file written by zt-risk export; pass another path or delete it"
    if meta.get("account_id") != account_id:
        return (
            f"{where}: was written for account {printable(meta.get('account_id'), quote=False)}, not {account_id}; "
            "keep one import file per account (pass another path) or delete it"
        )
    if meta.get("format") != FORMAT or meta.get("version") != __version__:
        note(
            f"{where}: replacing a file written by zt-risk-scoring {printable(meta.get('version'), quote=False)} "
            f"(import format {printable(meta.get('format'), quote=False)}); import only the new one"
        )
    return None


def _write(path: Path, text: str, flag: str) -> None:
    """Write `text` whole or not at all (a half-written import file would import half an account)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ConfigurationError(f"{flag} {path}: cannot be written ({exc.strerror or type(exc).__name__})") from None


def write_import_file(
    client: RiskScoringClient,
    target: Path,
    *,
    stack: str,
    python: Path | None = None,
    behaviors: str | None = None,
    only: Sequence[str] = (),
    note: Note = lambda _text: None,
) -> str:
    """Write the import file for `stack` (and the program code to `python`); return the code when not written."""
    problem = existing_problem(target, client.account_id, note)
    if problem:
        raise ConfigurationError(f"{problem}; nothing written")
    managed = managed_by_stack(stack, client.account_id)
    plan = build_plan(client, behaviors=behaviors, only=only, managed=managed, note=note)
    if not plan.entries:
        raise ConfigurationError(
            f"nothing to import from account {client.account_id}: no integrations"
            + (" the stack does not already manage" if plan.left_out else "")
            + (" and no behaviors chosen" if behaviors is None else "")
            + "; nothing written"
        )
    code = plan.python()
    _write(target, json.dumps(plan.document(), indent=2) + "\n", "--import-file")
    if python is not None:
        _write(python, code, "--python")
    names = ", ".join(entry.name for entry in plan.entries)
    note(
        f"wrote {target} ({len(plan.entries)} resources: {names}); next: `pulumi import --file {target} --yes "
        f"--generate-code=false --protect=false`, add the program code to your program, then "
        "`pulumi preview --expect-no-changes`"
    )
    return "" if python is not None else code
