"""`make test-acceptance-emulator` (CI): the acceptance suite against the emulator as a black box: endpoint, token.

The emulator runs as a separate process behind a pass-through proxy that counts what reaches it, so the
suite knows nothing but a base URL, a token and an account. Before the run this script gives the account
what a real one has (someone else's integration, a look-alike of the suite's prefix, customized behaviors),
through the public API only; afterwards it checks they are as they were and that no request went to the
emulator's /__emulator/ control plane.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import start_emulator_process
from tests.e2e.proxy import RewritingProxy
from zt_risk_scoring.client import RiskScoringClient
from zt_risk_scoring.config import Settings
from zt_risk_scoring.models import BehaviorSetting, IntegrationSpec

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"
SECOND_ACCOUNT = "f037e56e89293a057740de681ac9abbe"  # the optional second account, with a token of its own
# Someone else's, and reference_ids that look like the suite's without starting with its prefix "zt-acc-".
FOREIGN = {"idp-platform-team": "https://platform.okta.com", "zt-acc_lookalike": "https://lookalike.okta.com"}
CUSTOMIZED = {"imp_travel": BehaviorSetting(True, "medium")}


def say(text: str) -> None:
    sys.stderr.write(f"acceptance-emulator: {text}\n")


def account_as_found(client: RiskScoringClient) -> tuple[object, object]:
    integrations = sorted((i.id, i.reference_id, i.tenant_url, i.active) for i in client.list_integrations())
    return integrations, {k: b.as_given() for k, b in client.get_behaviors().items()}


def main() -> int:
    token, second_token = secrets.token_hex(24), secrets.token_hex(24)
    tokens = ["--token", f"{token}@{ACCOUNT}", "--token", f"{second_token}@{SECOND_ACCOUNT}"]
    accounts = ["--account", ACCOUNT, "--account", SECOND_ACCOUNT]
    argv = [sys.executable, "-m", "zt_risk_scoring.emulator", "--port", "0", *tokens, *accounts]
    emulator, base_url = start_emulator_process(argv)
    proxy = RewritingProxy(base_url.split("/client/")[0]).start()
    try:
        endpoint = proxy.base_url(base_url)
        client = RiskScoringClient(Settings(base_url=endpoint, token=token), ACCOUNT)
        second = RiskScoringClient(Settings(base_url=endpoint, token=second_token), SECOND_ACCOUNT)
        for reference, tenant in FOREIGN.items():
            client.create_integration(IntegrationSpec(tenant, reference))
            second.create_integration(IntegrationSpec(tenant, reference))
        client.update_behaviors(CUSTOMIZED)
        before = account_as_found(client), account_as_found(second)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDFLARE_")}
        env |= {
            "ZT_RISK_ACCEPTANCE": "1",
            "CLOUDFLARE_BASE_URL": endpoint,
            "CLOUDFLARE_API_TOKEN": token,
            "CLOUDFLARE_ACCOUNT_ID": ACCOUNT,
            "ZT_RISK_ACCEPTANCE_SECOND_ACCOUNT_ID": SECOND_ACCOUNT,
            "ZT_RISK_ACCEPTANCE_SECOND_TOKEN": second_token,
        }
        started = time.monotonic()
        make = ["make", "--no-print-directory", "test-acceptance"]
        code = subprocess.run(make, cwd=ROOT, env=env, check=False).returncode
        say(f"make test-acceptance: exit {code} after {time.monotonic() - started:.1f} s")
        control = [path for _, path in proxy.seen if path.startswith("/__emulator")]
        after = account_as_found(client), account_as_found(second)
        say(f"{len(proxy.seen)} requests reached the endpoint, {len(control)} of them the control plane")
        problems = [f"control-plane requests: {control}"] if control else []
        problems += [] if after == before else [f"the account is not as found: {before} became {after}"]
        for problem in problems:
            say(problem)
        if not problems:
            say("the foreign integrations and the behaviors are as they were")
        return code or (1 if problems else 0)
    finally:
        proxy.stop()
        emulator.send_signal(signal.SIGTERM)
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
