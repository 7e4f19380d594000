"""Threaded HTTP server for the emulator, in-process or as `zt-risk emulator serve`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from werkzeug.serving import BaseWSGIServer, make_server

from .app import EmulatorApp
from .auth import ALL, Credentials, Grant, parse_token
from .models import RiskScoringBackend

DEFAULT_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


class EmulatorServer:
    """An emulator listening on host:port; `start()` serves from a daemon thread."""

    def __init__(self, app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}/client/v4"

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def build_app(
    accounts: Sequence[str],
    tokens: Sequence[str],
    api_keys: Sequence[str] = (),
    state: str | None = None,
    catalogue: dict[str, object] | None = None,
) -> EmulatorApp:
    """An app serving `accounts`, accepting `tokens` (TOKEN[:perms][@account]) and EMAIL:KEY pairs."""
    grants = dict(parse_token(spec) for spec in tokens)
    keys = {}
    for spec in api_keys:
        email, _, key = spec.partition(":")
        keys[(email, key)] = Grant(ALL)
    backend = RiskScoringBackend(state or ":memory:", catalogue)
    return EmulatorApp(backend, Credentials(grants, keys, accounts))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    parser.add_argument("--account", action="append", help=f"account id served (repeatable; default {DEFAULT_ACCOUNT})")
    parser.add_argument(
        "--token", action="append", default=[], help="accepted API token, TOKEN[:read,write,pii][@ACCOUNT] (repeatable)"
    )
    parser.add_argument(
        "--api-key", action="append", default=[], help="accepted global API key as EMAIL:KEY (repeatable)"
    )
    parser.add_argument("--state", help="SQLite file that keeps state across restarts (default: memory)")
    parser.add_argument("--catalogue", type=Path, help="JSON file of behaviors {key: {name, description, risk_level}}")


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM/SIGINT; print the base URL once listening."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not args.token and not args.api_key:
        print("zt-risk emulator: give at least one --token or --api-key", file=sys.stderr)
        return 2
    catalogue = json.loads(args.catalogue.read_text()) if args.catalogue else None
    app = build_app(args.account or [DEFAULT_ACCOUNT], args.token, args.api_key, args.state, catalogue)
    server = EmulatorServer(app, args.host, args.port)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        threading.Thread(target=server.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"zt-risk emulator listening on {server.base_url}", flush=True)
    server.serve_forever()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zt_risk_scoring.emulator", description="Local emulator of the Cloudflare Risk Scoring API"
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
