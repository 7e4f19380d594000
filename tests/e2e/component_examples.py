"""The component provider's examples in other languages (examples/okta-risk-yaml, okta-risk-ts) as a user runs
them: inside a copy of this checkout, against the emulator, through one lifecycle."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from harness import CHECKOUT_SKIP, ROOT, UserProject, pulumi_dir
from tests.conftest import ACCOUNT, TOKEN
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer

TENANT = "https://corp.okta.com"


class ComponentExample(UserProject):
    """examples/NAME in a copy of this checkout, the token from stack config or the environment; the plugin's venv
    is this test's own (it holds the package). `prepare` runs in the project before its stack is made."""

    def __init__(
        self, workdir: Path, server: EmulatorServer, name: str, credentials: str = "config", prepare: Any = None
    ) -> None:
        source = workdir / "source"
        shutil.copytree(ROOT, source, ignore=CHECKOUT_SKIP)
        (source / "plugin" / "ztrisk" / "venv").symlink_to(sys.prefix, target_is_directory=True)
        env = {"CLOUDFLARE_API_TOKEN": TOKEN} if credentials == "environment" else {}
        super().__init__(source / "examples" / name, workdir, env)
        if prepare is not None:
            prepare(self)
        self.run("stack", "init", "dev")
        config = {f"{name}:tenantUrl": TENANT, "cloudflare:accountId": ACCOUNT, "cloudflare:baseUrl": server.base_url}
        for key, value in config.items():
            self.run("config", "set", key, value)
        if credentials == "config":
            self.run("config", "set", "--secret", "cloudflare:apiToken", TOKEN)

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json", "--show-secrets").stdout))


def language_host(language: str) -> None:
    """Fail (not skip) when scripts/ensure-pulumi left the language's host out: its log says why."""
    host = f"pulumi-language-{language}"
    if not (Path(pulumi_dir()) / host).exists():
        pytest.fail(f"scripts/ensure-pulumi builds {host} beside the CLI; it is missing (see its log)")


def run_lifecycle(example: ComponentExample, client: RiskScoringClient) -> None:
    """preview, up, `preview --expect-no-changes`, `refresh --expect-no-changes`, an update, destroy: the account
    holds what the program declares at each step, gets back its behaviors, and no token reaches state or config."""
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
    assert TOKEN not in " ".join(example.run(*args).stdout for args in (("stack", "export"), ("config",)))


def refuses_bad_tenant_url_at_preview(example: ComponentExample, client: RiskScoringClient) -> None:
    """A bad tenantUrl fails the preview with one message naming the property, and nothing is written."""
    example.run("config", "set", "tenantUrl", "http://corp.okta.com")
    result = example.run("preview", check=False)
    assert result.returncode != 0
    assert "property tenantUrl" in result.stdout + result.stderr and "https" in result.stdout + result.stderr
    assert client.list_integrations() == []
