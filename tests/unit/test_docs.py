"""The docs state what the code does: the field tables and the stack program's keys are derived, not retyped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zt_risk_scoring.behaviors import FIELDS as BEHAVIORS_FIELDS
from zt_risk_scoring.fields import Fields
from zt_risk_scoring.integration_schema import FIELDS as INTEGRATION_FIELDS

DOCS = Path(__file__).resolve().parents[2] / "docs"
RESOURCES = (DOCS / "resources.md").read_text()
STACK_PROGRAM = (DOCS / "stack-program.md").read_text()


@pytest.mark.parametrize("fields", [INTEGRATION_FIELDS, BEHAVIORS_FIELDS], ids=["RiskIntegration", "RiskBehaviors"])
def test_docs_field_table_is_the_resource_table(fields: Fields) -> None:
    assert fields.markdown() in RESOURCES


def test_docs_stack_item_keys_are_the_program_keys() -> None:
    row = next(line for line in STACK_PROGRAM.splitlines() if line.startswith("| `zt-risk-scoring:integrations` |"))
    listed = set(re.findall(r"\w+", row.split("list of", 1)[1]))
    fields = set(INTEGRATION_FIELDS.config_keys())
    assert listed == fields | {"name", "referenceFrom", "retainOnDelete"}


def test_readme_links_only_to_files_that_exist() -> None:
    root = DOCS.parent
    readme = (root / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#]+)\)", readme)
    assert targets and [t for t in targets if not (root / t).exists()] == []
