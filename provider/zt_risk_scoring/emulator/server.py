"""The emulator's WSGI app served by waitress (kept-alive HTTP/1.1), in-process or as `zt-risk emulator serve`."""

from __future__ import annotations

import argparse
import errno
import json
import re
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable, Sequence
from http import HTTPStatus
from pathlib import Path
from types import FrameType
from typing import Any

# waitress ships no type information; its hooks (parser, task and channel classes) are subclassed below.
from waitress.adjustments import Adjustments  # type: ignore[import-untyped]
from waitress.channel import HTTPChannel  # type: ignore[import-untyped]
from waitress.parser import HTTPRequestParser, ParsingError  # type: ignore[import-untyped]
from waitress.server import TcpWSGIServer  # type: ignore[import-untyped]
from waitress.task import ErrorTask, WSGITask  # type: ignore[import-untyped]
from waitress.utilities import (  # type: ignore[import-untyped]
    BadRequest,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
)

from .app import SOCKET_KEY, EmulatorApp, parse_json
from .auth import Credentials, parse_api_key, parse_token
from .exceptions import (
    BodyTooLarge,
    EmulatorError,
    HeadersTooLarge,
    InternalError,
    MalformedRequest,
    TransferEncodingNotImplemented,
    UriTooLong,
)
from .models import RiskScoringBackend

DEFAULT_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
MAX_BODY = 1024 * 1024  # far above any body of this API; a bigger one is a mistake or an attack
MAX_HEADER = 64 * 1024  # the request line and headers together
EXIT_USAGE = 2
MAX_PORT = 65535
# A `delay` fault or the latency setting sleeps in a worker thread, and a provider host makes up to 4
# calls at once: enough workers that one slow answer never queues another. Idle kept-alive
# connections hold no thread.
THREADS = 16
CONNECTION_LIMIT = 500
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]*")
_ACCOUNT_ID = re.compile(r"[0-9a-f]{32}")  # what Cloudflare's account ids look like
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# An LF without its CR, or a CR followed by anything but LF (a CR that ends the data so far may yet get its LF).
_BARE_LINE_END = re.compile(rb"(?<!\r)\n|\r(?=[^\n])")


class _UriTooLong(BadRequest):  # type: ignore[misc]
    """Waitress has no refusal of its own for a request line over the header limit."""

    code = 414
    reason = "URI Too Long"


class _Parser(HTTPRequestParser):  # type: ignore[misc]
    """Waitress's request parser, also refusing what it would pass on but the API could not route."""

    error: Any  # waitress's refusal of this request, if any (declared for the type checker)
    completed: bool

    def received(self, data: bytes) -> int:
        checked = len(self.header_plus)  # the header bytes earlier reads brought, already checked
        consumed: int = super().received(data)
        if isinstance(self.error, RequestHeaderFieldsTooLarge):
            # Over the limit before the request line ended: the target is what is too long.
            seen = (self.header_plus + data[:consumed]).lstrip()
            if b"\n" not in seen:
                self.error = _UriTooLong(self.error.body)
        elif not self.completed and self.body_rcv is None:
            self._refuse_bare_line_end(checked)
        elif not self.completed and self._chunk_over_limit():
            # A chunk size past the limit (24 hex digits) is refused as it is read, not after 1 MiB arrives.
            self.error = RequestEntityTooLarge(f"a chunk is over the limit of {MAX_BODY} bytes")
            self.completed = True
        return consumed

    def _chunk_over_limit(self) -> bool:
        """Whether the chunk a chunked body announced would take the body past the limit."""
        remainder = getattr(self.body_rcv, "chunk_remainder", 0) if self.chunked else 0
        return bool(remainder) and len(self.body_rcv) + remainder >= self.adj.max_request_body_size  # as waitress

    def _refuse_bare_line_end(self, checked: int) -> None:
        """Refuse a header with a CR or LF alone, which would otherwise wait for a CRLF CRLF that never comes."""
        # Waitress ends a header only at CRLF CRLF and refuses a bare line end only then: a client
        # that frames with LF alone was held until the idle timeout, unanswered.
        head = self.header_plus
        start = max(checked - 1, len(head) - len(head.lstrip()))  # blank lines before a request are allowed
        if _BARE_LINE_END.search(head, start):
            self.parse_header(b"GET / HTTP/1.0\r\n")  # as waitress does for its own early refusals
            self.error = BadRequest("Bare CR or LF found in HTTP message")
            self.completed = True

    def parse_header(self, header_plus: bytes) -> None:
        try:
            super().parse_header(header_plus)
        except ValueError:
            if not self.headers.get("CONTENT_LENGTH", "").isdigit():
                raise
            # int() refuses more than 4300 digits; a number that long is over any limit: received() answers 413.
            self.content_length = self.adj.max_request_body_size
        if self.version not in ("1.0", "1.1"):
            shown = f"HTTP/{self.version}" if self.version else "HTTP/0.9"
            raise ParsingError(f"{shown} requests are not supported; send HTTP/1.1")
        _check_target(self.request_uri, self.path)


def _check_target(uri: str, path: str) -> None:
    """Refuse a request target the API could not mean: raw bytes, bad escapes, a path not UTF-8 or with controls.

    `uri` is the target as sent and `path` its percent-decoded path, both one character per byte.
    """
    if not _PRINTABLE_ASCII.fullmatch(uri):
        raise ParsingError("the request target has a byte that must be percent-encoded")
    if _BAD_ESCAPE.search(uri):
        raise ParsingError("the request target has a % that does not start a %XX escape")
    try:
        text = path.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParsingError("the path is not UTF-8 once percent-decoded") from exc
    if _CONTROL.search(text):
        raise ParsingError("the path has a control character once percent-decoded")


# Waitress's own refusals (its error's status) as the emulator's errors; other statuses are malformed requests.
_REFUSALS: dict[int, Callable[[str], EmulatorError]] = {
    413: lambda _: BodyTooLarge(f"the request body is over the limit of {MAX_BODY} bytes (1 MiB)"),
    414: lambda _: UriTooLong(f"the request line is over the limit of {MAX_HEADER} bytes"),
    431: lambda _: HeadersTooLarge(f"the request line and headers are over the limit of {MAX_HEADER} bytes"),
    500: lambda _: InternalError("the emulator failed on this request; its log has the traceback"),
    501: TransferEncodingNotImplemented,
}


class _ErrorTask(ErrorTask):  # type: ignore[misc]
    """Answers a request waitress refuses (or a bug in the app) in Cloudflare's envelope, not waitress's text."""

    def execute(self) -> None:
        error = self.request.error
        refusal = _REFUSALS.get(error.code, MalformedRequest)(str(error.body))
        body = json.dumps(refusal.envelope()).encode()
        self.status = f"{refusal.status} {HTTPStatus(refusal.status).phrase}"
        self.response_headers.append(("Content-Type", "application/json; charset=UTF-8"))
        self.set_close_on_finish()  # what follows a refused request cannot be trusted to start a new one
        self.content_length = len(body)
        self.write(body)


class _Task(WSGITask):  # type: ignore[misc]
    """Runs the app with the client's socket in the environ, so a fault can close it without an answer."""

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[SOCKET_KEY] = self.channel.socket
        return environ


class _Channel(HTTPChannel):  # type: ignore[misc]
    """One client connection, parsed, answered and refused the emulator's way."""

    parser_class = _Parser
    task_class = _Task
    error_task_class = _ErrorTask


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
) -> EmulatorApp:
    """An app serving `accounts` (the first is the control plane's default), accepting `tokens`
    (TOKEN[:perms][@account]) and EMAIL:KEY pairs; ValueError for a malformed one."""
    for account in accounts:
        if not _ACCOUNT_ID.fullmatch(account):
            raise ValueError(f"bad --account {ascii(account)[:80]}: an account id is 32 lowercase hex characters")
    grants = dict(parse_token(spec) for spec in tokens)
    for grant in grants.values():
        if (grant.accounts or frozenset()) - set(accounts):  # the spec is a credential: none of it is shown
            raise ValueError("bad --token: its @ACCOUNT is not an --account this emulator serves")
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
