"""A stateful local emulator of Cloudflare's Zero Trust Risk Scoring API (never imported by the providers)."""

from .app import EmulatorApp
from .models import RiskScoringBackend
from .server import EmulatorServer, build_app

__all__ = ["EmulatorApp", "EmulatorServer", "RiskScoringBackend", "build_app"]
