"""The world a history runs in: an emulator of two accounts answering as the run's variants say, a stack of the
explorer's program under the real CLI, and the outside world (someone else's integrations and edits)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import requests

from harness import PulumiStack
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app
from zt_risk_scoring.emulator.variants import Variants
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

from .history import Model, Step

ACCOUNTS = {"a": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "b": "1a2b3c4d5e6f70819283a4b5c6d7e8f9"}
PROGRAM = Path(__file__).with_name("program.py")
MISSING_ID = "00000000-0000-4000-8000-00000000dead"  # what an adoption by id names once the integration is gone


class World:
    """Everything one history touches; `outputs` keeps what every command printed (the credential check)."""

    def __init__(self, workdir: Path, variants: Variants, token: str, env: dict[str, str] | None = None) -> None:
        self.token = token
        self.server = EmulatorServer(build_app(list(ACCOUNTS.values()), [token], variants=variants)).start()
        self.api = {
            k: RiskScoringClient(Settings(base_url=self.server.base_url, token=token), a) for k, a in ACCOUNTS.items()
        }
        self.stack = PulumiStack(
            workdir, name="explore", env={"CLOUDFLARE_API_TOKEN": token, **(env or {})}, program=PROGRAM
        )
        self.stack.set_config({"cloudflare:baseUrl": self.server.base_url, "cloudflare:accountId": ACCOUNTS["a"]})
        self.outputs: list[str] = []
        self.foreign_ids: dict[str, str] = {}  # id → reference_id of what the outside world made
        self.renames = 0

    def close(self) -> None:
        self.server.stop()

    # the program ------------------------------------------------------------------------------------------------
    def write(self, model: Model) -> None:
        """declared.json from the model, with accounts and adopted ids resolved."""
        items = [self._resolved(item) for item in model.program.values()]
        (self.stack.project / "stacks" / "declared.json").write_text(json.dumps(items))

    def _resolved(self, item: dict[str, Any]) -> dict[str, Any]:
        args = dict(item["args"])
        account = args.pop("account", None)
        if account:
            args["account_id"] = ACCOUNTS[account]
        adopted = args.pop("adopt_id_of", None)
        if adopted:
            found = self.api["a"].find_integration_by_reference(adopted)
            args["integration_id"] = found.id if found else MISSING_ID
        return {**item, "args": args}

    # the engine -------------------------------------------------------------------------------------------------
    def pulumi(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.stack.run(*args, check=False)
        self.outputs += [result.stdout, result.stderr]
        return result

    def urn(self, name: str) -> str | None:
        return next((r["urn"] for r in self.resources() if r["urn"].endswith(f"::{name}")), None)

    def resources(self) -> list[dict[str, Any]]:
        exported = self.stack.run("stack", "export", "--show-secrets", check=True).stdout
        self.outputs.append(exported)
        return list(json.loads(exported)["deployment"].get("resources") or [])

    def engine(self, step: Step) -> subprocess.CompletedProcess[str]:
        """Run an engine operation; a replace or target of a resource not in state is a plain up."""
        quiet = ("--yes", "--skip-preview")
        simple = {
            "up": ("up", *quiet),
            "preview": ("preview",),
            "refresh": ("refresh", *quiet),
            "refresh_preview": ("refresh", "--preview-only"),
            "destroy": ("destroy", *quiet),
        }
        if step.kind in simple:
            return self.pulumi(*simple[step.kind])
        if step.kind == "stack_rename":
            self.renames += 1
            result = self.pulumi("stack", "rename", f"explore{self.renames}")
            if result.returncode == 0:
                self.stack.name = f"explore{self.renames}"
            return result
        urn = self.urn(step.params["name"])
        flag = {"replace": "--replace", "target": "--target"}[step.kind]
        return self.pulumi("up", *quiet, *([flag, urn] if urn else []))

    # faults -----------------------------------------------------------------------------------------------------
    def faults(self, rules: list[dict[str, Any]]) -> None:
        """The emulator's faults from now on: exactly `rules` (none: every fault left over cleared)."""
        url = self.server.base_url.removesuffix("/client/v4") + "/__emulator/faults"
        requests.delete(url, timeout=10).raise_for_status()
        if rules:
            requests.post(url, json={"rules": rules}, timeout=10).raise_for_status()

    # the outside world ------------------------------------------------------------------------------------------
    def outside(self, step: Step, model: Model) -> None:
        """Someone else's change, through the public API as the dashboard would make it."""
        p = step.params
        if step.kind == "foreign":
            made = self.api["a"].create_integration(IntegrationSpec(p["tenant_url"], p["reference_id"]))
            self.foreign_ids[made.id] = p["reference_id"]
        elif step.kind == "outside_behavior":
            current = {k: b.setting for k, b in self.api["a"].get_behaviors().items()}
            current[p["key"]] = BehaviorSetting(p["enabled"], p["risk_level"])
            self.api["a"].update_behaviors(current)
        else:
            self._outside_integration(step)

    def _outside_integration(self, step: Step) -> None:
        found = next((r for r in self.resources() if r["urn"].endswith(f"::{step.params['name']}")), None)
        if found is None or "RiskIntegration" not in found["type"]:
            return
        outs = found.get("outputs") or {}
        api = self.api["b" if outs.get("account_id") == ACCOUNTS["b"] else "a"]
        live = api.get_integration_if_exists(found["id"])
        if live is None:
            return
        if step.kind == "outside_delete":
            api.delete_integration(live.id)
        else:
            spec = IntegrationSpec(step.params["tenant_url"], live.reference_id, step.params["active"])
            api.update_integration(live.id, spec)
