"""What checking an import file's entries costs: `pulumi import --file` of N integrations and the behaviors.

`python -m bench.imports` (BENCH_N, default 50; BENCH_REPEAT, default 3; BENCH_LATENCY_MS, default 25 here,
0 for none): exports an emulator account with `zt-risk export --import-file`, then imports it into a fresh stack
as written (each entry names the id it imports, which check compares with the account) and with `imported_id`
taken out of every entry (nothing compared, as before 0.3.0), pairs seconds apart; prints each wall time and
the medians.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.workload import ACCOUNT, TOKEN, emulator
from harness import PulumiStack, run_command
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.models import IntegrationSpec

N = int(os.environ.get("BENCH_N", "50"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "25"))


def import_seconds(workdir: Path, base_url: str, checked: bool) -> float:
    """Wall seconds of `pulumi import` of the account's export into a fresh stack under `workdir`."""
    stack = PulumiStack(workdir, env={"CLOUDFLARE_API_TOKEN": TOKEN})
    stack.set_config({"cloudflare:baseUrl": base_url, "cloudflare:accountId": ACCOUNT})
    env = {**stack.env, "CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_BASE_URL": base_url}
    argv = [sys.executable, "-m", "zt_risk_scoring.cli", "export", "--stack", stack.name, "--import-file",
            "import.json", "--behaviors", "all", "--account-id", ACCOUNT]  # fmt: skip
    made = run_command(argv, stack.project, env)
    if made.returncode != 0:
        raise SystemExit(made.stderr)
    document = json.loads((stack.project / "import.json").read_text())
    for entry in document["resources"] if not checked else []:
        entry["inputs"].pop("imported_id", None)
    (stack.project / "import.json").write_text(json.dumps(document))
    start = time.perf_counter()
    stack.run("import", "--file", "import.json", "--yes", "--generate-code=false", "--protect=false")
    return time.perf_counter() - start


def main() -> None:
    runs: dict[str, list[float]] = {"checked": [], "unchecked": []}
    with emulator() as server, tempfile.TemporaryDirectory() as tmp:
        api = RiskScoringClient(Settings(base_url=server.base_url, token=TOKEN), ACCOUNT)
        for n in range(N):
            api.create_integration(IntegrationSpec(f"https://t{n}.okta.com", f"bench-import-{n}"))
        server.app.faults.configure({"latency_ms": LATENCY_MS})
        for rep in range(REPEAT):
            for variant in runs:
                runs[variant].append(
                    import_seconds(Path(tmp) / f"{variant}-{rep}", server.base_url, variant == "checked")
                )
    print(f"pulumi import of {N} integrations and the behaviors, {LATENCY_MS:g} ms per API request")
    for variant, seconds in runs.items():
        shown = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"  {variant:9}: median {statistics.median(seconds):.2f} s ({shown})")


if __name__ == "__main__":
    main()
