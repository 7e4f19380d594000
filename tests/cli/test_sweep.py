"""`zt-risk sweep`: a dry run deletes nothing; --yes deletes exactly the integrations with the prefix."""

from __future__ import annotations

import pytest

from tests.conftest import Control
from zt_risk_scoring.cli import EXIT_USAGE, main
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import InvalidArgument
from zt_risk_scoring.models import IntegrationSpec
from zt_risk_scoring.sweep import sweep

PREFIX = "zt-acc-"
OURS = ("zt-acc-1a2b-a", "zt-acc-1a2b-b", "zt-acc-9f9f-a")
# Someone else's, and names that look like ours but do not start with the prefix exactly.
FOREIGN = ("idp-corp-1", "zt-acc", "zt-acc_1a2b-a", "ZT-ACC-7c7c-a", "x-zt-acc-1a2b-a", "zt-ac-1a2b-a")


@pytest.fixture
def account(client: RiskScoringClient) -> dict[str, str]:
    """reference_id → integration id, ours and the others."""
    return {
        ref: client.create_integration(IntegrationSpec(f"https://t{n}.okta.com", ref)).id
        for n, ref in enumerate(OURS + FOREIGN)
    }


def references(client: RiskScoringClient) -> set[str]:
    return {i.reference_id for i in client.list_integrations()}


def test_sweep_dry_run_lists_and_deletes_nothing(
    env: EmulatorServer,
    account: dict[str, str],
    client: RiskScoringClient,
    control: Control,
    capsys: pytest.CaptureFixture[str],
) -> None:
    writes = control.writes()
    assert main(["sweep", "--reference-prefix", PREFIX]) == 0
    out, err = capsys.readouterr()
    assert sorted(line.split()[5] for line in out.splitlines()) == sorted(OURS)
    assert all(line.startswith("would delete integration ") for line in out.splitlines())
    assert "3 integration(s) with reference_id prefix 'zt-acc-' to delete (a dry run" in err
    assert (control.writes(), references(client)) == (writes, set(OURS + FOREIGN))


def test_sweep_with_yes_deletes_only_prefixed_integrations(
    env: EmulatorServer, account: dict[str, str], client: RiskScoringClient
) -> None:
    assert main(["sweep", "--reference-prefix", PREFIX, "--yes"]) == 0
    assert references(client) == set(FOREIGN)


def test_sweep_with_run_prefix_leaves_other_runs(
    env: EmulatorServer, account: dict[str, str], client: RiskScoringClient
) -> None:
    assert main(["sweep", "--reference-prefix", "zt-acc-1a2b-", "--yes"]) == 0
    assert references(client) == {"zt-acc-9f9f-a", *FOREIGN}


@pytest.mark.parametrize("prefix", ["", "zt-", "   z", " zt-acc-"])
def test_sweep_short_prefix_exits_usage_without_request(
    env: EmulatorServer, account: dict[str, str], control: Control, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = control.log()["requests"]
    assert main(["sweep", "--reference-prefix", prefix, "--yes"]) == EXIT_USAGE
    assert "at least 4 characters" in capsys.readouterr().err
    assert control.log()["requests"] == before


def test_sweep_matching_integration_not_created_refuses_and_deletes_nothing(
    account: dict[str, str], client: RiskScoringClient, control: Control
) -> None:
    writes = control.writes()
    with pytest.raises(InvalidArgument, match=r"did not create: .*zt-acc-1a2b-b.*nothing deleted"):
        sweep(client, "zt-acc-1a2b-", delete=True, expected={"zt-acc-1a2b-a"})
    assert control.writes() == writes


def test_sweep_matching_only_created_integrations_deletes_them(
    account: dict[str, str], client: RiskScoringClient
) -> None:
    swept = sweep(client, "zt-acc-1a2b-", delete=True, expected={"zt-acc-1a2b-a", "zt-acc-1a2b-b"})
    assert sorted(i.reference_id for i in swept) == ["zt-acc-1a2b-a", "zt-acc-1a2b-b"]
    assert references(client) == {"zt-acc-9f9f-a", *FOREIGN}
