"""A URL whose port nothing can serve on is refused where it is configured, naming the setting."""

from __future__ import annotations

import pytest

from zt_risk_scoring.config import resolve_settings
from zt_risk_scoring.errors import ConfigurationError
from zt_risk_scoring.integration import RiskIntegrationProvider


@pytest.mark.parametrize("url", ["https://api.example.test:0/client/v4", "http://127.0.0.1:00/client/v4"])
def test_resolve_settings_base_url_with_port_zero_raises_naming_base_url(url: str) -> None:
    with pytest.raises(ConfigurationError, match=r"cloudflare:baseUrl .*port 0"):
        resolve_settings({"cloudflare:baseUrl": url, "cloudflare:apiToken": "t0ken-0123456789"}.get, {})


@pytest.mark.parametrize("url", ["https://a.okta.com:0", "https://a.okta.com:00", "https://a.okta.com:0/"])
def test_check_tenant_url_with_port_zero_fails_naming_tenant_url(url: str) -> None:
    result = RiskIntegrationProvider().check({}, {"account_id": "0" * 32, "tenant_url": url, "reference_id": "ref-1"})
    assert [f.property for f in result.failures] == ["tenant_url"] and "port" in result.failures[0].reason
