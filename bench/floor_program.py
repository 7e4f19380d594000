"""Engine floor for `make bench`: the same number of dynamic resources, none of which calls an API."""

from __future__ import annotations

import pulumi
from floor_provider import Noop

config = pulumi.Config()
value = config.get("value") or "a"
Noop("behaviors", value)
for n in range(int(config.get("count") or "0")):
    Noop(f"integration-{n}", value)
