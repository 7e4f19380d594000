"""`zt-risk probe` against emulators serving each answer of the API's open points: it reports what is served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.cli.conftest import USER
from tests.conftest import ACCOUNT, TOKEN, VARIANTS_ENV, Control, emulator_variants
from zt_risk_scoring import probe
from zt_risk_scoring.cli import EXIT_API, main
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app
from zt_risk_scoring.emulator.variants import CHOICES, Variants

SINGLE = [{name: value} for name, values in CHOICES.items() for value in values[1:]]
EVERY_LAST = {name: values[-1] for name, values in CHOICES.items()}
SERVED = [{}, *SINGLE, EVERY_LAST]


@pytest.fixture
def served(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    """An emulator of its own serving the variants given as the parameter, `zt-risk` pointed at it, a user seeded."""
    app = build_app([ACCOUNT], [TOKEN], variants=Variants.of(getattr(request, "param", {})))
    server = EmulatorServer(app).start()
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", server.base_url)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    event = {"name": "Impossible Travel", "risk_level": "high", "timestamp": "2026-11-01T10:00:00Z"}
    Control(server).post(
        "users", {"users": [{"user_id": USER, "name": "Ada", "email": "a@example.com", "events": [event]}]}
    )
    yield server
    server.stop()


def account(server: EmulatorServer) -> RiskScoringClient:
    return RiskScoringClient(Settings(base_url=server.base_url, token=TOKEN), ACCOUNT)


def behaviors(server: EmulatorServer) -> dict[str, Any]:
    return {k: b.setting for k, b in account(server).get_behaviors().items()}


def test_probe_points_are_the_emulators_switches() -> None:
    assert list(probe.POINTS) == list(CHOICES)


def variant_id(chosen: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in chosen.items()) or "default"


@pytest.mark.parametrize("served", SERVED, indirect=True, ids=variant_id)
def test_probe_reports_exactly_the_variants_served(served: EmulatorServer, tmp_path: Path) -> None:
    file = tmp_path / "variants.json"
    argv = ["probe", "--write-behaviors", "--reset-user", USER, "--variants-file", str(file)]
    assert main(argv) == 0
    assert json.loads(file.read_text()) == served.app.backend.variants.active()


@pytest.mark.parametrize("served", [EVERY_LAST], indirect=True, ids=variant_id)
def test_probe_file_is_what_a_test_run_then_serves(
    served: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "variants.json"
    assert main(["probe", "--write-behaviors", "--reset-user", USER, "--variants-file", str(file)]) == 0
    monkeypatch.setenv(VARIANTS_ENV, str(file))
    assert emulator_variants().active() == EVERY_LAST


@pytest.mark.parametrize("served", [{}, EVERY_LAST], indirect=True, ids=variant_id)
def test_probe_leaves_no_integration_and_the_behaviors_as_they_were(served: EmulatorServer, tmp_path: Path) -> None:
    before = behaviors(served)
    assert main(["probe", "--write-behaviors", "--reset-user", USER]) == 0
    assert account(served).list_integrations() == []
    assert behaviors(served) == before


def test_probe_without_the_write_options_settles_the_rest_and_writes_no_behavior(
    served: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "variants.json"
    assert main(["probe", "--variants-file", str(file)]) == 0
    unsettled = {"behaviors_put_answer", "behaviors_put_unsent", "behaviors_put_unknown", "reset_events"}
    assert set(json.loads(file.read_text())) == set(CHOICES) - unsettled
    out = capsys.readouterr().out
    assert all(f"{name}: not settled (pass --" in out for name in unsettled)
    assert Control(served).counts().get("update_behaviors", 0) == 0
    assert account(served).user_risk(USER).last_reset_time is None


def test_probe_deletes_its_throwaway_when_a_step_fails(
    served: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    Control(served).post("faults", {"rules": [{"status": 400, "operations": ["get_integration_by_reference"]}]})
    assert main(["probe"]) == EXIT_API
    requests.delete(served.base_url.removesuffix("/client/v4") + "/__emulator/faults", timeout=5).raise_for_status()
    assert account(served).list_integrations() == []
    assert "Traceback" not in capsys.readouterr().err
