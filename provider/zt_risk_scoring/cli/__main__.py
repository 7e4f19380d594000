"""`python -m zt_risk_scoring.cli`: the same as `zt-risk`."""

import sys

from .entry import main

sys.exit(main())
