"""The SDKs of the ztrisk component provider for TypeScript, Go and C#: `pulumi package gen-sdk` generates each
from the provider's schema, and each compiles (tsc, go build; dotnet build where the machine has .NET)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sdks import GO_SDK, gen_sdk, npm_install, run, write_schema

COMPONENTS = ["Integration", "Behaviors"]


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return write_schema(tmp_path_factory.mktemp("schema"))


@pytest.fixture(scope="module")
def typescript(tmp_path_factory: pytest.TempPathFactory, schema: tuple[Path, dict[str, Any]]) -> Path:
    """The TypeScript SDK, generated once for this module's tests."""
    return gen_sdk(schema[0], "nodejs", tmp_path_factory.mktemp("typescript") / "sdk")


def inputs(raw: dict[str, Any], component: str) -> set[str]:
    return set(raw["resources"][f"ztrisk:index:{component}"]["inputProperties"])


def test_gen_sdk_of_typescript_compiles_with_tsc(typescript: Path) -> None:
    sdk = typescript
    npm_install(sdk)
    run(["npm", "run", "build"], sdk)
    declared = {c: (sdk / "bin" / f"{c.lower()}.d.ts").read_text() for c in COMPONENTS}
    for component, text in declared.items():
        assert f"export declare class {component} extends pulumi.ComponentResource" in text


@pytest.mark.parametrize("component", COMPONENTS)
def test_gen_sdk_of_typescript_takes_the_schemas_inputs(
    typescript: Path, schema: tuple[Path, dict[str, Any]], component: str
) -> None:
    # The schema's inputs are the field table's (tests/unit/test_component.py); the SDK's are the schema's.
    source = (typescript / f"{component.lower()}.ts").read_text()
    args = source.split(f"export interface {component}Args {{")[1].split("\n}")[0]
    assert set(re.findall(r"^\s+(\w+)\??:", args, re.MULTILINE)) == inputs(schema[1], component)


def test_gen_sdk_of_go_builds(tmp_path: Path, schema: tuple[Path, dict[str, Any]]) -> None:
    sdk = gen_sdk(schema[0], "go", tmp_path / "sdk")
    # The generator writes the packages and the import path they use, not a go.mod: the module is that path.
    internal = re.search(r'"(\S+)/ztrisk/internal"', (sdk / "ztrisk" / "integration.go").read_text())
    assert internal, "the generated package imports no internal package"
    env = {"GOFLAGS": "-mod=mod", "GONOSUMDB": "github.com/pulumi/pulumi", "CGO_ENABLED": "0"}
    run(["go", "mod", "init", internal[1]], sdk, env)
    run(["go", "get", f"github.com/pulumi/pulumi/sdk/v3@{GO_SDK}"], sdk, env)
    run(["go", "mod", "tidy"], sdk, env)
    run(["go", "build", "./..."], sdk, env)
    run(["go", "vet", "./..."], sdk, env)


def test_gen_sdk_of_csharp_writes_a_project_with_both_components(
    tmp_path: Path, schema: tuple[Path, dict[str, Any]]
) -> None:
    sdk = gen_sdk(schema[0], "dotnet", tmp_path / "sdk")
    assert (sdk / "Pulumi.Ztrisk.csproj").exists()
    for component in COMPONENTS:
        assert (
            f"public partial class {component} : global::Pulumi.ComponentResource"
            in (sdk / f"{component}.cs").read_text()
        )


@pytest.mark.skipif(shutil.which("dotnet") is None, reason="no .NET SDK (dotnet) on this machine to compile C# with")
def test_gen_sdk_of_csharp_builds(tmp_path: Path, schema: tuple[Path, dict[str, Any]]) -> None:
    run(["dotnet", "build"], gen_sdk(schema[0], "dotnet", tmp_path / "sdk"))
