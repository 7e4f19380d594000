"""The connection and output options work before the command as after it; after it, they win."""

from __future__ import annotations

from pathlib import Path

import pytest

from zt_risk_scoring.cli import main, parser

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--json", "--debug", "summary"], {"json": True, "debug": True}),
        (["summary", "--json"], {"json": True, "debug": False}),
        (["--account-id", ACCOUNT, "behaviors"], {"account_id": ACCOUNT}),
        (["--account-id", "f" * 32, "behaviors", "--account-id", ACCOUNT], {"account_id": ACCOUNT}),
        (["--base-url", "http://127.0.0.1:1/client/v4", "integrations"], {"base_url": "http://127.0.0.1:1/client/v4"}),
        (["--stack", "dev", "summary"], {"stack": "dev", "config_file": None}),
        (["summary"], {"json": False, "debug": False, "account_id": None, "stack": None, "config_file": None}),
    ],
    ids=["flags-before", "flag-after", "account-before", "after-wins", "base-url-before", "stack-before", "none"],
)
def test_parse_common_option_in_either_position(argv: list[str], expected: dict[str, object]) -> None:
    args = parser.build()[0].parse_args(argv)
    assert {name: getattr(args, name) for name in expected} == expected


def test_main_stack_before_and_config_file_after_exits_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--stack", "dev", "summary", "--config-file", str(Path("Pulumi.dev.yaml"))])
    assert exited.value.code == 2
    assert "--config-file: not allowed with argument --stack" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["--json", "emulator", "serve", "--help"], ["--account-id", ACCOUNT, "--debug", "emulator", "serve", "--help"]],
    ids=["flag-before", "valued-option-before"],
)
def test_main_emulator_serve_after_common_options_takes_its_own(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 0 and "--port" in capsys.readouterr().out


def test_valued_options_are_the_common_options_that_take_a_value() -> None:
    root = parser.build()[0]
    valued = {
        o for a in root._actions if a.option_strings and a.nargs != 0 and a.dest != "help" for o in a.option_strings
    }
    assert valued == set(parser.VALUED_OPTIONS)
