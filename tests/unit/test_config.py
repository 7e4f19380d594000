"""Settings resolution: credentials and base URLs that cannot be used are refused, never echoed."""

from __future__ import annotations

import pytest

from zt_risk_scoring.config import resolve_settings
from zt_risk_scoring.errors import ConfigurationError

SECRET = "s3cr3t-Token-value_0123456789"


def _settings(**env: str) -> None:
    resolve_settings(lambda _k: None, env)


@pytest.mark.parametrize(
    ("variable", "value", "kind"),
    [
        ("CLOUDFLARE_API_TOKEN", f"{SECRET}\n", "a line break"),
        ("CLOUDFLARE_API_TOKEN", f"{SECRET[:5]}\r\n{SECRET[5:]}", "a line break"),
        ("CLOUDFLARE_API_TOKEN", f"{SECRET} x", "a space or tab"),
        ("CLOUDFLARE_API_TOKEN", f"{SECRET}\x00", "a control character"),
        ("CLOUDFLARE_API_TOKEN", f"{SECRET}é", "a non-ASCII character"),
        ("CLOUDFLARE_API_TOKEN", f"{SECRET}\u2603", "a non-ASCII character"),
        ("CLOUDFLARE_API_KEY", f"{SECRET}\n", "a line break"),
        ("CLOUDFLARE_EMAIL", "ops@exämple.com", "a non-ASCII character"),
    ],
    ids=["token-lf", "token-crlf", "token-space", "token-nul", "token-latin1", "token-snowman", "key-lf", "email"],
)
def test_resolve_settings_with_unsendable_credential_names_setting(variable: str, value: str, kind: str) -> None:
    env = {variable: value}
    if variable != "CLOUDFLARE_API_TOKEN":
        env = {"CLOUDFLARE_API_KEY": "k" * 37, "CLOUDFLARE_EMAIL": "ops@example.com", **env}
    with pytest.raises(ConfigurationError) as exc:
        _settings(**env)
    text = str(exc.value)
    assert variable in text and kind in text
    assert SECRET not in text and SECRET[5:] not in text


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "https://api.example.com:abc/client/v4",
        "https://api.example.com:99999/client/v4",
        "ftp://api.example.com/client/v4",
        "api.example.com/client/v4",
        "https:///client/v4",
        "https://api.example.com/client/v4?x=1",
        "https://api.exa mple.com/client/v4",
        "https://api.example.com/client/v4\n",
        "https://ápi.example.com/client/v4",
        "http://api.cloudflare.com/client/v4",
        "http://10.0.0.8:8080/client/v4",
    ],
    ids=[
        "ipv6-open",
        "port-text",
        "port-range",
        "ftp",
        "no-scheme",
        "no-host",
        "query",
        "space",
        "newline",
        "idn",
        "http-remote",
        "http-private",
    ],
)
def test_resolve_settings_with_malformed_base_url_raises_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError, match="cloudflare:baseUrl / CLOUDFLARE_BASE_URL"):
        _settings(CLOUDFLARE_API_TOKEN=SECRET, CLOUDFLARE_BASE_URL=url)


@pytest.mark.parametrize(
    "url",
    [f"https://user:{SECRET}@api.example.com/client/v4", f"https://{SECRET}@api.example.com/client/v4"],
    ids=["user-password", "user-only"],
)
def test_resolve_settings_with_userinfo_in_base_url_hides_it(url: str) -> None:
    with pytest.raises(ConfigurationError, match="must not carry credentials") as exc:
        _settings(CLOUDFLARE_API_TOKEN="tok", CLOUDFLARE_BASE_URL=url)
    assert SECRET not in str(exc.value) and "***@api.example.com" in str(exc.value)


def test_resolve_settings_with_password_holding_a_slash_in_base_url_hides_it() -> None:
    # urlsplit ends the host at the / and refuses the "port": that message must not show the password either.
    with pytest.raises(ConfigurationError, match="is not a valid URL") as exc:
        _settings(CLOUDFLARE_API_TOKEN="tok", CLOUDFLARE_BASE_URL="https://user:pa55/word@api.example.com/client/v4")
    assert "pa55" not in str(exc.value) and "word" not in str(exc.value)


def test_resolve_settings_with_plain_values_accepts_them() -> None:
    settings = resolve_settings(
        lambda _k: None, {"CLOUDFLARE_API_TOKEN": SECRET, "CLOUDFLARE_BASE_URL": "http://127.0.0.1:8787/client/v4/"}
    )
    assert (settings.base_url, settings.token) == ("http://127.0.0.1:8787/client/v4", SECRET)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8787/client/v4", "http://localhost:8787/client/v4", "http://[::1]:8787/client/v4"]
)
def test_resolve_settings_with_http_loopback_accepts_it(url: str) -> None:
    assert (
        resolve_settings(lambda _k: None, {"CLOUDFLARE_API_TOKEN": SECRET, "CLOUDFLARE_BASE_URL": url}).base_url == url
    )


@pytest.mark.parametrize(
    ("config", "env", "deadline"),
    [
        ({}, {}, 180.0),
        ({"zt-risk-scoring:apiDeadline": "20"}, {"ZT_RISK_API_DEADLINE": "30"}, 20.0),
        ({}, {"ZT_RISK_API_DEADLINE": "2.5"}, 2.5),
    ],
    ids=["default", "config-wins", "environment"],
)
def test_resolve_settings_reads_the_deadline(config: dict[str, str], env: dict[str, str], deadline: float) -> None:
    settings = resolve_settings({"cloudflare:apiToken": "t" * 40, **config}.get, env)
    assert settings.deadline == deadline


@pytest.mark.parametrize("value", ["0", "-1", "soon", "3601"])
def test_resolve_settings_with_unusable_deadline_names_the_setting(value: str) -> None:
    with pytest.raises(ConfigurationError, match=r"zt-risk-scoring:apiDeadline / ZT_RISK_API_DEADLINE must be seconds"):
        resolve_settings({"cloudflare:apiToken": "t" * 40, "zt-risk-scoring:apiDeadline": value}.get, {})
