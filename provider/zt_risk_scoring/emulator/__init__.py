"""A stateful local emulator of Cloudflare's Zero Trust Risk Scoring API (never imported by the providers)."""

from .app import EmulatorApp
from .models import DEFAULT_CATALOGUE, RiskScoringBackend
from .server import EmulatorServer, build_app

__all__ = ["DEFAULT_CATALOGUE", "EmulatorApp", "EmulatorServer", "RiskScoringBackend", "build_app"]
