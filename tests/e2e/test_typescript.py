"""examples/okta-risk-ts under the real CLI: a TypeScript program using the ztrisk components through the SDK
`pulumi package gen-sdk` generates, against the emulator."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from harness import CHECKOUT_SKIP, ROOT, UserProject, pulumi_dir
from tests.conftest import ACCOUNT, TOKEN
from tests.e2e.sdks import gen_sdk, npm_install, write_schema
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

TENANT = "https://corp.okta.com"


class TypeScriptExample(UserProject):
    """The example inside a copy of this checkout, its SDK generated and installed as its README says; the
    plugin's venv is this test's own (it holds the package)."""

    def __init__(self, workdir: Path, server: EmulatorServer) -> None:
        source = workdir / "source"
        shutil.copytree(ROOT, source, ignore=CHECKOUT_SKIP)
        (source / "plugin" / "ztrisk" / "venv").symlink_to(sys.prefix, target_is_directory=True)
        super().__init__(source / "examples" / "okta-risk-ts", workdir, {})
        gen_sdk(write_schema(workdir)[0], "nodejs", self.dir / "sdks", "--local")
        npm_install(self.dir)
        self.run("stack", "init", "dev")
        config = {
            "okta-risk-ts:tenantUrl": TENANT,
            "cloudflare:accountId": ACCOUNT,
            "cloudflare:baseUrl": server.base_url,
        }
        for key, value in config.items():
            self.run("config", "set", key, value)
        self.run("config", "set", "--secret", "cloudflare:apiToken", TOKEN)

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json", "--show-secrets").stdout))


@pytest.fixture
def nodejs_host() -> None:
    if not (Path(pulumi_dir()) / "pulumi-language-nodejs").exists():
        pytest.fail("scripts/ensure-pulumi builds pulumi-language-nodejs beside the CLI; it is missing (see its log)")


@pytest.mark.usefixtures("nodejs_host")
def test_up_of_the_typescript_example_runs_its_lifecycle(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    example = TypeScriptExample(tmp_path, emulator)
    before = client.get_behaviors()["imp_travel"].setting
    example.run("preview")
    example.run("up", "--yes", "--skip-preview")
    made = client.list_integrations()
    outputs = example.outputs()
    assert [(i.id, i.tenant_url, i.reference_id) for i in made] == [
        (outputs["integrationId"], TENANT, outputs["referenceId"])
    ]
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
    assert TOKEN not in example.run("stack", "export").stdout


@pytest.mark.usefixtures("nodejs_host")
def test_preview_of_the_typescript_example_with_a_bad_tenant_url_names_the_property(
    tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    example = TypeScriptExample(tmp_path, emulator)
    example.run("config", "set", "tenantUrl", "http://corp.okta.com")
    result = example.run("preview", check=False)
    assert result.returncode != 0
    assert "property tenantUrl" in result.stdout + result.stderr and "https" in result.stdout + result.stderr
    assert client.list_integrations() == []
