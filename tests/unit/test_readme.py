"""README states what the code does: the field tables and the stack program's keys are derived, not retyped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zt_risk_scoring.behaviors import FIELDS as BEHAVIORS_FIELDS
from zt_risk_scoring.fields import Fields
from zt_risk_scoring.integration import FIELDS as INTEGRATION_FIELDS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.mark.parametrize("fields", [INTEGRATION_FIELDS, BEHAVIORS_FIELDS], ids=["RiskIntegration", "RiskBehaviors"])
def test_readme_field_table_is_the_resource_table(fields: Fields) -> None:
    assert fields.markdown() in README


def test_readme_stack_item_keys_are_the_program_keys() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| `zt-risk-scoring:integrations` |"))
    listed = set(re.findall(r"\w+", row.split("list of", 1)[1]))
    fields = set(INTEGRATION_FIELDS.config_keys())
    assert listed == fields | {"name", "referenceFrom", "retainOnDelete"}
