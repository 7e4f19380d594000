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
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                path = proxy.path_rule(self.command, self.path) if proxy.path_rule else self.path
                proxy.seen.append((self.command, path))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = requests.request(
                    self.command, proxy.upstream + path, data=data, headers=headers, timeout=30, allow_redirects=False
                )
                status, body = answer.status_code, answer.content
                if proxy.answer_rule and answer.headers.get("Content-Type", "").startswith("application/json"):
                    status, changed = proxy.answer_rule(self.command, self.path, status, answer.json())
                    body = json.dumps(changed).encode()
                self.send_response(status)
                self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_any  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

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
        self.seen.clear()
