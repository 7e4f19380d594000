"""Under the real CLI: an import file edited by hand is not taken as it is. The engine stores an entry's outputs
unread, so the import checks what each entry names against the account, and the previews after it compare the id."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from harness import PulumiStack, run_command
from tests.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN
from tests.e2e.conftest import base_config
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

Edit = Any  # (document, other account's integration id) -> None


@pytest.fixture
def exported(tmp_path: Path, emulator: EmulatorServer, client: RiskScoringClient) -> tuple[PulumiStack, dict[str, Any]]:
    """A stack, and the import file `zt-risk export` made of an account with two integrations and behaviors."""
    client.update_behaviors({"imp_travel": BehaviorSetting(True, "medium")})
    for n, tenant in enumerate(("https://alpha.okta.com", "https://beta.okta.com")):
        client.create_integration(IntegrationSpec(tenant, f"idp-{n}"))
    stack = PulumiStack(tmp_path, env={"CLOUDFLARE_API_TOKEN": TOKEN})
    stack.set_config(base_config(emulator))
    env = {**stack.env, "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": emulator.base_url}
    argv = [sys.executable, "-m", "zt_risk_scoring.cli", "export", "--stack", stack.name, "--import-file",
            "import.json", "--python", "imported.py", "--behaviors", "imp_travel", "--account-id", ACCOUNT]  # fmt: skip
    made = run_command(argv, stack.project, env)
    assert made.returncode == 0, made.stderr
    program = stack.project / "stacks" / "__main__.py"  # the declarations export wrote, as its user adds them
    program.write_text(program.read_text() + "\n" + (stack.project / "imported.py").read_text())
    return stack, json.loads((stack.project / "import.json").read_text())


def _import(stack: PulumiStack, document: dict[str, Any]) -> Any:
    (stack.project / "edited.json").write_text(json.dumps(document))
    return stack.run(
        "import", "--file", "edited.json", "--yes", "--generate-code=false", "--protect=false", check=False
    )


def _entry(document: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(e for e in document["resources"] if e["type"].endswith(kind))


def _everywhere(entry: dict[str, Any], old: str, new: str) -> None:
    """A search-and-replace of one value across the entry, as a person editing the file would do."""
    entry.update(json.loads(json.dumps(entry).replace(old, new)))


def test_import_of_an_entry_naming_another_accounts_integration_fails_naming_it(
    exported: tuple[PulumiStack, dict[str, Any]], emulator: EmulatorServer
) -> None:
    stack, document = exported
    other = RiskScoringClient(Settings(base_url=emulator.base_url, token=TOKEN), OTHER_ACCOUNT)
    theirs = other.create_integration(IntegrationSpec("https://theirs.okta.com", "idp-theirs"))
    entry = _entry(document, "RiskIntegration")
    _everywhere(entry, entry["id"], theirs.id)
    result = _import(stack, document)
    assert result.returncode != 0 and f"'{theirs.id}' does not exist in account '{ACCOUNT}'" in result.stdout
    assert theirs.id not in json.dumps(stack.resources())


def test_import_of_one_entry_twice_under_two_names_fails(exported: tuple[PulumiStack, dict[str, Any]]) -> None:
    stack, document = exported
    entry = _entry(document, "RiskIntegration")
    document["resources"].append({**entry, "name": "a-second-name"})
    result = _import(stack, document)
    assert result.returncode != 0 and "would both manage the integration" in result.stdout, result.stdout
    ids = [r["id"] for r in stack.resources() if r["type"].endswith("RiskIntegration")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("kind", ["RiskIntegration", "RiskBehaviors"])
def test_preview_after_an_import_whose_id_was_edited_fails_naming_it(
    exported: tuple[PulumiStack, dict[str, Any]], emulator: EmulatorServer, kind: str
) -> None:
    stack, document = exported
    other = RiskScoringClient(Settings(base_url=emulator.base_url, token=TOKEN), OTHER_ACCOUNT)
    entry = _entry(document, kind)
    entry["id"] = (
        other.create_integration(IntegrationSpec("https://x.okta.com", "x")).id
        if kind == "RiskIntegration"
        else OTHER_ACCOUNT
    )
    document["resources"] = [entry]
    _import(stack, document)  # the engine stores the entry as given (no Read): the preview after it compares
    preview = stack.run("preview", check=False)
    assert preview.returncode != 0 and "the import file was edited" in preview.stdout, preview.stdout
