"""`zt-risk`: operator commands against the Risk Scoring API, export of the live account, and the emulator."""

from .entry import main
from .exits import (
    EXIT_ABORTED,
    EXIT_API,
    EXIT_BROKEN_PIPE,
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
)

__all__ = [
    "EXIT_ABORTED",
    "EXIT_API",
    "EXIT_BROKEN_PIPE",
    "EXIT_CONFIG",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "main",
]
