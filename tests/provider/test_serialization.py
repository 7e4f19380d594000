"""The provider pickled into state: no credential, small, and usable after unpickling."""

from __future__ import annotations

import base64

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from tests.conftest import TOKEN, configured
from zt_risk_scoring.behaviors import RiskBehaviorsProvider
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.integration import RiskIntegrationProvider
from zt_risk_scoring.provider_base import RiskScoringProvider

PROVIDERS = [RiskBehaviorsProvider, RiskIntegrationProvider]


@pytest.mark.parametrize("cls", PROVIDERS, ids=["behaviors", "integration"])
def test_serialize_configured_provider_has_no_credential(
    cls: type[RiskScoringProvider], emulator: EmulatorServer
) -> None:
    provider = configured(cls(), emulator)
    provider.client("023e105f4ecef8ad9ca31a8372d0c353")
    raw = base64.b64decode(serialize_provider(provider))
    assert TOKEN.encode() not in raw
    assert emulator.base_url.encode() not in raw


@pytest.mark.parametrize("cls", PROVIDERS, ids=["behaviors", "integration"])
def test_serialize_provider_stays_small(cls: type[RiskScoringProvider]) -> None:
    assert len(serialize_provider(cls())) < 512


@pytest.mark.parametrize("cls", PROVIDERS, ids=["behaviors", "integration"])
def test_deserialize_provider_needs_configure_before_calls(
    cls: type[RiskScoringProvider], emulator: EmulatorServer
) -> None:
    restored = dill.loads(base64.b64decode(serialize_provider(configured(cls(), emulator))))
    assert isinstance(restored, cls)
    with pytest.raises(Exception, match="no Cloudflare credentials"):
        restored.client("023e105f4ecef8ad9ca31a8372d0c353")
