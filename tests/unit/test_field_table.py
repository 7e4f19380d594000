"""Each resource's field table is the source its constructor, Output annotations and API models must agree with.

What the table does not hold, on purpose: `reference_seed` (the program's seed, read by check and never
stored) and `reference_generated` (check's mark in state that the reference_id was derived).
"""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from zt_risk_scoring import RiskBehaviors, RiskIntegration
from zt_risk_scoring.behaviors import FIELDS as BEHAVIOR_FIELDS
from zt_risk_scoring.fields import Fields
from zt_risk_scoring.integration_schema import FIELDS as INTEGRATION_FIELDS
from zt_risk_scoring.models import Integration, IntegrationSpec

RESOURCES = [(RiskIntegration, INTEGRATION_FIELDS), (RiskBehaviors, BEHAVIOR_FIELDS)]
IDS = ["integration", "behaviors"]


@pytest.mark.parametrize(("resource", "fields"), RESOURCES, ids=IDS)
def test_constructor_takes_exactly_the_tables_inputs(resource: type, fields: Fields) -> None:
    params = set(inspect.signature(resource.__init__).parameters) - {"self", "resource_name", "opts"}
    assert params == {f.name for f in fields.inputs}


@pytest.mark.parametrize(("resource", "fields"), RESOURCES, ids=IDS)
def test_output_annotations_are_the_tables_fields_but_those_used_at_create(resource: type, fields: Fields) -> None:
    assert set(inspect.get_annotations(resource)) == {f.name for f in fields.all if f.change != "none"}


@pytest.mark.parametrize(("resource", "fields"), RESOURCES, ids=IDS)
def test_constructor_defaults_are_the_tables(resource: type, fields: Fields) -> None:
    params = inspect.signature(resource.__init__).parameters
    for f in fields.inputs:
        default = params[f.name].default
        assert default is inspect.Parameter.empty or default == f.default or (default is None and f.optional), f.name


def test_integration_model_has_every_api_attribute_of_the_table() -> None:
    model = {f.name for f in dataclasses.fields(Integration)}
    assert {f.api for f in INTEGRATION_FIELDS.all if f.api} == model


def test_integration_spec_fields_are_inputs_of_the_table() -> None:
    assert {f.name for f in dataclasses.fields(IntegrationSpec)} <= {f.name for f in INTEGRATION_FIELDS.inputs}
