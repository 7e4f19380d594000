"""The WSGI application: faults, auth, routing, envelope, request log and the control plane."""

from __future__ import annotations

import html
import ipaddress
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed as WzMethodNotAllowed
from werkzeug.wrappers import Request, Response

from .auth import Credentials
from .exceptions import EmulatorError, InvalidJson, MethodNotAllowed, NoRoute, ValidationError
from .faults import ANSWERING_MODES, FaultPlan, FaultRule
from .handlers import HANDLERS
from .models import RiskScoringBackend
from .urls import PERMISSIONS, url_map

CONTROL = "/__emulator/"
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
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._hooks = self.hooks()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith(CONTROL) and (self.control_from_anywhere or _loopback(request.remote_addr)):
            response = self.control(request)
        else:
            response = self.api(request)
        return response(environ, start_response)

    # API ------------------------------------------------------------------------
    def api(self, request: Request) -> Response:
        time.sleep(self.faults.latency_s)
        operation, fault = "unrouted", None
        try:
            operation, args = self._route(request)
            self.credentials.authorize(request.headers, args["account_id"], PERMISSIONS[operation])
            fault = self.faults.pick(operation, request.method)
            if fault is not None and fault.mode in ANSWERING_MODES:
                return self._record(request, operation, self._fault_response(request, fault), fault)
            result = HANDLERS[operation](self.backend, body=_body(request), **args)
            response = _envelope(200, {"success": True, "errors": [], "messages": [], "result": result})
        except EmulatorError as exc:
            response = _envelope(exc.status, exc.envelope())
        if fault is not None and fault.mode == "delay":
            time.sleep(fault.delay_s)
        if fault is not None and fault.mode == "drop_after_write":
            _drop(request)
        return self._record(request, operation, response, fault)

    def _route(self, request: Request) -> tuple[str, dict[str, str]]:
        # Bound to a fixed name, not the Host header: routing never depends on what the client sent there.
        adapter = self.urls.bind("api.cloudflare.com")
        try:
            operation, args = adapter.match(request.path, request.method)
        except WzMethodNotAllowed as exc:
            raise MethodNotAllowed(f"Method {request.method} not allowed for {request.path}") from exc
        except HTTPException as exc:
            raise NoRoute() from exc
        return str(operation), dict(args)

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
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    @staticmethod
    def _fault_envelope(fault: FaultRule) -> Response:
        error = {
            "code": 10429 if fault.status == 429 else 10500 + fault.status % 100,
            "message": "Rate limited" if fault.status == 429 else "Injected fault",
        }
        return _envelope(fault.status, {"success": False, "errors": [error], "messages": [], "result": None})

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
        action = request.path[len(CONTROL) :].strip("/")
        hook = self._hooks.get((request.method, action))
        try:
            if hook is None:
                raise NoRoute(f"no control action {request.method} {action}")
            return _json(200, hook(_body(request)))
        except EmulatorError as exc:
            return _envelope(exc.status, exc.envelope())

    def hooks(self) -> dict[tuple[str, str], Callable[[Any], Any]]:
        """(method, action) → hook taking the parsed body and returning the JSON answer."""
        return {
            ("GET", "health"): lambda _body: {"ok": True},
            ("GET", "log"): lambda _body: self.log(),
            ("DELETE", "log"): lambda _body: _ok(self.clear_log),
            ("POST", "faults"): self._configure_faults,
            ("DELETE", "faults"): lambda _body: _ok(self.faults.clear),
            ("POST", "reset"): lambda _body: _ok(self.reset),
            ("POST", "users"): self._seed_users,
            ("POST", "catalogue"): lambda body: _ok(lambda: self.backend.add_behaviors(_control_object(body, {}))),
            ("POST", "revoke"): self._revoke,
        }

    def reset(self) -> None:
        self.backend.reset()
        self.faults.clear()
        self.clear_log()

    def _configure_faults(self, body: Any) -> Any:
        self.faults.configure(_control_object(body, {}))
        return self.faults.describe()

    def _seed_users(self, body: Any) -> Any:
        body = _control_object(body, {})
        # Without an account, the first --account given: the one a single-account setup means.
        account = body.get("account", self.credentials.accounts[0] if self.credentials.accounts else None)
        if account not in self.credentials.accounts:
            served = ", ".join(self.credentials.accounts)
            raise ValidationError(f"account must be one this emulator serves ({served}), got {account!r}")
        users = body.get("users", [])
        if not isinstance(users, list):
            raise ValidationError("users must be a list of users")
        for user in users:
            self.backend.seed_user(account, user)
        return {"ok": True, "account": account, "users": len(users)}

    def _revoke(self, body: Any) -> Any:
        token = _control_object(body, {}).get("token")
        if not isinstance(token, str) or not token:
            raise ValidationError("token must be a non-empty string")
        return {"revoked": self.credentials.revoke(token)}

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


def _body(request: Request) -> Any:
    raw = request.get_data()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidJson(f"request body is not valid JSON: {exc.args[0]}") from exc
    except RecursionError as exc:
        raise InvalidJson("request body is not valid JSON: nested too deeply") from exc


def _control_object(body: Any, default: dict[str, Any]) -> dict[str, Any]:
    if body is None:
        return default
    if not isinstance(body, dict):
        raise ValidationError("the body of a control request must be a JSON object")
    return body


def _ok(action: Callable[[], None]) -> dict[str, bool]:
    action()
    return {"ok": True}


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


def _envelope(status: int, payload: dict[str, Any]) -> Response:
    return _json(status, payload)


def _json(status: int, payload: Any) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json; charset=UTF-8")


def _drop(request: Request) -> None:
    """Close the client's connection so it never reads a response (a lost response)."""
    sock = request.environ.get(SOCKET_KEY)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
