"""`zt-risk emulator serve` refuses a bad argument with one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from zt_risk_scoring import cli
from zt_risk_scoring.emulator import server

SECRET = "secret-token-value"


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def not_sqlite(tmp_path: Path) -> str:
    path = tmp_path / "state.sqlite"
    path.write_text("this is a text file, not a database\n" * 40)
    return str(path)


def catalogue_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "catalogue.json"
    path.write_text(text)
    return str(path)


def serve(tmp: Path, *argv: str) -> list[str]:
    return ["--port", "0", "--token", SECRET, *argv]


CASES: list[tuple[str, Callable[[Path, int], list[str]], str]] = [
    ("port-in-use", lambda tmp, busy: ["--port", str(busy), "--token", SECRET], "already in use"),
    (
        "state-not-sqlite",
        lambda tmp, busy: ["--port", str(free_port()), "--token", SECRET, "--state", not_sqlite(tmp)],
        "--state",
    ),
    (
        "state-in-missing-folder",
        lambda tmp, busy: ["--port", "0", "--token", SECRET, "--state", str(tmp / "no" / "s.sqlite")],
        "--state",
    ),
    ("token-unknown-permission", lambda tmp, busy: ["--port", "0", "--token", f"{SECRET}:admin"], "admin"),
    ("token-empty", lambda tmp, busy: ["--port", "0", "--token", ":read"], "--token"),
    ("api-key-without-key", lambda tmp, busy: ["--port", "0", "--api-key", "ops@example.com"], "--api-key"),
    (
        "catalogue-missing",
        lambda tmp, busy: ["--port", "0", "--token", SECRET, "--catalogue", str(tmp / "x")],
        "--catalogue",
    ),
    (
        "catalogue-invalid",
        lambda tmp, busy: serve(tmp, "--catalogue", catalogue_file(tmp, '{"new": {"risk_level": "severe"}}')),
        "risk_level",
    ),
    (
        "catalogue-nested-deep",
        lambda tmp, busy: serve(tmp, "--catalogue", catalogue_file(tmp, '{"a": ' * 100_000)),
        "nested too deeply",
    ),
    (
        "catalogue-key-lone-surrogate",
        lambda tmp, busy: serve(tmp, "--catalogue", catalogue_file(tmp, '{"\\ud800": {}}')),
        "surrogate",
    ),
    ("catalogue-not-object", lambda tmp, busy: serve(tmp, "--catalogue", catalogue_file(tmp, "[]")), "object"),
    # Accepted before, though no client could use them.
    ("account-not-an-id", lambda tmp, busy: ["--port", "0", "--token", SECRET, "--account", "zz"], "--account"),
    ("token-with-space", lambda tmp, busy: ["--port", "0", "--token", "two words"], "visible ASCII"),
    (
        "token-of-unserved-account",
        lambda tmp, busy: ["--port", "0", "--token", f"{SECRET}@{'f' * 32}"],
        "not an --account",
    ),
    # Before: 70000 served on 4464 (the port wrapped around 65536) and 65536 on a random one.
    ("port-70000", lambda tmp, busy: ["--port", "70000", "--token", SECRET], "--port"),
    ("port-65536", lambda tmp, busy: ["--port", "65536", "--token", SECRET], "--port"),
    ("port-negative", lambda tmp, busy: ["--port", "-1", "--token", SECRET], "--port"),
]


@pytest.mark.parametrize(("argv", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_serve_bad_argument_exits_2_with_one_line(
    tmp_path: Path,
    busy_port: int,
    capsys: pytest.CaptureFixture[str],
    argv: Callable[[Path, int], list[str]],
    named: str,
) -> None:
    assert server.main(argv(tmp_path, busy_port)) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and named in err
    assert "Traceback" not in err and SECRET not in err


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["--port", "0", "--token", f"{SECRET}:admin"], "zt-risk emulator: bad --token"),
        (["--port", "70000", "--token", SECRET], "zt-risk emulator: --port must be from 0 to 65535"),
    ],
    ids=["bad-token", "port-out-of-range"],
)
def test_cli_emulator_serve_bad_argument_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], start: str
) -> None:
    assert cli.main(["emulator", "serve", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(start) and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("port", [-1, 65536], ids=["negative", "65536"])
def test_server_port_out_of_range_raises(port: int) -> None:
    with pytest.raises(ValueError, match="from 0 to 65535"):
        server.EmulatorServer(server.build_app([server.DEFAULT_ACCOUNT], [SECRET]), port=port)


def test_build_app_with_an_unentitled_account_it_does_not_serve_fails_in_one_line() -> None:
    with pytest.raises(ValueError, match="bad --unentitled: name an --account this emulator serves"):
        server.build_app([server.DEFAULT_ACCOUNT], [SECRET], unentitled=["f" * 32])
