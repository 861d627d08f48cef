"""The entry point: build the parser from the command modules, run the command given.

See :mod:`casetui.cli` for the exit codes.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from casetui.cli import (
    cmd_app,
    cmd_backups,
    cmd_calendar,
    cmd_config,
    cmd_erase,
    cmd_funding,
    cmd_interchange,
    cmd_keys,
    cmd_print,
    cmd_recipients,
    cmd_report,
    cmd_sheets,
)
from casetui.cli.cli_error import CliError
from casetui.cli.common import print_problems
from casetui.cli.parsing import CliParser, common_options, masked_option, read_only_option
from casetui.cli.prompts import PASSPHRASE_ENV

# Each adds one command to the parser; their order is the order 'casetui --help' lists.
PARSERS: tuple[Callable[[argparse._SubParsersAction[CliParser]], None], ...] = (
    cmd_keys.add_init_parser,
    cmd_interchange.add_import_parser,
    cmd_interchange.add_export_parser,
    cmd_sheets.add_parser,
    cmd_calendar.add_parser,
    cmd_backups.add_check_parser,
    cmd_backups.add_restore_parser,
    cmd_erase.add_erase_parser,
    cmd_erase.add_remove_parser,
    cmd_funding.add_parser,
    cmd_keys.add_passwd_parser,
    cmd_keys.add_rotate_key_parser,
    cmd_recipients.add_parser,
    cmd_keys.add_keygen_parser,
    cmd_keys.add_recovery_key_parser,
    cmd_app.add_open_parser,
    cmd_app.add_demo_parser,
    cmd_report.add_report_parser,
    cmd_report.add_audit_parser,
    cmd_print.add_parser,
    cmd_config.add_parser,
)

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "open": cmd_app.run_open,
    "demo": cmd_app.run_demo,
    "init": cmd_keys.run_init,
    "import": cmd_interchange.run_import,
    "export": cmd_interchange.run_export,
    "calendar": cmd_calendar.run,
    "check": cmd_backups.run_check,
    "passwd": cmd_keys.run_passwd,
    "restore": cmd_backups.run_restore,
    "erase": cmd_erase.run_erase,
    "remove": cmd_erase.run_remove,
    "funding": cmd_funding.run,
    "rotate-key": cmd_keys.run_rotate_key,
    "recipients": cmd_recipients.run,
    "keygen": cmd_keys.run_keygen,
    "recovery-key": cmd_keys.run_recovery_key,
    "config": cmd_config.run,
    "audit": cmd_report.run_audit,
    "report": cmd_report.run_report,
    "print": cmd_print.run,
    "import-csv": cmd_sheets.run,
}


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = CliParser(
        prog="casetui",
        parents=[common],
        description=(
            "Private, offline case management for advocates who support survivors. "
            "Everything lives in one age-encrypted vault on this computer."
        ),
        epilog=(
            f"Unlocking: you are asked for the passphrase, or set {PASSPHRASE_ENV} for "
            "scripts. Run 'casetui COMMAND --help' for details of a command."
        ),
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    masked_option(parser)
    read_only_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CliParser)
    for add in PARSERS:
        add(commands)
    return parser


def _chosen_parser(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Any:
    """The parser of the (sub)command ``args`` chose: 'casetui report stats', say."""
    while True:
        chosen = None
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                name = getattr(args, action.dest, None)
                chosen = action.choices.get(name) if name is not None else None
                break
        if chosen is None:
            return parser
        parser = chosen


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.version:
        from casetui import __version__

        print(f"casetui {__version__}")
        return 0
    if args.command is None:
        return cmd_app.run_open(args)
    return COMMANDS[args.command](args)


class OutputFailed(Exception):
    """Writing to standard output failed: a closed pipe, a full disk, ..."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror)
        self.error = error


class _Output:
    """Standard output for one command, so a failed write is told apart from other errors.

    A command that fails writing its vault reports that itself; an OSError from
    here means only the output could not be written (``| head`` closed the pipe,
    or ``> /dev/full``), which deserves neither a crash report nor a vault message.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError as exc:
            raise OutputFailed(exc) from None

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as exc:
            raise OutputFailed(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _output_failed(stream: TextIO, error: OSError) -> int:
    """End quietly on a closed pipe (as Unix tools do), in one sentence otherwise.

    Standard output is pointed at /dev/null first, as the Python documentation
    advises, so the flush at exit does not fail again with a traceback.
    """
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    if isinstance(error, BrokenPipeError):
        return 128 + signal.SIGPIPE
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full"
    else:
        reason = (error.strerror or type(error).__name__).lower()
    print(f"casetui: could not write the output: {reason}.", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:  # as parse_args does, but pointing at the help of the command given
        _chosen_parser(parser, args).error(f"unrecognized arguments: {' '.join(extras)}")
    stdout = sys.stdout
    output = _Output(stdout)
    sys.stdout = output
    try:
        code = run(args, parser)
        sys.stdout.flush()  # here, so a failure is caught below rather than at exit
        return code
    except OutputFailed as exc:
        return _output_failed(stdout, exc.error)
    except CliError as exc:
        see = f" See '{exc.see} --help'." if exc.see else ""
        print(f"casetui: {exc.message}{see}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\ncasetui: cancelled; nothing more was changed.", file=sys.stderr)
        return 130
    except Exception as exc:
        from casetui.core.errors import ImportRejected, VaultDataError, VaultError

        if isinstance(exc, ImportRejected | VaultDataError) and exc.problems:
            print_problems(exc.problems)
        if isinstance(exc, VaultError):
            print(f"casetui: {exc.message}", file=sys.stderr)
            return exc.exit_code
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            print(
                "casetui: the disk is full, so casetui could not write what it needed; "
                "free some space and try again.",
                file=sys.stderr,
            )
            return 1
        from casetui.crash import write_crash_report

        # Neither the message nor a traceback is shown: either can hold case details.
        report = write_crash_report(exc)
        where = (
            f"A crash report without any case details is at {report}; "
            "please send it with your report."
            if report is not None
            else "Please report it; this message holds no case data."
        )
        print(
            f"casetui: something unexpected went wrong ({type(exc).__name__}); nothing more "
            f"was saved. {where}",
            file=sys.stderr,
        )
        return 70
    finally:
        if sys.stdout is output:
            sys.stdout = stdout
