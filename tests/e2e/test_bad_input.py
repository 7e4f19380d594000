"""Bad input under the real CLI: a clear message naming the field and the fix, nothing written, state kept."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from harness import PulumiStack
from tests.conftest import Control
from tests.e2e.conftest import base_config
from zt_risk_scoring.emulator import EmulatorServer

Config = dict[str, Any]
B, INTEGRATIONS = "zt-risk-scoring:behaviors", "zt-risk-scoring:integrations"


def valid(server: EmulatorServer) -> Config:
    return {
        **base_config(server),
        B: {"imp_travel": {"enabled": True, "risk_level": "high"}},
        INTEGRATIONS: [{"name": "okta", "tenantUrl": "https://bad-input.okta.com", "referenceId": "bad-input-ref"}],
    }


def behavior(**fields: Any) -> Callable[[Config], None]:
    def mutate(c: Config) -> None:
        c[B]["imp_travel"].update(fields)
        for key, value in fields.items():
            if value is ...:
                del c[B]["imp_travel"][key]

    return mutate


def item(**fields: Any) -> Callable[[Config], None]:
    def mutate(c: Config) -> None:
        c[INTEGRATIONS][0].update(fields)

    return mutate


def setting(key: str, value: Any) -> Callable[[Config], None]:
    def mutate(c: Config) -> None:
        if value is ...:
            c.pop(key, None)
        else:
            c[key] = value

    return mutate


# (id, mutation, extra environment, expected text); each fails at preview unless marked "up".
PREVIEW_CASES: list[tuple[str, Callable[[Config], None], dict[str, str], str]] = [
    ("risk-level-nonsense", behavior(risk_level="severe"), {}, "risk_level must be low, medium or high"),
    ("risk-level-number", behavior(risk_level=3), {}, "risk_level must be low, medium or high"),
    ("enabled-string", behavior(enabled="yes"), {}, "enabled must be true or false"),
    ("enabled-missing", behavior(enabled=...), {}, "enabled must be true or false"),
    ("behavior-extra-field", behavior(description="x"), {}, "only enabled and risk_level are settable"),
    ("behavior-not-map", setting(B, {"imp_travel": "on"}), {}, "must be a map with enabled and risk_level"),
    ("behaviors-list", setting(B, ["imp_travel"]), {}, "behaviors must be a non-empty map"),
    ("behaviors-empty", setting(B, {}), {}, "behaviors must be a non-empty map"),
    (
        "behavior-key-spaces",
        setting(B, {"Imp Travel": {"enabled": True, "risk_level": "high"}}),
        {},
        "keys are behavior ids (lowercase letters",
    ),
    ("on-delete", setting("zt-risk-scoring:behaviorsOnDelete", "wipe"), {}, "on_delete must be one of"),
    ("tenant-http", item(tenantUrl="http://bad-input.okta.com"), {}, "tenant_url must be an https URL"),
    ("tenant-no-scheme", item(tenantUrl="bad-input.okta.com"), {}, "tenant_url must be an https URL"),
    ("tenant-path", item(tenantUrl="https://bad-input.okta.com/app"), {}, "with no path, query or fragment"),
    ("tenant-query", item(tenantUrl="https://bad-input.okta.com?x=1"), {}, "with no path, query or fragment"),
    ("tenant-userinfo", item(tenantUrl="https://u:pa55word-in-url@b.okta.com"), {}, "must not carry credentials"),
    ("tenant-userinfo-bad-port", item(tenantUrl="https://u:pa55word-in-url@b.okta.com:x"), {}, "not a valid URL"),
    ("tenant-ipv6-open", item(tenantUrl="https://["), {}, "tenant_url is not a valid URL"),
    ("tenant-port-text", item(tenantUrl="https://bad-input.okta.com:abc"), {}, "tenant_url is not a valid URL"),
    ("tenant-idn-invalid", item(tenantUrl="https://a\u202e.okta.com"), {}, "not a valid international domain name"),
    ("tenant-userinfo-empty-user", item(tenantUrl="https://:pa55word-in-url@b.okta.com"), {}, "must not carry"),
    ("tenant-number", item(tenantUrl=42), {}, "tenant_url must be a string"),
    ("integration-type", item(integrationType="AzureAD"), {}, "integration_type must be Okta"),
    ("reference-number", item(referenceId=7), {}, "reference_id must be 1 to 255"),
    ("reference-blank", item(referenceId="  "), {}, "reference_id must be 1 to 255"),
    ("reference-slash", item(referenceId="a/b"), {}, "it is sent as a URL path segment"),
    ("reference-dot-dot", item(referenceId=".."), {}, "it is sent as a URL path segment"),
    ("active-string", item(active="false"), {}, "active must be true or false"),
    ("integration-id-not-uuid", item(integrationId="okta-1"), {}, "integration_id must be a UUID"),
    ("adopt-string", item(adopt="yes"), {}, "adopt must be true or false"),
    ("account-malformed", setting("cloudflare:accountId", "ACCOUNT-1"), {}, "account_id must be 32 lowercase hex"),
    (
        "account-missing",
        setting("cloudflare:accountId", ...),
        {},
        "set cloudflare:accountId / export CLOUDFLARE_ACCOUNT_ID",
    ),
    (
        "unknown-config-key",
        setting("zt-risk-scoring:behaviours", {}),
        {},
        "unknown config key(s) zt-risk-scoring:behaviours",
    ),
    ("unknown-item-key", item(tenant_url="https://x.okta.com"), {}, "unknown key(s) tenant_url"),
]

# Only the server or the credentials can tell: preview passes, `up` fails before writing anything.
UP_CASES: list[tuple[str, Callable[[Config], None], dict[str, str], str]] = [
    (
        "unknown-behavior",
        setting(B, {"no_such_behavior": {"enabled": True, "risk_level": "low"}}),
        {},
        "has no behavior 'no_such_behavior'",
    ),
    (
        "integration-id-missing",
        lambda c: c[INTEGRATIONS].append(
            {
                "name": "adopted",
                "tenantUrl": "https://x.okta.com",
                "integrationId": "00000000-0000-4000-8000-000000000000",
            }
        ),
        {},
        "integration_id 00000000-0000-4000-8000-000000000000 does not exist",
    ),
    # The rest change a risk level too, so that `up` has an API call to make.
    ("credentials-missing", behavior(risk_level="low"), {"CLOUDFLARE_API_TOKEN": ""}, "no Cloudflare credentials"),
    (
        "token-and-key",
        behavior(risk_level="low"),
        {"CLOUDFLARE_API_KEY": "k" * 37, "CLOUDFLARE_EMAIL": "a@b.test"},
        "both an API token and a global API key are set",
    ),
    (
        "key-without-email",
        behavior(risk_level="low"),
        {"CLOUDFLARE_API_TOKEN": "", "CLOUDFLARE_API_KEY": "k" * 37},
        "a global API key needs its email",
    ),
    (
        "base-url-not-http",
        lambda c: (behavior(risk_level="low")(c), setting("cloudflare:baseUrl", "ftp://x.test")(c)),
        {},
        "must be an http(s) URL",
    ),
    (
        "base-url-password",
        lambda c: (
            behavior(risk_level="low")(c),
            setting("cloudflare:baseUrl", "https://u:pa55word-in-url@api.example.test/client/v4")(c),
        ),
        {},
        "must not carry credentials",
    ),
    (
        "token-newline",
        behavior(risk_level="low"),
        {"CLOUDFLARE_API_TOKEN": "e2e-token\nX-Injected: 1"},
        "cannot be sent in an HTTP header: it contains a line break",
    ),
    (
        "token-not-latin1",
        behavior(risk_level="low"),
        {"CLOUDFLARE_API_TOKEN": "e2e-token-\u2603"},
        "it contains a non-ASCII character",
    ),
    (
        "timeout-nonsense",
        lambda c: (behavior(risk_level="low")(c), setting("zt-risk-scoring:apiTimeout", "soon")(c)),
        {},
        "apiTimeout / ZT_RISK_API_TIMEOUT",
    ),
]


@pytest.fixture(scope="module")
def deployed(stack: PulumiStack, module_emulator: EmulatorServer) -> str:
    stack.set_config(valid(module_emulator))
    stack.up()
    return resources_of(stack)


def resources_of(stack: PulumiStack) -> str:
    """Our resources as recorded (the default provider's copy of the stack config is not ours)."""
    resources = json.loads(stack.export())["deployment"]["resources"]
    # __provider is re-encrypted (new nonce) on every save; what it holds is the same class reference.
    mine = [
        (r["urn"], {k: v for k, v in (r.get("outputs") or {}).items() if k != "__provider"})
        for r in resources
        if "dynamic" in r["type"]
    ]
    return json.dumps(sorted(mine, key=lambda r: r[0]), sort_keys=True)


# Credential text the cases above configure; no output may show it.
SECRETS = ("pa55word-in-url", "X-Injected", "e2e-token-\u2603")
CASES = [(*case, "preview") for case in PREVIEW_CASES] + [(*case, "up") for case in UP_CASES]


@pytest.mark.parametrize(("mutate", "env", "expected", "command"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_fails_before_writing(
    stack: PulumiStack,
    module_emulator: EmulatorServer,
    emu: Control,
    deployed: str,
    mutate: Callable[[Config], None],
    env: dict[str, str],
    expected: str,
    command: str,
) -> None:
    config = copy.deepcopy(valid(module_emulator))
    mutate(config)
    stack.set_config(config)
    writes = emu.writes()
    args = ("preview",) if command == "preview" else ("up", "--yes", "--skip-preview")
    result = stack.run(*args, check=False, env=env)
    assert result.returncode != 0, result.stdout
    assert emu.writes() == writes
    assert expected in result.stdout + result.stderr
    assert not [s for s in SECRETS if s in result.stdout + result.stderr]
    assert resources_of(stack) == deployed


def test_preview_risk_level_any_case_is_accepted(
    stack: PulumiStack, module_emulator: EmulatorServer, deployed: str
) -> None:
    config = valid(module_emulator)
    config[B]["imp_travel"]["risk_level"] = "HIGH"
    stack.set_config(config)
    stack.run("preview", "--expect-no-changes")


def test_preview_unknown_behavior_key_warns_naming_known_keys(
    stack: PulumiStack, module_emulator: EmulatorServer, emu: Control, deployed: str
) -> None:
    config = valid(module_emulator)
    config[B]["imp_travle"] = {"enabled": True, "risk_level": "high"}
    stack.set_config(config)
    writes = emu.writes()
    result = stack.run("preview")
    assert "'imp_travle' are not ones this version of zt-risk-scoring knows" in result.stdout
    assert "high_dlp, imp_travel, sentinel_one" in result.stdout
    assert emu.writes() == writes
