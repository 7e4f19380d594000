"""Ids on the command line never reach another endpoint: empty, dot-segment and malformed ids are usage errors."""

from __future__ import annotations

import pytest

from tests.cli.conftest import USER
from tests.conftest import Control
from zt_risk_scoring.cli import EXIT_USAGE, main
from zt_risk_scoring.emulator import EmulatorServer

# urllib3 removes dot segments: `reset ..` would POST to /accounts/<id>/reset.
REFUSED = {
    "user-dotdot": (["user", ".."], "USER_ID"),
    "user-dot": (["user", "."], "USER_ID"),
    "user-empty": (["user", ""], "USER_ID"),
    "user-slash": (["user", f"{USER}/reset"], "USER_ID"),
    "user-not-uuid": (["user", "ada"], "USER_ID"),
    "reset-empty": (["reset", "", "--yes"], "USER_ID"),
    "reset-dotdot": (["reset", "..", "--yes"], "USER_ID"),
    "reset-dot": (["reset", ".", "--yes"], "USER_ID"),
    "by-reference-dotdot": (["integrations", "by-reference", ".."], "ID|REF"),
    "by-reference-dot": (["integrations", "by-reference", "."], "ID|REF"),
    "by-reference-encoded-dots": (["integrations", "by-reference", "%2e%2e"], "ID|REF"),
    "get-dotdot": (["integrations", "get", ".."], "ID|REF"),
    "get-empty": (["integrations", "get", ""], "ID|REF"),
    "get-not-uuid": (["integrations", "get", "ref-1"], "ID|REF"),
}


@pytest.mark.parametrize(("argv", "argument"), REFUSED.values(), ids=REFUSED.keys())
def test_id_refused_is_usage_error_naming_argument(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], argv: list[str], argument: str
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == EXIT_USAGE
    assert f"argument {argument}: " in capsys.readouterr().err


@pytest.mark.parametrize("argv", [argv for argv, _ in REFUSED.values()], ids=REFUSED.keys())
def test_id_refused_sends_no_request(env: EmulatorServer, control: Control, argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        main(argv)
    assert control.log()["requests"] == []


def test_integrations_list_with_value_is_usage_error(env: EmulatorServer, control: Control) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["integrations", "list", ".."])
    assert (exc.value.code, control.log()["requests"]) == (EXIT_USAGE, [])


def test_user_valid_id_reaches_only_its_endpoint(env: EmulatorServer, control: Control) -> None:
    main(["user", USER])
    assert [r["operation"] for r in control.log()["requests"]] == ["get_user_risk"]
