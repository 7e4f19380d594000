"""Threaded HTTP/1.1 server for the emulator, in-process or as `zt-risk emulator serve`."""

from __future__ import annotations

import argparse
import io
import json
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote

from .app import SOCKET_KEY, EmulatorApp
from .auth import ALL, Credentials, Grant, parse_token
from .models import RiskScoringBackend

DEFAULT_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class _Handler(BaseHTTPRequestHandler):
    """Runs the WSGI app and keeps the connection open between requests, as Cloudflare's API does.

    Werkzeug's development server closes every connection (it cannot skip an unread request body);
    clients would then pay a TCP connect per request that they never pay against Cloudflare. Here
    the body is always read in full before the app runs, so the next request starts where it should.
    """

    protocol_version = "HTTP/1.1"
    # A buffered writer sends status, headers and body in one segment, and TCP_NODELAY (set in
    # setup) sends it at once: split small writes on a kept-alive connection otherwise wait out the
    # client's delayed ACK (about 40 ms a response on Linux).
    wbufsize = -1
    server: _Server

    def do_request(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.send_error(411, "send a Content-Length")  # no client of this API streams bodies
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        captured: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> None:
            captured[:] = [status, headers]

        chunks = self.server.app(self._environ(body), start_response)
        payload = b"".join(chunks)
        status, headers = captured
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            pass  # the client left, or a lost-response fault closed the connection

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD>; every method goes to the app, which answers 405 itself.
        if name.startswith("do_"):
            return self.do_request
        raise AttributeError(name)

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(path, "latin-1"),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": self.server.server_name,
            "SERVER_PORT": str(self.server.server_port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            SOCKET_KEY: self.connection,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.track(self.connection, open_=False)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the app keeps its own request log (/__emulator/log)


class _Server(ThreadingHTTPServer):
    """Knows its open connections, so stopping also ends idle keep-alive ones."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: WsgiApp) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    def close_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class EmulatorServer:
    """An emulator listening on host:port; `start()` serves from a daemon thread."""

    def __init__(self, app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._host = host
        self._server = _Server((host, port), app)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._server.server_port}/client/v4"

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
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
