"""zt-risk's exit codes, and which one an error ends the command with."""

from __future__ import annotations

from ..errors import ConfigurationError, InvalidArgument, NotFound

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_CONFIG, EXIT_NOT_FOUND, EXIT_ABORTED = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
# The reader of stdout went away (`| head`): the status a shell reports for any tool SIGPIPE ends (128 + 13),
# so `set -o pipefail` sees the same as for `cat`, and output that was cut short is not reported as success.
EXIT_BROKEN_PIPE = 141


def exit_code(exc: BaseException) -> int:
    """The exit code for an error that ends the command."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, ConfigurationError):
        return EXIT_CONFIG
    if isinstance(exc, InvalidArgument):
        return EXIT_USAGE
    return EXIT_NOT_FOUND if isinstance(exc, NotFound) else EXIT_API
