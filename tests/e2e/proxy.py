"""A rewriting HTTP proxy in front of the emulator: what a misbehaving gateway or proxy does to requests and answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

# (method, path) -> the path to forward to; (method, path, status, body) -> the status and body to answer with.
PathRule = Callable[[str, str], str]
AnswerRule = Callable[[str, str, int, Any], tuple[int, Any]]


class RewritingProxy:
    """Forwards every request to `upstream` (a base URL's scheme and host), applying the rules set on it."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.path_rule: PathRule | None = None
        self.answer_rule: AnswerRule | None = None
        self.seen: list[tuple[str, str]] = []
        self.headers: list[tuple[str, str, dict[str, str]]] = []  # (method, path, request headers)
        # A cache in front of the API: GETs answered from what it stored, unless the request says no-cache.
        self.caching = False
        self._cached: dict[str, tuple[int, bytes, str]] = {}
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                path = proxy.path_rule(self.command, self.path) if proxy.path_rule else self.path
                proxy.seen.append((self.command, path))
                proxy.headers.append((self.command, path, dict(self.headers.items())))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                fresh = "no-cache" in self.headers.get("Cache-Control", "")
                if proxy.caching and self.command == "GET" and not fresh and path in proxy._cached:
                    status, body, kind = proxy._cached[path]
                else:
                    status, body, kind = proxy.forward(self.command, path, data, headers)
                    if self.command == "GET":
                        proxy._cached[path] = (status, body, kind)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_any  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def forward(self, method: str, path: str, data: bytes | None, headers: dict[str, str]) -> tuple[int, bytes, str]:
        """The upstream's answer to a request (status, body, content type), after the answer rule."""
        answer = requests.request(
            method, self.upstream + path, data=data, headers=headers, timeout=30, allow_redirects=False
        )
        status, body = answer.status_code, answer.content
        kind = answer.headers.get("Content-Type", "application/json")
        if self.answer_rule and kind.startswith("application/json"):
            status, changed = self.answer_rule(method, path, status, answer.json())
            body = json.dumps(changed).encode()
        return status, body, kind

    def start(self) -> RewritingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def base_url(self, api_root: str) -> str:
        """The proxy's URL for `api_root` (the emulator's base URL)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}" + api_root.removeprefix(self.upstream)

    def clear(self) -> None:
        self.path_rule = self.answer_rule = None
        self.caching = False
        self._cached.clear()
        self.seen.clear()
        self.headers.clear()
