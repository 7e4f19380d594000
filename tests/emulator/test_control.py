"""The /__emulator/ test hooks: validated input, loopback-only by default, and the default account."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
import requests
from werkzeug.test import Client

from tests.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN, Control, emulator_variants
from zt_risk_scoring.emulator import EmulatorServer, bodies, build_app
from zt_risk_scoring.emulator.exceptions import UserNotFound
from zt_risk_scoring.emulator.models import DEFAULT_CATALOGUE
from zt_risk_scoring.emulator.server import add_arguments

USER = "f2108713-1206-4e84-8b80-0e71a6a1c67b"
MALFORMED: list[tuple[str, str, Any, str]] = [
    ("mode-unknown", "faults", {"rules": [{"mode": "nope"}]}, "mode"),
    ("count-not-integer", "faults", {"rules": [{"count": "x"}]}, "count"),
    ("count-negative", "faults", {"rules": [{"count": -1}]}, "count"),
    ("rate-above-one", "faults", {"rules": [{"rate": 5}]}, "rate"),
    ("status-99", "faults", {"rules": [{"status": 99}]}, "status"),
    ("status-mode-200", "faults", {"rules": [{"mode": "status", "status": 200}]}, "status"),
    ("retry-after-text", "faults", {"rules": [{"retry_after": "soon"}]}, "retry_after"),
    ("delay-negative", "faults", {"rules": [{"mode": "delay", "delay_s": -1}]}, "delay_s"),
    ("unknown-rule-field", "faults", {"rules": [{"cuont": 2}]}, "cuont"),
    ("unknown-operation", "faults", {"rules": [{"operations": ["get_behaviours"]}]}, "get_behaviours"),
    ("methods-not-list", "faults", {"rules": [{"methods": "GET"}]}, "methods"),
    ("rule-not-object", "faults", {"rules": ["status"]}, "rule"),
    ("rules-not-list", "faults", {"rules": {"mode": "status"}}, "rules"),
    ("latency-negative", "faults", {"latency_ms": -5}, "latency_ms"),
    ("faults-body-list", "faults", [{"mode": "status"}], "object"),
    ("redirect-without-location", "faults", {"rules": [{"mode": "redirect"}]}, "location"),
    ("redirect-status-200", "faults", {"rules": [{"mode": "redirect", "status": 200, "location": "/x"}]}, "status"),
    ("location-on-html", "faults", {"rules": [{"mode": "html", "location": "/x"}]}, "location"),
    # Each was taken, then made every request the rule matched a 500: no Location header can be made of it.
    ("location-bad-ipv6", "faults", {"rules": [{"mode": "redirect", "location": "https://[zz]/"}]}, "location"),
    ("location-port-text", "faults", {"rules": [{"mode": "redirect", "location": "https://a:port/"}]}, "location"),
    (
        "location-label-too-long",
        "faults",
        {"rules": [{"mode": "redirect", "location": f"https://{'a' * 64}.example/"}]},
        "location",
    ),
    (
        "location-fullwidth-solidus",
        "faults",
        {"rules": [{"mode": "redirect", "location": "https://a\uff0eb\uff0fc"}]},
        "location",
    ),
    ("users-body-string", "users", "ada", "object"),
    ("users-not-list", "users", {"users": {"user_id": USER}}, "users"),
    ("user-without-id", "users", {"users": [{"name": "Ada"}]}, "user_id"),
    ("event-bad-level", "users", {"users": [{"user_id": USER, "events": [{"name": "x", "risk_level": "x"}]}]}, "risk"),
    ("account-not-served", "users", {"account": "nope", "users": []}, "account"),
    ("catalogue-bad-level", "catalogue", {"new": {"risk_level": "severe"}}, "risk_level"),
    ("catalogue-name-number", "catalogue", {"new": {"name": 5}}, "name"),
    ("catalogue-body-list", "catalogue", ["new"], "object"),
    ("revoke-token-number", "revoke", {"token": 5}, "token"),
]


@pytest.mark.parametrize(("action", "body", "named"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_control_malformed_input_answers_400(control: Control, action: str, body: Any, named: str) -> None:
    response = requests.post(control.root + action, json=body, timeout=5)
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert named in message


def test_control_invalid_json_answers_400(control: Control) -> None:
    response = requests.post(control.root + "faults", data=b"{", timeout=5)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (400, 1001)


def test_control_unknown_action_answers_404(control: Control) -> None:
    response = requests.post(control.root + "explode", json={}, timeout=5)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (404, 7003)


def test_control_wrong_method_answers_405(control: Control) -> None:
    response = requests.get(control.root + "faults", timeout=5)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (405, 7001)


PEERS = [
    ("ipv4-loopback", "127.0.0.1", False, 200),
    ("ipv4-loopback-other", "127.0.0.2", False, 200),
    ("ipv6-loopback", "::1", False, 200),
    ("ipv4-mapped-loopback", "::ffff:127.0.0.1", False, 200),
    ("lan-peer", "192.168.1.20", False, 404),
    ("ipv6-peer", "2001:db8::1", False, 404),
    ("no-peer-address", None, False, 404),
    ("lan-peer-allowed-by-flag", "192.168.1.20", True, 200),
]


@pytest.mark.parametrize(("peer", "anywhere", "status"), [p[1:] for p in PEERS], ids=[p[0] for p in PEERS])
def test_control_peer_address_decides_access(peer: str | None, anywhere: bool, status: int) -> None:
    environ = {} if peer is None else {"REMOTE_ADDR": peer}
    with build_app([ACCOUNT], [TOKEN], control_from_anywhere=anywhere) as app:
        response = Client(app).get("/__emulator/health", environ_overrides=environ)
    assert response.status_code == status
    if status == 404:  # indistinguishable from any path the API does not have
        assert [e["code"] for e in response.get_json()["errors"]] == [7003, 7000]


def test_control_remote_reset_leaves_state(emulator: EmulatorServer) -> None:
    body = {"integration_type": "Okta", "tenant_url": "https://a.okta.com"}
    emulator.app.backend.create_integration(ACCOUNT, bodies.integration_create(body))
    Client(emulator.app).post("/__emulator/reset", environ_overrides={"REMOTE_ADDR": "10.1.2.3"})
    assert len(emulator.app.backend.list_integrations(ACCOUNT)) == 1


def test_serve_control_from_anywhere_flag_parses() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert parser.parse_args(["--control-from-anywhere"]).control_from_anywhere is True
    assert parser.parse_args([]).control_from_anywhere is False


def test_users_without_account_seeds_first_account_given() -> None:
    # OTHER_ACCOUNT sorts after ACCOUNT: the first given wins, not the smallest.
    with build_app([OTHER_ACCOUNT, ACCOUNT], [TOKEN]) as app:
        response = Client(app).post(
            "/__emulator/users",
            json={"users": [{"user_id": USER, "name": "Ada"}]},
            environ_overrides={"REMOTE_ADDR": "127.0.0.1"},
        )
        assert response.get_json()["account"] == OTHER_ACCOUNT
        assert app.backend.user_risk(OTHER_ACCOUNT, USER)["name"] == "Ada"


def test_reset_drops_behaviors_added_since_start(emulator: EmulatorServer, control: Control) -> None:
    control.post("catalogue", {"crowdstrike_low": {"name": "CrowdStrike", "risk_level": "low"}})
    control.post("reset", {})
    assert sorted(emulator.app.backend.get_behaviors(ACCOUNT)["behaviors"]) == sorted(DEFAULT_CATALOGUE)


PARTLY_BAD: list[tuple[str, str, Any]] = [
    ("users-second-without-id", "users", {"users": [{"user_id": USER, "name": "Ada"}, {"name": "Bob"}]}),
    (
        "users-second-bad-event",
        "users",
        {"users": [{"user_id": USER}, {"user_id": "u2", "events": [{"name": "x", "risk_level": "severe"}]}]},
    ),
    ("catalogue-second-bad-level", "catalogue", {"a_new": {"name": "A"}, "b_new": {"risk_level": "severe"}}),
    ("faults-second-rule-bad", "faults", {"latency_ms": 50, "rules": [{"status": 503}, {"status": 99}]}),
]


@pytest.mark.parametrize(("action", "body"), [p[1:] for p in PARTLY_BAD], ids=[p[0] for p in PARTLY_BAD])
def test_control_partly_bad_body_changes_nothing(
    emulator: EmulatorServer, control: Control, action: str, body: Any
) -> None:
    backend = emulator.app.backend
    before = (backend.summary(ACCOUNT), backend.get_behaviors(ACCOUNT), emulator.app.faults.describe())
    assert requests.post(control.root + action, json=body, timeout=5).status_code == 400
    with pytest.raises(UserNotFound):
        backend.user_risk(ACCOUNT, USER)
    assert (backend.summary(ACCOUNT), backend.get_behaviors(ACCOUNT), emulator.app.faults.describe()) == before


def test_users_null_optional_fields_mean_absent(emulator: EmulatorServer, control: Control) -> None:
    # `events: null` passed the checks, then failed the write as a 500.
    user = {"user_id": USER, "name": None, "email": None, "last_reset_time": None, "events": None}
    assert requests.post(control.root + "users", json={"users": [user]}, timeout=5).status_code == 200
    unset = {"last_reset_time": None} if emulator_variants()["last_reset_time"] == "null" else {}
    assert emulator.app.backend.user_risk(ACCOUNT, USER) == {"name": "", "email": "", "events": [], **unset}


def test_users_null_event_details_are_empty(emulator: EmulatorServer, control: Control) -> None:
    event = {"name": "x", "risk_level": "low", "id": None, "timestamp": None, "event_details": None}
    control.post("users", {"users": [{"user_id": USER, "events": [event]}]})
    assert emulator.app.backend.user_risk(ACCOUNT, USER)["events"][0]["event_details"] == {}
