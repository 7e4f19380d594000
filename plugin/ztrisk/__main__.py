"""The ztrisk component provider's entry point: the engine runs it with its own arguments."""

import sys

from zt_risk_scoring.component import serve

if __name__ == "__main__":
    serve(sys.argv[1:])
