"""Under the real CLI: what a gateway or cache in front of the API may do to answers changes no value, count or
plan: a stale cached read, a list that repeats itself and lies about its total, a tenant host in another spelling."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from harness import run_command
from tests.conftest import ACCOUNT, TOKEN
from tests.e2e.declared import Declared, behaviors, integration, listed
from tests.e2e.proxy import RewritingProxy
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec


def through(stack: Declared, proxy: RewritingProxy, emulator: EmulatorServer) -> None:
    stack.set_config({"cloudflare:baseUrl": proxy.base_url(emulator.base_url), "cloudflare:accountId": ACCOUNT})


def test_cached_read_is_never_taken_for_the_values_to_restore(
    declared: Declared, proxy: RewritingProxy, emulator: EmulatorServer, client: RiskScoringClient
) -> None:
    through(declared, proxy, emulator)
    proxy.caching = True
    client.update_behaviors({"imp_travel": BehaviorSetting(False, "low")})
    _prime(proxy, emulator)  # the cache now holds imp_travel low and disabled
    proxy.headers.clear()
    client.update_behaviors({"imp_travel": BehaviorSetting(True, "medium")})  # changed since, in the dashboard
    declared.declare(behaviors("risk", behaviors={"imp_travel": {"enabled": True, "risk_level": "high"}}))
    declared.up()
    assert all(h.get("Cache-Control") == "no-cache" for method, _, h in proxy.headers if method == "GET")
    declared.destroy()
    assert client.get_behaviors()["imp_travel"].setting == BehaviorSetting(True, "medium")


def _prime(proxy: RewritingProxy, emulator: EmulatorServer) -> None:
    """A GET of the behaviors through the proxy without no-cache, as any other client of the gateway sends."""
    url = f"{proxy.base_url(emulator.base_url)}/accounts/{ACCOUNT}/zt_risk_scoring/behaviors"
    requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).raise_for_status()


def _repeating(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    """A list answered with every integration twice and a total_count that lies."""
    if method == "GET" and path.split("?")[0].endswith("/integrations") and isinstance(body.get("result"), list):
        body["result"] = body["result"] * 2
        body["result_info"] = {"page": 1, "per_page": 50, "count": len(body["result"]), "total_count": 99}
    return status, body


def test_list_repeated_by_a_gateway_counts_each_integration_once(
    declared: Declared, proxy: RewritingProxy, emulator: EmulatorServer, client: RiskScoringClient, tmp_path: Path
) -> None:
    made = sorted(
        client.create_integration(IntegrationSpec(f"https://t{n}.okta.com", f"zt-sweep-{n}")).id for n in range(3)
    )
    through(declared, proxy, emulator)
    proxy.answer_rule = _repeating
    declared.declare(listed())
    declared.up()
    assert sorted(declared.outputs()["listed"]) == made
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}, "CLOUDFLARE_API_TOKEN": TOKEN,
           "CLOUDFLARE_BASE_URL": proxy.base_url(emulator.base_url), "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}  # fmt: skip
    cli = [sys.executable, "-m", "zt_risk_scoring.cli"]
    dry = run_command([*cli, "sweep", "--reference-prefix", "zt-sweep-"], tmp_path, env)
    swept = run_command([*cli, "sweep", "--reference-prefix", "zt-sweep-", "--yes"], tmp_path, env)
    assert (dry.stdout.count("would delete integration"), "3 integration(s)" in swept.stderr) == (3, True), swept.stderr
    assert client.list_integrations() == []


SPELLINGS = {
    "upper-and-dot": ("https://corp.okta.com", "https://CORP.Okta.COM./"),
    "unicode-host": ("https://xn--bcher-kva.okta.com", "https://bücher.okta.com"),
}


@pytest.mark.parametrize(("tenant", "spelled"), SPELLINGS.values(), ids=SPELLINGS.keys())
def test_tenant_host_the_api_spells_otherwise_is_no_change_and_no_warning(
    declared: Declared, proxy: RewritingProxy, emulator: EmulatorServer, tenant: str, spelled: str
) -> None:
    through(declared, proxy, emulator)
    declared.declare(integration(tenant_url=tenant))
    declared.up()

    def respell(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        result = body.get("result")
        for item in result if isinstance(result, list) else [result]:
            if isinstance(item, dict) and item.get("tenant_url") == tenant:
                item["tenant_url"] = spelled
        return status, json.loads(json.dumps(body))

    proxy.answer_rule = respell
    refreshed = declared.refresh("--expect-no-changes")
    preview = declared.run("preview", "--refresh", "--expect-no-changes")
    assert "keeps reference_id" not in refreshed.stdout + preview.stdout
