"""The emulator's front door: what waitress parses, narrowed to what Cloudflare's front end accepts, and every
refusal (waitress's own included) answered in Cloudflare's envelope, never waitress's text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

# waitress ships no type information; its parser and error task are subclassed below.
from waitress.parser import HTTPRequestParser, ParsingError  # type: ignore[import-untyped]
from waitress.task import ErrorTask  # type: ignore[import-untyped]
from waitress.utilities import (  # type: ignore[import-untyped]
    BadRequest,
    RequestEntityTooLarge,
    RequestHeaderFieldsTooLarge,
)

from .exceptions import (
    BodyTooLarge,
    EmulatorError,
    HeadersTooLarge,
    InternalError,
    MalformedRequest,
    TransferEncodingNotImplemented,
    UriTooLong,
)

MAX_BODY = 1024 * 1024  # far above any body of this API; a bigger one is a mistake or an attack
MAX_HEADER = 64 * 1024  # the request line and headers together
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]*")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# An LF without its CR, or a CR followed by anything but LF (a CR that ends the data so far may yet get its LF).
_BARE_LINE_END = re.compile(rb"(?<!\r)\n|\r(?=[^\n])")


class _UriTooLong(BadRequest):  # type: ignore[misc]
    """Waitress has no refusal of its own for a request line over the header limit."""

    code = 414
    reason = "URI Too Long"


class Parser(HTTPRequestParser):  # type: ignore[misc]
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
    if _CONTROL_CHARACTERS.search(text):
        raise ParsingError("the path has a control character once percent-decoded")


# Waitress's own refusals (its error's status) as the emulator's errors; other statuses are malformed requests.
_REFUSALS: dict[int, Callable[[str], EmulatorError]] = {
    413: lambda _: BodyTooLarge(f"the request body is over the limit of {MAX_BODY} bytes (1 MiB)"),
    414: lambda _: UriTooLong(f"the request line is over the limit of {MAX_HEADER} bytes"),
    431: lambda _: HeadersTooLarge(f"the request line and headers are over the limit of {MAX_HEADER} bytes"),
    500: lambda _: InternalError("the emulator failed on this request; its log has the traceback"),
    501: TransferEncodingNotImplemented,
}


class ErrorAnswer(ErrorTask):  # type: ignore[misc]
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
