"""The SDK generators and the TypeScript example follow the Pulumi version the project pins (scripts/ensure-pulumi)."""

from __future__ import annotations

import json
import re

from harness import ROOT

PINNED = re.search(r'PULUMI_VERSION="\$\{PULUMI_VERSION:-([0-9.]+)\}"', (ROOT / "scripts/ensure-pulumi").read_text())


def test_codegen_module_requires_the_pinned_pulumi_version() -> None:
    # The generators are the ones the pinned CLI's own hosts call: pkg/v3 and sdk/v3 of its version.
    assert PINNED
    required = re.findall(
        r"github.com/pulumi/pulumi/(pkg|sdk)/v3 (v\S+)", (ROOT / "scripts/codegen/go.mod").read_text()
    )
    assert sorted(required) == [("pkg", f"v{PINNED[1]}"), ("sdk", f"v{PINNED[1]}")]


def test_typescript_example_pins_the_nodejs_sdk_of_the_pinned_version() -> None:
    assert PINNED
    package = json.loads((ROOT / "examples/okta-risk-ts/package.json").read_text())
    assert package["dependencies"]["@pulumi/pulumi"] == PINNED[1]
