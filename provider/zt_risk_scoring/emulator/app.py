"""The WSGI application: faults, auth, routing, envelope, request log and the control plane."""

from __future__ import annotations

import html
import ipaddress
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed as WzMethodNotAllowed
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from .auth import Credentials
from .control import Hook
from .exceptions import EmulatorError, InvalidJson, MethodNotAllowed, NoRoute
from .faults import ANSWERING_MODES, FaultPlan, FaultRule
from .handlers import Paged
from .models import RiskScoringBackend
from .urls import HOOKS_PREFIX, Route, control_map, url_map

SOCKET_KEY = "zt_risk.socket"  # the client connection, in the WSGI environ (for lost-response faults)


class EmulatorApp:
    """Serves the Risk Scoring API under /client/v4 and test hooks under /__emulator/."""

    def __init__(
        self, backend: RiskScoringBackend, credentials: Credentials, control_from_anywhere: bool = False
    ) -> None:
        self.backend = backend
        self.credentials = credentials
        # The hooks can wipe state and revoke tokens: by default only this machine may call them.
        self.control_from_anywhere = control_from_anywhere
        self.faults = FaultPlan()
        self.urls = url_map()
        self.control_urls = control_map()
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()

    def close(self) -> None:
        """Close the backend's database; the app answers nothing after this."""
        self.backend.close()

    def __enter__(self) -> EmulatorApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith(HOOKS_PREFIX + "/") and (
            self.control_from_anywhere or _loopback(request.remote_addr)
        ):
            response = self.control(request)
        else:
            response = self.api(request)
        return response(environ, start_response)

    # API ------------------------------------------------------------------------
    def api(self, request: Request) -> Response:
        if self.faults.latency_s:  # even sleep(0) costs a system call on every request
            time.sleep(self.faults.latency_s)
        operation, fault = "unrouted", None
        try:
            endpoint, args = _match(self.urls, request)
            route: Route = endpoint
            operation = route.operation
            self.credentials.authorize(request.headers, args["account_id"], route.permission)
            fault = self.faults.pick(operation, request.method)
            if fault is not None and fault.mode in ANSWERING_MODES:
                return self._record(request, operation, self._fault_response(request, fault), fault)
            result = route.handler(self.backend, body=_body(request), **args)
            envelope = {"success": True, "errors": [], "messages": []}
            if isinstance(result, Paged):
                result, envelope["result_info"] = result.result, result.info
            response = _json(200, {**envelope, "result": result})
        except EmulatorError as exc:
            response = _json(exc.status, exc.envelope())
        if fault is not None and fault.mode == "delay":
            time.sleep(fault.delay_s)
        if fault is not None and fault.mode == "drop_after_write":
            _drop(request)
        if fault is not None and fault.mode == "trickle":
            response = _trickled(response, fault.delay_s)
        return self._record(request, operation, response, fault)

    def _fault_response(self, request: Request, fault: FaultRule) -> Response:
        if fault.mode == "drop":
            _drop(request)
        if fault.mode == "redirect":
            response = _gateway_page(fault.status)
            response.headers["Location"] = fault.location or "/"
        elif fault.mode == "html":
            response = _gateway_page(fault.status)
        else:
            response = self._fault_envelope(fault)
        if fault.retry_after is not None or fault.status == 429:
            response.headers["Retry-After"] = str(fault.retry_after or 0)
        if fault.status == 429 and fault.mode == "status":
            # Cloudflare's rate-limit headers (developers.cloudflare.com/fundamentals/api/reference/limits).
            response.headers["Ratelimit"] = f'"default";r=0;t={fault.retry_after or 0}'
            response.headers["Ratelimit-Policy"] = '"default";q=1200;w=300'
        return response

    @staticmethod
    def _fault_envelope(fault: FaultRule) -> Response:
        if fault.status == 429:  # Cloudflare's own code and text for its rate limit
            error = {"code": 971, "message": "Please wait and consider throttling your request speed"}
        else:
            error = {"code": 10500 + fault.status % 100, "message": "Injected fault"}
        return _json(fault.status, {"success": False, "errors": [error], "messages": [], "result": None})

    def _record(self, request: Request, operation: str, response: Response, fault: FaultRule | None) -> Response:
        entry = {
            "method": request.method,
            "path": request.path,
            "operation": operation,
            "status": response.status_code,
            "fault": fault.mode if fault else None,
        }
        with self._log_lock:
            self._log.append(entry)
        return response

    # control plane ----------------------------------------------------------------
    def control(self, request: Request) -> Response:
        try:
            endpoint, _ = _match(self.control_urls, request)
            hook: Hook = endpoint
            return _json(200, hook(self, _body(request)))
        except EmulatorError as exc:
            return _json(exc.status, exc.envelope())

    def reset(self) -> None:
        """Account data, faults and the log back to how the emulator started."""
        self.backend.reset()
        self.faults.clear()
        self.clear_log()

    def log(self) -> dict[str, Any]:
        with self._log_lock:
            entries = list(self._log)
        counts = Counter(e["operation"] for e in entries)
        # Writes the API applied (rejected ones changed nothing).
        writes = sum(1 for e in entries if e["method"] in ("POST", "PUT", "DELETE") and e["status"] < 400)
        return {"requests": entries, "counts": dict(counts), "writes": writes}

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()


def _match(urls: Map, request: Request) -> tuple[Any, dict[str, str]]:
    """The endpoint and path arguments of the request's route; NoRoute or MethodNotAllowed otherwise."""
    # Bound to a fixed name, not the Host header: routing never depends on what the client sent there.
    adapter = urls.bind("api.cloudflare.com")
    try:
        endpoint, args = adapter.match(request.path, request.method)
    except WzMethodNotAllowed as exc:
        raise MethodNotAllowed(request.method) from exc
    except HTTPException as exc:
        raise NoRoute(request.path) from exc
    return endpoint, dict(args)


def _body(request: Request) -> Any:
    raw = request.get_data()
    return parse_json(raw) if raw.strip() else None


def parse_json(raw: bytes | str, what: str = "request body") -> Any:
    """A JSON text as Python values; InvalidJson for what is not JSON or holds what no UTF-8 text can."""
    try:
        value = json.loads(raw, parse_constant=_not_json)
    except ValueError as exc:
        raise InvalidJson(f"{what} is not valid JSON: {exc.args[0]}") from exc
    except RecursionError as exc:
        raise InvalidJson(f"{what} is not valid JSON: nested too deeply") from exc
    # json.loads lets a lone surrogate through (an unpaired \ud800 escape, or its bytes): SQLite and every
    # UTF-8 encoder would fail on it later, in whichever field it reached.
    if _holds_lone_surrogate(value):
        raise InvalidJson(f"{what} is not valid JSON: a string holds a lone UTF-16 surrogate")
    return value


def _not_json(constant: str) -> Any:
    # Python's decoder accepts NaN and Infinity; JSON (RFC 8259) has neither.
    raise ValueError(f"{constant} is not a JSON value")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _holds_lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in `value`, keys included, holds a surrogate code point (iterative: any depth)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False  # no peer address (an in-process call) or not an IP: not provably local
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def _gateway_page(status: int) -> Response:
    """The bare HTML page a gateway or load balancer answers with, no API envelope."""
    try:
        title = f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        title = f"{status} Error"  # Cloudflare's own 52x statuses have no standard phrase
    page = (
        f"<html>\r\n<head><title>{html.escape(title)}</title></head>\r\n<body>\r\n"
        f"<center><h1>{html.escape(title)}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
    )
    return Response(page, status=status, content_type="text/html")


def _json(status: int, payload: Any) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json; charset=UTF-8")


def _trickled(response: Response, every_s: float) -> Response:
    """`response` as a gateway that trickles it: status and headers at once, then one byte of the body every
    `every_s` seconds (no single read waits long, so only a deadline on the whole answer ends it)."""
    body = response.get_data()

    def dribble() -> Iterator[bytes]:
        for at in range(len(body)):
            yield body[at : at + 1]
            time.sleep(every_s)

    trickling = Response(dribble(), status=response.status_code, content_type=response.content_type)
    trickling.headers["Content-Length"] = str(len(body))
    return trickling


def _drop(request: Request) -> None:
    """Close the client's connection so it never reads a response (a lost response)."""
    sock = request.environ.get(SOCKET_KEY)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
