"""Stack program: risk behaviors and Okta risk-sharing integrations, from this stack's config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi

from zt_risk_scoring import RiskBehaviors, RiskIntegration
from zt_risk_scoring.behaviors import FIELDS as BEHAVIORS_FIELDS
from zt_risk_scoring.behaviors import SHAPE as BEHAVIORS_SHAPE
from zt_risk_scoring.integration_schema import FIELDS as INTEGRATION_FIELDS
from zt_risk_scoring.pulumi_private import program_config

# Project keys: RiskBehaviors' fields (its one table), the integrations list, and the client's time limits.
PROJECT_KEYS = {"apiTimeout", "apiDeadline", "integrations", *BEHAVIORS_FIELDS.config_keys()}
# Item keys: RiskIntegration's own fields (its one table) plus what this program adds around them.
ITEM_FIELDS = INTEGRATION_FIELDS.config_keys()
ITEM_KEYS = {"name", "referenceFrom", "retainOnDelete", *ITEM_FIELDS}
REFERENCE_FORM = "<organization>/<project>/<stack>#<output>, e.g. organization/access-idps/prod#oktaIdpId"
ITEM_EXAMPLE = "{name: corp, tenantUrl: https://corp.okta.com, referenceId: <IdP id> | referenceFrom: <stack>#<output>}"


def kind(value: Any) -> str:
    """How a YAML user would call this value's type."""
    if isinstance(value, Mapping):
        return "a map"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else type(value).__name__


def config_object(config: pulumi.Config, key: str) -> Any:
    """The key's value as YAML wrote it; a plain string stays a string (get_object would raise on it)."""
    raw = config.get(key)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def unknown_config_keys(config: pulumi.Config) -> list[str]:
    """This project's config keys that the program does not read."""
    every = program_config()
    prefix = f"{config.name}:"
    return sorted(k for k in every if k.startswith(prefix) and k.removeprefix(prefix) not in PROJECT_KEYS)


def item_problems(where: str, item: Any) -> list[str]:
    """What is wrong with one `integrations` item, each naming the setting and the fix."""
    if not isinstance(item, Mapping):
        return [f"{where} is {kind(item)}; each item must be a map like {ITEM_EXAMPLE}"]
    problems = []
    extra = sorted(map(str, set(item) - ITEM_KEYS))
    if extra:
        problems.append(f"{where}: unknown key(s) {', '.join(extra)}; known keys: {', '.join(sorted(ITEM_KEYS))}")
    if not isinstance(item.get("name"), str) or not item["name"]:
        problems.append(f"{where}: name must be a non-empty string (the resource's name in this stack)")
    if "tenantUrl" not in item:
        problems.append(f"{where}: needs tenantUrl, the Okta tenant's https URL")
    if "referenceId" in item and "referenceFrom" in item:
        problems.append(f"{where}: set referenceId or referenceFrom, not both")
    if "referenceFrom" in item and not reference_parts(item["referenceFrom"]):
        problems.append(f"{where}: referenceFrom must be {REFERENCE_FORM}; got {item['referenceFrom']!r}")
    if not isinstance(item.get("retainOnDelete", False), bool):
        problems.append(f"{where}: retainOnDelete must be true or false")
    return problems


def reference_parts(spec: Any) -> tuple[str, str] | None:
    """(stack, output) of a well-formed referenceFrom, else None."""
    if not isinstance(spec, str):
        return None
    stack, _, output = spec.partition("#")
    parts = stack.split("/")
    if len(parts) != 3 or not all(parts) or not output or "#" in output:
        return None
    return stack, output


def config_problems(config: pulumi.Config, behaviors: Any, integrations: Any) -> list[str]:
    """Every mistake in the stack config the program itself can see, before anything is registered."""
    ns, problems = config.name, []
    unknown = unknown_config_keys(config)
    if unknown:
        known = ", ".join(f"{ns}:{k}" for k in sorted(PROJECT_KEYS))
        problems.append(f"unknown config key(s) {', '.join(unknown)}; known keys: {known}")
    if behaviors is not None and (not isinstance(behaviors, Mapping) or not behaviors):
        problems.append(f"{ns}:behaviors must be {BEHAVIORS_SHAPE}; got {kind(behaviors)}")
    if integrations is None:
        return problems
    if not isinstance(integrations, list):
        return [*problems, f"{ns}:integrations must be a list of maps like {ITEM_EXAMPLE}; got {kind(integrations)}"]
    names: dict[str, int] = {}
    for n, item in enumerate(integrations):
        problems += item_problems(item_where(ns, n, item), item)
        name = item.get("name") if isinstance(item, Mapping) else None
        if isinstance(name, str) and name in names:
            problems.append(f"{item_where(ns, n, item)}: name {name!r} is already used by item {names[name]}")
        elif isinstance(name, str):
            names[name] = n
    return problems


def item_where(namespace: str, n: int, item: Any) -> str:
    """How messages name an item: its index, and its name when it has one."""
    name = item.get("name") if isinstance(item, Mapping) else None
    return f"{namespace}:integrations[{n}]" + (f" ({name})" if isinstance(name, str) and name else "")


def referenced(where: str, stack: str, output: str, stacks: dict[str, pulumi.StackReference]) -> pulumi.Output[Any]:
    """Output `output` of stack `stack` (`<organization>/<project>/<stack>`), which must be a string."""
    if stack not in stacks:
        stacks[stack] = pulumi.StackReference(stack)

    def present(value: Any) -> Any:
        # A stack that exists but was never applied (or lost the output) reads as known and empty, at
        # preview too: without this check the integration would get a generated reference id, not the IdP's.
        if value is None:
            raise pulumi.RunError(
                f"{where}.referenceFrom: stack {stack} has no output {output!r}. Apply that stack first "
                f"(pulumi up in its project), or correct the name after '#' "
                f"(pulumi stack output --stack {stack} lists its outputs)"
            )
        if not isinstance(value, str):
            raise pulumi.RunError(
                f"{where}.referenceFrom: output {output!r} of stack {stack} is {kind(value)}; "
                "export the identity provider's id itself (a string)"
            )
        return value

    return stacks[stack].get_output(output).apply(present)


def main() -> None:
    """Register what the config declares; refuse the whole config if any part of it is wrong."""
    config = pulumi.Config()
    behaviors = config_object(config, "behaviors")
    integrations = config_object(config, "integrations")
    problems = config_problems(config, behaviors, integrations)
    if problems:
        raise pulumi.RunError("\n".join(problems))
    # `connection` here is every resource's default. A resource without an accountId takes its connection's
    # account: `NAME:accountId`, or for the default connection zt-risk-scoring:accountId, then cloudflare:accountId /
    # CLOUDFLARE_ACCOUNT_ID (as `zt-risk --stack` reads them).
    connection = config.get("connection") or BEHAVIORS_FIELDS["connection"].default
    default = BEHAVIORS_FIELDS["connection"].default

    def account_of(connection_name: str) -> str | None:
        return config.get("accountId") if connection_name == default else None

    account_id = account_of(connection)

    if behaviors is not None:
        RiskBehaviors(
            "risk-behaviors",
            behaviors=behaviors,
            account_id=account_id,
            on_delete=config.get("behaviorsOnDelete") or BEHAVIORS_FIELDS["on_delete"].default,
            connection=connection,
        )

    stacks: dict[str, pulumi.StackReference] = {}
    exported: dict[str, Any] = {}
    for n, item in enumerate(integrations or []):
        parts = reference_parts(item.get("referenceFrom"))  # config_problems refused a malformed one
        where = item_where(config.name, n, item)
        reference = referenced(where, *parts, stacks) if parts else item.get("referenceId")
        arguments = {ITEM_FIELDS[k]: v for k, v in item.items() if k in ITEM_FIELDS}
        arguments.setdefault("connection", connection)
        arguments.update(reference_id=reference, account_id=item.get("accountId", account_of(arguments["connection"])))
        integration = RiskIntegration(
            item["name"],
            **arguments,
            opts=pulumi.ResourceOptions(retain_on_delete=item.get("retainOnDelete", False)),
        )
        exported[item["name"]] = {
            "id": integration.id,
            "well_known_url": integration.well_known_url,
            "reference_id": integration.reference_id,
        }
    pulumi.export("integrations", exported)


main()
