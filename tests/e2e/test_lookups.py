"""Lookups under the real CLI: unknown at preview until their dependencies exist, one message without credentials."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import PulumiStack
from tests.conftest import TOKEN, Control
from tests.e2e.conftest import base_config
from zt_risk_scoring.emulator import EmulatorServer

NO_CREDENTIALS = {"CLOUDFLARE_API_TOKEN": ""}

SAME_PROGRAM = '''
"""Two integrations, a lookup of one by its reference_id output, and a list that waits for both."""

import pulumi

from zt_risk_scoring import RiskIntegration, get_integration_by_reference, list_integrations

first = RiskIntegration("first", tenant_url="https://first.okta.com", reference_id="lookup-first")
second = RiskIntegration("second", tenant_url="https://second.okta.com", reference_id="lookup-second")
found = get_integration_by_reference(first.reference_id, opts=pulumi.InvokeOutputOptions(depends_on=[first]))
listed = list_integrations(opts=pulumi.InvokeOutputOptions(depends_on=[first, second]))
pulumi.export("found_id", found.apply(lambda f: f["id"]))
pulumi.export("first_id", first.id)
pulumi.export("listed", listed.apply(lambda items: sorted(i["reference_id"] for i in items)))
'''

# Reference ids of its own: the module's `deployed` stack holds SAME_PROGRAM's on the same emulator.
RENAME_PROGRAM = SAME_PROGRAM.replace('"lookup-', '"rename-')

KNOWN_INPUT_PROGRAM = '''
"""A lookup whose input is known at preview: it runs during the preview."""

import pulumi

from zt_risk_scoring import get_integration_by_reference

pulumi.export("found", get_integration_by_reference("lookup-known").apply(lambda f: f["id"]))
'''


def _stack(tmp_path: Path, server: EmulatorServer, source: str, env: dict[str, str]) -> PulumiStack:
    program = tmp_path / "__main__.py"
    program.write_text(source)
    stack = PulumiStack(tmp_path / "work", env=env, program=program)
    stack.set_config(base_config(server))
    return stack


def _requests(emu: Control) -> int:
    return len(emu.log()["requests"])


def _outputs_section(text: str) -> dict[str, str]:
    """The `Outputs:` block of a text preview, name → shown value."""
    block = text.split("Outputs:", 1)[1].split("\n\n", 1)[0]
    rows = (line.split(":", 1) for line in block.strip().splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in rows}


@pytest.fixture
def fresh(module_emulator: EmulatorServer, tmp_path: Path) -> PulumiStack:
    return _stack(tmp_path, module_emulator, SAME_PROGRAM, {"CLOUDFLARE_API_TOKEN": TOKEN})


@pytest.fixture
def to_rename(module_emulator: EmulatorServer, tmp_path: Path) -> PulumiStack:
    return _stack(tmp_path, module_emulator, RENAME_PROGRAM, {"CLOUDFLARE_API_TOKEN": TOKEN})


@pytest.fixture(scope="module")
def deployed(module_emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulumiStack]:
    stack = _stack(tmp_path_factory.mktemp("lookups"), module_emulator, SAME_PROGRAM, {"CLOUDFLARE_API_TOKEN": TOKEN})
    stack.up()
    yield stack
    stack.destroy()


def test_preview_lookup_of_integration_to_create_is_unknown(fresh: PulumiStack, emu: Control) -> None:
    before = _requests(emu)
    result = fresh.run("preview")
    assert _outputs_section(result.stdout) == {"first_id": "[unknown]", "found_id": "[unknown]", "listed": "[unknown]"}
    assert _requests(emu) == before  # no lookup ran: what it depends on does not exist yet


def test_up_lookup_by_reference_output_finds_integration_created_first(deployed: PulumiStack) -> None:
    outputs = deployed.outputs()
    assert outputs["found_id"] == outputs["first_id"]


def test_up_list_integrations_runs_after_its_dependencies_exist(deployed: PulumiStack) -> None:
    assert deployed.outputs()["listed"] == ["lookup-first", "lookup-second"]


def test_preview_after_up_shows_no_changes(deployed: PulumiStack) -> None:
    deployed.run("preview", "--expect-no-changes")


def test_preview_after_up_without_credentials_fails_naming_token(deployed: PulumiStack) -> None:
    # Once its dependencies exist, the lookup's inputs are known at preview, so it runs and needs a token.
    result = deployed.run("preview", check=False, env=NO_CREDENTIALS)
    _assert_one_message(result)


def test_preview_lookup_of_reference_renamed_by_this_update_is_unknown(to_rename: PulumiStack) -> None:
    to_rename.up()
    renamed = RENAME_PROGRAM.replace('reference_id="rename-first"', 'reference_id="rename-renamed"')
    (to_rename.project / "stacks" / "__main__.py").write_text(renamed)
    # The preview reads the account before the rename: nothing has that reference_id yet, which is no error.
    assert "get_integration_by_reference: nothing found yet" in to_rename.run("preview").stdout
    to_rename.up()
    outputs = to_rename.outputs()
    assert outputs["found_id"] == outputs["first_id"]
    to_rename.destroy()


def test_preview_without_credentials_lookup_with_known_input_fails_in_one_message(
    module_emulator: EmulatorServer, emu: Control, tmp_path: Path
) -> None:
    stack = _stack(tmp_path, module_emulator, KNOWN_INPUT_PROGRAM, {})
    before = _requests(emu)
    result = stack.run("preview", check=False)
    _assert_one_message(result)
    assert _requests(emu) == before


def _assert_one_message(result: subprocess.CompletedProcess[str]) -> None:
    text = result.stdout + result.stderr
    assert result.returncode != 0
    assert "cloudflare:apiToken" in text
    assert "CLOUDFLARE_API_TOKEN" in text
    assert "Traceback" not in text
    assert "unhandled exception" not in text  # the host's wording when it prints a traceback
