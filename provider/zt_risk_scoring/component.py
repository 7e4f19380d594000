"""The two resources as components of the package `ztrisk`, for programs in other Pulumi languages (plugin/ztrisk).

`ztrisk:index:Integration` and `ztrisk:index:Behaviors` each register one child, a `RiskIntegration` or a
`RiskBehaviors` of the component's own name: the child's checks, claims, reference_id and state are the Python
resource's. Their inputs and outputs are derived, not written here: the names (camelCase in the schema), which
are required and their descriptions from the field tables, the types from the resources' own annotations.
"""

# No `from __future__ import annotations`: the SDK's analyzer reads these annotations as types.

import collections.abc
import inspect
import json
import sys
import types
import typing
from collections.abc import Mapping
from typing import Any, Optional, TypedDict

import pulumi
from pulumi.errors import InputPropertiesError, InputPropertyErrorDetails
from pulumi.output import Inputs
from pulumi.provider import ConstructResult, main
from pulumi.provider.experimental.component import ComponentProvider

from ._version import __version__
from .behaviors import FIELDS as BEHAVIORS_FIELDS
from .behaviors import RiskBehaviors
from .fields import Fields
from .integration import RiskIntegration
from .integration_schema import FIELDS as INTEGRATION_FIELDS
from .unknowns import contains_unknown

PACKAGE = "ztrisk"
# Typing forms built from types found at run time (the analyzer reads `Optional`, not `X | None`).
_INPUT: Any = pulumi.Input
_OUTPUT: Any = pulumi.Output
_OPTIONAL: Any = Optional


def _value_type(annotation: Any) -> Any:
    """`Output[str | None]`, `Input[str] | None` → `str`: the type of a resource argument's or attribute's value."""
    while True:
        if typing.get_origin(annotation) is pulumi.Output:
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            # `X | None`, and `Input[X]` (X | Awaitable[X] | Output[X]): X, the first that is not None
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def _constructor(resource: type[pulumi.Resource]) -> dict[str, Any]:
    """The resource constructor's annotations, evaluated (its module postpones them)."""
    return inspect.get_annotations(resource.__init__, eval_str=True)


def _hints(resource: type[pulumi.Resource]) -> dict[str, Any]:
    """The resource's annotations, evaluated: its outputs', else its constructor's."""
    return {**_constructor(resource), **inspect.get_annotations(resource, eval_str=True)}


def _required(resource: type[pulumi.Resource]) -> set[str]:
    """The arguments the resource's constructor requires (no default)."""
    parameters = inspect.signature(resource.__init__).parameters.values()
    return {p.name for p in parameters if p.default is inspect.Parameter.empty} - {"self", "resource_name"}


def plain_fields(resource: type[pulumi.Resource], fields: Fields) -> set[str]:
    """The input fields the resource's constructor takes as plain values only (not `Input[...]`)."""
    constructor = _constructor(resource)
    return {
        f.name for f in fields.inputs if not any(_is_awaitable(a) for a in typing.get_args(constructor.get(f.name)))
    }


def _is_awaitable(annotation: Any) -> bool:
    """Part of `pulumi.Input[X]` (X | Awaitable[X] | Output[X], the Output a forward reference there)."""
    return typing.get_origin(annotation) is collections.abc.Awaitable


def args_type(name: str, resource: type[pulumi.Resource], fields: Fields) -> type:
    """A TypedDict of the resource's input fields, each `Input[T]` (or `T` where the constructor takes a plain
    value), optional unless the constructor needs it."""
    hints, required, plain = _hints(resource), _required(resource), plain_fields(resource, fields)
    annotations = {}
    for f in fields.inputs:
        value = _value_type(hints[f.name])
        wrapped = value if f.name in plain else _INPUT[value]
        annotations[f.name] = wrapped if f.name in required else _OPTIONAL[wrapped]
    return typing.cast(type, TypedDict(name, annotations))  # type: ignore[operator]


def outputs_of(resource: type[pulumi.Resource], fields: Fields) -> list[str]:
    """The fields the resource has as outputs (its class annotates them), in the table's order."""
    own = inspect.get_annotations(resource)
    return [f.name for f in fields.all if f.name in own]


def output_annotations(resource: type[pulumi.Resource], fields: Fields, *extra: str) -> dict[str, Any]:
    """The resource's outputs (and `extra` fields) as the component's, each `Output[Optional[T]]`."""
    hints = _hints(resource)
    names = [f.name for f in fields.all if f.name in {*outputs_of(resource, fields), *extra}]
    return {name: _OUTPUT[_OPTIONAL[_value_type(hints[name])]] for name in names}


IntegrationArgs = args_type("IntegrationArgs", RiskIntegration, INTEGRATION_FIELDS)
BehaviorsArgs = args_type("BehaviorsArgs", RiskBehaviors, BEHAVIORS_FIELDS)


def _moved_here(resource: type[pulumi.Resource], name: str) -> list[Any]:
    """The child's alias: the same resource at the top of a Python program of this stack (no replacement)."""
    kind = f"pulumi-python:dynamic/zt_risk_scoring:{resource.__name__}"
    return [f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{kind}::{name}"]


def _child(
    parent: pulumi.ComponentResource,
    resource: type[pulumi.Resource],
    name: str,
    args: Mapping[str, Any],
    opts: Optional[pulumi.ResourceOptions],  # noqa: UP045
) -> Any:
    """The component's one child; the options that act on a resource's own lifecycle are passed down to it (the
    SDK passes only `protect` from a parent), property names in them as the child names its fields."""
    given = {k: v for k, v in args.items() if v is not None}
    opts = opts or pulumi.ResourceOptions()
    child = pulumi.ResourceOptions(
        parent=parent,
        aliases=_moved_here(resource, name),
        retain_on_delete=opts.retain_on_delete,
        ignore_changes=[snake(p) for p in opts.ignore_changes or []] or None,
        replace_on_changes=[snake(p) for p in opts.replace_on_changes or []] or None,
        custom_timeouts=opts.custom_timeouts,
    )
    return resource(name, **given, opts=child)


def _expose(component: pulumi.ComponentResource, child: Any, fields: Fields, **given: Any) -> None:
    """The child's value of every field as the component's output of that name (or the one `given`)."""
    names = [f.name for f in fields.all if f.name in {*outputs_of(type(child), fields), *given}]
    outputs = {name: given[name] if name in given else getattr(child, name) for name in names}
    for key, value in outputs.items():
        setattr(component, key, value)
    component.register_outputs(outputs)


class Integration(pulumi.ComponentResource):
    """An Okta risk-sharing integration of Cloudflare Zero Trust Risk Scoring (one RiskIntegration)."""

    __annotations__ = output_annotations(RiskIntegration, INTEGRATION_FIELDS, "integration_id")

    def __init__(self, name: str, args: IntegrationArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:  # type: ignore[valid-type]  # noqa: UP045
        super().__init__(f"{PACKAGE}:index:Integration", name, {}, opts)
        child = _child(self, RiskIntegration, name, args, opts)
        _expose(self, child, INTEGRATION_FIELDS, integration_id=child.id)  # the id, adopted or made


class Behaviors(pulumi.ComponentResource):
    """The account's Risk Scoring behaviors this program declares (one RiskBehaviors): only those keys."""

    __annotations__ = output_annotations(RiskBehaviors, BEHAVIORS_FIELDS)

    def __init__(self, name: str, args: BehaviorsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:  # type: ignore[valid-type]  # noqa: UP045
        super().__init__(f"{PACKAGE}:index:Behaviors", name, {}, opts)
        _expose(self, _child(self, RiskBehaviors, name, args, opts), BEHAVIORS_FIELDS)


COMPONENTS: list[type[pulumi.ComponentResource]] = [Integration, Behaviors]
# Each component's resource and field table, by the component's name (its type token's last part).
RESOURCES = {"Integration": (RiskIntegration, INTEGRATION_FIELDS), "Behaviors": (RiskBehaviors, BEHAVIORS_FIELDS)}
TABLES = {name: fields for name, (_resource, fields) in RESOURCES.items()}
PLAIN = {name: plain_fields(resource, fields) for name, (resource, fields) in RESOURCES.items()}


class Provider(ComponentProvider):
    """The components, each property described by its field's doc, and bad inputs refused naming the property."""

    def __init__(self) -> None:
        super().__init__(COMPONENTS, PACKAGE, None, __version__)
        self.schema = described(self.schema or "{}")

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: Inputs,
        options: Optional[pulumi.ResourceOptions] = None,  # noqa: UP045
    ) -> ConstructResult:
        # Before the child is registered, in the names the program uses (`tenantUrl`, not `tenant_url`).
        problems = input_problems(resource_type.rsplit(":", 1)[-1], inputs)
        concealed = [p["reason"] for p in problems if not p["property_path"]]
        if concealed:  # the engine prints a property's value beside its problem: these name the property only
            raise InputPropertiesError(f"{'; '.join(concealed)}; nothing was written")
        if problems:
            raise InputPropertiesError("bad inputs, nothing was written", problems)
        return super().construct(name, resource_type, inputs, options)


def input_problems(component: str, inputs: Mapping[str, Any]) -> list[InputPropertyErrorDetails]:
    """What the field table refuses in a component's known inputs, each named by its schema property (none where
    the value must not be printed: the reason names it)."""
    found: list[InputPropertyErrorDetails] = []
    for f in TABLES[component].inputs:
        value = inputs.get(camel(f.name))
        if f.name in PLAIN[component] and (_has_output(value) or contains_unknown(value)):
            reason = f"{f.name} takes a plain value, not another resource's output or a secret"
            found.append({"property_path": camel(f.name), "reason": reason})
            continue
        if value is None or _has_output(value) or contains_unknown(value):
            continue  # absent (the resource's default) or known only later, in part: the child's check sees it
        path = "" if f.conceal(value) else camel(f.name)
        found += [{"property_path": path, "reason": reason} for reason in f.validate(value)[1]]
    return found


def _has_output(value: Any) -> bool:
    """Whether `value` is, or holds somewhere inside, an Output (another resource's value, a secret)."""
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_has_output(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_output(v) for v in value)
    return False


def serve(args: list[str]) -> None:
    """Run the component provider (what plugin/ztrisk/__main__.py calls with the engine's arguments)."""
    main(Provider(), args)


def described(schema: str) -> str:
    """The schema with each component property's description from its field's `doc`."""
    raw = json.loads(schema)
    for token, resource in raw.get("resources", {}).items():
        docs = {camel(f.name): f.doc for f in TABLES[token.rsplit(":", 1)[-1]].all if f.doc}
        for section in ("inputProperties", "properties"):
            for prop, spec in resource.get(section, {}).items():
                if prop in docs:
                    spec["description"] = docs[prop]
    return json.dumps(raw)


def snake(name: str) -> str:
    """A schema property name as the child's field: `tenantUrl` → `tenant_url` (a path's first part only)."""
    head, dot, rest = name.partition(".")
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in head) + dot + rest


def camel(name: str) -> str:
    """A field's name as the schema (and every language's program) names it: `tenant_url` → `tenantUrl`."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


if __name__ == "__main__":  # `python -m zt_risk_scoring.component > schema.json`, for `pulumi package gen-sdk`
    sys.stdout.write(f"{Provider().schema}\n")
