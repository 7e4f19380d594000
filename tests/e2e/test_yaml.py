"""examples/okta-risk-yaml under the real CLI: a Pulumi YAML program using the ztrisk component provider
(plugin/ztrisk) against the emulator, with credentials from stack config or from the environment."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness import CHECKOUT_SKIP, ROOT, UserProject, pulumi_dir
from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

TENANT = "https://corp.okta.com"


class YamlExample(UserProject):
    """The example inside a copy of this checkout; the plugin's venv is this test's own (it holds the package)."""

    def __init__(self, workdir: Path, server: EmulatorServer, credentials: str) -> None:
        source = workdir / "source"
        shutil.copytree(ROOT, source, ignore=CHECKOUT_SKIP)
        (source / "plugin" / "ztrisk" / "venv").symlink_to(sys.prefix, target_is_directory=True)
        env = {"CLOUDFLARE_API_TOKEN": TOKEN} if credentials == "environment" else {}
        super().__init__(source / "examples" / "okta-risk-yaml", workdir, env)
        self.run("stack", "init", "dev")
        config = {
            "okta-risk-yaml:tenantUrl": TENANT,
            "cloudflare:accountId": ACCOUNT,
            "cloudflare:baseUrl": server.base_url,
        }
        for key, value in config.items():
            self.run("config", "set", key, value)
        if credentials == "config":
            self.run("config", "set", "--secret", "cloudflare:apiToken", TOKEN)

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json", "--show-secrets").stdout))


@pytest.fixture
def yaml_host() -> None:
    if not (Path(pulumi_dir()) / "pulumi-language-yaml").exists():
        pytest.fail("scripts/ensure-pulumi builds pulumi-language-yaml beside the CLI; it is missing (see its log)")


@pytest.mark.usefixtures("yaml_host")
@pytest.mark.parametrize("credentials", ["config", "environment"])
def test_up_of_the_yaml_example_runs_its_lifecycle(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient, credentials: str
) -> None:
    example = YamlExample(tmp_path, emulator, credentials)
    before = client.get_behaviors()["imp_travel"].setting
    example.run("preview")
    example.run("up", "--yes", "--skip-preview")
    made = client.list_integrations()
    outputs = example.outputs()
    assert [(i.id, i.tenant_url) for i in made] == [(outputs["integrationId"], TENANT)]
    assert outputs["referenceId"] == made[0].reference_id
    assert client.get_behaviors()["imp_travel"].setting.to_api() == {"enabled": True, "risk_level": "high"}
    example.run("preview", "--expect-no-changes")
    example.run("refresh", "--expect-no-changes", "--yes", "--skip-preview")
    example.run("config", "set", "impossibleTravelLevel", "low")
    example.run("up", "--yes", "--skip-preview")
    assert client.get_behaviors()["imp_travel"].setting.risk_level == "low"
    assert [i.id for i in client.list_integrations()] == [made[0].id]
    example.run("destroy", "--yes", "--skip-preview")
    assert client.list_integrations() == []
    assert client.get_behaviors()["imp_travel"].setting == before
    shown = " ".join(example.run(*args).stdout for args in (("stack", "export"), ("config",)))
    assert TOKEN not in shown


@pytest.mark.usefixtures("yaml_host")
def test_preview_of_the_yaml_example_with_a_bad_tenant_url_names_the_property(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    example = YamlExample(tmp_path, emulator, "environment")
    example.run("config", "set", "tenantUrl", "http://corp.okta.com")
    result = example.run("preview", check=False)
    assert result.returncode != 0
    assert "tenantUrl" in result.stdout + result.stderr and "https" in result.stdout + result.stderr
    assert client.list_integrations() == []


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
    example = YamlExample(tmp_path, emulator, "environment")
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
    example = YamlExample(tmp_path, emulator, "environment")
    project = yaml.safe_load((example.dir / "Pulumi.yaml").read_text())
    project["resources"]["okta"]["options"] = {"retainOnDelete": True}
    (example.dir / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    example.run("up", "--yes", "--skip-preview")
    [made] = client.list_integrations()
    example.run("destroy", "--yes", "--skip-preview")
    assert [i.id for i in client.list_integrations()] == [made.id]  # the child's option: the engine kept it
