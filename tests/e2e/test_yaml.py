"""examples/okta-risk-yaml under the real CLI: a Pulumi YAML program using the ztrisk component provider
(plugin/ztrisk) against the emulator, with credentials from stack config or from the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.component_examples import (
    TENANT,
    ComponentExample,
    language_host,
    refuses_bad_tenant_url_at_preview,
    run_lifecycle,
)
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

EXAMPLE = "okta-risk-yaml"


@pytest.fixture
def yaml_host() -> None:
    language_host("yaml")


@pytest.mark.usefixtures("yaml_host")
@pytest.mark.parametrize("credentials", ["config", "environment"])
def test_up_of_the_yaml_example_runs_its_lifecycle(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient, credentials: str
) -> None:
    run_lifecycle(ComponentExample(tmp_path, emulator, EXAMPLE, credentials), client)


@pytest.mark.usefixtures("yaml_host")
def test_preview_of_the_yaml_example_with_a_bad_tenant_url_names_the_property(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    refuses_bad_tenant_url_at_preview(ComponentExample(tmp_path, emulator, EXAMPLE, "environment"), client)


PYTHON_PROGRAM = f"""
from zt_risk_scoring import RiskIntegration

RiskIntegration("okta", tenant_url={TENANT!r}, active=True)
"""


@pytest.mark.usefixtures("yaml_host")
def test_up_of_a_python_resource_moved_into_the_component_keeps_its_integration(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient, control: Any
) -> None:
    # The same stack, its program rewritten from Python to YAML: the component's child is the resource of
    # the same name at the top of the Python program (the alias every child carries).
    example = ComponentExample(tmp_path, emulator, EXAMPLE, "environment")
    described = (example.dir / "Pulumi.yaml").read_text()
    python = "name: okta-risk-yaml\nruntime:\n  name: python\n  options:\n    virtualenv: ../../plugin/ztrisk/venv\n"
    (example.dir / "Pulumi.yaml").write_text(python)
    (example.dir / "__main__.py").write_text(PYTHON_PROGRAM)
    example.run("up", "--yes", "--skip-preview")
    [before] = client.list_integrations()
    (example.dir / "__main__.py").unlink()
    (example.dir / "Pulumi.yaml").write_text(described)
    writes = control.writes()
    planned = example.run("preview", "--diff").stdout
    assert "replace" not in planned and "RiskIntegration" not in planned.split("Resources:")[-1], planned
    example.run("up", "--yes", "--skip-preview")
    assert [(i.id, i.reference_id) for i in client.list_integrations()] == [(before.id, before.reference_id)]
    assert control.writes() - writes == 1  # the behaviors the YAML program adds; the integration is not written
    example.run("preview", "--expect-no-changes")


@pytest.mark.usefixtures("yaml_host")
def test_destroy_of_a_component_with_retain_on_delete_keeps_its_integration(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    example = ComponentExample(tmp_path, emulator, EXAMPLE, "environment")
    project = yaml.safe_load((example.dir / "Pulumi.yaml").read_text())
    project["resources"]["okta"]["options"] = {"retainOnDelete": True}
    (example.dir / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    example.run("up", "--yes", "--skip-preview")
    [made] = client.list_integrations()
    example.run("destroy", "--yes", "--skip-preview")
    assert [i.id for i in client.list_integrations()] == [made.id]  # the child's option: the engine kept it
