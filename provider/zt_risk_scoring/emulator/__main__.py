"""`python -m zt_risk_scoring.emulator`: serve the emulator."""

import sys

from .server import main

sys.exit(main())
