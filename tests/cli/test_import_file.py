"""`zt-risk export --import-file`: usage, the files it writes, and errors that write nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_TOKEN, TOKEN, settings_for
from zt_risk_scoring.cli import EXIT_CONFIG, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, main
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.exporting.plan import META_KEY
from zt_risk_scoring.models import IntegrationSpec

MISSING = "4cfe8442-664b-4915-acd4-b39cd65c4314"


def fake_pulumi(bindir: Path, config: dict[str, Any], deployment: dict[str, Any]) -> None:
    """A `pulumi` on PATH answering `config --json` and `stack export` for one stack."""
    bindir.mkdir(exist_ok=True)
    answers = {"config": json.dumps(config), "stack": json.dumps({"version": 3, "deployment": deployment})}
    script = bindir / "pulumi"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write({answers!r}[sys.argv[1]])\n")
    script.chmod(0o755)


def stack_config(emulator: EmulatorServer) -> dict[str, Any]:
    return {
        "cloudflare:apiToken": {"value": TOKEN, "secret": True},
        "cloudflare:baseUrl": {"value": emulator.base_url, "secret": False},
        "cloudflare:accountId": {"value": ACCOUNT, "secret": False},
    }


@pytest.fixture
def stack(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Stack `dev` of a project in tmp_path (the working directory) for the emulator's account, managing nothing."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    for variable in ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_BASE_URL", "CLOUDFLARE_ACCOUNT_ID"):
        monkeypatch.delenv(variable, raising=False)
    fake_pulumi(tmp_path / "bin", stack_config(emulator), {"resources": []})
    return tmp_path


@pytest.fixture
def api(emulator: EmulatorServer) -> RiskScoringClient:
    client = RiskScoringClient(settings_for(emulator), ACCOUNT)
    client.create_integration(IntegrationSpec("https://alpha.okta.com", "idp-0"))
    return client


def export(*extra: str) -> int:
    return main(["export", "--stack", "dev", "--import-file", "import.json", *extra])


def test_export_import_file_writes_spec_and_prints_program(
    stack: Path, api: RiskScoringClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export() == EXIT_OK
    document = json.loads((stack / "import.json").read_text())
    assert [r["name"] for r in document["resources"]] == ["alpha-okta-com"]
    assert "RiskIntegration(\n    'alpha-okta-com'," in capsys.readouterr().out


def test_export_import_file_writes_program_to_python_file(
    stack: Path, api: RiskScoringClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export("--python", "imported.py", "--behaviors", "imp_travel") == EXIT_OK
    assert "RiskBehaviors(\n    'risk-behaviors'," in (stack / "imported.py").read_text()
    assert capsys.readouterr().out == ""


def test_export_import_file_keeps_no_secret(stack: Path, api: RiskScoringClient) -> None:
    assert export("--python", "imported.py") == EXIT_OK
    assert TOKEN not in (stack / "import.json").read_text() + (stack / "imported.py").read_text()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--integration", MISSING], f"--integration {MISSING}: no such integration"),
        (["--behaviors", "imp_travle"], "'imp_travle' is not a behavior"),
    ],
    ids=["integration", "behavior"],
)
def test_export_import_file_unknown_id_exits_not_found_and_writes_nothing(
    stack: Path, api: RiskScoringClient, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert export("--python", "imported.py", *extra) == EXIT_NOT_FOUND
    err = capsys.readouterr().err
    assert message in err and "nothing written" in err and "Traceback" not in err
    assert sorted(p.name for p in stack.iterdir()) == ["bin"]


def test_export_import_file_of_other_account_exits_config_and_keeps_it(
    stack: Path, api: RiskScoringClient, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps({META_KEY: {"format": 1, "version": "0.1.0", "account_id": OTHER_ACCOUNT}, "resources": []})
    (stack / "import.json").write_text(text)
    assert export() == EXIT_CONFIG
    assert f"was written for account {OTHER_ACCOUNT}, not {ACCOUNT}" in capsys.readouterr().err
    assert (stack / "import.json").read_text() == text


def test_export_import_file_already_managed_exits_config_and_writes_nothing(
    stack: Path, api: RiskScoringClient, emulator: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    alpha = api.list_integrations()[0]
    resource = {"urn": "urn:pulumi:dev::p::t::okta", "type": "pulumi-python:dynamic/zt_risk_scoring:RiskIntegration"}
    fake_pulumi(stack / "bin", stack_config(emulator), {"resources": [{**resource, "id": alpha.id}]})
    assert export() == EXIT_CONFIG
    err = capsys.readouterr().err
    assert f"integration {alpha.id} ('https://alpha.okta.com') is already managed by the stack as 'okta'" in err
    assert not (stack / "import.json").exists()


USAGE = {
    "no-stack": (["export", "--import-file", "import.json"], "--import-file needs --stack NAME"),
    "python-alone": (["export", "--python", "x.py"], "--python only go with --import-file"),
    "behaviors-alone": (["export", "--behaviors", "all"], "--behaviors only go with --import-file"),
    "both-exports": (
        ["export", "--stack", "dev", "--import-file", "i.json", "--stack-config", "Pulumi.dev.yaml"],
        "use one",
    ),
    "bad-id": (
        ["export", "--stack", "dev", "--import-file", "i.json", "--integration", "../x"],
        "integration_id must be a UUID",
    ),
}


@pytest.mark.parametrize(("argv", "message"), USAGE.values(), ids=USAGE.keys())
def test_export_import_flags_misused_exit_usage_before_any_request(
    stack: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(argv) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in stack.iterdir()) == ["bin"]


def with_staging(emulator: EmulatorServer, stack: Path, tenant: str) -> None:
    """Connection `staging` in the stack's config, reaching OTHER_ACCOUNT, which holds an integration of `tenant`."""
    other = RiskScoringClient(settings_for(emulator, OTHER_TOKEN), OTHER_ACCOUNT)
    other.create_integration(IntegrationSpec(tenant, "idp-9"))
    values = {"apiToken": OTHER_TOKEN, "baseUrl": emulator.base_url, "accountId": OTHER_ACCOUNT}
    config = {f"staging:{k}": {"value": v, "secret": k == "apiToken"} for k, v in values.items()}
    fake_pulumi(stack / "bin", {**stack_config(emulator), **config}, {"resources": []})


def test_export_import_file_through_a_named_connection_records_it(
    emulator: EmulatorServer, stack: Path, api: RiskScoringClient, capsys: pytest.CaptureFixture[str]
) -> None:
    with_staging(emulator, stack, "https://beta.okta.com")
    assert export("--connection", "staging", "--behaviors", "imp_travel") == EXIT_OK
    document = json.loads((stack / "import.json").read_text())
    assert [(r["name"], r["inputs"]["connection"]) for r in document["resources"]] == [
        ("risk-behaviors", "staging"), ("beta-okta-com", "staging")
    ]  # fmt: skip
    assert capsys.readouterr().out.count("connection='staging'") == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "--stack", "dev", "--import-file", "import.json", "--connection", "cloudflare", "--connection",
         "staging", "--behaviors", "imp_travel"],
        ["--connection", "cloudflare", "export", "--stack", "dev", "--import-file", "import.json", "--connection",
         "staging", "--behaviors", "imp_travel"],
    ],
    ids=["after-the-command", "before-and-after"],
)  # fmt: skip
def test_export_import_file_of_two_connections_writes_one_file_of_both_accounts(
    emulator: EmulatorServer, stack: Path, api: RiskScoringClient, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with_staging(emulator, stack, "https://alpha.okta.com")
    assert main(argv) == EXIT_OK
    document = json.loads((stack / "import.json").read_text())
    assert document[META_KEY]["account_id"] == f"{ACCOUNT},{OTHER_ACCOUNT}"
    assert [(r["name"], r["inputs"]["account_id"], r["inputs"]["connection"]) for r in document["resources"]] == [
        ("risk-behaviors", ACCOUNT, "cloudflare"),
        ("alpha-okta-com", ACCOUNT, "cloudflare"),
        ("risk-behaviors-2", OTHER_ACCOUNT, "staging"),
        ("alpha-okta-com-2", OTHER_ACCOUNT, "staging"),
    ]
    assert capsys.readouterr().out.count("connection='staging'") == 2


@pytest.mark.parametrize(
    "extra",
    [["--integration", MISSING], ["--account-id", ACCOUNT], ["--base-url", "http://127.0.0.1:9/client/v4"]],
    ids=["integration", "account-id", "base-url"],
)
def test_export_import_file_of_two_connections_with_one_accounts_flag_exits_usage(
    stack: Path, extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert export("--connection", "a", "--connection", "b", *extra) == EXIT_USAGE
    assert "go with one --connection" in capsys.readouterr().err
    assert not (stack / "import.json").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["integrations", "--stack", "dev", "--connection", "a", "--connection", "b"],
        ["--connection", "a", "integrations", "--stack", "dev", "--connection", "b"],
        ["--connection", "a", "export", "--stack", "dev", "--connection", "b"],
    ],
    ids=["after", "before-and-after", "export-to-stack-config"],
)
def test_a_command_given_two_connections_exits_usage(
    stack: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == EXIT_USAGE and "--connection: give one" in capsys.readouterr().err


def test_export_import_file_of_two_connections_of_one_account_exits_config_and_writes_nothing(
    emulator: EmulatorServer, stack: Path, api: RiskScoringClient, capsys: pytest.CaptureFixture[str]
) -> None:
    values = {"apiToken": TOKEN, "baseUrl": emulator.base_url, "accountId": ACCOUNT}
    config = {f"alias:{k}": {"value": v, "secret": k == "apiToken"} for k, v in values.items()}
    fake_pulumi(stack / "bin", {**stack_config(emulator), **config}, {"resources": []})
    assert export("--connection", "cloudflare", "--connection", "alias") == EXIT_CONFIG
    assert f"connections cloudflare and alias both reach account {ACCOUNT}" in capsys.readouterr().err
    assert not (stack / "import.json").exists()


def test_export_stack_config_through_a_named_connection_names_it_and_its_account(
    emulator: EmulatorServer, stack: Path, api: RiskScoringClient, capsys: pytest.CaptureFixture[str]
) -> None:
    with_staging(emulator, stack, "https://beta.okta.com")
    assert main(["export", "--stack", "dev", "--connection", "staging"]) == EXIT_OK
    config = yaml.safe_load(capsys.readouterr().out)["config"]
    assert (config["staging:accountId"], config["zt-risk-scoring:connection"]) == (OTHER_ACCOUNT, "staging")
    assert "cloudflare:accountId" not in config
