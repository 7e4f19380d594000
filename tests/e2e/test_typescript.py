"""examples/okta-risk-ts under the real CLI: a TypeScript program using the ztrisk components through the SDK
`pulumi package gen-sdk` generates, against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.component_examples import (
    ComponentExample,
    language_host,
    refuses_bad_tenant_url_at_preview,
    run_lifecycle,
)
from tests.e2e.sdks import gen_sdk, npm_install, write_schema
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer


@pytest.fixture
def example(tmp_path: Path, emulator: EmulatorServer) -> ComponentExample:
    """The example with its SDK generated and installed as its README says."""
    language_host("nodejs")

    def install(project: ComponentExample) -> None:
        gen_sdk(write_schema(tmp_path)[0], "nodejs", project.dir / "sdks", "--local")
        npm_install(project.dir)

    return ComponentExample(tmp_path, emulator, "okta-risk-ts", prepare=install)


def test_up_of_the_typescript_example_runs_its_lifecycle(example: ComponentExample, client: RiskScoringClient) -> None:
    run_lifecycle(example, client)


def test_preview_of_the_typescript_example_with_a_bad_tenant_url_names_the_property(
    example: ComponentExample, client: RiskScoringClient
) -> None:
    refuses_bad_tenant_url_at_preview(example, client)
