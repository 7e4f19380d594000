"""`zt-risk`: operator commands against the Risk Scoring API, and the local emulator."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zt-risk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    emulator = commands.add_parser("emulator", help="the local emulator of the API")
    emulator_commands = emulator.add_subparsers(dest="emulator_command", required=True)
    serve = emulator_commands.add_parser("serve", help="serve the emulator until SIGTERM/SIGINT")
    # Imported here so the providers' import graph never reaches the emulator.
    from .emulator import server

    server.add_arguments(serve)
    args = parser.parse_args(argv)
    if args.command == "emulator":
        return server.run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
