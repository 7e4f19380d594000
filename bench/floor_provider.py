"""The engine floor's resource: a dynamic resource whose provider makes no API call.

Imported from a module (copied next to the floor program), as zt_risk_scoring's providers are, so both are pickled by
reference and the floor measures the engine, not dill pickling a class by value.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult


class _Noop(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(props["key"]), props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=olds.get("value") != news.get("value"))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)


class Noop(pulumi.dynamic.Resource):
    def __init__(self, name: str, value: Any) -> None:
        super().__init__(_Noop(), name, {"key": name, "value": value})
