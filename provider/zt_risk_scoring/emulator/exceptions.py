"""Emulator errors: each knows its HTTP status and Cloudflare error code.

Cloudflare publishes no risk-scoring-specific error codes; 6003/6111, 7000/7001/7003, 9106 and 10000 are the
platform-wide ones reported for every API, 3314 the one reported for an account without the feature; the 1xxx
codes below are this emulator's own choice (docs/emulator.md says which answers are evidence, which guesses).
"""

from __future__ import annotations

from typing import Any


class EmulatorError(Exception):
    """An API error rendered as a Cloudflare failure envelope."""

    status = 400
    code = 1000

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def envelope(self) -> dict[str, Any]:
        return {
            "success": False,
            "errors": [{"code": self.code, "message": self.message}],
            "messages": [],
            "result": None,
        }


class InvalidJson(EmulatorError):
    """The body is not JSON."""

    code = 1001


class ValidationError(EmulatorError):
    """The body is JSON but breaks the schema or a rule."""

    code = 1002


class IntegrationNotFound(EmulatorError):
    """No integration with that id or reference id."""

    status = 404
    code = 1003


class DuplicateReference(EmulatorError):
    """Another integration in the account already has this reference_id."""

    status = 409
    code = 1004


class UserNotFound(EmulatorError):
    """No risk data for that user."""

    status = 404
    code = 1005


class MalformedRequest(EmulatorError):
    """The HTTP request itself is broken: its request line, target, headers, Content-Length or framing."""

    code = 1006


class BodyTooLarge(EmulatorError):
    """The declared body is over the emulator's limit."""

    status = 413
    code = 1007


class UriTooLong(MalformedRequest):
    """The request line alone is over the emulator's limit for the request line and headers."""

    status = 414


class HeadersTooLarge(MalformedRequest):
    """The request line and headers together are over the emulator's limit."""

    status = 431


class TransferEncodingNotImplemented(MalformedRequest):
    """A Transfer-Encoding other than chunked."""

    status = 501


class InternalError(EmulatorError):
    """A bug in the emulator, answered rather than dropping the connection."""

    status = 500
    code = 1000


class NoRoute(EmulatorError):
    """The URI is not an operation of this API: Cloudflare answers two errors, 7003 naming the path, then 7000."""

    status = 404
    code = 7003

    def __init__(self, path: str) -> None:
        super().__init__(f"Could not route to {path}, perhaps your object identifier is invalid?")

    def envelope(self) -> dict[str, Any]:
        found = super().envelope()
        found["errors"].append({"code": 7000, "message": "No route for that URI"})
        return found


class MethodNotAllowed(EmulatorError):
    """The URI exists but not with this method."""

    status = 405
    code = 7001

    def __init__(self, method: str) -> None:
        super().__init__(f"Method {method} not available for that URI.")


class MissingCredentials(EmulatorError):
    """No Authorization or X-Auth-Email/X-Auth-Key headers."""

    code = 9106

    def __init__(self) -> None:
        super().__init__("Missing X-Auth-Key, X-Auth-Email or Authorization headers")


class MalformedAuthorization(EmulatorError):
    """An Authorization header that is not `Bearer <token>`: 400/6003 with the cause in `error_chain`."""

    code = 6003

    def __init__(self) -> None:
        super().__init__("Invalid request headers")

    def envelope(self) -> dict[str, Any]:
        found = super().envelope()
        found["errors"][0]["error_chain"] = [{"code": 6111, "message": "Invalid format for Authorization header"}]
        return found


class NotEntitled(EmulatorError):
    """An account without Zero Trust risk scoring (`--unentitled`): every risk-scoring route answers this."""

    status = 403
    code = 3314

    def __init__(self) -> None:
        super().__init__("Forbidden")


class InvalidCredentials(EmulatorError):
    """The token or key is not one this emulator knows."""

    status = 401
    code = 10000

    def __init__(self) -> None:
        super().__init__("Authentication error")


class Forbidden(EmulatorError):
    """The credential lacks the operation's permission or the account."""

    status = 403
    code = 10000
