"""No error the client raises shows the credential, not even when the answer echoes it back."""

from __future__ import annotations

import http.client
import traceback
from collections.abc import Callable

import pytest
import requests
import responses

from tests.unit.api_answers import BASE, INTEGRATION, ROOT, ok
from zt_risk_scoring import errors
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "echoed-token-0123456789abcdef"
KEY = "0123456789abcdef0123456789abcdef0echo"
# How a gateway may echo it: as the header it came in, or far enough in that a message cut for display
# would cut the credential in the middle.
CUT = "x" * 185
CREDENTIALS = {
    "token-header": (Settings(base_url=BASE, token=TOKEN), f"Authorization: Bearer {TOKEN}", TOKEN),
    "token-cut": (Settings(base_url=BASE, token=TOKEN), CUT + TOKEN, TOKEN),
    "key-header": (Settings(base_url=BASE, email="ops@example.com", api_key=KEY), f"X-Auth-Key: {KEY}", KEY),
    "key-cut": (Settings(base_url=BASE, email="ops@example.com", api_key=KEY), CUT + KEY, KEY),
}
LIST = f"{ROOT}/integrations"


def _envelope_error(echo: str, _mp: pytest.MonkeyPatch) -> None:
    body = {"success": False, "errors": [{"code": 10000, "message": echo}], "messages": []}
    responses.get(LIST, json=body, status=403)


def _reason(status: int) -> Callable[[str, pytest.MonkeyPatch], None]:
    def answer(echo: str, mp: pytest.MonkeyPatch) -> None:
        mp.setitem(http.client.responses, status, echo)  # the reason phrase `responses` sends
        responses.get(LIST, body="<html>denied</html>", status=status)

    return answer


def _redirect(echo: str, _mp: pytest.MonkeyPatch) -> None:
    responses.get(LIST, status=302, headers={"Location": f"https://sso.example.net/?seen={echo}"})


def _redirect_quoted(echo: str, _mp: pytest.MonkeyPatch) -> None:
    quoted = requests.utils.quote(echo, safe="")
    responses.get(LIST, status=302, headers={"Location": f"https://sso.example.net/?seen={quoted}"})


def _connection(echo: str, _mp: pytest.MonkeyPatch) -> None:
    responses.get(LIST, body=requests.ConnectionError(f"proxy said: {echo}"))


def _shape(echo: str, _mp: pytest.MonkeyPatch) -> None:
    responses.get(LIST, json=ok([{**INTEGRATION, "active": echo}]))


ANSWERS: dict[str, Callable[[str, pytest.MonkeyPatch], None]] = {
    "envelope-message": _envelope_error,
    "non-envelope-reason": _reason(418),
    "server-error-reason": _reason(500),
    "redirect-location": _redirect,
    "redirect-location-url-quoted": _redirect_quoted,
    "connection-error-text": _connection,
    "unexpected-shape-value": _shape,
}


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
@pytest.mark.parametrize(("settings", "echo", "secret"), CREDENTIALS.values(), ids=CREDENTIALS.keys())
@responses.activate
def test_request_answer_echoing_credential_raises_without_it(
    monkeypatch: pytest.MonkeyPatch,
    answer: Callable[[str, pytest.MonkeyPatch], None],
    settings: Settings,
    echo: str,
    secret: str,
) -> None:
    answer(echo, monkeypatch)
    with pytest.raises(errors.RiskScoringError) as exc:
        RiskScoringClient(settings, ACCOUNT).list_integrations()
    # What `pulumi preview`/`up` print for a provider: the whole traceback, causes included.
    shown = str(exc.value) + "".join(traceback.format_exception(exc.value))
    assert secret not in shown and secret[:12] not in shown


@pytest.mark.parametrize(("settings", "echo", "secret"), CREDENTIALS.values(), ids=CREDENTIALS.keys())
@responses.activate
def test_request_answer_echoing_credential_shows_the_rest(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, echo: str, secret: str
) -> None:
    _envelope_error(echo, monkeypatch)
    with pytest.raises(errors.PermissionDenied) as exc:
        RiskScoringClient(settings, ACCOUNT).list_integrations()
    assert "***" in str(exc.value) and exc.value.errors[0].code == 10000
