"""What the client tests answer with: the account, the API root, a token, an integration, and the envelopes."""

from __future__ import annotations

from typing import Any

ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
BASE = "https://api.example.test/client/v4"
ROOT = f"{BASE}/accounts/{ACCOUNT}/zt_risk_scoring"
TOKEN = "secret-token-value-0123456789"
INTEGRATION = {
    "id": "4cfe8442-664b-4915-acd4-b39cd65c4314",
    "account_tag": ACCOUNT,
    "integration_type": "Okta",
    "reference_id": "3701e70b-5de4-4d9d-8972-f5aa994d9057",
    "tenant_url": "https://example.oktapreview.com",
    "well_known_url": "https://ssf.risk-score.teams.cloudflare.com/.well-known/sse-configuration/4cfe8442-664b-4915-acd4-b39cd65c4314",
    "active": True,
    "created_at": "2025-03-19T19:53:56Z",
}


def ok(result: Any) -> dict[str, Any]:
    return {"success": True, "errors": [], "messages": [], "result": result}


def failure(code: int, message: str) -> dict[str, Any]:
    return {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}
