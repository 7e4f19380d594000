"""When a request is sent again: 429, 502, 503 and 504 and lost connections, after the wait the answer asks for."""

from __future__ import annotations

from typing import Any

from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

MAX_RETRY_AFTER_S = 30.0
# The wait after a 429/503 whose Retry-After is not a number of seconds or a date ("soon", "-5"): still
# an answer that says "wait", so a short pause of our own rather than none, or a failed request.
UNUSABLE_RETRY_AFTER_S = 2.0


class _Retry(Retry):
    """urllib3 Retry that retries 429 for every method and caps Retry-After."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        # A 429 is refused before processing, so even a POST is safe to send again.
        if status_code == 429:
            return bool(self.total)
        return super().is_retry(method, status_code, has_retry_after)

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER_S)

    def parse_retry_after(self, retry_after: str) -> float:
        # urllib3 raises InvalidHeader here, which requests reports as if no answer had come at all.
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            return UNUSABLE_RETRY_AFTER_S


def retry_policy() -> Retry:
    """GET/PUT/DELETE retry 429/502/503/504 and lost connections; POST only 429 and refused connects."""
    return _Retry(
        total=6,
        connect=3,
        read=2,
        status=5,
        backoff_factor=0.25,
        backoff_max=8.0,
        status_forcelist=(429, 502, 503, 504),
        allowed_methods=frozenset({"GET", "PUT", "DELETE"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
