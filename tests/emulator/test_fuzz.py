"""Emulator robustness: schemathesis against the OpenAPI subset, and concurrent clients."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import ACCOUNT, TOKEN
from tests.emulator import SPEC
from zt_risk_scoring.emulator import EmulatorServer

schema = schemathesis.openapi.from_path(str(SPEC))


@schema.parametrize()
@hypothesis.settings(max_examples=40, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_fuzz_operation_never_500_and_matches_schema(case: Any, emulator_server: EmulatorServer) -> None:
    for name in ("account_identifier", "account_id"):
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = ACCOUNT
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
    response = case.call(base_url=emulator_server.base_url)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    body = response.json()
    assert body["success"] is (response.status_code == 200)


def race(emulator: EmulatorServer) -> tuple[Counter[int], list[dict[str, Any]]]:
    """8 clients creating, deleting and writing at once: the statuses they saw and the integrations left."""
    root = f"{emulator.base_url}/accounts/{ACCOUNT}/zt_risk_scoring"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def worker(w: int) -> None:
        with requests.Session() as session:
            for k in range(200):
                ref = f"w{w}-{k % 20}"  # every worker re-creates its 20 references, racing itself and others
                if k % 4 == 0:
                    r = session.put(
                        f"{root}/behaviors",
                        headers=headers,
                        timeout=10,
                        json={"behaviors": {"imp_travel": {"enabled": k % 8 == 0, "risk_level": "low"}}},
                    )
                elif k % 4 == 3:
                    found = session.get(f"{root}/integrations/reference_id/{ref}", headers=headers, timeout=10)
                    target = found.json()["result"]["id"] if found.ok else "00000000-0000-4000-8000-000000000000"
                    r = session.delete(f"{root}/integrations/{target}", headers=headers, timeout=10)
                else:
                    r = session.post(
                        f"{root}/integrations",
                        headers=headers,
                        timeout=10,
                        json={"integration_type": "Okta", "tenant_url": f"https://{w}.okta.com", "reference_id": ref},
                    )
                with lock:
                    statuses[r.status_code] += 1

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    listed: list[dict[str, Any]] = requests.get(f"{root}/integrations", headers=headers, timeout=10).json()["result"]
    return statuses, listed


def test_concurrent_clients_leave_consistent_state(emulator: EmulatorServer) -> None:
    statuses, listed = race(emulator)
    assert sum(statuses.values()) == 1600
    assert set(statuses) <= {200, 404, 409}
    root = f"{emulator.base_url}/accounts/{ACCOUNT}/zt_risk_scoring"
    for ref in {i["reference_id"] for i in listed}:
        one = requests.get(
            f"{root}/integrations/reference_id/{ref}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ).json()["result"]
        assert one in listed


@pytest.mark.assumes(reference_id_unique="true")
def test_concurrent_creates_keep_references_unique(emulator: EmulatorServer) -> None:
    refs = [i["reference_id"] for i in race(emulator)[1]]
    assert len(refs) == len(set(refs))
