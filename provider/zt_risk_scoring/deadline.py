"""A time limit for one API call in all: when it passes, the sockets the call uses are shut down.

The read timeout urllib3 applies is per read: a gateway that sends the headers and then a byte every few
seconds never trips it, and a call would wait for ever. A Deadline covers the whole call (connect, send,
headers, body, retries and their waits); the connections of this package's sessions register their socket
with the calling thread's Deadline as they send, so a timer can end a read that would never finish.
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager, ProxyManager

_CURRENT = threading.local()


class Deadline:
    """`with Deadline(seconds):` around one call; `expired` tells afterwards whether it ended the call."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        _CURRENT.deadline = self
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._timer.cancel()
        _CURRENT.deadline = None

    def watch(self, sock: socket.socket | None) -> None:
        """Shut `sock` down when the deadline passes (at once, if it has)."""
        if sock is None:
            return
        with self._lock:
            if self.expired:
                _shut(sock)
            else:
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # a read blocked in another thread returns at once
    except OSError:
        pass  # already closed


def _watched(sock: socket.socket | None) -> None:
    deadline: Deadline | None = getattr(_CURRENT, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


class _Watched:
    """What both connection classes add: the socket is handed to the calling thread's deadline as it is used."""

    sock: socket.socket | None

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline: Deadline | None = getattr(_CURRENT, "deadline", None)
        if deadline is not None and deadline.expired:
            raise TimeoutError("the call's deadline has passed; the request was not sent")
        super().request(*args, **kwargs)  # type: ignore[misc]
        _watched(self.sock)

    def getresponse(self) -> Any:
        _watched(self.sock)
        return super().getresponse()  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    """urllib3's HTTPConnection under the calling thread's deadline."""


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    """urllib3's HTTPSConnection under the calling thread's deadline."""


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def _watching(manager: PoolManager) -> PoolManager:
    manager.pool_classes_by_scheme = _POOLS
    return manager


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections (direct or through an HTTP proxy) are under the caller's deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _watching(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> PoolManager:
        manager = super().proxy_manager_for(proxy, **kwargs)
        # A SOCKS proxy's manager has pool classes of its own (its connections open the tunnel): left as it is.
        return _watching(manager) if isinstance(manager, ProxyManager) else manager
