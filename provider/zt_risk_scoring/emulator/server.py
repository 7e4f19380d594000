"""Threaded HTTP/1.1 server for the emulator, in-process or as `zt-risk emulator serve`."""

from __future__ import annotations

import argparse
import errno
import io
import json
import re
import signal
import socket
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from .app import SOCKET_KEY, EmulatorApp
from .auth import Credentials, parse_api_key, parse_token
from .exceptions import BodyTooLarge, EmulatorError, InternalError, LengthRequired, MalformedRequest
from .models import RiskScoringBackend

DEFAULT_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
MAX_BODY = 1024 * 1024  # far above any body of this API; a bigger one is a mistake or an attack
EXIT_USAGE = 2
WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# After refusing a request whose body is unread, read (and discard) up to this much for up to this
# long before closing: closing with unread data makes the kernel send a reset, which can destroy the
# answer before the client reads it.
_LINGER_BYTES, _LINGER_S = 16 * MAX_BODY, 2.0


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
        try:
            if self.request_version == "HTTP/0.9":
                raise MalformedRequest("HTTP/0.9 requests are not supported; send HTTP/1.1")
            path, query = _target(self.path)
            length = self._body_length()
        except EmulatorError as exc:
            self._refuse(exc)
            return
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True  # the client left mid-body: nobody to answer
            return
        captured: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> None:
            captured[:] = [status, headers]

        try:
            payload = b"".join(self.server.app(self._environ(path, query, body), start_response))
            status, headers = captured
        except Exception:  # noqa: BLE001 - a bug in the app answers 500 instead of dropping the connection
            traceback.print_exc(file=sys.stderr)
            error = InternalError("the emulator failed on this request; its log has the traceback")
            self._send_json(error.status, error.envelope())
            return
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _body_length(self) -> int:
        """The declared body length, refused unless it is one plain decimal number up to MAX_BODY."""
        encoding = self.headers.get("Transfer-Encoding", "").strip().lower()
        if "chunked" in encoding:
            raise LengthRequired("send the body with a Content-Length, not chunked")
        if encoding and encoding != "identity":
            raise MalformedRequest(f"unsupported Transfer-Encoding {encoding[:40]!r}")
        values = {v.strip() for v in self.headers.get_all("Content-Length") or []}
        if not values:
            return 0
        if len(values) > 1:
            raise MalformedRequest("conflicting Content-Length headers")
        value = values.pop()
        if not (value.isascii() and value.isdigit()):
            raise MalformedRequest(f"Content-Length must be a non-negative integer, got {value[:40]!r}")
        # Checked on the text first: int() refuses numbers of more than 4300 digits.
        if len(value.lstrip("0")) > len(str(MAX_BODY)) or int(value) > MAX_BODY:
            raise BodyTooLarge(f"the request body is over the limit of {MAX_BODY} bytes (1 MiB)")
        return int(value)

    def handle_expect_100(self) -> bool:
        try:
            self._body_length()
        except EmulatorError:
            return True  # the final answer refuses it: do not invite the client to send the body
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (request line, headers, version) in the API's envelope, not HTML."""
        error = MalformedRequest(message or explain or HTTPStatus(code).phrase)
        error.status = code
        self._refuse(error)

    def _refuse(self, error: EmulatorError) -> None:
        """Answer a request that cannot be read to its end, then close the connection."""
        if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
            self.request_version = "HTTP/1.0"  # so the answer starts with a status line
        self._send_json(error.status, error.envelope(), close=True)
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(_LINGER_S)
            drained = 0
            while drained < _LINGER_BYTES and (chunk := self.connection.recv(65536)):
                drained += len(chunk)
        except OSError:
            pass  # the client closed first, or the linger timed out: either way the answer is out

    def _send_json(self, status: int, payload: Any, close: bool = False) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

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

    def _environ(self, path: str, query: str, body: bytes) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
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


def _target(target: str) -> tuple[str, str]:
    """The request target as a WSGI PATH_INFO (UTF-8 bytes as latin-1) and query; refuses a malformed one."""
    if target.lower().startswith(("http://", "https://")):
        parts = urlsplit(target)  # absolute form, as a proxy sends it
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # http.server decodes the request line as latin-1, so every byte the client sent is one character here.
    if any(not 0x21 <= ord(c) <= 0x7E for c in target):
        raise MalformedRequest("the request target has a byte that must be percent-encoded")
    if _BAD_ESCAPE.search(target):
        raise MalformedRequest("the request target has a % that does not start a %XX escape")
    path, _, query = target.partition("?")
    raw = unquote_to_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedRequest("the path is not UTF-8 once percent-decoded") from exc
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise MalformedRequest("the path has a control character once percent-decoded")
    return raw.decode("latin-1"), query


def build_app(
    accounts: Sequence[str],
    tokens: Sequence[str],
    api_keys: Sequence[str] = (),
    state: str | None = None,
    catalogue: object = None,
    control_from_anywhere: bool = False,
) -> EmulatorApp:
    """An app serving `accounts` (the first is the control plane's default), accepting `tokens`
    (TOKEN[:perms][@account]) and EMAIL:KEY pairs; ValueError for a malformed one."""
    grants = dict(parse_token(spec) for spec in tokens)
    keys = dict(parse_api_key(spec) for spec in api_keys)
    backend = RiskScoringBackend(state or ":memory:", catalogue)
    return EmulatorApp(backend, Credentials(grants, keys, accounts), control_from_anywhere)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    parser.add_argument(
        "--account",
        action="append",
        help=f"account id served (repeatable; the first is the test hooks' default; default {DEFAULT_ACCOUNT})",
    )
    parser.add_argument(
        "--token", action="append", default=[], help="accepted API token, TOKEN[:read,write,pii][@ACCOUNT] (repeatable)"
    )
    parser.add_argument(
        "--api-key", action="append", default=[], help="accepted global API key as EMAIL:KEY (repeatable)"
    )
    parser.add_argument("--state", help="SQLite file that keeps state across restarts (default: memory)")
    parser.add_argument("--catalogue", type=Path, help="JSON file of behaviors {key: {name, description, risk_level}}")
    parser.add_argument(
        "--control-from-anywhere",
        action="store_true",
        help="answer the /__emulator/ test hooks from any address (default: loopback peers only)",
    )


def _start(args: argparse.Namespace) -> EmulatorServer:
    """The listening server, or EmulatorError/ValueError with one line that says which argument is wrong."""
    try:
        catalogue = json.loads(args.catalogue.read_text()) if args.catalogue else None
    except (OSError, ValueError) as exc:
        raise ValueError(f"--catalogue {args.catalogue}: cannot read it as JSON ({exc})") from exc
    try:
        app = build_app(
            args.account or [DEFAULT_ACCOUNT],
            args.token,
            args.api_key,
            args.state,
            catalogue,
            args.control_from_anywhere,
        )
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"--state {args.state}: not a usable SQLite database ({exc})") from exc
    except EmulatorError as exc:
        raise ValueError(f"--catalogue {args.catalogue}: {exc.message}") from exc
    try:
        return EmulatorServer(app, args.host, args.port)
    except OSError as exc:
        reason = "the port is already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise ValueError(f"cannot listen on {args.host}:{args.port}: {reason}") from exc


def run(args: argparse.Namespace) -> int:
    """Serve until SIGTERM/SIGINT; print the base URL once listening. A bad argument: one line, exit 2."""
    if not args.token and not args.api_key:
        print("zt-risk emulator: give at least one --token or --api-key", file=sys.stderr)
        return EXIT_USAGE
    try:
        server = _start(args)
    except ValueError as exc:
        print(f"zt-risk emulator: {exc}", file=sys.stderr)
        return EXIT_USAGE

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
