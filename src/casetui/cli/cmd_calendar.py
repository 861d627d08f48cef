"""``casetui calendar``: your coming weeks as an .ics file for a calendar app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from casetui.cli.cli_error import CliError
from casetui.cli.common import accepts_older, open_to_record, record, unlocker, vault_path
from casetui.cli.parsing import CliParser, common_options
from casetui.core.text import plural

if TYPE_CHECKING:
    from casetui.vault.vault import Vault

MAX_LISTED_STAFF = 10
MIN_WEEKS, MAX_WEEKS = 1, 52


def _weeks(text: str) -> int:
    """``--weeks``: a whole number of weeks from 1 to 52."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not MIN_WEEKS <= value <= MAX_WEEKS:
        raise argparse.ArgumentTypeError(
            f"{text[:20]!r} is not a whole number of weeks from {MIN_WEEKS} to {MAX_WEEKS}"
        )
    return value


def add_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    cal = commands.add_parser(
        "calendar",
        parents=[common],
        help="write your coming weeks to an .ics file for a calendar app",
        description=(
            "Write your time blocks, your clients' planned meetings and the check-ins "
            "falling due to an iCalendar (.ics) file, in this computer's time zone. "
            "Clients appear only as their calendar code (a neutral code made at random "
            "and kept for any client without one), unless you add --with-initials or "
            "--with-names; nothing else from their records is written."
        ),
    )
    cal.add_argument("--out", required=True, type=Path, metavar="FILE", help="where to write")
    cal.add_argument(
        "--weeks",
        type=_weeks,
        default=4,
        metavar="N",
        help="how many weeks from today to include, 1 to 52 (default: 4)",
    )
    shown = cal.add_mutually_exclusive_group()
    shown.add_argument(
        "--with-initials",
        action="store_true",
        help="show clients' initials instead of their codes",
    )
    shown.add_argument(
        "--with-names",
        action="store_true",
        help="show clients' preferred names instead of codes (keep the file private!)",
    )
    cal.add_argument("--force", action="store_true", help="replace FILE if it exists")
    cal.add_argument(
        "--staff",
        metavar="ID",
        help="the case manager's id (default: the vault's own case manager)",
    )


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from casetui.core.choices import AuditAction
    from casetui.services.calendar_feed import local_zone, write_calendar

    path = vault_path(args)
    out: Path = args.out.expanduser()
    zone = local_zone()
    with open_to_record(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        staff_id = _calendar_staff(vault, args.staff)
        calendar = write_calendar(
            vault,
            out,
            staff_id=staff_id,
            as_of=date.today(),
            zone=zone,
            weeks=args.weeks,
            with_names=args.with_names,
            with_initials=args.with_initials,
            overwrite=args.force,
        )
        names = (
            "with names"
            if args.with_names
            else "with initials"
            if args.with_initials
            else "without names"
        )
        weeks = f"{args.weeks} week{'' if args.weeks == 1 else 's'}"
        record(vault, AuditAction.CALENDAR_EXPORTED, f"{weeks}, {names}")
    if args.with_names:
        print(
            f"Warning: {out} holds clients' names. Keep it private: off shared and synced "
            "folders and shared calendars, and delete it when you are done.",
            file=sys.stderr,
        )
    where = zone.key if zone is not None else "UTC"
    print(
        f"Wrote {plural(calendar.events, 'event')} for the next "
        f"{plural(args.weeks, 'week')} to {out}: {plural(calendar.blocks, 'time block')}, "
        f"{plural(calendar.meetings, 'meeting')}, {plural(calendar.checkins, 'check-in')}, "
        f"in {where} time."
    )
    return 0


def _calendar_staff(vault: Vault, given: str | None) -> str:
    """Whose calendar: ``--staff``, or the vault's own case manager; else say who there is."""
    staff = vault.repo.staff.raw()
    if given is not None and given in staff:
        return given
    if given is None and vault.owner_staff_id:
        return vault.owner_staff_id
    from casetui.core.text import printable

    if given is None:
        problem = "This vault has no case manager of its own, so say whose calendar to write"
    else:
        problem = f"There is no case manager with the id {printable(given[:64])!r}"
    if not staff:
        raise CliError(f"{problem}; this vault has no case managers yet: add one in casetui.")
    listed = sorted(staff.items(), key=lambda item: str(item[1].get("name", "")).casefold())
    names = [
        f"{printable(sid)} ({printable(str(raw.get('name', '')).strip()) or 'no name'})"
        for sid, raw in listed[:MAX_LISTED_STAFF]
    ]
    if len(listed) > MAX_LISTED_STAFF:
        names.append(f"and {len(listed) - MAX_LISTED_STAFF} more")
    listing = ", ".join(names)
    raise CliError(f"{problem}: give --staff ID, one of {listing}.", 2, "casetui calendar")
