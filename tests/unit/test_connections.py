"""Named connections in settings: each is its own stack config namespace, and never reads the default's variables."""

from __future__ import annotations

import pytest

from zt_risk_scoring.config import default_account_id, has_credential, resolve_settings
from zt_risk_scoring.errors import ConfigurationError

DEFAULT_TOKEN = "default-token-0123456789"
PROD_TOKEN = "prod-token-0123456789"
ENV = {
    "CLOUDFLARE_API_TOKEN": DEFAULT_TOKEN,
    "CLOUDFLARE_ACCOUNT_ID": "a" * 32,
    "CLOUDFLARE_BASE_URL": "http://localhost:1",
}


def test_resolve_settings_of_a_named_connection_reads_its_namespace() -> None:
    config = {"prod:apiToken": PROD_TOKEN, "prod:baseUrl": "http://127.0.0.1:9/client/v4"}
    settings = resolve_settings(config.get, ENV, connection="prod")
    assert (settings.token, settings.base_url, settings.credential_source) == (
        PROD_TOKEN, "http://127.0.0.1:9/client/v4", "prod:apiToken"
    )  # fmt: skip


def test_resolve_settings_of_a_named_connection_never_takes_the_default_token() -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_settings({"cloudflare:apiToken": DEFAULT_TOKEN}.get, ENV, connection="prod")
    assert "connection 'prod'" in str(raised.value) and "prod:apiToken" in str(raised.value)
    assert DEFAULT_TOKEN not in str(raised.value)


def test_resolve_settings_of_a_named_connection_without_base_url_is_cloudflare_not_the_variable() -> None:
    settings = resolve_settings({"prod:apiToken": PROD_TOKEN}.get, ENV, connection="prod")
    assert settings.base_url == "https://api.cloudflare.com/client/v4"


def test_resolve_settings_of_the_default_connection_keeps_the_variables() -> None:
    settings = resolve_settings({"prod:apiToken": PROD_TOKEN}.get, ENV)
    assert (settings.token, settings.base_url) == (DEFAULT_TOKEN, "http://localhost:1")


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"prod:apiKey": "k" * 37}, "prod:email"),
        ({"prod:apiKey": "k" * 37, "prod:apiToken": PROD_TOKEN}, "prod:apiKey"),
        ({"prod:apiToken": PROD_TOKEN, "prod:baseUrl": "ftp://x"}, "prod:baseUrl"),
        ({"prod:apiToken": "has space"}, "prod:apiToken"),
    ],
    ids=["key-without-email", "token-and-key", "bad-base-url", "unsendable-token"],
)
def test_resolve_settings_of_a_named_connection_names_its_key(config: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve_settings(config.get, {}, connection="prod")
    assert named in str(raised.value) and "CLOUDFLARE_" not in str(raised.value).replace("CLOUDFLARE_* ", "")


@pytest.mark.parametrize("name", ["zt-risk-scoring", "pulumi", "", "1prod", "pro d", "a:b"], ids=str)
def test_resolve_settings_with_an_unusable_connection_name_says_which(name: str) -> None:
    with pytest.raises(ConfigurationError, match="connection must name a stack config namespace"):
        resolve_settings({f"{name}:apiToken": PROD_TOKEN}.get, {}, connection=name)


def test_default_account_id_of_a_named_connection_is_its_own() -> None:
    assert default_account_id({"prod:accountId": "b" * 32}.get, ENV, connection="prod") == "b" * 32
    assert default_account_id({}.get, ENV, connection="prod") is None


def test_has_credential_of_a_named_connection_ignores_the_variables() -> None:
    assert not has_credential({}.get, ENV, connection="prod")
    assert has_credential({"prod:apiToken": PROD_TOKEN}.get, {}, connection="prod")
