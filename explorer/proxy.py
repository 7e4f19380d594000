"""A misrouting proxy in front of the emulator: reads of one account are answered with the other's (a gateway or
proxy rewriting the account in the path), writes pass through as sent."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests


class Misrouting:
    """Serves on a loopback port; `base_url` is the emulator's API root seen through it."""

    def __init__(self, upstream: str, accounts: tuple[str, str]) -> None:
        self.upstream = upstream.rstrip("/")
        self.requests = 0
        a, b = accounts
        swap = {f"/accounts/{a}/": f"/accounts/{b}/", f"/accounts/{b}/": f"/accounts/{a}/"}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path
                for mine, theirs in swap.items():
                    if mine in path:
                        path = path.replace(mine, theirs)
                        break
                self._forward(path)

            def do_PUT(self) -> None:
                self._forward(self.path)

            do_POST = do_PATCH = do_DELETE = do_PUT  # noqa: N815

            def _forward(self, path: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                owner.requests += 1
                answer = requests.request(
                    self.command, owner.origin + path, headers=headers, data=body, timeout=60, allow_redirects=False
                )
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *_args: Any) -> None:
                pass

        self.origin = self.upstream.split("/client/v4")[0]
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/client/v4"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
