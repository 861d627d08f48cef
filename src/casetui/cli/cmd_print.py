"""``casetui print``: a client's goal sheet to take home."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casetui.cli.cli_error import CliError
from casetui.cli.common import (
    accepts_older,
    client_id,
    open_to_record,
    unlocker,
    user_settings,
    vault_path,
)
from casetui.cli.parsing import CliParser, common_options


def _sections(text: str) -> tuple[str, ...]:
    """``--sections``: goal-sheet sections, comma-separated."""
    from casetui.core.printout import parse_sections

    try:
        return parse_sections(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None


def add_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    printer = commands.add_parser(
        "print",
        parents=[common],
        help="write a client's goal sheet to take home, as a page to print",
        description=(
            "Write a warm, plain-language goal sheet for the client to take home: their "
            "goals in their own words, what is being worked on and who is helping, the next "
            "check-in, and how to reach you. Never the safety plan, notes, legal matters or "
            "consents. The file is private (0600) and recorded in the audit trail."
        ),
    )
    printer.add_argument(
        "client",
        metavar="CLIENT",
        help="the client's id, calendar code, or preferred name (its start is enough)",
    )
    printer.add_argument("--out", required=True, type=Path, metavar="FILE", help="where to write")
    printer.add_argument(
        "--format",
        choices=("html", "md"),
        help="html, a page ready to print (default; md when FILE ends in .md), or md (Markdown)",
    )
    printer.add_argument(
        "--sections",
        type=_sections,
        default=None,
        metavar="LIST",
        help="which sections, comma-separated: goals,needs,checkin,contact (default: all)",
    )
    printer.add_argument("--force", action="store_true", help="replace FILE if it exists")


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from casetui.core.printout import SECTIONS
    from casetui.services.goal_sheet_print import print_goal_sheet

    path = vault_path(args)
    out: Path = args.out.expanduser()
    fmt = args.format or ("md" if out.suffix.lower() == ".md" else "html")
    if (out.exists() or out.is_symlink()) and not args.force:
        raise CliError(f"{out} already exists; choose another name, or add --force to replace it.")
    settings, notices = user_settings()
    for notice in notices:
        print(f"Note: {notice}", file=sys.stderr)
    with open_to_record(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        chosen = client_id(vault, args.client)
        printed = print_goal_sheet(
            vault,
            chosen,
            out,
            fmt=fmt,
            as_of=date.today(),
            sections=args.sections or SECTIONS,
            agency_name=settings.agency_name,
            agency_contact=settings.agency_contact,
            overwrite=args.force,
        )
        if printed.recorded:
            vault.save()
    print(f"Wrote the goal sheet ({', '.join(printed.sheet.keys)}) to {out}.")
    print(
        "It holds the client's own words: keep it private, hand it to them, and delete "
        "any copy you do not need."
    )
    return 0
