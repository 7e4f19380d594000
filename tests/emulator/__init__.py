"""Tests of the emulator: contract, robustness, server, control plane and independence."""

from pathlib import Path

# Vendored so a fresh clone tests against the same subset (provenance in spec/README.md).
SPEC = Path(__file__).resolve().parent / "spec" / "zt_risk_scoring.openapi.json"
