"""The world a history runs in: an emulator of two accounts answering as the run's variants say, a stack of the
explorer's program under the real CLI, and the outside world (someone else's integrations and edits)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import requests
import yaml

from harness import PulumiStack, default_sigint, pulumi_dir
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.emulator import EmulatorServer, build_app
from zt_risk_scoring.emulator.variants import Variants
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

from .automation import Worker
from .history import Model, Step
from .proxy import Misrouting

ACCOUNTS = {"a": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "b": "1a2b3c4d5e6f70819283a4b5c6d7e8f9"}
PROGRAM = Path(__file__).with_name("program.py")
MISSING_ID = "00000000-0000-4000-8000-00000000dead"  # what an adoption by id names once the integration is gone
TENANT_B = "https://someone-else.okta.com"
TOKENS = 12  # revocations a history may make: later ones run their operation with the token in use
CONNECTION = "c2"  # the named connection (history.CONNECTIONS): its token is secret stack config, never revoked


class World:
    """Everything one history touches; `outputs` keeps what every command printed (the credential check)."""

    def __init__(self, workdir: Path, variants: Variants, token: str, env: dict[str, str] | None = None) -> None:
        # The stack's token, and the ones issued after each revocation (a revoked token is rolled, as on Cloudflare).
        # The explorer's own (the outside world's and the checks'), never revoked; all of them checked for leaks.
        self.tokens = [token, *(f"{token}-{n}" for n in range(1, TOKENS)), f"{token}-{CONNECTION}", f"{token}-outside"]
        self.token = token
        self.server = EmulatorServer(build_app(list(ACCOUNTS.values()), self.tokens, variants=variants)).start()
        outside = Settings(base_url=self.server.base_url, token=self.tokens[-1])
        self.api = {k: RiskScoringClient(outside, a) for k, a in ACCOUNTS.items()}
        self.stack = PulumiStack(
            workdir, name="explore", env={"CLOUDFLARE_API_TOKEN": token, **(env or {})}, program=PROGRAM
        )
        self.stack.run("config", "set", "--secret", f"{CONNECTION}:apiToken", self.tokens[-2])
        written = yaml.safe_load(self.stack.config_file.read_text()).get("config") or {}
        self.secure = {k: v for k, v in written.items() if k.startswith(f"{CONNECTION}:")}  # its ciphertext
        self.configure(self.server.base_url)
        self.write(Model())  # an empty program until the first change (a history may begin with an up)
        self.outputs: list[str] = []
        self.foreign_ids: dict[str, str] = {}  # id → reference_id of what the outside world made
        self.renames = 0
        self.imports = 0
        self.worker = Worker()
        self.proxy: Misrouting | None = None
        self.witness: str | None = None  # someone else's integration in account b, made for the proxy
        self.last: list[dict[str, Any]] = []  # the resources in state at the last `stack export`

    def configure(self, base_url: str) -> None:
        """The stack config: both connections at `base_url` (the emulator, or the misrouting proxy)."""
        plain = {
            "cloudflare:baseUrl": base_url,
            "cloudflare:accountId": ACCOUNTS["a"],
            f"{CONNECTION}:baseUrl": base_url,
        }
        self.stack.set_config({**plain, **self.secure})

    def close(self) -> None:
        self.worker.close()
        if self.proxy is not None:
            self.proxy.close()
        self.server.stop()

    # the program ------------------------------------------------------------------------------------------------
    def write(self, model: Model) -> None:
        """declared.json from the model, with accounts and adopted ids resolved."""
        items = [self._resolved(item) for item in model.program.values()]
        (self.stack.project / "stacks" / "declared.json").write_text(json.dumps(items))

    def _resolved(self, item: dict[str, Any]) -> dict[str, Any]:
        args = dict(item["args"])
        account = args.pop("account", None)
        if account or args.get("connection"):  # the named connection has no accountId of its own
            args["account_id"] = ACCOUNTS[account or "a"]
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
        deployment = json.loads(exported)["deployment"]
        self.last = list(deployment.get("resources") or [])
        self.outputs.append(json.dumps(_without_connection_token(deployment)))
        return self.last

    def engine(self, step: Step) -> subprocess.CompletedProcess[str]:
        """Run an engine operation; a replace, target or targeted destroy of a resource not in state is a plain up."""
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
        if step.kind == "destroy_target" and urn:  # that resource (refused while another waits on it); program keeps it
            return self.pulumi("destroy", *quiet, "--target", urn)
        flag = {"replace": "--replace", "target": "--target", "destroy_target": "--target"}[step.kind]
        return self.pulumi("up", *quiet, *([flag, urn] if urn else []))

    def misrouted(self, then: Step) -> subprocess.CompletedProcess[str]:
        """`then` through a proxy that answers each account's reads with the other account's: the program runs
        (a refresh without it would use the base URL state recorded), so the providers meet the proxy."""
        if self.proxy is None:
            self.proxy = Misrouting(self.server.base_url, (ACCOUNTS["a"], ACCOUNTS["b"]))
            # Someone else's integration in account b, so that the proxy's answers for it name that account (an
            # empty account's answers name none: docs/explorer.md, "Known limits").
            self.witness = self.api["b"].create_integration(IntegrationSpec(TENANT_B, "witness-b")).id
        self.configure(self.proxy.base_url)
        try:
            if then.kind == "refresh":
                return self.pulumi("refresh", "--yes", "--skip-preview", "--run-program")
            return self.engine(then)
        finally:
            self.configure(self.server.base_url)

    def revoked(self, then: Step) -> subprocess.CompletedProcess[str]:
        """`then` with the stack's token revoked just before; afterwards the stack uses a new token (rolled)."""
        url = self.server.base_url.removesuffix("/client/v4") + "/__emulator/revoke"
        requests.post(url, json={"token": self.token}, timeout=10).raise_for_status()
        try:
            return self.engine(then)
        finally:
            later = self.tokens.index(self.token) + 1
            if later < TOKENS:  # the rolled ones only: never the named connection's or the outside world's
                self.token = self.tokens[later]
                self.stack.env["CLOUDFLARE_API_TOKEN"] = self.token

    def interrupted(self, sig: str, after: float) -> subprocess.CompletedProcess[str]:
        """`pulumi up`, sent SIGINT (Ctrl-C: its process group) or SIGKILL (every process of it) `after` seconds in."""
        argv = ["pulumi", "up", "--yes", "--skip-preview", "--non-interactive", "--color", "never"]
        with subprocess.Popen(  # noqa: S603 - the pinned CLI, arguments of our own
            argv, cwd=self.stack.project, env=self.stack.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, start_new_session=True,
        ) as running:  # fmt: skip
            try:
                running.wait(after)
            except subprocess.TimeoutExpired:
                os.killpg(running.pid, signal.SIGKILL if sig == "KILL" else signal.SIGINT)
            out, err = running.communicate(timeout=300)
        result = subprocess.CompletedProcess(argv, running.returncode, out, err)
        self.outputs += [out, err]
        return result

    def reimported(self, name: str) -> subprocess.CompletedProcess[str]:
        """`pulumi state delete` of resource `name`, then `zt-risk export --import-file` of its integration and
        `pulumi import --file` under the same name and parent (docs/resources.md, "Importing")."""
        found = next((r for r in self.resources() if r["urn"].endswith(f"::{name}")), None)
        if found is None or "RiskIntegration" not in found["type"]:
            return self.engine(Step("up"))
        deleted = self.pulumi("state", "delete", found["urn"], "--yes", "--force")
        if deleted.returncode != 0:
            return deleted
        outs = found.get("outputs") or {}
        account, connection = outs.get("account_id") or ACCOUNTS["a"], outs.get("connection") or "cloudflare"
        self.imports += 1  # a file of its own each time: export never overwrites one made for another account
        spec = self.stack.project / f"import-{self.imports}.json"
        exported = self.zt_risk(
            "export", "--stack", self.stack.name, "--account-id", account, "--import-file", str(spec),
            "--integration", found["id"], "--connection", connection,
        )  # fmt: skip
        if exported.returncode != 0:
            return exported
        described = json.loads(spec.read_text())
        for entry in described["resources"]:
            entry["name"] = name
            if found.get("parent") and "pulumi:pulumi:Stack" not in found["parent"]:
                entry["parent"] = found["parent"]
        spec.write_text(json.dumps(described))
        return self.pulumi("import", "--file", str(spec), "--yes", "--generate-code=false", "--protect=false")

    def zt_risk(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The package's CLI in the project directory, with the stack's environment."""
        argv = ["zt-risk", *args]  # the console script on the stack's PATH (this venv's bin)
        result = subprocess.run(  # noqa: S603 - arguments of our own
            argv, cwd=self.stack.project, env=self.stack.env, capture_output=True, text=True, timeout=300,
            stdin=subprocess.DEVNULL, preexec_fn=default_sigint, check=False,
        )  # fmt: skip
        self.outputs += [result.stdout, result.stderr]
        return result

    def automation(self) -> subprocess.CompletedProcess[str]:
        """An `up` of the same program through the Automation API, inline, in the history's one worker process."""
        root = Path(pulumi_dir()).parent
        code, out = self.worker.up(self.stack.project, self.stack.name, self.stack.env, root)
        self.outputs.append(out)
        return subprocess.CompletedProcess(["automation", "up"], code, out, "")

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


def _without_connection_token(deployment: dict[str, Any]) -> dict[str, Any]:
    """The deployment as the credential check reads it: without the named connection's token in the engine's own
    provider resources, where the engine keeps all stack config, encrypted (docs/resources.md; decrypted here by
    --show-secrets). Anywhere else, as in our resources' state, it is a leak."""
    key = f"{CONNECTION}:apiToken"
    resources = []
    for resource in deployment.get("resources") or []:
        if str(resource.get("type", "")).startswith("pulumi:providers:"):
            resource = {
                **resource,
                **{part: {k: v for k, v in (resource.get(part) or {}).items() if k != key}
                   for part in ("inputs", "outputs")},
            }  # fmt: skip
        resources.append(resource)
    return {**deployment, "resources": resources}
