"""A resource's fields as one table, and what check, diff, read and the stack program derive from it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pulumi.dynamic import CheckFailure, DiffResult

from .config import DEFAULT_CONNECTION, account_id_problem, connection_problem
from .text import printable
from .unknowns import contains_unknown, is_unknown

# A validator takes a known value and returns it normalized, with what is wrong with it (nothing: []).
Validator = Callable[[Any], tuple[Any, list[str]]]
Change = Literal["replace", "update", "none"]


def _accept(value: Any) -> tuple[Any, list[str]]:
    return value, []


def validator(problem: Callable[[Any], str | None], normalize: Callable[[Any], Any] = lambda v: v) -> Validator:
    """A validator from a function naming one problem (or None) and a normalizer for good values."""

    def validate(value: Any) -> tuple[Any, list[str]]:
        found = problem(value)
        return (value, [found]) if found else (normalize(value), [])

    return validate


def boolean(name: str) -> Validator:
    """True or false, nothing else (YAML's "yes" and the string "false" are refused)."""
    return validator(lambda v: None if isinstance(v, bool) else f"{name} must be true or false, got {printable(v)}")


@dataclass(frozen=True)
class Field:
    """One property of a resource: how it is validated and defaulted, what a change to it does, where users set it.

    `change`: "replace" (a new object), "update" (in place), "none" (an instruction to create, never diffed).
    `optional`: absent is fine (check leaves it out); `sparse`: registered only when set, so an unused
    field costs no bytes in every checkpoint (the engine rewrites the whole state after every step).
    `config_key`: its key in an item of the stack program's config; `api`: the API object's attribute.
    `conceal`: true for a refused value the engine must not print (it shows a failure's property with its
    value): such a failure names no property, and its reason names the field.
    """

    name: str
    validate: Validator = _accept
    default: Any = None
    change: Change = "update"
    optional: bool = False
    sparse: bool = False
    output_only: bool = False
    config_key: str | None = None
    api: str | None = None
    doc: str = ""
    conceal: Callable[[Any], bool] = lambda _value: False

    def normalized(self, value: Any) -> Any:
        """`value` as check stores it (absent or empty: the default); a value check would refuse stays as it is."""
        value = self.default if value is None or (value == "" and self.default is not None) else value
        if value is None or contains_unknown(value):
            return value
        normal, problems = self.validate(value)
        return value if problems else normal


class Fields:
    """The table of one resource's fields."""

    def __init__(self, *fields: Field) -> None:
        self.all = fields
        self.inputs = tuple(f for f in fields if not f.output_only)

    def __getitem__(self, name: str) -> Field:
        return next(f for f in self.all if f.name == name)

    def names(self, change: Change) -> tuple[str, ...]:
        return tuple(f.name for f in self.inputs if f.change == change)

    def check(self, news: Mapping[str, Any]) -> tuple[dict[str, Any], list[CheckFailure]]:
        """Inputs defaulted, validated and normalized (unknowns kept as they are), and the failures."""
        inputs, failures = {}, []
        for f in self.inputs:
            value = news.get(f.name)
            if value is None and f.optional:
                continue
            value = f.default if value is None else value  # a required field still None: its validator names it
            if not is_unknown(value):
                value, problems = f.validate(value)
                failures += [CheckFailure("" if f.conceal(value) else f.name, p) for p in problems]
            inputs[f.name] = value
        return inputs, failures

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        """Changes named by field, old and new compared as check normalizes them; "none" fields never change.

        Unknown values count as changed. A replacement always deletes first: the replacement of an
        integration takes the same reference_id, which the API refuses twice, and the replacement of a
        behaviors config must read the values the old one restored, not the ones it wrote.
        """

        def changed(name: str) -> bool:
            field, new = self[name], news.get(name)
            if new is None and field.optional:
                return False  # not managed by this resource (e.g. the reference_id of one adopted by id)
            if contains_unknown(new):
                return True
            # A value written by an older version, or read from the API in another spelling, is no change.
            return bool(field.normalized(olds.get(name)) != field.normalized(new))

        replaces = [n for n in self.names("replace") if changed(n)]
        updates = [n for n in self.names("update") if changed(n)]
        return DiffResult(changes=bool(replaces or updates), replaces=replaces, stables=[], delete_before_replace=True)

    def read_inputs(self, outs: Mapping[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
        """What `read` reports as inputs: the input fields as check would store them, defaults where absent (and
        `extra` keys as found).

        Normalized because the engine diffs them against the program's checked inputs: the API's own
        spelling of a value (`okta`) must not plan a change, least of all a replacement.
        """
        inputs = {}
        for f in self.inputs:
            if outs.get(f.name) is not None or (f.default is not None and not f.optional):  # as check fills them
                inputs[f.name] = f.normalized(outs.get(f.name))
        return {**inputs, **{k: outs[k] for k in extra if k in outs}}

    def props(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """A resource's registration: given inputs (optional ones only when set) and output-only fields unset."""
        props: dict[str, Any] = {}
        for f in self.all:
            if f.output_only:
                props[f.name] = None
            elif not (f.sparse and given.get(f.name) in (None, f.default)):
                props[f.name] = given.get(f.name, f.default)
        return props

    def expose_defaults(self, resource: Any) -> None:
        """Give `resource` an output of each sparse field its class declares and `props` left unregistered (at
        its default): that default, as a program reading `resource.connection` expects."""
        declared = getattr(type(resource), "__annotations__", {})
        for f in self.all:
            if f.sparse and f.name in declared and not hasattr(resource, f.name):
                setattr(resource, f.name, pulumi.Output.from_input(f.default))

    def from_api(self, found: Any) -> dict[str, Any]:
        """The fields the API reports and the resource tracks, read from the API object `found`, normalized."""
        return {f.name: f.normalized(getattr(found, f.api)) for f in self.all if f.api and f.change != "none"}

    def config_keys(self) -> dict[str, str]:
        """Stack-config item key -> field name, for the fields users set in stack config."""
        return {f.config_key: f.name for f in self.inputs if f.config_key}

    def markdown(self) -> str:
        """The table docs/resources.md shows (a test keeps the two the same)."""
        rows = ["| field | stack-config key | default | a change | meaning |", "| --- | --- | --- | --- | --- |"]
        effect = {"replace": "replaces", "update": "updates in place", "none": "nothing (used at create)"}
        for f in self.all:
            default = "(output)" if f.output_only else "—" if f.default is None else f"`{json.dumps(f.default)}`"
            key = f"`{f.config_key}`" if f.config_key else "—"
            change = "—" if f.output_only else effect[f.change]
            rows.append(f"| `{f.name}` | {key} | {default} | {change} | {f.doc} |")
        return "\n".join(rows)


def account_field(what: str) -> Field:
    """The `account_id` field both resources have: replaces on change, defaults from the stack's settings."""
    return Field(
        "account_id",
        validator(account_id_problem),
        change="replace",
        config_key="accountId",
        doc=f"{what}; default `cloudflare:accountId` / `CLOUDFLARE_ACCOUNT_ID`",
    )


def connection_field() -> Field:
    """The `connection` field both resources have: which stack config namespace's credentials, account and base
    URL they use. Only the name is kept in state; a change is recorded there and writes nothing."""
    return Field(
        "connection",
        validator(connection_problem),
        default=DEFAULT_CONNECTION,
        sparse=True,  # registered only when named: the programs and state of earlier versions stay as they were
        config_key="connection",
        doc="the stack config namespace whose apiToken (or apiKey + email), accountId and baseUrl are used; "
        f"`{DEFAULT_CONNECTION}` also reads the CLOUDFLARE_* variables; a change is recorded in state, not written",
    )
