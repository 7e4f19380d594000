"""Each private Pulumi SDK API this package uses (zt_risk_scoring.pulumi_private), on the SDK installed.

`make test` runs this on the newest pinned SDK, `make test-min` on the declared floor: an SDK release that
moves one of them fails here.
"""

from __future__ import annotations

import ast
import base64
import importlib.util
import pickle
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from zt_risk_scoring import RiskIntegration, RiskIntegrationProvider
from zt_risk_scoring.errors import ConfigurationError, RiskScoringError
from zt_risk_scoring.pulumi_private import (
    calling_urn,
    child_resources,
    current_run,
    program_config,
    report_as_messages,
    serialized_provider,
    type_token,
    unknown_output,
)


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocked() -> Iterator[None]:
    pulumi.runtime.set_mocks(_Mocks(), project="p", stack="s", preview=True)
    yield
    pulumi.runtime.set_all_config({})


def test_type_token_of_dynamic_resource_is_the_engines() -> None:
    assert type_token(RiskIntegration) == "pulumi-python:dynamic/zt_risk_scoring:RiskIntegration"


def test_serialized_provider_unpickles_to_the_provider_class() -> None:
    text, secret = serialized_provider(RiskIntegrationProvider())
    assert secret is False
    assert type(pickle.loads(base64.b64decode(text))) is RiskIntegrationProvider


@pulumi.runtime.test
def test_child_resources_of_component_lists_its_children(mocked: None) -> Any:
    parent = pulumi.ComponentResource("test:index:Group", "group")
    child = pulumi.ComponentResource("test:index:Part", "part", opts=pulumi.ResourceOptions(parent=parent))
    assert list(child_resources(parent)) == [child]
    return parent.urn


@pulumi.runtime.test
def test_unknown_output_is_not_known(mocked: None) -> Any:
    async def known() -> None:
        assert await unknown_output().is_known() is False

    return pulumi.Output.from_input(known())


@pulumi.runtime.test
def test_current_run_of_each_set_mocks_is_another(mocked: None) -> Any:
    first = current_run()
    pulumi.runtime.set_mocks(_Mocks(), project="p", stack="s", preview=True)  # a user's next unit test
    assert first is not None and current_run() is not None and current_run() is not first
    return pulumi.Output.from_input(True)


@pytest.fixture
def runtime_config() -> Iterator[None]:
    """The runtime's config store, emptied afterwards (no mocks: they leave RPCs pending without a test loop)."""
    yield
    pulumi.runtime.set_all_config({})


def test_program_config_merges_env_and_runtime_store(runtime_config: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG", '{"cloudflare:accountId": "from-env"}')
    pulumi.runtime.set_all_config({"zt-risk-scoring:behaviors": "{}"})
    assert program_config() == {"cloudflare:accountId": "from-env", "zt-risk-scoring:behaviors": "{}"}


def _dynamic_host() -> types.ModuleType:
    """The SDK's dynamic provider host (`python -m pulumi.dynamic`) loaded as a module, without serving."""
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    serving = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    tree.body = [n for n in tree.body if n not in serving]  # the module ends by calling main()
    host = types.ModuleType("dynamic_host")
    exec(compile(tree, spec.origin, "exec"), host.__dict__)  # the installed SDK's own source
    return host


class _Context:
    """What the host's servicer gets from grpc: abort() records what the engine would be told."""

    details = ""

    def abort(self, _code: object, details: str) -> None:
        self.details = details
        raise RuntimeError("aborted")


def _reported(host: types.ModuleType, error: Exception) -> str:
    def call(_self: object, _request: object, _context: object) -> None:
        raise error

    wrapped: Callable[[object, object, _Context], None] = host._abort_with_traceback(call)
    context = _Context()
    with pytest.raises(RuntimeError, match="aborted"):
        wrapped(None, None, context)
    return context.details


# Newer SDKs' hosts wrap each call and send the engine traceback.format_exc(); older ones (the 3.216 floor)
# let grpc report the exception, which it does as its message, so there is nothing to change there.
WRAPPED = hasattr(_dynamic_host(), "_abort_with_traceback")
needs_wrapper = pytest.mark.skipif(not WRAPPED, reason="this SDK's host reports an exception as its message")


@needs_wrapper
def test_report_of_dynamic_host_without_hook_is_a_traceback() -> None:
    assert "Traceback (most recent call last)" in _reported(_dynamic_host(), ConfigurationError("set x"))


@needs_wrapper
def test_report_as_messages_in_dynamic_host_sends_our_error_as_its_message() -> None:
    host = _dynamic_host()
    assert report_as_messages((RiskScoringError,), host) is True
    assert _reported(host, ConfigurationError("cloudflare:baseUrl is wrong; set it to the API root")) == (
        "cloudflare:baseUrl is wrong; set it to the API root"
    )


@needs_wrapper
def test_report_as_messages_in_dynamic_host_keeps_traceback_of_a_bug() -> None:
    host = _dynamic_host()
    report_as_messages((RiskScoringError,), host)
    reported = _reported(host, KeyError("tenant_url"))
    assert "Traceback (most recent call last)" in reported and "KeyError: 'tenant_url'" in reported


@pytest.mark.skipif(WRAPPED, reason="this SDK's host wraps each call")
def test_report_as_messages_in_dynamic_host_without_wrapper_changes_nothing() -> None:
    host = _dynamic_host()
    before = host.__dict__.get("traceback")
    assert report_as_messages((RiskScoringError,), host) is False
    assert host.__dict__.get("traceback") is before


def test_report_as_messages_outside_dynamic_host_changes_nothing() -> None:
    assert report_as_messages((RiskScoringError,), types.ModuleType("program")) is False


URN = "urn:pulumi:dev::proj::pulumi-python:dynamic/zt_risk_scoring:RiskIntegration::corp"


def _struct(values: dict[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    made = struct_pb2.Struct()
    made.update(values)
    return made


@pytest.mark.parametrize("method", ["Check", "Create"])
def test_calling_urn_in_dynamic_host_is_the_requests(method: str) -> None:
    from pulumi.runtime.proto import provider_pb2

    from tests.unit.urn_probe import UrnProbe

    host = _dynamic_host()
    servicer = host.DynamicResourceProviderServicer()
    servicer._config = {}
    props = _struct({"__provider": serialized_provider(UrnProbe())[0], "tenant_url": "https://corp.okta.com"})
    request = (
        provider_pb2.CheckRequest(urn=URN, olds=_struct({}), news=props)
        if method == "Check"
        else provider_pb2.CreateRequest(urn=URN, properties=props)
    )
    UrnProbe.seen.clear()
    getattr(servicer, method)(request, _Context())
    assert UrnProbe.seen == [URN]


def test_calling_urn_outside_dynamic_host_is_none() -> None:
    assert calling_urn() is None
