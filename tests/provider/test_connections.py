"""Named connections in the providers: each resource's calls go through its connection's credential, a connection
that cannot serve it is refused at check naming the key, and a change of connection is recorded, not written."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from tests.conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_TOKEN, SCOPED_TOKEN, Control
from tests.provider.integration_inputs import inputs
from zt_risk_scoring.behaviors import RiskBehaviorsProvider
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.errors import ConfigurationError, ConnectionFailed
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.provider_base import RiskScoringProvider

MISSING = "4cfe8442-664b-4915-acd4-b39cd65c4314"
TRAVEL = {"imp_travel": {"enabled": True, "risk_level": "high"}}


def configured(provider: RiskScoringProvider, server: EmulatorServer, **extra: str) -> Any:
    """The default connection reaches ACCOUNT only; connection `other` reaches OTHER_ACCOUNT only."""
    config = {
        "cloudflare:apiToken": SCOPED_TOKEN,
        "cloudflare:baseUrl": server.base_url,
        "other:apiToken": OTHER_TOKEN,
        "other:baseUrl": server.base_url,
        "other:accountId": OTHER_ACCOUNT,
        **extra,
    }
    provider.configure(ConfigureRequest(Config(config, "zt-risk-scoring")))
    return provider


@pytest.fixture
def integrations(emulator: EmulatorServer) -> RiskIntegrationProvider:
    return configured(RiskIntegrationProvider(), emulator)


@pytest.fixture
def behaviors(emulator: EmulatorServer) -> RiskBehaviorsProvider:
    return configured(RiskBehaviorsProvider(), emulator)


def made(provider: RiskIntegrationProvider, **args: Any) -> tuple[str, dict[str, Any]]:
    checked = provider.check({}, inputs(**args))
    assert checked.failures == []
    result = provider.create(checked.inputs)
    return str(result.id), dict(result.outs or {})


def test_create_through_a_named_connection_uses_its_token(integrations: RiskIntegrationProvider) -> None:
    id_, outs = made(integrations, account_id=OTHER_ACCOUNT, connection="other")
    assert outs["connection"] == "other"
    assert integrations.read(id_, outs).id == id_  # the default token cannot read OTHER_ACCOUNT


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        (
            {"connection": "staging"},
            "connection",
            "connection 'staging' has no credentials: run `pulumi config set --secret staging:apiToken",
        ),
        (
            {"connection": "other"},
            "account_id",
            f"account_id {ACCOUNT} is not the account of connection 'other' (other:accountId is {OTHER_ACCOUNT})",
        ),
        (
            {"connection": "scoped", "account_id": OTHER_ACCOUNT},
            "connection",
            f"connection 'scoped' cannot read account {OTHER_ACCOUNT}",
        ),
        ({"connection": "zt-risk-scoring"}, "connection", "connection must name a stack config namespace"),
    ],
    ids=["no-credentials", "another-account", "token-cannot-reach", "reserved-name"],
)
def test_check_with_a_connection_that_cannot_serve_names_it_and_writes_nothing(
    emulator: EmulatorServer, control: Control, args: dict[str, Any], field: str, text: str
) -> None:
    provider = configured(RiskIntegrationProvider(), emulator, **{"scoped:apiToken": SCOPED_TOKEN,
                                                                  "scoped:baseUrl": emulator.base_url})  # fmt: skip
    failures = provider.check({}, inputs(**args)).failures
    assert [f.property for f in failures] == [field]
    assert text in failures[0].reason and SCOPED_TOKEN not in failures[0].reason
    assert control.writes() == 0


def test_check_of_behaviors_with_a_connection_without_credentials_fails(behaviors: RiskBehaviorsProvider) -> None:
    failures = behaviors.check({}, {"account_id": ACCOUNT, "behaviors": TRAVEL, "connection": "staging"}).failures
    assert [f.property for f in failures] == ["connection"]


def test_diff_of_a_renamed_connection_is_an_update_not_a_replacement(integrations: RiskIntegrationProvider) -> None:
    id_, outs = made(integrations, account_id=OTHER_ACCOUNT, connection="other")
    news = integrations.check(outs, {**inputs(account_id=OTHER_ACCOUNT), "connection": "other2"}).inputs
    diff = integrations.diff(id_, outs, news)
    assert (diff.changes, diff.replaces) == (True, [])


def test_update_of_the_connection_only_records_it(
    emulator: EmulatorServer, control: Control, integrations: RiskIntegrationProvider
) -> None:
    id_, outs = made(integrations, account_id=OTHER_ACCOUNT, connection="other")
    provider = configured(RiskIntegrationProvider(), emulator, **{"renamed:apiToken": OTHER_TOKEN,
                                                                  "renamed:baseUrl": emulator.base_url})  # fmt: skip
    writes = control.writes()
    news = provider.check(outs, {**inputs(account_id=OTHER_ACCOUNT, reference_id=None), "connection": "renamed"})
    assert news.failures == []
    updated = provider.update(id_, outs, news.inputs).outs
    assert (updated["connection"], updated["reference_id"], control.writes()) == (
        "renamed",
        outs["reference_id"],
        writes,
    )


def test_update_of_behaviors_connection_only_writes_nothing(
    emulator: EmulatorServer, control: Control, behaviors: RiskBehaviorsProvider
) -> None:
    outs = dict(behaviors.create({"account_id": ACCOUNT, "behaviors": TRAVEL, "connection": "cloudflare"}).outs or {})
    provider = configured(RiskBehaviorsProvider(), emulator, **{"own:apiToken": SCOPED_TOKEN,
                                                                "own:baseUrl": emulator.base_url})  # fmt: skip
    writes = control.writes()
    updated = provider.update(ACCOUNT, outs, {"account_id": ACCOUNT, "behaviors": TRAVEL, "connection": "own"}).outs
    assert (updated["connection"], updated["behaviors"], control.writes()) == ("own", TRAVEL, writes)


def test_delete_goes_through_the_connection_the_state_records(
    integrations: RiskIntegrationProvider, control: Control
) -> None:
    id_, outs = made(integrations, account_id=OTHER_ACCOUNT, connection="other")
    integrations.delete(id_, outs)
    assert control.counts().get("delete_integration") == 1


def test_read_of_state_from_before_connections_uses_the_default(integrations: RiskIntegrationProvider) -> None:
    id_, outs = made(integrations)
    old_state = {k: v for k, v in outs.items() if k != "connection"}
    read = integrations.read(id_, old_state)
    assert (
        read.id == id_
        and integrations.diff(id_, old_state, integrations.check(old_state, inputs()).inputs).changes is False
    )


def test_create_through_a_connection_named_in_state_but_gone_from_config_names_it(
    integrations: RiskIntegrationProvider,
) -> None:
    with pytest.raises(ConfigurationError, match=r"connection 'gone'.*gone:apiToken"):
        integrations.delete("x" * 32, {**inputs(), "connection": "gone"})


def test_check_of_an_adoption_through_a_connection_of_another_account_reads_nothing(
    integrations: RiskIntegrationProvider, control: Control
) -> None:
    failures = integrations.check({}, inputs(connection="other", integration_id=MISSING)).failures
    assert [f.property for f in failures] == ["account_id"]
    assert control.counts().get("get_integration", 0) == 0


def test_a_failure_through_a_named_connection_names_its_base_url_key(emulator: EmulatorServer) -> None:
    down = {"down:apiToken": OTHER_TOKEN, "down:baseUrl": "http://127.0.0.1:9/client/v4"}
    provider = configured(RiskIntegrationProvider(), emulator, **down)
    with pytest.raises(ConnectionFailed) as raised:
        provider.read(MISSING, {**inputs(account_id=OTHER_ACCOUNT), "connection": "down"})
    assert "down:baseUrl" in str(raised.value) and "CLOUDFLARE_BASE_URL" not in str(raised.value)
