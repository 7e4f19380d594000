"""The import plan: what one account holds that a stack does not manage yet, as entries in a stable order, the
import file's document and the program code that declares them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import pulumi_private
from .._version import __version__
from ..behaviors import RiskBehaviors, RiskBehaviorsProvider, validate_behaviors
from ..client import RiskScoringClient
from ..config import DEFAULT_CONNECTION
from ..errors import NotFound
from ..integration import RiskIntegration, RiskIntegrationProvider
from ..models import Integration
from ..text import printable
from .entries import ImportEntry, behaviors_entry, integration_entry, serialized_provider
from .naming import resource_name, unique

# The import file's own block: the engine ignores keys it does not know; `export` reads it back to
# refuse overwriting a file made for another account.
META_KEY = "zt-risk-scoring"
FORMAT = 1
BEHAVIORS_NAME = "risk-behaviors"
Note = Callable[[str], None]


@dataclass(frozen=True)
class ImportPlan:
    """Every resource to import from one account, in a stable order."""

    account_id: str
    entries: tuple[ImportEntry, ...]
    left_out: tuple[str, ...] = field(default=())

    @classmethod
    def merged(cls, plans: Sequence[ImportPlan]) -> ImportPlan:
        """One plan of several accounts' plans (their names already apart), in their order."""
        if len(plans) == 1:
            return plans[0]
        return cls(
            accounts_key(p.account_id for p in plans),
            tuple(e for p in plans for e in p.entries),
            tuple(i for p in plans for i in p.left_out),
        )

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
            f"# Imported from account {self.account_id.replace(',', ', ')} with `pulumi import --file` "
            f"(written by zt-risk export, zt-risk-scoring {__version__}).",
            "# Keep them as they are until `pulumi preview --expect-no-changes` passes; then edit freely.",
            f"from zt_risk_scoring import {', '.join(used)}",
        ]
        return "\n\n".join(["\n".join(header), *(entry.code() for entry in self.entries)]) + "\n"


def accounts_key(accounts: Iterable[str]) -> str:
    """The account (or accounts, sorted, comma-separated) an import file is of, as its block records it."""
    return ",".join(sorted(set(accounts)))


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
    connection: str = DEFAULT_CONNECTION,
    taken: Iterable[str] = (),
) -> ImportPlan:
    """Read the account and plan the import of its integrations (all, or `only`) and the chosen behaviors, named
    apart from what the stack holds and from `taken` (the names of other accounts' entries in the same file)."""
    managed = managed or Managed()
    entries: list[ImportEntry] = []
    taken = set(managed.names) | set(taken)
    if behaviors is not None:
        chosen = chosen_behaviors(client, behaviors, managed, note)
        if chosen:
            name = unique(BEHAVIORS_NAME, taken)
            provider = serialized_provider(RiskBehaviorsProvider())
            entries.append(behaviors_entry(client, chosen, name, provider, connection))
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
            entries.append(integration_entry(client, found, name, provider, connection))
    return ImportPlan(client.account_id, tuple(entries), tuple(left_out))
