"""What the client reads: fields a resource manages exactly (or a named error), everything else as the API gave it."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from tests.unit.api_answers import BASE, INTEGRATION, ROOT, TOKEN, ok
from zt_risk_scoring import errors
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.models import BehaviorSetting
from zt_risk_scoring.text import printable

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
ID = INTEGRATION["id"]
TRAVEL = {"name": "Impossible Travel", "description": "d", "enabled": True, "risk_level": "high"}
# Behaviors as a future or half-configured API may report them; none is declared by the resources below.
ODD_BEHAVIORS: dict[str, Any] = {
    "risk-level-missing": {"name": "New", "description": "d", "enabled": False},
    "all-null": {"name": "New", "enabled": None, "risk_level": None, "description": None},
    "enabled-string": {"name": "New", "description": "d", "enabled": "false", "risk_level": "low"},
    "risk-level-number": {"name": "New", "description": "d", "enabled": True, "risk_level": 3},
    "not-a-map": None,
}


def shown(raw: dict[str, Any], field: str) -> str:
    """How the error names the value it got."""
    if field not in raw:
        return "the field is missing"
    return "null" if raw[field] is None else printable(raw[field])


@pytest.fixture
def client() -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=BASE, token=TOKEN), ACCOUNT)


@pytest.mark.parametrize("odd", ODD_BEHAVIORS.values(), ids=ODD_BEHAVIORS.keys())
@responses.activate
def test_get_behaviors_with_odd_undeclared_behavior_keeps_it_as_given(client: RiskScoringClient, odd: Any) -> None:
    responses.get(f"{ROOT}/behaviors", json=ok({"behaviors": {"imp_travel": TRAVEL, "new_thing": odd}}))
    found = client.get_behaviors(strict=["imp_travel"])
    given = odd or {}
    assert (found["new_thing"].enabled, found["new_thing"].risk_level, found["new_thing"].description) == (
        given.get("enabled"),
        given.get("risk_level"),
        given.get("description"),
    )
    assert found["imp_travel"].setting == BehaviorSetting(True, "high")


OWNED_WRONG: dict[str, tuple[dict[str, Any], str]] = {
    "enabled-string-false": ({**TRAVEL, "enabled": "false"}, "enabled"),
    "enabled-null": ({**TRAVEL, "enabled": None}, "enabled"),
    "enabled-number": ({**TRAVEL, "enabled": 0}, "enabled"),
    "risk-level-null": ({**TRAVEL, "risk_level": None}, "risk_level"),
    "risk-level-missing": ({"name": "n", "enabled": True}, "risk_level"),
    "risk-level-empty": ({**TRAVEL, "risk_level": ""}, "risk_level"),
}


@pytest.mark.parametrize(("raw", "field"), OWNED_WRONG.values(), ids=OWNED_WRONG.keys())
@responses.activate
def test_get_behaviors_with_owned_field_of_wrong_type_raises_naming_it(
    client: RiskScoringClient, raw: dict[str, Any], field: str
) -> None:
    responses.get(f"{ROOT}/behaviors", json=ok({"behaviors": {"imp_travel": raw}}))
    with pytest.raises(errors.EndpointError) as exc:
        client.get_behaviors(strict=["imp_travel"])
    text = str(exc.value)
    assert f"imp_travel.{field}" in text and "cloudflare:baseUrl" in text and BASE in text
    assert shown({field: raw.get(field)}, field) in text  # a behavior's missing field reads as null


@pytest.mark.parametrize(("raw", "field"), OWNED_WRONG.values(), ids=OWNED_WRONG.keys())
@responses.activate
def test_update_behaviors_with_owned_field_of_wrong_type_in_answer_raises_naming_it(
    client: RiskScoringClient, raw: dict[str, Any], field: str
) -> None:
    responses.put(f"{ROOT}/behaviors", json=ok({"behaviors": {"imp_travel": raw}}))
    with pytest.raises(errors.EndpointError, match=f"imp_travel.{field}"):
        client.update_behaviors({"imp_travel": BehaviorSetting(True, "high")}, strict=["imp_travel"])


MANAGED_WRONG: dict[str, tuple[str, Any]] = {
    "active-string-false": ("active", "false"),
    "active-null": ("active", None),
    "active-number": ("active", 1),
    "id-null": ("id", None),
    "id-number": ("id", 7),
    "tenant-url-null": ("tenant_url", None),
    "reference-id-null": ("reference_id", None),
    "reference-id-number": ("reference_id", 12),
}


@pytest.mark.parametrize(("field", "value"), MANAGED_WRONG.values(), ids=MANAGED_WRONG.keys())
@responses.activate
def test_get_integration_with_managed_field_of_wrong_type_raises_naming_it(
    client: RiskScoringClient, field: str, value: Any
) -> None:
    responses.get(f"{ROOT}/integrations/{ID}", json=ok({**INTEGRATION, field: value}))
    with pytest.raises(errors.EndpointError) as exc:
        client.get_integration(ID)
    text = str(exc.value)
    assert f"{field} must be" in text and shown({field: value}, field) in text and "cloudflare:baseUrl" in text


@pytest.mark.parametrize(("field", "value"), MANAGED_WRONG.values(), ids=MANAGED_WRONG.keys())
@responses.activate
def test_list_integrations_with_managed_field_of_wrong_type_raises_naming_it(
    client: RiskScoringClient, field: str, value: Any
) -> None:
    responses.get(f"{ROOT}/integrations", json=ok([{**INTEGRATION, field: value}]))
    with pytest.raises(errors.EndpointError, match=f"{field} must be"):
        client.list_integrations()


UNMANAGED = ["well_known_url", "account_tag", "created_at", "integration_type"]


@pytest.mark.parametrize("field", UNMANAGED)
@pytest.mark.parametrize("absent", [False, True], ids=["null", "missing"])
@responses.activate
def test_get_integration_with_unmanaged_field_null_keeps_none(
    client: RiskScoringClient, field: str, absent: bool
) -> None:
    raw = {k: v for k, v in INTEGRATION.items() if k != field} if absent else {**INTEGRATION, field: None}
    responses.get(f"{ROOT}/integrations/{ID}", json=ok(raw))
    assert getattr(client.get_integration(ID), field) is None


ROW = {
    "user_id": "f2108713-1206-4e84-8b80-0e71a6a1c67b",
    "name": "Ada",
    "email": "ada@example.com",
    "max_risk_level": "high",
    "event_count": 2,
    "last_event": "2026-11-01T10:00:00Z",
}
ODD_ROWS: dict[str, tuple[str, Any]] = {
    "event-count-null": ("event_count", None),
    "user-id-not-uuid": ("user_id", "okta|00u1"),
    "user-id-null": ("user_id", None),
    "name-null": ("name", None),
    "last-event-null": ("last_event", None),
}


@pytest.mark.parametrize(("field", "value"), ODD_ROWS.values(), ids=ODD_ROWS.keys())
@responses.activate
def test_summary_with_odd_row_keeps_it_as_given(client: RiskScoringClient, field: str, value: Any) -> None:
    responses.get(f"{ROOT}/summary", json=ok({"users": [{**ROW, field: value}]}))
    [row] = client.summary()
    assert getattr(row, field) == value


@responses.activate
def test_summary_with_row_without_user_id_keeps_none(client: RiskScoringClient) -> None:
    responses.get(f"{ROOT}/summary", json=ok({"users": [{k: v for k, v in ROW.items() if k != "user_id"}]}))
    assert client.summary()[0].user_id is None


@responses.activate
def test_user_risk_with_nulls_keeps_none(client: RiskScoringClient) -> None:
    event = {"id": None, "name": None, "risk_level": None, "timestamp": None}
    user = {"name": None, "email": None, "risk_level": None, "last_reset_time": None, "events": [event]}
    responses.get(f"{ROOT}/{ROW['user_id']}", json=ok(user))
    found = client.user_risk(str(ROW["user_id"]))
    assert (found.name, found.email) == (None, None)
    assert (found.events[0].id, found.events[0].name, found.events[0].timestamp) == (None, None, None)
