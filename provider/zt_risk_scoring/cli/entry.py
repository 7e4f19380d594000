"""zt-risk's entry point: parse, run the command, and turn every error into one redacted line and an exit code."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from ..config import API_KEY, TOKEN
from ..errors import InvalidArgument, RiskScoringError
from ..ids import id_problem
from . import parser as parser_
from .exits import EXIT_BROKEN_PIPE, EXIT_CONFIG, exit_code
from .output import shown
from .redaction import Redactor


def _report(exc: BaseException, args: argparse.Namespace) -> int:
    """One line on stderr for `exc` (after a traceback with --debug), never with a credential in it."""
    redactor: Redactor = getattr(args, "redactor", Redactor())
    if getattr(args, "debug", False):
        text = redactor("".join(traceback.format_exception(exc)))
        print("\n".join(shown(line) for line in text.splitlines()), file=sys.stderr)
    if isinstance(exc, KeyboardInterrupt):
        message = "interrupted"
    elif isinstance(exc, RiskScoringError):
        message = str(exc)
    else:
        hint = "" if getattr(args, "debug", False) else "; rerun with --debug for the traceback"
        message = f"unexpected error: {type(exc).__name__}: {exc}{hint}"
    print(f"zt-risk: {shown(redactor(message))}", file=sys.stderr)
    return exit_code(exc)


def _add_emulator(serve: argparse.ArgumentParser, argv: Sequence[str]) -> int | None:
    """`emulator serve`'s own arguments, when that is the command; an exit code when its extra is missing.

    Imported only for that command: the emulator's web server is an extra (`[emulator]`), and no other
    command, nor the providers' import graph, may need it.
    """
    if parser_.command_words(argv)[:2] != ["emulator", "serve"]:
        return None
    try:
        from ..emulator import server
    except ModuleNotFoundError as exc:
        missing = (exc.name or "werkzeug").partition(".")[0]
        print(
            f"zt-risk: the emulator needs {missing}, which a plain install leaves out: "
            "pip install 'zt-risk-scoring[emulator]'",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    server.add_arguments(serve)
    serve.set_defaults(run=server.run)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser, integ, serve = parser_.build()
    missing = _add_emulator(serve, argv)
    if missing is not None:
        return missing
    args = parser.parse_args(argv)
    if args.stack and args.config_file:  # one before the command, one after: each group saw only its own
        parser.error("argument --config-file: not allowed with argument --stack")
    # Given before and after the command, the command's own copy replaced the list: every one counts.
    named = parser_.values_before_command(argv, "--connection") + list(getattr(args, "connection", None) or [])
    args.connection = list(dict.fromkeys(named)) or None
    if len(args.connection or ()) > 1 and not (args.command == "export" and args.import_file is not None):
        parser.error("argument --connection: give one; several go only with export --import-file")
    if args.command == "integrations":
        if args.action != "list" and not args.value:
            integ.error(f"integrations {args.action} needs a value")
        if args.action == "list" and args.value:
            integ.error("integrations list takes no value")
        problem = args.value and id_problem(parser_.INTEGRATION_VALUE_KINDS[args.action], args.value)
        if problem:
            integ.error(f"argument ID|REF: {problem}")
    if args.command == "export" and (problem := parser_.export_problem(args)):
        return _report(InvalidArgument(problem), args)
    # Known before anything runs, so that even an error while resolving them is redacted.
    args.redactor = Redactor([os.environ.get(TOKEN[1]), os.environ.get(API_KEY[1])])
    try:
        code: int = args.run(args)
        sys.stdout.flush()  # what is still buffered fails here, not in the interpreter's flush after main returns
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 - the one place every error becomes one line
        return _report(exc, args)


def _stdout_closed() -> int:
    """End quietly: stdout pointed at /dev/null, so the interpreter's last flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # a stdout without a file descriptor (replaced, or already closed)
        pass
    return EXIT_BROKEN_PIPE
