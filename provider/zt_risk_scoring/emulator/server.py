"""The emulator's WSGI app served by waitress (kept-alive HTTP/1.1), in-process or as `zt-risk emulator serve`."""

from __future__ import annotations

import argparse
import errno
import re
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

# waitress ships no type information; its hooks (parser, task and channel classes) are subclassed below.
from waitress.adjustments import Adjustments  # type: ignore[import-untyped]
from waitress.channel import HTTPChannel  # type: ignore[import-untyped]
from waitress.server import TcpWSGIServer  # type: ignore[import-untyped]
from waitress.task import WSGITask  # type: ignore[import-untyped]

from . import bodies
from .app import SOCKET_KEY, EmulatorApp, parse_json
from .auth import Credentials, parse_api_key, parse_token
from .exceptions import (
    EmulatorError,
)
from .front import MAX_BODY, MAX_HEADER, ErrorAnswer, Parser
from .models import RiskScoringBackend
from .variants import Variants, help_text

DEFAULT_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
EXIT_USAGE = 2
MAX_PORT = 65535
# A `delay` fault or the latency setting sleeps in a worker thread, and a provider host makes up to 4
# calls at once: enough workers that one slow answer never queues another. Idle kept-alive
# connections hold no thread.
THREADS = 16
CONNECTION_LIMIT = 500
_ACCOUNT_ID = re.compile(r"[0-9a-f]{32}")  # what Cloudflare's account ids look like


class _Task(WSGITask):  # type: ignore[misc]
    """Runs the app with the client's socket in the environ, so a fault can close it without an answer."""

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[SOCKET_KEY] = self.channel.socket
        return environ


class _Channel(HTTPChannel):  # type: ignore[misc]
    """One client connection, parsed, answered and refused the emulator's way."""

    parser_class = Parser
    task_class = _Task
    error_task_class = ErrorAnswer


class _Server(TcpWSGIServer):  # type: ignore[misc]
    """Waitress's TCP server with the emulator's connections, and a wake-up pipe that is safe to pull after close."""

    channel_class = _Channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._closed = False
        self._trigger_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def pull_trigger(self, thunk: Callable[[], None] | None = None) -> None:
        """Wake the loop (to run `thunk` there); nothing once closed."""
        # A worker still finishing a request after close() would otherwise write to a closed descriptor,
        # or to whatever file reused its number.
        with self._trigger_lock:
            if not self._closed:
                self.trigger.pull_trigger(thunk)

    def close(self) -> None:
        with self._trigger_lock:
            self._closed = True
            super().close()


class EmulatorServer:
    """An emulator listening on host:port (0 picks a free port); `start()` serves from a daemon thread.

    The server owns `app`: `stop()` closes it, and so does a constructor that fails."""

    def __init__(self, app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        try:
            self._server = self._listen(app, host, port)
        except BaseException:
            app.close()
            raise
        self.port: int = self._server.socket.getsockname()[1]
        self._host = host
        self._thread: threading.Thread | None = None
        self._serving = False
        self._stopped = False
        self._stop_lock = threading.Lock()
        self._loop_done = threading.Event()

    @staticmethod
    def _listen(app: EmulatorApp, host: str, port: int) -> _Server:
        # Waitress's default socket_options set TCP_NODELAY on every connection: it writes the status
        # and headers apart from the body, and a kept-alive client would otherwise wait out its delayed ACK.
        adjustments = Adjustments(
            threads=THREADS,
            connection_limit=CONNECTION_LIMIT,
            max_request_header_size=MAX_HEADER,
            max_request_body_size=MAX_BODY + 1,  # waitress refuses a body *of* its limit
            asyncore_use_poll=True,  # select() cannot watch a descriptor above 1023
            clear_untrusted_proxy_headers=False,  # the app sees every header the client sent
            log_socket_errors=False,  # a client that leaves mid-request is no error of the emulator's
            ident="zt-risk-emulator",
        )
        _check_port(port)
        sock = _listening_socket(host, port)
        sockinfo = (sock.family, sock.type, sock.proto, sock.getsockname())
        try:
            return _Server(app, map={}, _sock=sock, adj=adjustments, sockinfo=sockinfo, bind_socket=False)
        except BaseException:
            sock.close()
            raise

    @property
    def base_url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}/client/v4"

    def start(self) -> EmulatorServer:
        self._serving = True
        self._thread = threading.Thread(target=self.serve_forever, name="zt-risk-emulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until stop()."""
        self._serving = True
        try:
            self._server.run()  # waitress's loop ends once it watches no socket
        finally:
            self._loop_done.set()

    def stop(self) -> None:
        """Close the listener and every connection (idle kept-alive ones too), then end the worker threads."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
            if self._serving:
                # Closed from the loop's own thread: the loop is the only user of its sockets.
                self._server.pull_trigger(self._close_sockets)
                self._loop_done.wait(timeout=5)
            else:
                self._close_sockets()
            self._server.task_dispatcher.shutdown(timeout=5)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self.app.close()

    def _close_sockets(self) -> None:
        for channel in list(self._server.active_channels.values()):
            channel.handle_close()
        self._server.close()  # the listening socket and the loop's wake-up pipe


def _check_port(port: int, name: str = "port") -> None:
    # The socket layer takes a port modulo 65536 (70000 served on 4464, 65536 on a random port).
    if not 0 <= port <= MAX_PORT:
        raise ValueError(f"{name} must be from 0 to {MAX_PORT} (0 picks a free port), got {port}")


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (IPv4 or IPv6, the first address `host` resolves to); OSError if it cannot."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait out TIME_WAIT
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def build_app(
    accounts: Sequence[str],
    tokens: Sequence[str],
    api_keys: Sequence[str] = (),
    state: str | None = None,
    catalogue: object = None,
    control_from_anywhere: bool = False,
    unentitled: Sequence[str] = (),
    variants: Variants | None = None,
) -> EmulatorApp:
    """An app serving `accounts` (the first is the control plane's default), accepting `tokens`
    (TOKEN[:perms][@account]) and EMAIL:KEY pairs, `unentitled` accounts answering 403/3314; ValueError for a
    malformed one."""
    for account in accounts:
        if not _ACCOUNT_ID.fullmatch(account):
            raise ValueError(f"bad --account {ascii(account)[:80]}: an account id is 32 lowercase hex characters")
    if set(unentitled) - set(accounts):
        raise ValueError("bad --unentitled: name an --account this emulator serves")
    grants = dict(parse_token(spec) for spec in tokens)
    for grant in grants.values():
        if (grant.accounts or frozenset()) - set(accounts):  # the spec is a credential: none of it is shown
            raise ValueError("bad --token: its @ACCOUNT is not an --account this emulator serves")
    keys = dict(parse_api_key(spec) for spec in api_keys)
    rows = None if catalogue is None else bodies.catalogue(catalogue)
    backend = RiskScoringBackend(state or ":memory:", rows, variants)
    return EmulatorApp(backend, Credentials(grants, keys, accounts, unentitled), control_from_anywhere)


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
    _add_api_answers(parser)
    parser.add_argument(
        "--control-from-anywhere",
        action="store_true",
        help="answer the /__emulator/ test hooks from any address (default: loopback peers only)",
    )


def _add_api_answers(parser: argparse.ArgumentParser) -> None:
    """The arguments that choose how the API answers: accounts without the feature, and the open points."""
    parser.add_argument(
        "--unentitled",
        action="append",
        default=[],
        metavar="ACCOUNT",
        help="an --account without Zero Trust risk scoring: its every route answers 403, code 3314 (repeatable)",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="how to answer where public evidence leaves the API open (repeatable; the first value is the "
        f"default): {help_text()}",
    )
    parser.add_argument("--variants-file", type=Path, help="the same as a JSON object {NAME: VALUE}")


def _start(args: argparse.Namespace) -> EmulatorServer:
    """The listening server, or EmulatorError/ValueError with one line that says which argument is wrong."""
    _check_port(args.port, "--port")
    try:
        catalogue = parse_json(args.catalogue.read_bytes(), "the file") if args.catalogue else None
    except OSError as exc:
        raise ValueError(f"--catalogue {args.catalogue}: cannot read it ({exc.strerror or exc})") from exc
    except EmulatorError as exc:
        raise ValueError(f"--catalogue {args.catalogue}: {exc.message}") from exc
    try:
        app = build_app(  # the server below owns it: closed on stop, or if it cannot listen
            args.account or [DEFAULT_ACCOUNT],
            args.token,
            args.api_key,
            args.state,
            catalogue,
            args.control_from_anywhere,
            args.unentitled,
            Variants.parse(args.variant, args.variants_file),
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
    server.stop()  # returns once the stop the signal began has ended the worker threads
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zt_risk_scoring.emulator", description="Local emulator of the Cloudflare Risk Scoring API"
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
