"""The `import_` resource option under the real CLI: refused for a dynamic resource, nothing written."""

from __future__ import annotations

from pathlib import Path

from harness import PulumiStack
from tests.conftest import TOKEN, Control
from tests.e2e.conftest import base_config
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.emulator import EmulatorServer
from zt_risk_scoring.models import IntegrationSpec

PROGRAM = Path(__file__).resolve().parent / "programs" / "import_option.py"


def test_up_import_option_is_refused_and_writes_nothing(
    tmp_path: Path, module_emulator: EmulatorServer, api: RiskScoringClient, emu: Control
) -> None:
    stack = PulumiStack(tmp_path, program=PROGRAM, env={"CLOUDFLARE_API_TOKEN": TOKEN})
    target = api.create_integration(IntegrationSpec("https://import-opt.okta.com", "import-opt-ref"))
    stack.set_config(
        {
            **base_config(module_emulator),
            "zt-risk-scoring:tenantUrl": "https://import-opt.okta.com",
            "zt-risk-scoring:referenceId": "import-opt-ref",
            "zt-risk-scoring:importId": target.id,
        }
    )
    writes = emu.writes()
    result = stack.up(check=False)
    assert result.returncode != 0  # pulumi/pulumi#16175: the engine reads with no serialized provider
    assert "__provider" in result.stdout + result.stderr
    assert emu.writes() == writes
    assert [i.id for i in api.list_integrations()] == [target.id]
