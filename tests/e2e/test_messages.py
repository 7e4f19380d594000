"""What a user reads under the real CLI when a program or a call goes wrong: one message, no Python traceback.

Each test has a stack of its own (the declared program) and a freshly reset emulator account.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import ACCOUNT, Control
from tests.e2e.declared import CHOSEN, TENANT, Declared, behaviors, integration
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import IntegrationSpec

HIGH = {"enabled": True, "risk_level": "high"}
LOW = {"enabled": True, "risk_level": "low"}
ADOPTED = "4cfe8442-664b-4915-acd4-b39cd65c4314"

# Two resources of one program that would manage one thing, and what the refusal says.
TWICE = {
    "reference-id": (
        integration("corp", reference_id=CHOSEN),
        integration("partners", reference_id=CHOSEN.upper(), tenant_url="https://partners.okta.com"),
        f"RiskIntegration 'partners': reference_id '{CHOSEN.upper()}' of account '{ACCOUNT}' is already that of "
        "RiskIntegration 'corp' in this program",
    ),
    "integration-id": (
        integration("corp", integration_id=ADOPTED),
        integration("again", integration_id=ADOPTED),
        f"RiskIntegration 'again': integration_id '{ADOPTED}' of account '{ACCOUNT}' is already",
    ),
    "behavior-key": (
        behaviors("first", behaviors={"imp_travel": HIGH}),
        behaviors("second", behaviors={"imp_travel": LOW, "high_dlp": LOW}),
        f"RiskBehaviors 'second': behavior(s) 'imp_travel' of account '{ACCOUNT}' are already managed by "
        "RiskBehaviors 'first'",
    ),
}


def _without_traceback(result: Any) -> str:
    output = str(result.stdout + result.stderr)
    assert "Traceback" not in output and 'File "' not in output, output
    return output


@pytest.mark.parametrize(("first", "second", "message"), TWICE.values(), ids=TWICE.keys())
def test_preview_of_two_resources_managing_one_thing_fails_in_one_message(
    declared: Declared,
    client: RiskScoringClient,
    control: Control,
    first: dict[str, Any],
    second: dict[str, Any],
    message: str,
) -> None:
    first, second = copy.deepcopy(first), copy.deepcopy(second)  # the cases are shared by every parameter set
    if "integration_id" in first["args"]:
        first["args"]["integration_id"] = second["args"]["integration_id"] = client.create_integration(
            IntegrationSpec(TENANT, CHOSEN)
        ).id
        message = message.replace(ADOPTED, first["args"]["integration_id"])
    declared.declare(first, second)
    writes = control.writes()
    result = declared.run("preview", check=False)
    assert result.returncode != 0
    assert message in _without_traceback(result)
    assert control.writes() == writes


def test_up_refused_by_the_api_shows_the_providers_message_alone(declared: Declared, client: RiskScoringClient) -> None:
    taken = client.create_integration(IntegrationSpec(TENANT, CHOSEN))
    declared.declare(integration(reference_id=CHOSEN))
    result = declared.up(check=False)
    assert result.returncode != 0
    output = _without_traceback(result)
    assert f"integration {taken.id} already has reference_id {CHOSEN}; to manage it from this stack set adopt=True" in (
        output
    )


def test_refresh_with_base_url_without_api_root_shows_the_setting_alone(
    declared: Declared, emulator: EmulatorServer
) -> None:
    declared.declare(integration(reference_id=CHOSEN))
    declared.up()
    declared.set_config(
        {"cloudflare:baseUrl": emulator.base_url.removesuffix("/client/v4"), "cloudflare:accountId": ACCOUNT}
    )
    result = declared.refresh("--run-program", check=False)
    assert result.returncode != 0
    assert "cloudflare:baseUrl" in _without_traceback(result)
    assert len(declared.integrations()) == 1


def _renamed(declared: Declared) -> str:
    """An integration with a derived reference_id, then `pulumi stack rename`: its reference_id."""
    declared.declare(integration())
    declared.up()
    declared.run("stack", "rename", "renamed")
    return str(declared.integrations()[0]["outputs"]["reference_id"])


def test_preview_of_integration_with_derived_reference_warns_nothing(declared: Declared) -> None:
    declared.declare(integration())
    declared.up()
    assert "reference_id=" not in declared.run("preview", "--expect-no-changes").stdout


def test_preview_after_stack_rename_warns_that_replace_would_derive_another_reference(declared: Declared) -> None:
    reference = _renamed(declared)
    preview = declared.run("preview", "--expect-no-changes").stdout
    assert f"keeps reference_id '{reference}'" in preview and f"pass reference_id='{reference}'" in preview


def test_preview_after_stack_rename_with_reference_in_program_warns_nothing(declared: Declared) -> None:
    declared.declare(integration(reference_id=_renamed(declared)))
    assert "reference_id=" not in declared.run("preview", "--expect-no-changes").stdout


def test_refresh_whose_gone_check_is_refused_by_the_credential_names_the_credential_not_the_base_url(
    declared: Declared, proxy: Any, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    declared.set_config({"cloudflare:baseUrl": proxy.base_url(emulator.base_url), "cloudflare:accountId": ACCOUNT})
    declared.declare(integration(reference_id=CHOSEN))
    declared.up()
    before = declared.ours()
    client.delete_integration(declared.integrations()[0]["id"])  # its GET answers 404: the list must confirm it

    def refuse_list(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "GET" and path.split("?")[0].endswith("/integrations"):
            return 401, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}],
                         "messages": [], "result": None}  # fmt: skip
        return status, body

    proxy.answer_rule = refuse_list
    output = _without_traceback(declared.refresh(check=False))
    assert "CLOUDFLARE_API_TOKEN (the credential in use) is current and not revoked" in output, output
    assert "it must be the API root" not in output
    assert declared.ours() == before


@pytest.mark.parametrize(
    ("recorded", "changed"),
    [
        (integration(reference_id=CHOSEN), integration(reference_id=CHOSEN, on_delete="retain")),
        (
            behaviors("risk", behaviors={"imp_travel": HIGH}),
            behaviors("risk", behaviors={"imp_travel": HIGH}, on_delete="retain"),
        ),
    ],
    ids=["integration", "behaviors"],
)
def test_destroy_run_program_with_on_delete_changed_since_the_last_up_warns_it_uses_the_states(
    declared: Declared, recorded: dict[str, Any], changed: dict[str, Any]
) -> None:
    declared.declare(recorded)
    declared.up()
    declared.declare(changed)
    previewed = declared.run("preview")
    assert "in the stack's state" not in previewed.stdout  # a preview shows what the up will record: no warning
    destroyed = declared.destroy("--run-program")
    assert "on_delete is 'retain' in the program but 'restore' in the stack's state" in destroyed.stdout
    assert "until a `pulumi up` records the program's" in destroyed.stdout
