"""The real lifecycle against a real account (ZT_RISK_ACCEPTANCE=1), in order, under the real Pulumi CLI.

Each test is one phase of one run and leans on the ones before it; after each, the account is compared
with the state. Only the public API is used, so the same run means as much against Cloudflare as against
the emulator.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness import ops
from tests.acceptance.conftest import ENABLED, SECOND, WHAT_TO_SET, WINDOW_BUDGET, Run, row
from tests.acceptance.replay import exchanges
from zt_risk_scoring.behaviors import KNOWN_KEYS
from zt_risk_scoring.models import RISK_LEVELS, IntegrationSpec
from zt_risk_scoring.probe import POINTS
from zt_risk_scoring.sweep import sweep

if not ENABLED:
    pytest.skip(WHAT_TO_SET, allow_module_level=True)

pytestmark = pytest.mark.acceptance


def integration(run: Run, name: str, *, tenant: str = "", active: bool = True) -> dict[str, Any]:
    args = {"tenant_url": tenant or run.tenant(name), "reference_id": run.reference(name), "active": active}
    return {"kind": "integration", "name": name, "args": args}


def behaviors(settings: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "behaviors", "name": "behaviors", "args": {"behaviors": settings}}


def other_level(level: Any) -> str:
    return RISK_LEVELS[(RISK_LEVELS.index(level) + 1) % 3] if level in RISK_LEVELS else "high"


def ids(run: Run) -> dict[str, str]:
    return {name: outs["id"] for name, outs in run.state("RiskIntegration").items()}


def test_up_creates_two_integrations_one_inactive_and_behaviors(run: Run) -> None:
    run.phase("create")
    # Two behaviors the account has, each set to what it is not now: the restore at the end is visible.
    keys = [k for k in sorted(run.behaviors_before) if k in KNOWN_KEYS][:2]
    before = run.behaviors_before
    run.desired = {
        k: {"enabled": not before[k]["enabled"], "risk_level": other_level(before[k]["risk_level"])} for k in keys
    }
    run.declare([integration(run, "a"), integration(run, "b", active=False), behaviors(run.desired)])
    run.pulumi("up", "--yes", "--skip-preview")
    assert sorted(ids(run)) == ["a", "b"]
    assert run.client.get_integration(ids(run)["b"]).active is False
    run.assert_account_is_state()


def test_preview_expects_no_changes(run: Run) -> None:
    run.phase("preview")
    run.pulumi("preview", "--expect-no-changes")
    run.assert_account_is_state()


def test_refresh_expects_no_changes(run: Run) -> None:
    run.phase("refresh")
    run.pulumi("refresh", "--yes", "--skip-preview", "--expect-no-changes")
    run.assert_account_is_state()


def test_drift_outside_pulumi_shown_by_refresh_and_repaired_by_up(run: Run) -> None:
    run.phase("drift")
    made = ids(run)
    run.client.update_integration(made["a"], IntegrationSpec(run.tenant("a"), run.reference("a"), active=False))
    run.client.delete_integration(made["b"])
    refreshed = run.pulumi("refresh", "--yes", "--skip-preview").stdout
    assert "1 updated" in refreshed and "1 deleted" in refreshed, refreshed
    assert (run.state("RiskIntegration")["a"]["active"], sorted(ids(run))) == (False, ["a"])
    preview = json.loads(run.pulumi("preview", "--json").stdout)
    assert ops(preview) == {"a": "update", "b": "create"}
    run.pulumi("up", "--yes", "--skip-preview")
    assert (ids(run)["a"], run.client.get_integration(ids(run)["a"]).active) == (made["a"], True)
    assert ids(run)["b"] != made["b"]
    run.assert_account_is_state()


def test_update_in_place_keeps_ids(run: Run) -> None:
    run.phase("update")
    made = ids(run)
    first = sorted(run.desired)[0]
    run.desired[first] = {**run.desired[first], "risk_level": other_level(run.desired[first]["risk_level"])}
    tenant = run.tenant("a-moved")
    run.declare([integration(run, "a", tenant=tenant), integration(run, "b", active=False), behaviors(run.desired)])
    assert ops(json.loads(run.pulumi("preview", "--json").stdout)) == {"a": "update", "behaviors": "update"}
    run.pulumi("up", "--yes", "--skip-preview")
    assert ids(run) == made and run.client.get_integration(made["a"]).tenant_url == tenant
    run.assert_account_is_state()


def test_import_of_integration_made_outside_previews_no_changes(run: Run) -> None:
    run.phase("import")
    outside = run.client.create_integration(IntegrationSpec(run.tenant("c"), run.reference("c")))
    exported = run.zt_risk(
        "export", "--stack", run.stack.name, "--import-file", "import.json", "--python", "stacks/imported.py",
        "--integration", outside.id,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    imported = run.pulumi("import", "--file", "import.json", "--yes", "--generate-code=false", "--protect=false")
    assert "= 1 imported" in imported.stdout, imported.stdout
    run.pulumi("preview", "--expect-no-changes")
    assert ids(run)[f"{run.prefix}c-okta-com"] == outside.id
    # An imported integration existed before the stack: destroy would give it back and leave it. This run made
    # it, so it asks for the delete (an `up` that records on_delete writes nothing to the account).
    code = run.stack.project / "stacks" / "imported.py"
    declared, closing, rest = code.read_text().rpartition("\n)")
    code.write_text(f"{declared}\n    on_delete='delete',{closing}{rest}")
    record = run.phase("import-on-delete")
    run.pulumi("up", "--yes", "--skip-preview")
    assert [e["method"] for e in exchanges(record) if e["method"] != "GET"] == []
    run.assert_account_is_state()


def test_lookups_answer_with_what_the_run_made(run: Run) -> None:
    run.phase("lookups")
    run.pulumi("up", "--yes", "--skip-preview", "--expect-no-changes")
    outputs = run.stack.outputs()
    made = ids(run)
    assert (outputs["by_id"], outputs["by_reference"]) == (run.reference("a"), made["a"])
    assert (outputs["listed"], outputs["summary_is_list"]) == (sorted(made.values()), True)
    assert outputs.get("user_has_events", True) is True
    run.assert_account_is_state()


@pytest.mark.parametrize("command", ["summary", "behaviors", "integrations"])
def test_cli_read_changes_nothing(run: Run, command: str) -> None:
    record = run.phase(f"cli-{command}")
    result = run.zt_risk(command, "--json")
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(result.stdout), list)
    assert {e["method"] for e in exchanges(record)} == {"GET"}
    run.assert_account_is_state()


def test_user_is_reset_only_when_given_by_flag(run: Run) -> None:
    run.phase("user")
    if run.user_id:
        assert run.zt_risk("user", run.user_id).returncode == 0
        assert run.zt_risk("reset", run.user_id, "--yes").returncode == 0
    resets = [e["path"] for e in exchanges(run.record) if str(e["path"]).endswith("/reset")]
    assert len(resets) == (1 if run.user_id else 0)
    run.assert_account_is_state()


def test_second_account_through_a_named_connection_holds_only_its_own(run: Run) -> None:
    """With ZT_RISK_ACCEPTANCE_SECOND_ACCOUNT_ID and _TOKEN: one program, two accounts, nothing crosses."""
    if run.second is None:
        pytest.skip("no second account: set ZT_RISK_ACCEPTANCE_SECOND_ACCOUNT_ID and ZT_RISK_ACCEPTANCE_SECOND_TOKEN")
    run.phase("second-account")
    found = sorted(row(i) for i in run.second.list_integrations())
    first = [integration(run, "a"), integration(run, "b", active=False), behaviors(run.desired)]
    there = {**integration(run, "d"), "args": {**integration(run, "d")["args"], "connection": SECOND}}
    run.declare([*first, there])
    run.pulumi("up", "--yes", "--skip-preview")
    made = [i for i in run.second.list_integrations() if i.reference_id.startswith(run.prefix)]
    assert [i.reference_id for i in made] == [run.reference("d")] and "d" in ids(run)
    run.assert_account_is_state()  # the first account: d is not there
    run.pulumi("preview", "--expect-no-changes")
    run.declare(first)
    run.pulumi("up", "--yes", "--skip-preview")
    assert sorted(row(i) for i in run.second.list_integrations()) == found
    run.assert_account_is_state()


def test_destroy_leaves_account_as_found(run: Run) -> None:
    run.phase("destroy")
    run.pulumi("destroy", "--yes", "--skip-preview")
    assert (run.behaviors(), run.others()) == (run.behaviors_before, run.foreign)
    assert [i for i in run.client.list_integrations() if i.reference_id.startswith(run.prefix)] == []


def test_sweep_at_end_finds_nothing_of_this_run(run: Run) -> None:
    run.phase("sweep-end")
    assert sweep(run.client, run.prefix, delete=True, expected=run.references) == []


def test_probe_settles_the_open_points_and_leaves_the_account_as_found(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    """What this account answers where public evidence leaves the API open (docs/acceptance.md: hand it in)."""
    run.phase("probe")
    file = run.record / "variants.json"
    user = ["--reset-user", run.user_id] if run.user_id else []
    result = run.zt_risk("probe", "--write-behaviors", *user, "--variants-file", str(file))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("=", 1)[0].split(":", 1)[0] for line in lines] == list(POINTS)
    with capsys.disabled():  # the lines are the point of the phase: shown at the terminal
        print("\n" + "\n".join(lines) + f"\n(written to {file})")
    settled = json.loads(file.read_text())  # what `zt-risk emulator serve --variants-file` takes
    assert set(settled) <= set(POINTS) and all(isinstance(v, str) for v in settled.values())
    assert (run.behaviors(), run.others()) == (run.behaviors_before, run.foreign)


def test_every_request_used_the_public_api(run: Run) -> None:
    paths = {str(e["path"]).split("?", 1)[0] for e in exchanges(run.record)}
    assert [p for p in paths if not p.startswith("/accounts/<account_id>/zt_risk_scoring/")] == []


def test_requests_stay_within_budget(run: Run) -> None:
    assert run.stats([])["busiest"] <= WINDOW_BUDGET
