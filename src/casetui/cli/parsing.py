"""The parser class every command uses, and the options several commands share."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn


class CliParser(argparse.ArgumentParser):
    """Errors in one sentence, pointing at the help of the command that was given."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"casetui: {message}; see '{self.prog} --help'.\n")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if isinstance(action, argparse._SubParsersAction) and value not in action.choices:
            self._not_a_command(str(value), [str(name) for name in action.choices])
        super()._check_value(action, value)

    def _not_a_command(self, typed: str, names: Sequence[str]) -> NoReturn:
        """'reprot' is not a command: say so, and which command was likely meant."""
        from difflib import get_close_matches

        from casetui.core.text import printable

        above = self.prog.removeprefix("casetui").strip()  # "report" for 'report stat'
        given = f"{above} {printable(typed[:40])}".strip()
        close = get_close_matches(typed, names, n=1)
        hint = f" Did you mean '{f'{above} {close[0]}'.strip()}'?" if close else ""
        self.print_usage(sys.stderr)
        self.exit(2, f"casetui: '{given}' is not a command.{hint} See '{self.prog} --help'.\n")


def common_options(required: bool = False) -> CliParser:
    common = CliParser(add_help=False)
    common.add_argument(
        "--vault",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS,
        help="the vault (default: $CASETUI_VAULT, or vault.age in your data folder)",
    )
    common.add_argument(
        "--identity",
        metavar="FILE",
        type=Path,
        default=argparse.SUPPRESS,
        help="unlock with an age identity file or an unencrypted SSH key instead of the passphrase",
    )
    common.add_argument(
        "--accept-older-copy",
        action="store_true",
        default=argparse.SUPPRESS,
        help="you put back an older copy of the vault on purpose: treat it as the current one",
    )
    return common


def masked_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: "casetui --masked open" must not be undone by open's own default.
    parser.add_argument(
        "--masked",
        action="store_true",
        default=argparse.SUPPRESS,
        help=(
            "start with screen sharing on: clients shown only by their neutral calendar code, "
            "notes hidden (F9 turns it off)"
        ),
    )


def read_only_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help=(
            "open the vault only to look: nothing can be changed or saved, and another "
            "casetui may have it open for writing at the same time"
        ),
    )
