"""The ztrisk components' schema is the field tables': every field, named in camelCase, typed and described."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from zt_risk_scoring import component
from zt_risk_scoring.behaviors import FIELDS as BEHAVIORS_FIELDS
from zt_risk_scoring.fields import Fields
from zt_risk_scoring.integration_schema import FIELDS as INTEGRATION_FIELDS

TABLES = [("Integration", INTEGRATION_FIELDS), ("Behaviors", BEHAVIORS_FIELDS)]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return dict(json.loads(component.Provider().schema or "{}"))


@pytest.mark.parametrize(("kind", "fields"), TABLES, ids=[kind for kind, _ in TABLES])
def test_schema_inputs_are_every_input_field(schema: dict[str, Any], kind: str, fields: Fields) -> None:
    inputs = schema["resources"][f"ztrisk:index:{kind}"]["inputProperties"]
    assert sorted(inputs) == sorted(component.camel(f.name) for f in fields.inputs)
    assert {p: spec["description"] for p, spec in inputs.items()} == {
        component.camel(f.name): f.doc for f in fields.inputs
    }


@pytest.mark.parametrize(
    ("kind", "fields", "inputs_only"),
    [("Integration", INTEGRATION_FIELDS, {"adopt"}), ("Behaviors", BEHAVIORS_FIELDS, set())],
    ids=["integration", "behaviors"],
)
def test_schema_outputs_are_every_field_but_instructions(
    schema: dict[str, Any], kind: str, fields: Fields, inputs_only: set[str]
) -> None:
    # `adopt` says how to create; `integrationId` is the integration's id, however it came to be.
    outputs = schema["resources"][f"ztrisk:index:{kind}"]["properties"]
    assert sorted(outputs) == sorted(component.camel(f.name) for f in fields.all if f.name not in inputs_only)


@pytest.mark.parametrize(
    ("kind", "required"),
    [("Integration", ["tenantUrl"]), ("Behaviors", ["behaviors"])],
    ids=["integration", "behaviors"],
)
def test_schema_requires_what_the_resource_requires(schema: dict[str, Any], kind: str, required: list[str]) -> None:
    assert schema["resources"][f"ztrisk:index:{kind}"]["requiredInputs"] == required


@pytest.mark.parametrize(
    ("prop", "kind"),
    [("active", "boolean"), ("adopt", "boolean"), ("tenantUrl", "string"), ("connection", "string")],
    ids=["active", "adopt", "tenant-url", "connection"],
)
def test_schema_types_are_the_resources(schema: dict[str, Any], prop: str, kind: str) -> None:
    assert schema["resources"]["ztrisk:index:Integration"]["inputProperties"][prop]["type"] == kind


def test_schema_behaviors_is_a_map(schema: dict[str, Any]) -> None:
    spec = schema["resources"]["ztrisk:index:Behaviors"]["inputProperties"]["behaviors"]
    assert spec["type"] == "object" and "additionalProperties" in spec


@pytest.mark.parametrize(
    ("kind", "inputs", "path"),
    [
        ("Integration", {"tenantUrl": "http://corp.okta.com"}, "tenantUrl"),
        ("Integration", {"tenantUrl": "https://corp.okta.com", "active": "yes"}, "active"),
        ("Integration", {"tenantUrl": "https://corp.okta.com", "onDelete": "keep"}, "onDelete"),
        ("Behaviors", {"behaviors": {"imp_travel": {"enabled": True, "risk_level": "extreme"}}}, "behaviors"),
    ],
    ids=["tenant-url", "active", "on-delete", "risk-level"],
)
def test_construct_inputs_refused_name_the_schema_property(kind: str, inputs: dict[str, Any], path: str) -> None:
    problems = component.input_problems(kind, inputs)
    assert [p["property_path"] for p in problems] == [path]


def test_construct_input_with_a_password_names_no_value() -> None:
    problems = component.input_problems("Integration", {"tenantUrl": "https://user:secret@corp.okta.com"})
    assert [p["property_path"] for p in problems] == [""]
    assert "secret" not in problems[0]["reason"] and "tenant_url" in problems[0]["reason"]


def test_construct_inputs_known_later_are_left_to_the_child() -> None:
    assert component.input_problems("Integration", {"tenantUrl": "https://corp.okta.com", "accountId": None}) == []


@pytest.mark.parametrize(
    ("kind", "plain"),
    [("Integration", {"adopt", "onDelete", "connection"}), ("Behaviors", {"onDelete", "connection"})],
    ids=["integration", "behaviors"],
)
def test_schema_marks_plain_what_the_constructor_takes_plain(
    schema: dict[str, Any], kind: str, plain: set[str]
) -> None:
    inputs = schema["resources"][f"ztrisk:index:{kind}"]["inputProperties"]
    assert {p for p, spec in inputs.items() if spec.get("plain")} == plain


def test_construct_inputs_holding_an_output_inside_are_left_to_the_child() -> None:
    level = pulumi.Output.from_input("high")  # another resource's value, or a secret, inside the map
    behaviors = {"imp_travel": {"enabled": True, "risk_level": level}}
    assert component.input_problems("Behaviors", {"behaviors": behaviors}) == []


def test_construct_input_of_a_plain_field_given_an_output_is_refused_naming_it() -> None:
    inputs = {"tenantUrl": "https://corp.okta.com", "connection": pulumi.Output.from_input("prod")}
    assert [p["property_path"] for p in component.input_problems("Integration", inputs)] == ["connection"]


@pytest.mark.parametrize(
    ("name", "field"),
    [("tenantUrl", "tenant_url"), ("active", "active"), ("behaviors.imp_travel", "behaviors.imp_travel")],
    ids=["camel", "one-word", "path"],
)
def test_snake_names_the_childs_field(name: str, field: str) -> None:
    assert component.snake(name) == field
