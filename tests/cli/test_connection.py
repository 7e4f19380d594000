"""`zt-risk --connection NAME` reads that connection's stack config keys, never the default connection's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import OTHER_ACCOUNT, OTHER_TOKEN, TOKEN, settings_for
from zt_risk_scoring.cli import EXIT_CONFIG, main
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import IntegrationSpec


def config_file(tmp_path: Path, emulator: EmulatorServer, **extra: str) -> Path:
    config = {"cloudflare:apiToken": TOKEN, "cloudflare:baseUrl": emulator.base_url, **extra}
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


def test_integrations_through_a_named_connection_list_its_account(
    tmp_path: Path, emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    RiskScoringClient(settings_for(emulator, OTHER_TOKEN), OTHER_ACCOUNT).create_integration(
        IntegrationSpec("https://o.okta.com", "other-1")
    )
    path = config_file(tmp_path, emulator, **{"other:apiToken": OTHER_TOKEN, "other:accountId": OTHER_ACCOUNT,
                                              "other:baseUrl": emulator.base_url})  # fmt: skip
    assert main(["--json", "--config-file", str(path), "--connection", "other", "integrations"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["reference_id"] for row in listed] == ["other-1"]


def test_a_named_connection_without_credentials_exits_config_naming_its_key(
    tmp_path: Path, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)  # the default connection's: never used for another
    path = config_file(tmp_path, emulator, **{"other:accountId": OTHER_ACCOUNT})
    assert main(["--config-file", str(path), "--connection", "other", "integrations"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "connection 'other'" in err and "other:apiToken" in err and TOKEN not in err
