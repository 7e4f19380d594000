"""The emulator under each variant of the API's open points: what each value answers, and what is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from zt_risk_scoring.emulator import EmulatorApp, build_app
from zt_risk_scoring.emulator.bodies import seeded_user
from zt_risk_scoring.emulator.variants import CHOICES, Variants

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "variants-token-0123456789"
ROOT = f"/client/v4/accounts/{ACCOUNT}/zt_risk_scoring"
USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"
OKTA = {"integration_type": "Okta", "tenant_url": "https://a.okta.com"}


class Api:
    """The app as a client calls it: the answer's status and envelope."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app, self.client = app, Client(app)

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        answer = self.client.open(ROOT + path, method=method, json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        return answer.status_code, answer.get_json()


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of(getattr(request, "param", {}))) as app:
        yield Api(app)


def with_variants(**chosen: str) -> Any:
    return pytest.mark.parametrize(
        "api", [chosen], indirect=True, ids=[",".join(f"{k}={v}" for k, v in chosen.items())]
    )


def test_variants_default_is_each_points_first_value() -> None:
    assert Variants().active() == {name: values[0] for name, values in CHOICES.items()}


@pytest.mark.parametrize(
    ("pairs", "says"), [({"nope": "x"}, "unknown variant 'nope'"), ({"delete_result": "x"}, "takes null or empty")]
)
def test_variants_unknown_name_or_value_is_refused_naming_it(pairs: dict[str, str], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Variants.of(pairs)


@pytest.mark.parametrize(
    ("chosen", "second"), [({}, 409), ({"reference_id_unique": "false"}, 200)], ids=["unique", "not-unique"]
)
def test_create_with_a_reference_id_taken(chosen: dict[str, str], second: int) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of(chosen)) as app:
        api = Api(app)
        first = api("POST", "/integrations", {**OKTA, "reference_id": "idp-1"})[1]["result"]
        assert api("POST", "/integrations", {**OKTA, "reference_id": "idp-1"})[0] == second
        assert api("GET", "/integrations/reference_id/idp-1")[1]["result"]["id"] == first["id"]  # the oldest


@with_variants(reference_id_case="insensitive")
def test_reference_id_compared_without_case_finds_and_refuses_another_spelling(api: Api) -> None:
    api("POST", "/integrations", {**OKTA, "reference_id": "IdP-1"})
    assert api("GET", "/integrations/reference_id/idp-1")[1]["result"]["reference_id"] == "IdP-1"
    assert api("POST", "/integrations", {**OKTA, "reference_id": "IDP-1"})[0] == 409


@pytest.mark.parametrize(
    ("chosen", "keys", "fields"),
    [
        ({}, 8, {"name", "description", "enabled", "risk_level"}),
        ({"behaviors_put_answer": "minimal"}, 8, {"enabled", "risk_level"}),
        ({"behaviors_put_answer": "sent"}, 1, {"enabled", "risk_level"}),
    ],
    ids=["full", "minimal", "sent"],
)
def test_put_behaviors_answer_shape(chosen: dict[str, str], keys: int, fields: set[str]) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of(chosen)) as app:
        answer = Api(app)("PUT", "/behaviors", {"behaviors": {"imp_travel": {"enabled": True, "risk_level": "low"}}})
        behaviors = answer[1]["result"]["behaviors"]
        assert (len(behaviors), set(behaviors["imp_travel"])) == (keys, fields)


@pytest.mark.parametrize(
    ("chosen", "left"), [({}, True), ({"behaviors_put_unsent": "reset"}, False)], ids=["keep", "reset"]
)
def test_put_behaviors_leaves_keys_not_sent_or_resets_them(chosen: dict[str, str], left: bool) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of(chosen)) as app:
        api = Api(app)
        api("PUT", "/behaviors", {"behaviors": {"high_dlp": {"enabled": True, "risk_level": "low"}}})
        api("PUT", "/behaviors", {"behaviors": {"imp_travel": {"enabled": True, "risk_level": "low"}}})
        assert api("GET", "/behaviors")[1]["result"]["behaviors"]["high_dlp"]["enabled"] is left


@with_variants(behaviors_put_unknown="ignore")
def test_put_behaviors_with_unknown_key_or_null_entry_ignored_silently(api: Api) -> None:
    body = {"behaviors": {"nope": {"enabled": True, "risk_level": "low"}, "high_dlp": None}}
    status, answer = api("PUT", "/behaviors", body)
    assert status == 200 and "nope" not in answer["result"]["behaviors"]


@with_variants(integration_type_case="insensitive")
def test_create_with_integration_type_in_another_case_answers_okta(api: Api) -> None:
    made = api("POST", "/integrations", {**OKTA, "integration_type": "okta"})[1]["result"]
    assert made["integration_type"] == "Okta"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("keep", "idp-1"), ("clear", None), ("regenerate", "new")],
    ids=["keep", "clear", "regenerate"],
)
def test_put_integration_without_reference_id(value: str, expected: str | None) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of({"integration_put_without_reference": value})) as app:
        api = Api(app)
        made = api("POST", "/integrations", {**OKTA, "reference_id": "idp-1"})[1]["result"]
        got = api("PUT", f"/integrations/{made['id']}", {"tenant_url": OKTA["tenant_url"], "active": True})[1]["result"]
        if expected == "new":
            assert got["reference_id"] not in (None, "idp-1")
        else:
            assert got["reference_id"] == expected


@pytest.mark.parametrize(("value", "result"), [("null", None), ("empty", {})])
def test_delete_integration_result(value: str, result: Any) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of({"delete_result": value})) as app:
        api = Api(app)
        made = api("POST", "/integrations", OKTA)[1]["result"]
        assert api("DELETE", f"/integrations/{made['id']}")[1]["result"] == result


@pytest.mark.parametrize(("value", "present"), [("absent", False), ("present", True)])
def test_list_integrations_result_info(value: str, present: bool) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of({"list_result_info": value})) as app:
        assert ("result_info" in Api(app)("GET", "/integrations")[1]) is present


@pytest.mark.parametrize(("value", "present"), [("omitted", False), ("null", True)])
def test_user_before_any_reset_last_reset_time(value: str, present: bool) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of({"last_reset_time": value})) as app:
        app.backend.seed_users(ACCOUNT, [seeded_user({"user_id": USER})])
        assert ("last_reset_time" in Api(app)("GET", f"/{USER}")[1]["result"]) is present


@pytest.mark.parametrize(("value", "events"), [("wipe", 0), ("keep", 1)])
def test_reset_user_events(value: str, events: int) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of({"reset_events": value})) as app:
        app.backend.seed_users(
            ACCOUNT, [seeded_user({"user_id": USER, "events": [{"name": "x", "risk_level": "low"}]})]
        )
        api = Api(app)
        api("POST", f"/{USER}/reset")
        assert len(api("GET", f"/{USER}")[1]["result"]["events"]) == events


@pytest.mark.parametrize("value", CHOICES["reset_events"])
def test_reset_user_clears_the_score_under_either_answer(value: str) -> None:
    with build_app([ACCOUNT], [TOKEN], variants=Variants.of({"reset_events": value})) as app:
        event = {"name": "x", "risk_level": "high", "timestamp": "2026-11-01T10:00:00Z"}
        app.backend.seed_users(ACCOUNT, [seeded_user({"user_id": USER, "events": [event]})])
        api = Api(app)
        api("POST", f"/{USER}/reset")
        after = api("GET", f"/{USER}")[1]["result"]
        assert ("risk_level" in after, api("GET", "/summary")[1]["result"]["users"]) == (False, [])
