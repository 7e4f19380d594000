"""The WSGI application: faults, auth, routing, envelope, request log and the control plane."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed as WzMethodNotAllowed
from werkzeug.wrappers import Request, Response

from .auth import Credentials
from .exceptions import EmulatorError, InvalidJson, MethodNotAllowed, NoRoute
from .faults import FaultPlan, FaultRule
from .handlers import HANDLERS
from .models import RiskScoringBackend
from .urls import PERMISSIONS, url_map

CONTROL = "/__emulator/"
SOCKET_KEY = "zt_risk.socket"  # the client connection, in the WSGI environ (for lost-response faults)


class EmulatorApp:
    """Serves the Risk Scoring API under /client/v4 and test hooks under /__emulator/."""

    def __init__(self, backend: RiskScoringBackend, credentials: Credentials) -> None:
        self.backend = backend
        self.credentials = credentials
        self.faults = FaultPlan()
        self.urls = url_map()
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path.startswith(CONTROL):
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
            if fault is not None and fault.mode in ("status", "drop"):
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
        adapter = self.urls.bind_to_environ(request.environ)
        try:
            operation, args = adapter.match()
        except WzMethodNotAllowed as exc:
            raise MethodNotAllowed(f"Method {request.method} not allowed for {request.path}") from exc
        except HTTPException as exc:
            raise NoRoute(f"No route for the URI {request.path}") from exc
        return str(operation), dict(args)

    def _fault_response(self, request: Request, fault: FaultRule) -> Response:
        if fault.mode == "drop":
            _drop(request)
        error = {
            "code": 10429 if fault.status == 429 else 10500 + fault.status % 100,
            "message": "Rate limited" if fault.status == 429 else "Injected fault",
        }
        response = _envelope(fault.status, {"success": False, "errors": [error], "messages": [], "result": None})
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

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
        key = (request.method, action)
        try:
            body = _body(request) or {}
            if key == ("GET", "health"):
                return _json(200, {"ok": True})
            if key == ("GET", "log"):
                return _json(200, self.log())
            if key == ("DELETE", "log"):
                self.clear_log()
                return _json(200, {"ok": True})
            if key == ("POST", "faults"):
                self.faults.configure(body)
                return _json(200, self.faults.describe())
            if key == ("DELETE", "faults"):
                self.faults.clear()
                return _json(200, {"ok": True})
            if key == ("POST", "reset"):
                self.backend.reset()
                self.faults.clear()
                self.clear_log()
                return _json(200, {"ok": True})
            if key == ("POST", "users"):
                account = body.get("account") or min(self.credentials.accounts)
                for user in body.get("users", []):
                    self.backend.seed_user(account, user)
                return _json(200, {"ok": True})
            if key == ("POST", "catalogue"):
                self.backend.add_behaviors(body)
                return _json(200, {"ok": True})
            if key == ("POST", "revoke"):
                return _json(200, {"revoked": self.credentials.revoke(str(body.get("token", "")))})
        except (EmulatorError, ValueError, KeyError, TypeError) as exc:
            return _json(400, {"error": str(exc)})
        return _json(404, {"error": f"no control action {request.method} {action}"})

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
