"""Under the real CLI: an answer for another account or object, or a list read in part, is an error; state kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests

from harness import PulumiStack
from tests.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN
from tests.e2e.declared import PROGRAM, Declared, integration
from tests.e2e.proxy import AnswerRule, RewritingProxy
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import IntegrationSpec


@pytest.fixture
def deployed(tmp_path: Path, emulator: EmulatorServer, proxy: RewritingProxy) -> Declared:
    """Two integrations applied through the proxy, which rewrites nothing yet."""
    stack = Declared(tmp_path, env={"CLOUDFLARE_API_TOKEN": TOKEN}, program=PROGRAM)
    stack.set_config({"cloudflare:baseUrl": proxy.base_url(emulator.base_url), "cloudflare:accountId": ACCOUNT})
    stack.declare(
        integration(reference_id="idp-corp"),
        integration(name="partners", reference_id="idp-partners", tenant_url="https://partners.okta.com"),
    )
    stack.up()
    return stack


def assert_refused_and_kept(stack: PulumiStack, run: Any, before: list[tuple[str, Any]]) -> None:
    result = run(check=False)
    assert result.returncode != 0
    assert "cloudflare:baseUrl" in result.stdout + result.stderr
    assert stack.ours() == before


def test_refresh_and_destroy_through_an_account_rewriting_proxy_keep_state(
    deployed: Declared, proxy: RewritingProxy, client: RiskScoringClient, emulator: EmulatorServer
) -> None:
    # The other account has an integration of its own: its list visibly belongs to it.
    other = RiskScoringClient(Settings(base_url=emulator.base_url, token=TOKEN), OTHER_ACCOUNT)
    other.create_integration(IntegrationSpec("https://other.okta.com", "idp-other"))
    before, live = deployed.ours(), client.list_integrations()
    proxy.path_rule = lambda _method, path: path.replace(f"/accounts/{ACCOUNT}/", f"/accounts/{OTHER_ACCOUNT}/")
    assert_refused_and_kept(deployed, deployed.refresh, before)
    assert_refused_and_kept(deployed, deployed.destroy, before)
    assert client.list_integrations() == live


def _answering_with(target: str, answer: dict[str, Any]) -> AnswerRule:
    """Answers GET of integration `target` with `answer`, another integration's envelope."""

    def rule(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        return (200, answer) if method == "GET" and path.endswith(f"/integrations/{target}") else (status, body)

    return rule


def test_refresh_with_another_objects_answer_keeps_state(
    deployed: Declared, proxy: RewritingProxy, emulator: EmulatorServer
) -> None:
    corp, partners = (r["id"] for r in deployed.integrations())
    answer = requests.get(
        f"{emulator.base_url}/accounts/{ACCOUNT}/zt_risk_scoring/integrations/{partners}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).json()
    before = deployed.ours()
    proxy.answer_rule = _answering_with(corp, answer)
    assert_refused_and_kept(deployed, deployed.refresh, before)


def _paged(gone: str, style: str) -> AnswerRule:
    """A gateway that answers 404 for integration `gone` and pages the list, putting everything on page 2."""

    def rule(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
        if method == "GET" and path.endswith(f"/integrations/{gone}"):
            return 404, {"success": False, "errors": [{"code": 1004, "message": "not found"}], "result": None}
        if method == "GET" and re.search(r"/integrations(\?|$)", path):
            second = "page=2" in path or "cursor=next" in path
            info = (
                {"page": 2 if second else 1, "total_pages": 2}
                if style == "pages"
                else {"cursor": "" if second else "next"}
            )
            return status, {**body, "result": body["result"] if second else [], "result_info": info}
        return status, body

    return rule


@pytest.mark.parametrize("style", ["pages", "cursor"])
def test_refresh_reads_every_page_before_concluding_gone(deployed: Declared, proxy: RewritingProxy, style: str) -> None:
    corp = deployed.integrations()[0]["id"]
    before = deployed.ours()
    proxy.answer_rule = _paged(corp, style)
    assert_refused_and_kept(deployed, deployed.refresh, before)
