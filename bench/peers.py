"""`make bench-peers`: this project beside OpenTofu + the cloudflare provider v5, on the same emulator.

Part 1 times the `make bench` workload in both tools (with each tool's defaults, and with matched settings).
Part 2 checks behaviours a platform team relies on, each by running both tools against a fresh emulator.
Writes markdown tables to stdout and build/bench-peers.json. Needs scripts/ensure-peers (opt-in build).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests

from bench.workload import (
    ACCOUNT,
    LATENCY_MS,
    PHASES,
    PULUMI_ARGS,
    ROOT,
    SIZES,
    TOKEN,
    Integration,
    Workload,
    emulator,
    ours_phases,
    pulumi_config,
    time_phases,
)
from harness import PulumiStack, ensured_dir
from zt_risk_scoring.emulator import EmulatorServer

PULUMI_PARALLEL = 4 * (os.cpu_count() or 1)  # the CLI's default --parallel on this machine

# Phase -> CLI arguments. "defaults" is what each tool does when typed bare; "matched" makes them do the
# same work: no refresh before plan/apply/destroy (Pulumi's default), no preview before up/refresh/destroy
# (tofu has none to skip), and tofu's parallelism set to the Pulumi CLI's.
OURS_ARGS: dict[str, dict[str, tuple[str, ...]]] = {
    "defaults": {
        "create": ("up", "--yes"),
        "preview": ("preview", "--expect-no-changes"),
        "update": ("up", "--yes"),
        "refresh": ("refresh", "--yes"),
        "destroy": ("destroy", "--yes"),
    },
    "matched": PULUMI_ARGS,
}
PEER_ARGS: dict[str, dict[str, tuple[str, ...]]] = {
    "defaults": {
        "create": ("apply", "-auto-approve"),
        "preview": ("plan", "-detailed-exitcode"),
        "update": ("apply", "-auto-approve"),
        "refresh": ("apply", "-refresh-only", "-auto-approve"),
        "destroy": ("destroy", "-auto-approve"),
    },
}
_MATCHED = (f"-parallelism={PULUMI_PARALLEL}",)
PEER_ARGS["matched"] = {
    phase: (*args, *_MATCHED) if phase == "refresh" else (*args, "-refresh=false", *_MATCHED)
    for phase, args in PEER_ARGS["defaults"].items()
}


class Tofu:
    """One OpenTofu working directory of bench/peer/main.tf, using the locally built provider."""

    def __init__(self, workdir: Path, peers: Path, base_url: str) -> None:
        self.dir = workdir / "tofu"
        self.dir.mkdir(parents=True)
        shutil.copy(ROOT / "bench" / "peer" / "main.tf", self.dir / "main.tf")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CLOUDFLARE_", "TF_"))},
            "TF_CLI_CONFIG_FILE": str(peers / "tofu.rc"),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "CLOUDFLARE_API_TOKEN": TOKEN,
            "CLOUDFLARE_BASE_URL": base_url,
            "PATH": os.pathsep.join([str(peers / "bin"), os.environ.get("PATH", "")]),
        }

    def set_workload(self, load: Workload) -> None:
        variables = {
            "account_id": ACCOUNT,
            "behaviors": load.behaviors,
            "integrations": [
                {"tenant_url": i.tenant_url, "reference_id": i.reference_id, "active": i.active}
                for i in load.integrations
            ],
        }
        (self.dir / "terraform.tfvars.json").write_text(json.dumps(variables))

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["tofu", args[0], "-no-color", "-input=false", *args[1:]],  # flags before positional arguments
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            command = " ".join(args)
            raise AssertionError(f"tofu {command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def integration_ids(self) -> list[str]:
        state_file = self.dir / "terraform.tfstate"
        if not state_file.exists():
            return []
        state = json.loads(state_file.read_text())
        return [
            inst["attributes"]["id"]
            for res in state.get("resources", [])
            if res["type"] == "cloudflare_zero_trust_risk_scoring_integration"
            for inst in res["instances"]
        ]


# Part 1: timing ---------------------------------------------------------------------------------------
def time_peer(n: int, settings: str, workdir: Path, peers: Path) -> dict[str, dict[str, Any]]:
    with emulator(LATENCY_MS) as server:
        tofu = Tofu(workdir, peers, server.base_url)
        return dict(time_phases(lambda phase: tofu.run(*PEER_ARGS[settings][phase]), tofu.set_workload, n, server))


def timing_rows(peers: Path) -> list[dict[str, Any]]:
    rows = []
    for settings in ("defaults", "matched"):
        for n in SIZES:
            print(f"bench-peers: {settings} N={n} …", file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                ours = dict(ours_phases(n, Path(tmp), OURS_ARGS[settings]))
                peer = time_peer(n, settings, Path(tmp), peers)
            for phase in PHASES:
                rows.append({"settings": settings, "n": n, "phase": phase, "ours": ours[phase], "peer": peer[phase]})
    return rows


# Part 2: behaviour checks ---------------------------------------------------------------------------
@dataclass
class Outcome:
    """One tool's answer to one check, with what was observed."""

    answer: bool
    evidence: str


@dataclass
class Check:
    """A behaviour, checked in both tools; `wanted` is the answer a platform team needs."""

    name: str
    wanted: bool
    ours: Outcome | None = None
    peer: Outcome | None = None
    notes: list[str] = field(default_factory=list)


class Api:
    """Direct API calls, as someone outside either tool (the dashboard, a script) would make them."""

    def __init__(self, server: EmulatorServer) -> None:
        self.base = server.base_url
        self.root = server.base_url.rsplit("/client/v4", 1)[0]
        self.headers = {"Authorization": f"Bearer {TOKEN}"}

    def get(self, path: str) -> Any:
        url = f"{self.base}/accounts/{ACCOUNT}/zt_risk_scoring/{path}"
        return requests.get(url, headers=self.headers, timeout=10).json()["result"]

    def behaviors(self) -> dict[str, Any]:
        return {k: (v["enabled"], v["risk_level"]) for k, v in self.get("behaviors")["behaviors"].items()}

    def integrations(self) -> list[dict[str, Any]]:
        return list(self.get("integrations"))

    def create(self, tenant_url: str, reference_id: str) -> dict[str, Any]:
        url = f"{self.base}/accounts/{ACCOUNT}/zt_risk_scoring/integrations"
        body = {"integration_type": "Okta", "tenant_url": tenant_url, "reference_id": reference_id}
        return dict(requests.post(url, json=body, headers=self.headers, timeout=10).json()["result"])

    def control(self, action: str, body: dict[str, Any]) -> None:
        requests.post(f"{self.root}/__emulator/{action}", json=body, timeout=10).raise_for_status()


class Tool(Protocol):
    """The operations a check needs, in one tool."""

    def apply(self, load: Workload) -> bool: ...
    def plan_shows_changes(self) -> bool: ...
    def destroy(self) -> bool: ...
    def managed_ids(self) -> list[str]: ...


class Ours(Tool):
    """This project: the stack program under the real Pulumi CLI."""

    def __init__(self, workdir: Path, server: EmulatorServer) -> None:
        self.server = server
        self.stack = PulumiStack(workdir / "ours", env={"CLOUDFLARE_API_TOKEN": TOKEN})

    def apply(self, load: Workload) -> bool:
        self.stack.set_config(pulumi_config(self.server.base_url, load))
        return self.stack.up(check=False).returncode == 0

    def plan_shows_changes(self) -> bool:
        # --refresh: compare with the live account, as tofu's plan does by default.
        return self.stack.run("preview", "--refresh", "--expect-no-changes", check=False).returncode != 0

    def destroy(self) -> bool:
        return self.stack.destroy(check=False).returncode == 0

    def managed_ids(self) -> list[str]:
        return [r["id"] for r in self.stack.resources() if r["type"].endswith("RiskIntegration")]


class Peer(Tool):
    """OpenTofu with the cloudflare provider v5."""

    def __init__(self, workdir: Path, server: EmulatorServer, peers: Path) -> None:
        self.tofu = Tofu(workdir, peers, server.base_url)

    def apply(self, load: Workload) -> bool:
        self.tofu.set_workload(load)
        return self.tofu.run("apply", "-auto-approve", check=False).returncode == 0

    def plan_shows_changes(self) -> bool:
        code = self.tofu.run("plan", "-detailed-exitcode", check=False).returncode
        if code not in (0, 2):
            raise AssertionError(f"tofu plan failed ({code})")
        return code == 2

    def destroy(self) -> bool:
        return self.tofu.run("destroy", "-auto-approve", check=False).returncode == 0

    def managed_ids(self) -> list[str]:
        return self.tofu.integration_ids()


ONE = Workload(behaviors={"imp_travel": {"enabled": True, "risk_level": "low"}}, integrations=[])


def one_integration(reference_id: str | None = "ref-check", active: bool = True, adopt: bool = False) -> Workload:
    return Workload(ONE.behaviors, [Integration("i0", "https://check.okta.com", reference_id, active, adopt)])


def check_restore(tool: Tool, api: Api) -> Outcome:
    before = api.behaviors()
    tool.apply(ONE)
    changed = api.behaviors()
    tool.destroy()
    after = api.behaviors()
    return Outcome(
        after == before,
        f"imp_travel before {before['imp_travel']}, applied {changed['imp_travel']}, "
        f"after destroy {after['imp_travel']}",
    )


def check_new_behavior(tool: Tool, api: Api) -> tuple[Outcome, Outcome]:
    tool.apply(ONE)
    api.control("catalogue", {"new_behavior": {"name": "New", "risk_level": "low"}})
    first = tool.plan_shows_changes()
    applied = tool.apply(ONE)
    again = tool.plan_shows_changes()
    return (
        Outcome(first, f"plan after Cloudflare added `new_behavior`: {_plan(first)}"),
        Outcome(again, f"apply {'succeeded' if applied else 'failed'}; next plan: {_plan(again)}"),
    )


def check_adopt(tool: Tool, api: Api) -> Outcome:
    existing = api.create("https://check.okta.com", "ref-existing")
    if isinstance(tool, Peer):
        # The provider imports by `<account_id>/<integration_id>`; try the reference id there.
        tool.tofu.set_workload(one_integration("ref-existing"))
        address = "cloudflare_zero_trust_risk_scoring_integration.integration[0]"
        result = tool.tofu.run("import", address, f"{ACCOUNT}/ref-existing", check=False)
        ok = result.returncode == 0
        detail = "tofu import ACCOUNT/<reference_id>: " + ("imported" if ok else f"refused ({_last_error(result)})")
    else:
        ok = tool.apply(one_integration("ref-existing", adopt=True))
        detail = "up with adopt=True: " + ("adopted" if ok else "failed")
    count = sum(1 for i in api.integrations() if i["reference_id"] == "ref-existing")
    managed = existing["id"] in tool.managed_ids()
    return Outcome(ok and managed and count == 1, f"{detail}; managed: {managed}; integrations with it: {count}")


def check_lost_post(tool: Tool, api: Api, reference_id: str | None) -> Outcome:
    api.control("faults", {"rules": [{"mode": "drop_after_write", "methods": ["POST"], "count": 1}]})
    load = one_integration(reference_id)
    first = tool.apply(load)
    second = tool.apply(load)
    on_server = [i["id"] for i in api.integrations() if i["tenant_url"] == "https://check.okta.com"]
    managed = tool.managed_ids()
    orphans = [i for i in on_server if i not in managed]
    return Outcome(
        len(on_server) > 1 or bool(orphans),
        f"applies {'ok' if first else 'failed'}/{'ok' if second else 'failed'}; on server {len(on_server)}, "
        f"in state {len(managed)}, unmanaged {len(orphans)}",
    )


def check_inactive_create(tool: Tool, api: Api) -> Outcome:
    applied = tool.apply(one_integration(active=False))
    live = [i["active"] for i in api.integrations()]
    drift = tool.plan_shows_changes()
    return Outcome(
        applied and live == [False] and not drift,
        f"apply {'ok' if applied else 'failed'}; live active={live}; next plan: {_plan(drift)}",
    )


def _plan(changes: bool) -> str:
    return "diff" if changes else "no changes"


def _last_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = [ln.strip() for ln in (result.stderr + result.stdout).splitlines() if ln.strip().startswith("Error")]
    return lines[-1][:120] if lines else f"exit {result.returncode}"


def _fresh(side: str, peers: Path, check: Callable[[Tool, Api], Any]) -> Any:
    """Run one check in one tool against its own emulator and working directory."""
    with emulator() as server, tempfile.TemporaryDirectory() as tmp:
        tool: Tool = Ours(Path(tmp), server) if side == "ours" else Peer(Path(tmp), server, peers)
        return check(tool, Api(server))


def behaviour_checks(peers: Path) -> list[Check]:
    checks = [
        Check("destroy restores the behaviors to what they were before", wanted=True),
        Check("a behavior Cloudflare adds, not in the config, shows as a diff", wanted=False),
        Check("… and the diff is still there after an apply (perpetual diff)", wanted=False),
        Check("an existing integration is adoptable by reference_id", wanted=True),
        Check("a lost POST response leaves a duplicate or unmanaged integration (reference_id set)", wanted=False),
        Check("a lost POST response leaves a duplicate or unmanaged integration (no reference_id)", wanted=False),
        Check("`active = false` at create gives an inactive integration and no diff after", wanted=True),
    ]
    for side in ("ours", "peer"):
        print(f"bench-peers: behaviour checks ({side}) …", file=sys.stderr, flush=True)
        outcomes = [
            _fresh(side, peers, check_restore),
            *_fresh(side, peers, check_new_behavior),
            _fresh(side, peers, check_adopt),
            _fresh(side, peers, lambda t, a: check_lost_post(t, a, "ref-lost")),
            _fresh(side, peers, lambda t, a: check_lost_post(t, a, None)),
            _fresh(side, peers, check_inactive_create),
        ]
        for check, outcome in zip(checks, outcomes, strict=True):
            setattr(check, side, outcome)
    return checks


# Output -----------------------------------------------------------------------------------------------
def timing_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| settings | N | phase | ours s | peer s | ours/peer | ours requests | peer requests |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ours, peer = r["ours"], r["peer"]
        lines.append(
            f"| {r['settings']} | {r['n']} | {r['phase']} | {ours['wall_s']:.2f} | {peer['wall_s']:.2f} | "
            f"{ours['wall_s'] / peer['wall_s']:.2f} | {_ops(ours)} | {_ops(peer)} |"
        )
    return "\n".join(lines)


def _ops(result: dict[str, Any]) -> str:
    ops = ", ".join(f"{k} {v}" for k, v in sorted(result["by_operation"].items()))
    return f"{result['requests']}" + (f" ({ops})" if ops else "")


def checks_table(checks: list[Check]) -> str:
    lines = ["| check | wanted | ours | peer | ours observed | peer observed |", "|---|---|---|---|---|---|"]
    for c in checks:
        assert c.ours and c.peer
        yes = {True: "yes", False: "no"}
        lines.append(
            f"| {c.name} | {yes[c.wanted]} | {yes[c.ours.answer]} | {yes[c.peer.answer]} | "
            f"{c.ours.evidence} | {c.peer.evidence} |"
        )
    return "\n".join(lines)


def main() -> int:
    peers = Path(ensured_dir("ensure-peers", "PEERS_DIR"))
    checks = behaviour_checks(peers)
    rows = [] if os.environ.get("BENCH_CHECKS_ONLY") else timing_rows(peers)
    out = ROOT / "build" / "bench-peers.json"
    out.parent.mkdir(exist_ok=True)
    found = [{"check": c.name, "wanted": c.wanted, "ours": vars(c.ours), "peer": vars(c.peer)} for c in checks]
    out.write_text(json.dumps({"latency_ms": LATENCY_MS, "timing": rows, "checks": found}, indent=2))
    if rows:
        print(timing_table(rows) + "\n")
    print(checks_table(checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
