"""The ``casetui`` command line.

Only argparse and the standard library load at start-up, so ``casetui --help``
is quick; each command imports what it needs when it runs. Every failure is
reported as one sentence on stderr with a non-zero exit code, never a traceback:

    0  all is well          2  the command line was wrong
    1  something is wrong   3  the vault is open elsewhere
  130  cancelled (Ctrl+C)  70  an unexpected internal error
  141  the output's reader went away (``casetui audit | head``): quietly, as Unix tools do
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from casetui.core.text import plural

if TYPE_CHECKING:
    from datetime import date

    from casetui.config import Settings
    from casetui.core.choices import AuditAction
    from casetui.core.periods import Period
    from casetui.services.interchange import StaffMatch
    from casetui.vault.keys import RecipientEntry
    from casetui.vault.unlocking import Unlocker
    from casetui.vault.vault import Vault

PASSPHRASE_ENV = "CASETUI_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
NEW_PASSPHRASE_ENV = "CASETUI_NEW_PASSPHRASE"  # noqa: S105
MAX_LISTED_PROBLEMS = 20
MAX_LISTED_STAFF = 10


class CliError(Exception):
    """A problem to report in one sentence.

    ``see`` names the command whose help to point at ("casetui report stats").
    """

    def __init__(self, message: str, exit_code: int = 1, see: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.see = see


# -- parser -------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
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


def _common_options(required: bool = False) -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--vault",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS,
        help="the vault file (default: $CASETUI_VAULT, or vault.age in your data folder)",
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


def _day(text: str) -> date:
    """A calendar day written YYYY-MM-DD."""
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text[:20]!r} is not a date; write it as YYYY-MM-DD"
        ) from None


def _month(text: str) -> Period:
    """A calendar month written YYYY-MM."""
    from casetui.core.periods import PeriodError, parse_month

    try:
        return parse_month(text)
    except PeriodError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _quarter(text: str) -> Period:
    """A calendar quarter written YYYY-Qn."""
    from casetui.core.periods import PeriodError, parse_quarter

    try:
        return parse_quarter(text)
    except PeriodError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _year(text: str) -> int:
    """The calendar year a fiscal year ends in, written YYYY (or FYYYYY)."""
    from casetui.core.periods import PeriodError, parse_fiscal_year

    try:
        return parse_fiscal_year(text).end.year
    except PeriodError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


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


def _sections(text: str) -> tuple[str, ...]:
    """``--sections``: goal-sheet sections, comma-separated."""
    from casetui.core.printout import parse_sections

    try:
        return parse_sections(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None


def _add_print_command(commands: argparse._SubParsersAction[_Parser], common: _Parser) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = _Parser(
        prog="casetui",
        parents=[common],
        description=(
            "Private, offline case management for advocates who support survivors. "
            "Everything lives in one age-encrypted file on this computer."
        ),
        epilog=(
            f"Unlocking: you are asked for the passphrase, or set {PASSPHRASE_ENV} for "
            "scripts. Run 'casetui COMMAND --help' for details of a command."
        ),
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    _masked_option(parser)
    _read_only_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    init = commands.add_parser(
        "init",
        parents=[common],
        help="create a new vault and its key",
        description="Create a new, empty vault and its passphrase-protected key file.",
    )
    init.add_argument("--name", help="your name, as the vault's case manager (optional)")

    imp = commands.add_parser(
        "import",
        parents=[common],
        help="add records from an export or the sample caseload",
        description=(
            "Add records from a casetui export (encrypted or plain JSON). Everything is "
            "checked first; nothing is written unless all of it is valid. Records already "
            "in the vault are not duplicated."
        ),
    )
    source = imp.add_mutually_exclusive_group(required=True)
    source.add_argument("file", nargs="?", type=Path, help="the file to import")
    source.add_argument(
        "--sample", action="store_true", help="import the fictional sample caseload (for training)"
    )
    imp.add_argument(
        "--new-staff",
        action="store_true",
        help=(
            "add a case manager whose name only resembles one in the vault as a new case "
            "manager, without asking (the same name, in any case, is always the same person)"
        ),
    )

    exp = commands.add_parser(
        "export",
        parents=[common],
        help="write the whole vault to a file",
        description=(
            "Write every record to a file, encrypted to the vault's keys. "
            "Use --plaintext only when you must, and delete the file afterwards."
        ),
    )
    exp.add_argument("--out", required=True, type=Path, metavar="FILE", help="where to write")
    exp.add_argument(
        "--plaintext",
        action="store_true",
        help="write readable JSON or CSV (holds survivors' data!)",
    )
    exp.add_argument("--force", action="store_true", help="replace FILE if it exists")
    exp.add_argument(
        "--format",
        choices=("json", "csv"),
        default="json",
        help=(
            "json (default): every record, to import again with 'casetui import'; csv: the "
            "caseload list, one row per client, with no notes"
        ),
    )

    sheet = commands.add_parser(
        "import-csv",
        parents=[common],
        help="add clients from a spreadsheet (CSV), as a mapping file says",
        description=(
            "Add clients from a CSV file, with a mapping (TOML) that says which column feeds "
            "which field. Every row is checked first, and nothing is written unless all of "
            "them are valid. A client already in the vault (same preferred name and intake "
            "date) is skipped. --suggest-map writes a starter mapping from the header row."
        ),
        epilog="See sample_data/clients_template.toml and clients_sample.csv for an example.",
    )
    sheet.add_argument("file", type=Path, metavar="FILE", help="the CSV file")
    how = sheet.add_mutually_exclusive_group(required=True)
    how.add_argument("--map", type=Path, metavar="MAPPING", help="the mapping (a TOML file)")
    how.add_argument(
        "--suggest-map",
        action="store_true",
        help="write a starter mapping from FILE's header row (to --out, or the screen)",
    )
    sheet.add_argument(
        "--dry-run",
        action="store_true",
        help="check every row and list every problem, writing nothing",
    )
    sheet.add_argument(
        "--out", type=Path, metavar="MAPPING", help="with --suggest-map: where to write it"
    )
    sheet.add_argument(
        "--force", action="store_true", help="with --suggest-map: replace MAPPING if it exists"
    )

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

    commands.add_parser(
        "check",
        parents=[common],
        help="verify the vault and its backups (writes nothing)",
        description=(
            "Decrypt the vault, check every record and reference, and check that each "
            "backup opens. Nothing is written. Exits 0 when all is well."
        ),
    )
    restore = commands.add_parser(
        "restore",
        parents=[common],
        help="put a backup back in place of the vault",
        description=(
            "Put one of the vault's backups back in place of the vault file, after asking. "
            "The vault file as it is now is kept as a backup first, so a restore can be "
            "undone by restoring that one."
        ),
    )
    restore.add_argument(
        "backup",
        metavar="BACKUP",
        help="the backup's file name, or its number in 'casetui check' (1 is the newest)",
    )
    restore.add_argument("--yes", action="store_true", help="do not ask before restoring")
    commands.add_parser(
        "passwd",
        parents=[common],
        help="change the passphrase",
        description=(
            "Change the passphrase. Only the small key file is re-encrypted, so this is quick. "
            "Unlocked with another key, such as a recovery key (--identity), it gives the "
            "vault a new key of its own behind the new passphrase, for when the old one is "
            f"forgotten. Scripts may set {NEW_PASSPHRASE_ENV}."
        ),
    )
    rotate = commands.add_parser(
        "rotate-key",
        parents=[common],
        help="give the vault a new key, when a key file or passphrase may be in the wrong hands",
        description=(
            "Make a new key for the vault, re-encrypt the vault to it (and to the team and "
            "recovery keys still on its list), protect it with a new passphrase, and "
            "re-encrypt or delete the backups. Afterwards old copies of the key file open "
            f"nothing casetui kept. Scripts may set {NEW_PASSPHRASE_ENV}."
        ),
    )
    rotate.add_argument(
        "--backups",
        choices=("reencrypt", "delete"),
        default="reencrypt",
        help="re-encrypt the backups to the new key (the default), or delete them",
    )
    rotate.add_argument("--yes", action="store_true", help="do not ask before starting")
    recipients = commands.add_parser(
        "recipients",
        parents=[common],
        help="list, add or remove the keys that can open the vault",
        description=(
            "The vault is encrypted to a list of keys: its own (behind the passphrase), and "
            "any colleagues' and recovery keys. Each change re-encrypts the vault at once."
        ),
    )
    actions = recipients.add_subparsers(
        dest="recipients_command", metavar="ACTION", parser_class=_Parser, required=True
    )
    actions.add_parser(
        "list",
        parents=[common],
        help="show each key's name and public key",
        description=(
            "Show the keys the vault is encrypted to, marking the vault's own key and the "
            "key that unlocked this session. Writes nothing."
        ),
    )
    add = actions.add_parser(
        "add",
        parents=[common],
        help="add a colleague's public key",
        description=(
            "Add a public key to the vault and re-encrypt it, so that whoever holds the "
            "matching secret key can open it. A colleague makes one with 'casetui keygen'."
        ),
    )
    add.add_argument(
        "key",
        metavar="KEY",
        help="an age public key (age1...), or an SSH public key line in quotes",
    )
    add.add_argument(
        "--name",
        required=True,
        help="whose key it is, as people will recognise it (one line, up to 80 characters)",
    )
    readmit = actions.add_parser(
        "readmit",
        parents=[common],
        help="confirm that a key removed earlier belongs on the list again",
        description=(
            "A key removed on this computer is on the vault's list again, usually because "
            "an older copy of the vault was put back. casetui saves nothing until the key "
            "is removed again or you confirm here, by its name, that it belongs back."
        ),
    )
    readmit.add_argument("name", metavar="NAME", help="the key's name, as 'recipients list' shows")
    remove = actions.add_parser(
        "remove",
        parents=[common],
        help="remove a key and re-encrypt the vault without it",
        description=(
            "Remove a key and re-encrypt the vault at once, so that key no longer opens it. "
            "Older backups, copies and exports still open with it; you are offered to "
            "delete the backups."
        ),
    )
    remove.add_argument("name", metavar="NAME", help="the key's name, as 'recipients list' shows")
    remove.add_argument(
        "--delete-backups",
        action="store_true",
        help="delete the older backups without asking, keeping one fresh one",
    )
    keygen = commands.add_parser(
        "keygen",
        help="make your own key, to be added to someone else's vault",
        description=(
            "Make a new key for you, protected by a new passphrase, and print the command "
            "to send to the person who keeps the vault. Needs no vault. "
            f"Scripts may set {NEW_PASSPHRASE_ENV}."
        ),
    )
    keygen.add_argument("--out", required=True, type=Path, metavar="FILE", help="where to write")
    keygen.add_argument("--force", action="store_true", help="replace FILE if it exists")
    keygen.add_argument(
        "--vault",
        metavar="PATH",
        type=Path,
        default=argparse.SUPPRESS,
        help="the shared vault, to show in the instructions (optional)",
    )
    recovery = commands.add_parser(
        "recovery-key",
        parents=[common],
        help="make a recovery key, for when the passphrase is forgotten",
        description=(
            "Make a new key, add it to the vault as a recovery key and re-encrypt the "
            "vault, then show the key once. Keep it offline, never beside the vault."
        ),
    )
    recovery.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write the key to FILE (which must not exist) instead of showing it",
    )
    opener = commands.add_parser(
        "open",
        parents=[common],
        help="open the app (the same as running casetui with no command)",
        description=(
            "Open your vault in the app. On first run it helps you create one. "
            f"Set {PASSPHRASE_ENV} or use --identity to skip the passphrase prompt."
        ),
    )
    _masked_option(opener)
    _read_only_option(opener)
    demo = commands.add_parser(
        "demo",
        help="open a throwaway copy of the fictional sample caseload (for training)",
        description=(
            "Open the app on the fictional sample caseload, for demos and training. "
            "It is encrypted like a real vault, asks for no passphrase, and is deleted "
            "when you quit, even after Ctrl+C. Nothing you do in the demo is kept."
        ),
        epilog=(
            "With --web, each browser that opens the address gets its own throwaway demo; "
            "only the demo is ever served, never a vault. There is no login, so it listens "
            "on this computer only (127.0.0.1) unless you give --host."
        ),
    )
    demo.add_argument(
        "--web", action="store_true", help="serve the demo to web browsers (textual-serve)"
    )
    demo.add_argument(
        "--port",
        type=_demo_port,
        metavar="N",
        help=f"with --web: the port to listen on (default: {DEMO_WEB_PORT})",
    )
    demo.add_argument(
        "--host",
        metavar="H",
        help=(
            f"with --web: the address to listen on (default: {DEMO_WEB_HOST}, this computer "
            "only); anyone who can reach another address can use the demo"
        ),
    )
    _masked_option(demo)
    report = commands.add_parser(
        "report",
        help="accreditation readiness, or de-identified statistics for funders",
        description=(
            "Print a report. 'accreditation' holds every active client against the "
            "standard's essential requirements; 'stats' counts clients, needs, referrals, "
            "meetings and hours for a period, with no names, codes or dates of birth, and "
            "small counts suppressed. Each run is recorded in the audit trail."
        ),
    )
    reports = report.add_subparsers(
        dest="report_kind", metavar="REPORT", required=True, parser_class=_Parser
    )
    accreditation = reports.add_parser(
        "accreditation",
        parents=[common],
        help="each active client against the essential requirements",
        description=(
            "Hold every active client against the standard's essential requirements and "
            "show pass, attention or fail with the reason, then a summary for the agency."
        ),
    )
    accreditation.add_argument(
        "--as-of", type=_day, metavar="YYYY-MM-DD", help="the day to judge on (default: today)"
    )
    accreditation.add_argument(
        "--with-names",
        action="store_true",
        help="show clients' preferred names instead of their neutral codes",
    )
    stats = reports.add_parser(
        "stats",
        parents=[common],
        help="de-identified counts for funders, small counts suppressed",
        description=(
            "Counts only: clients served, needs, referrals, meetings and hours for the "
            "period. No names, initials, codes, dates of birth or free text. Counts from 1 "
            "to the small-cell threshold minus 1 show as '<N' (N is the threshold, 5 "
            "unless set), and further cells are suppressed so none can be worked out "
            "from the totals. The period is a whole calendar month, calendar quarter or "
            "fiscal year that has ended, since two reports a few days apart could be "
            "compared to single out one client. A fiscal year is named by the calendar "
            "year it ends in: with the usual start (1 October; set fiscal_year_start in "
            "the settings to change it), FY2026 runs from 2025-10-01 to 2026-09-30."
        ),
    )
    when = stats.add_mutually_exclusive_group()
    when.add_argument(
        "--from",
        dest="start",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the first day of the period (with --to)",
    )
    stats.add_argument(
        "--to",
        dest="end",
        type=_day,
        metavar="YYYY-MM-DD",
        help="the last day of the period (with --from)",
    )
    when.add_argument(
        "--month", type=_month, metavar="YYYY-MM", help="a calendar month, such as 2026-09"
    )
    when.add_argument(
        "--quarter",
        type=_quarter,
        metavar="YYYY-Qn",
        help="a calendar quarter, such as 2026-Q3 (July to September)",
    )
    when.add_argument(
        "--fiscal-year",
        type=_year,
        metavar="YYYY",
        help="the fiscal year that ends in YYYY: FY2026 is 2025-10-01 to 2026-09-30 "
        "unless fiscal_year_start is set",
    )
    stats.add_argument(
        "--custom-period",
        action="store_true",
        help="allow --from and --to to be any days; the report then says it is custom, "
        "because comparing it with other reports can reveal small counts",
    )
    for sub in (accreditation, stats):
        sub.add_argument(
            "--format",
            choices=("text", "md", "csv"),
            default="text",
            help="text (default), Markdown, or CSV",
        )
    audit = commands.add_parser(
        "audit",
        parents=[common],
        help="print the audit trail: who changed what, and when",
        description=(
            "Print the vault's audit trail, oldest first: every record added, changed or "
            "removed (which fields, never their contents), and every unlock, lock, export, "
            "calendar export, report and change of keys. Writes nothing."
        ),
    )
    audit.add_argument(
        "--client",
        metavar="CLIENT",
        help="only this client (their id, calendar code, or preferred name; its start is enough)",
    )
    audit.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="only entries from this day on (UTC)"
    )
    _add_print_command(commands, common)
    commands.add_parser(
        "config",
        help="show where your settings are kept",
        description=(
            "Show where your settings file is. If you do not have one yet, casetui writes "
            "one with the defaults and a note beside each setting, so you can change the "
            "theme or your keys in any text editor. Any problems in the file are listed."
        ),
        epilog="Set CASETUI_CONFIG to the path of a file to keep your settings somewhere else.",
    )
    return parser


# -- helpers ------------------------------------------------------------------------


def vault_path(args: argparse.Namespace) -> Path:
    from casetui.config import default_vault_path

    chosen: Path | None = getattr(args, "vault", None)
    return (chosen or default_vault_path()).expanduser()


def ask_passphrase(prompt: str) -> str:
    env = os.environ.get(PASSPHRASE_ENV)
    if env is not None:
        if not env:
            raise CliError(
                f"{PASSPHRASE_ENV} is set but empty; set it to the passphrase or unset it."
            )
        return env
    if not sys.stdin.isatty():
        raise CliError(
            f"No passphrase was given: run casetui in a terminal, set {PASSPHRASE_ENV}, "
            "or use --identity FILE."
        )
    import getpass

    return getpass.getpass(prompt)


def ask_new_passphrase(env_name: str, context: Sequence[str] = ()) -> str:
    """A new passphrase from ``env_name`` or typed twice, refusing guessable ones.

    ``context`` holds names a guesser could know: the owner's, the vault file's.
    """
    from casetui.core.passphrase import assess

    env = os.environ.get(env_name)
    if env is not None:
        verdict = assess(env, context)
        if not verdict.acceptable:
            raise CliError(f"The passphrase in {env_name} is too weak: {verdict.hint}")
        return env
    if not sys.stdin.isatty():
        raise CliError(
            f"No new passphrase was given: run casetui in a terminal, or set {env_name}."
        )
    import getpass

    for _attempt in range(3):
        first = getpass.getpass("New passphrase: ")
        verdict = assess(first, context)
        if not verdict.acceptable:
            print(verdict.hint, file=sys.stderr)
            continue
        if getpass.getpass("Type it again: ") != first:
            print("Those two did not match; please try again.", file=sys.stderr)
            continue
        print(f"Passphrase strength: {verdict.hint}", file=sys.stderr)
        return first
    raise CliError("No passphrase was set; nothing was changed.")


def unlocker(args: argparse.Namespace, path: Path) -> Unlocker:
    from casetui.vault.unlocking import identity_unlocker, passphrase_unlocker

    identity: Path | None = getattr(args, "identity", None)
    if identity is not None:
        return identity_unlocker(
            identity.expanduser(), lambda: ask_passphrase(f"Passphrase for {identity.name}: ")
        )
    return passphrase_unlocker(lambda: ask_passphrase(f"Passphrase for {path.name}: "))


def say_if_older(vault: Vault) -> None:
    """For a command that only reads: a note when this is an older copy than one seen here."""
    sentence = vault.older_copy_sentence()
    if sentence is not None:
        print(f"Note: {sentence}", file=sys.stderr)


def accepts_older(args: argparse.Namespace) -> bool:
    """``--accept-older-copy``: an older copy of the vault was put back on purpose."""
    return bool(getattr(args, "accept_older_copy", False))


def open_to_record(
    path: Path,
    unlock: Unlocker,
    *,
    validate: bool = False,
    accept_older: bool = False,
    must_record: str | None = None,
) -> Vault:
    """Open a vault for a command that only reads it but leaves an audit-trail entry.

    It takes the writer lock so the entry can be saved. If another casetui has the
    vault open, the command still runs, read-only, and says its entry is missing;
    but a command that must not run unrecorded (``must_record`` names it, such as
    "plain-text export") is refused instead.
    """
    from casetui.core.errors import OlderCopy, VaultBusy
    from casetui.vault.vault import Vault

    try:
        return Vault.open(path, unlock, validate=validate, accept_older=accept_older)
    except OlderCopy as exc:
        if must_record is not None:
            raise
        print(f"Note: {exc.message} This runs read-only and is not recorded.", file=sys.stderr)
        return Vault.open(path, unlock, writable=False, validate=validate)
    except VaultBusy as exc:
        if must_record is not None:
            raise CliError(
                f"The vault is open in another casetui; close casetui elsewhere first, so "
                f"this {must_record} can be recorded.",
                exc.exit_code,
            ) from None
        print(
            "Note: the vault is open in another casetui, so this is not written to its "
            "audit trail.",
            file=sys.stderr,
        )
        return Vault.open(path, unlock, writable=False, validate=validate)


def record(vault: Vault, action: AuditAction, detail: str = "") -> None:
    """Add a session event to the audit trail and save it, when the vault is writable."""
    if vault.repo.record_event(action, detail=detail) is not None:
        vault.save()


def record_or_delete(vault: Vault, out: Path, action: AuditAction, detail: str) -> None:
    """Record the plain-text file ``out`` just written, or delete it and say why.

    A plain-text copy of survivors' records is never left behind unrecorded.
    """
    from casetui.core.errors import VaultError

    try:
        if vault.repo.record_event(action, detail=detail) is None:
            raise VaultError("the vault was opened read-only")
        vault.save()
    except VaultError as exc:
        out.unlink(missing_ok=True)
        why = exc.message.rstrip(".")
        raise CliError(
            f"The plain-text export could not be recorded in the audit trail, so {out} was "
            f"deleted ({why}); fix that and export again."
        ) from None


def print_problems(problems: Sequence[str]) -> None:
    for line in problems[:MAX_LISTED_PROBLEMS]:
        print(f"  - {line}", file=sys.stderr)
    if len(problems) > MAX_LISTED_PROBLEMS:
        print(f"  ... and {len(problems) - MAX_LISTED_PROBLEMS} more.", file=sys.stderr)


# -- commands -----------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from casetui.core.errors import ValidationError
    from casetui.vault.paths import VaultPaths
    from casetui.vault.vault import Vault

    path = vault_path(args)
    paths = VaultPaths(path)
    # Before the passphrase is asked for: refuses a path that holds a vault already.
    unfinished = Vault.creatable(path)
    passphrase = ask_new_passphrase(PASSPHRASE_ENV, [args.name or "", path.stem])
    try:
        vault = Vault.create(path, passphrase, owner_name=args.name)
    except ValidationError as exc:
        raise CliError(f"Your name {exc.problem}") from None
    vault.close()
    if unfinished:
        print(
            f"Note: an earlier 'casetui init' here was stopped before it finished; the key "
            f"file it left, {paths.identity.name}, was replaced."
        )
    print(f"Created a new vault at {path}")
    print(f"Its key file is {paths.identity}, protected by your passphrase.")
    print()
    print("Two things keep your work safe if you forget the passphrase or lose this computer:")
    print("  1. A recovery key, kept offline. Make one now:")
    print(f"       casetui recovery-key{_vault_option(args)}")
    print(f"  2. Copies of both files, {paths.vault.name} and {paths.identity.name},")
    print("     somewhere safe away from this computer (a USB stick in a locked drawer, say).")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from casetui.services.interchange import apply_import, plan_import, read_interchange_file
    from casetui.vault.vault import Vault

    path = vault_path(args)
    if args.sample:
        from casetui.resources import sample_caseload

        source = sample_caseload()
    else:
        source = args.file.expanduser()
    with Vault.open(
        path, unlocker(args, path), accept_older=accepts_older(args), validate=True
    ) as vault:
        data = read_interchange_file(source, vault.keyring)
        plan = plan_import(vault, data, source.name)
        if plan.similar and not args.new_staff:
            _ask_before_new_staff(plan.similar, source.name)
        apply_import(vault, plan)
    for line in plan.describe():
        print(line)
    return 0


def _ask_before_new_staff(similar: Sequence[StaffMatch], source: str) -> None:
    """A case manager in the file only resembles one in the vault: ask before adding them.

    Raises CliError (nothing imported) unless the answer is yes; without a terminal
    to ask on, refuses in one sentence that names ``--new-staff``.
    """
    pairs = "; ".join(f"{m.incoming} (this vault has {m.existing})" for m in similar)
    if not sys.stdin.isatty():
        raise CliError(
            f"{source} names a case manager whose name is close to one in this vault, {pairs}, "
            "so nothing was imported; if they are different people, run the import again "
            "with --new-staff."
        )
    for match in similar:
        print(f"{source} names {match.incoming}; this vault already has {match.existing}.")
    names = sorted({m.incoming for m in similar})
    who = names[0] if len(names) == 1 else ", ".join(names)
    if not confirm(f"Add {who} as a new case manager, a different person? [y/N] "):
        raise CliError(
            "Nothing was imported. If it is the same person, make the two names the same, "
            "then import again."
        )


def cmd_export(args: argparse.Namespace) -> int:
    from casetui.core.choices import AuditAction
    from casetui.services.interchange import write_export

    if args.format == "csv":
        from casetui.sheet_cli import export_csv

        return export_csv(args)
    path = vault_path(args)
    out: Path = args.out.expanduser()
    with open_to_record(
        path,
        unlocker(args, path),
        accept_older=accepts_older(args),
        validate=True,
        must_record="plain-text export" if args.plaintext else None,
    ) as vault:
        size = write_export(vault, out, plaintext=args.plaintext, overwrite=args.force)
        keys = len(vault.recipients)
        if args.plaintext:
            record_or_delete(vault, out, AuditAction.EXPORTED, "plain text")
        else:
            record(vault, AuditAction.EXPORTED, "encrypted")
    if args.plaintext:
        print(
            f"Warning: {out} holds survivors' records as plain text. Keep it off shared and "
            "synced folders, and delete it as soon as you are done.",
            file=sys.stderr,
        )
        print(f"Wrote {size:,} bytes of plain JSON to {out}.")
    else:
        print(f"Wrote {size:,} bytes to {out}, encrypted to the vault's {plural(keys, 'key')}.")
    return 0


def cmd_import_csv(args: argparse.Namespace) -> int:
    from casetui.sheet_cli import import_csv

    return import_csv(args)


def cmd_calendar(args: argparse.Namespace) -> int:
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


def client_id(vault: Vault, wanted: str) -> str:
    """The one lookup of a client named on the command line (``--client``, ``print CLIENT``).

    An id, a calendar code or a preferred name (any case), or the start of one
    client's name. When several match, they are listed (name and code) and the
    command stops before changing anything.
    """
    from casetui.vault.audit import ClientAmbiguous, find_client

    try:
        return find_client(vault.repo.clients.raw(), wanted)
    except ClientAmbiguous as exc:
        for line in exc.candidates:
            print(f"  - {line}", file=sys.stderr)
        raise


def cmd_print(args: argparse.Namespace) -> int:
    from datetime import date

    from casetui.core.printout import SECTIONS
    from casetui.services.goal_sheet_print import print_goal_sheet

    path = vault_path(args)
    out: Path = args.out.expanduser()
    fmt = args.format or ("md" if out.suffix.lower() == ".md" else "html")
    if (out.exists() or out.is_symlink()) and not args.force:
        raise CliError(f"{out} already exists; choose another name, or add --force to replace it.")
    settings, notices = _settings()
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


def cmd_check(args: argparse.Namespace) -> int:
    from casetui.core.recordset import describe_counts
    from casetui.services.checkup import check_vault
    from casetui.vault.passphrase_file import memory_mib

    path = vault_path(args)
    report = check_vault(path, unlocker(args, path))
    print(f"Checked {report.path}")
    print(f"  Unlocked with: {report.unlocked_with}")
    print(f"  Records: {describe_counts(report.counts)}")
    names = ", ".join(r.name for r in report.recipients)
    print(f"  Encrypted to {plural(len(report.recipients), 'key')}: {names}")
    if report.key_work_factor is not None:
        need = memory_mib(report.key_work_factor)
        print(f"  Key file: scrypt work factor 2^{report.key_work_factor} ({need:,} MiB to unlock)")
    print(f"  Saved {plural(report.generation, 'time')}")
    if report.backups:
        opening = sum(1 for b in report.backups if b.opens)
        print(f"  Backups: {len(report.backups)} kept, {opening} open with this key")
        for number, b in enumerate(report.backups, 1):
            taken = b.backup.taken.strftime("%Y-%m-%d %H:%M UTC")
            pinned = f", kept before {b.backup.reason}" if b.backup.reason else ""
            print(
                f"    {number:>3}. {taken}  {b.backup.size:>12,} bytes  {b.note}{pinned}"
                f"  {b.backup.path.name}"
            )
        print("  Put one back with: casetui restore NUMBER (or its file name)")
    else:
        print("  Backups: none yet (one is kept before the first change of each session)")
    for warning in report.warnings:
        print(f"  Note: {warning}")
    if report.ok:
        print("All is well: every record is valid and every reference holds.")
        return 0
    print_problems(report.problems)
    count = len(report.problems)
    raise CliError(
        f"The vault has {count} problem{'' if count == 1 else 's'} (listed above); "
        "restoring the newest backup that opens may help."
    )


def cmd_restore(args: argparse.Namespace) -> int:
    from casetui.core.choices import AuditAction
    from casetui.files import atomic_write, open_regular
    from casetui.vault import audit as audit_trail
    from casetui.vault import keys
    from casetui.vault.backups import Backups
    from casetui.vault.lock import VaultLock
    from casetui.vault.paths import VaultPaths
    from casetui.vault.unlocking import keyring_unlocker
    from casetui.vault.vault import Vault

    path = vault_path(args)
    paths = VaultPaths(path)
    backups = Backups(paths.vault)
    chosen = backups.find(args.backup)
    if chosen is None:
        raise CliError(
            f"There is no backup '{args.backup}' of {paths.vault.name}; 'casetui check' lists "
            "them, numbered from the newest."
        )
    taken = chosen.taken.strftime("%Y-%m-%d %H:%M UTC")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(
                "restore asks before it replaces the vault; add --yes to run it unattended."
            )
        print(
            f"This puts the backup {chosen.path.name} (taken {taken}) in place of the vault "
            f"{paths.vault}. The vault as it is now is kept as a backup first."
        )
        if not confirm("Restore it? [y/N] "):
            raise CliError("Nothing was changed.")
    keyring = unlocker(args, path)(paths)
    lock = VaultLock(paths.lock)
    lock.acquire()
    try:
        with open_regular(chosen.path) as fh:  # never follows a link or hangs on a pipe
            data = fh.read()
        keys.decrypt(data, keyring, chosen.path, what="backup")  # it must open first
        kept = None
        if paths.vault.exists():
            kept = backups.take(paths.vault, reason="before restore")
        atomic_write(paths.vault, data)
    finally:
        lock.release()
    # The restored copy is older than the newest seen here: accept it on purpose, so
    # that it opens (and saves) normally from now on.
    with Vault.open(path, keyring_unlocker(keyring), accept_older=True) as vault:
        if vault.seen.generation != vault.generation or vault.seen.audit_head is not None:
            vault.seen.generation = vault.generation
            vault.seen.audit_head = audit_trail.stored_head(vault.meta)
            vault.seen.save()
        record(vault, AuditAction.RESTORED, f"the backup taken {taken}")
    print(f"Restored the backup {chosen.path.name} (taken {taken}) to {paths.vault}.")
    if kept is not None:
        print(f"The vault as it was is kept as the backup {kept.path.name}.")
    return 0


def confirm(question: str) -> bool:
    """Ask a yes/no question on the terminal; anything but yes is no."""
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().casefold() in ("y", "yes")


def _vault_option(args: argparse.Namespace) -> str:
    """``--vault PATH`` for a command to show, when the vault was named on this one."""
    import shlex

    chosen: Path | None = getattr(args, "vault", None)
    return f" --vault {shlex.quote(str(chosen))}" if chosen is not None else ""


def cmd_passwd(args: argparse.Namespace) -> int:
    from casetui.core.choices import AuditAction
    from casetui.core.errors import VaultError
    from casetui.services.recipients import holds_own_key, reset_own_key, shown, unlocked_by
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(
        path, unlocker(args, path), accept_older=accepts_older(args), validate=True
    ) as vault:
        context = [vault.who(), path.stem]
        if holds_own_key(vault):
            new = ask_new_passphrase(NEW_PASSPHRASE_ENV, context)
            try:  # the vault file does not change, but keep the copy from before, too
                vault.backups.take(vault.paths.vault, reason="passwd")
            except (OSError, VaultError) as exc:
                reason = exc.message if isinstance(exc, VaultError) else exc.strerror
                print(f"Note: no backup could be kept first: {reason}", file=sys.stderr)
            vault.wrap_own_identity(new)
            print("The passphrase is changed. Use the new one from now on.")
            print(
                "The vault's key itself is the same: an old copy of the key file still opens "
                "the vault with the old passphrase. If a key file or the old passphrase may be "
                "in the wrong hands, run 'casetui rotate-key' instead.",
                file=sys.stderr,
            )
            try:
                record(vault, AuditAction.KEYS_CHANGED, "changed the passphrase")
            except VaultError as exc:
                print(f"Note: the audit trail could not be saved: {exc.message}", file=sys.stderr)
            return 0
        used = " and ".join(f"'{shown(e.name)}'" for e in unlocked_by(vault))
        used = used or f"the {vault.keyring.source}"
        if sys.stdin.isatty():
            print(
                f"This session was unlocked with {used}, not the vault's own key. A new "
                "passphrase gives the vault a new key of its own, and the old passphrase "
                "will no longer open it, for anyone."
            )
            if not confirm("Set a new passphrase for the vault? [y/N] "):
                raise CliError("No passphrase was set; nothing was changed.")
        new = ask_new_passphrase(NEW_PASSPHRASE_ENV, context)
        reset_own_key(vault, new)
    print(
        "The vault has a new key of its own, behind the new passphrase; use the new "
        "passphrase from now on."
    )
    print(f"The old passphrase no longer opens it. {used} still does, so keep it safe.")
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    from casetui.services.key_rotation import rotate_key
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(
        path, unlocker(args, path), validate=True, accept_older=accepts_older(args)
    ) as vault:
        count = len(vault.backups.newest_first())
        what = "re-encrypted" if args.backups == "reencrypt" else "deleted"
        if not args.yes:
            if not sys.stdin.isatty():
                raise CliError("rotate-key asks before it starts; add --yes to run it unattended.")
            print(
                "This gives the vault a new key behind a new passphrase. The old passphrase "
                "and old copies of the key file will no longer open it, and its "
                f"{plural(count, 'backup')} will be {what}. Team and recovery keys keep working."
            )
            if not confirm("Go ahead? [y/N] "):
                raise CliError("Nothing was changed.")
        new = ask_new_passphrase(NEW_PASSPHRASE_ENV, [vault.who(), path.stem])
        rotation = rotate_key(vault, new, backups=args.backups)
    print("The vault has a new key, behind the new passphrase; use the new passphrase from now on.")
    if args.backups == "delete":
        print(
            f"Deleted {plural(rotation.deleted, 'backup')} and kept one fresh one under the "
            "new key."
        )
    else:
        print(f"Re-encrypted {plural(rotation.reencrypted, 'backup')} to the new key.")
    if rotation.left:
        raise CliError(
            f"{plural(len(rotation.left), 'backup')} could not be changed, such as "
            f"{rotation.left[0]}: "
            "they may still open with the old key; delete them by hand."
        )
    print(
        "Copies of the vault made before now, outside casetui's backups (exports, copies "
        "on other disks), still open with the old key: delete them too."
    )
    return 0


def cmd_recipients(args: argparse.Namespace) -> int:
    action: str = args.recipients_command
    if action == "list":
        return _recipients_list(args)
    if action == "add":
        return _recipients_add(args)
    if action == "readmit":
        return _recipients_readmit(args)
    return _recipients_remove(args)


def _recipients_readmit(args: argparse.Namespace) -> int:
    from casetui.services.recipients import readmit_recipient, shown
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        if sys.stdin.isatty() and not confirm(
            f"Whoever holds the key '{shown(args.name)}' will open the vault again. "
            "Is that right? [y/N] "
        ):
            raise CliError("Nothing was changed; the vault still saves nothing until you decide.")
        entry = readmit_recipient(vault, args.name)
    print(f"'{shown(entry.name)}' is on the list again by your choice; saving works again.")
    return 0


def _describe_keys(entries: Sequence[RecipientEntry]) -> str:
    from casetui.services.recipients import shown
    from casetui.vault.document import OWN_KEY_NAME

    names = []
    for entry in entries:
        name = shown(entry.name)
        names.append(f"{name} (the passphrase)" if entry.name == OWN_KEY_NAME else name)
    return ", ".join(names)


def _recipients_list(args: argparse.Namespace) -> int:
    from casetui.services.checkup import unlisted_keys
    from casetui.services.recipients import shown, unlocked_by
    from casetui.vault.document import OWN_KEY_NAME
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(
        path, unlocker(args, path), accept_older=accepts_older(args), writable=False
    ) as vault:
        say_if_older(vault)
        entries = vault.recipients
        used = unlocked_by(vault)
        hidden = unlisted_keys(vault)
    if hidden is not None:
        print(f"Note: {hidden}", file=sys.stderr)
    count = len(entries)
    print(f"{path} is encrypted to {count} key{'' if count == 1 else 's'}; any of them opens it:")
    width = max(len(shown(e.name)) for e in entries)
    for entry in entries:
        notes = []
        if entry.name == OWN_KEY_NAME:
            notes.append("the vault's own key, behind its passphrase")
        if entry in used:
            notes.append("unlocked this session")
        marks = f"  ({'; '.join(notes)})" if notes else ""
        print(f"  {shown(entry.name).ljust(width)}  {shown(entry.key, 4096)}{marks}")
    return 0


def _recipients_add(args: argparse.Namespace) -> int:
    from casetui.services.recipients import add_recipient, canonical_key, clean_name
    from casetui.vault.vault import Vault

    # The checks that need no vault come first, before anyone types a passphrase.
    clean_name(args.name)
    canonical_key(args.key)
    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        entry = add_recipient(vault, args.key, args.name)
        entries = vault.recipients
    print(
        f"Added '{entry.name}'. The vault is now encrypted to {len(entries)} keys, and "
        f"opens with any of them: {_describe_keys(entries)}."
    )
    print(
        "Backups and exports made from now on open with the new key too; those made before do not."
    )
    return 0


def _recipients_remove(args: argparse.Namespace) -> int:
    import shlex

    from casetui.services.recipients import delete_backups, remove_recipient, shown
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        removal = remove_recipient(vault, args.name)
        name = shown(removal.removed.name)
        left = len(removal.remaining)
        print(
            f"Removed '{name}' and re-encrypted the vault; '{name}' no longer opens it. It "
            f"now opens with {left} key{'' if left == 1 else 's'}: "
            f"{_describe_keys(removal.remaining)}."
        )
        older = removal.older_backups
        count = len(older)
        plural = "" if count == 1 else "s"
        folder = vault.backups.folder
        if count:
            print(
                f"Warning: removing a key does not reach copies made before now. The {count} "
                f"older backup{plural} in {folder}, and any earlier copies or exports of the "
                f"vault, still open with the key of '{name}' if they were made while it was "
                "on the list.",
                file=sys.stderr,
            )
        else:
            print(
                "Warning: removing a key does not reach copies made before now; any earlier "
                f"copies or exports of the vault still open with the key of '{name}'.",
                file=sys.stderr,
            )
        if not count:
            return 0
        if not args.delete_backups:
            if not sys.stdin.isatty():
                pattern = shlex.quote(str(folder / vault.backups.stem)) + "-*.age"
                print(
                    f"To delete the {count} older backup{plural}, run: rm -- {pattern} "
                    "(the next change to the vault keeps a fresh backup again)."
                )
                return 0
            if not confirm(f"Delete the {count} older backup{plural} now? [y/N] "):
                print(f"The {count} older backup{plural} were kept, in {folder}.")
                return 0
        cleanup = delete_backups(vault, older)
    print(f"Deleted {cleanup.deleted} older backup{'' if cleanup.deleted == 1 else 's'}.")
    if cleanup.fresh is not None:
        print(f"Kept one fresh backup of the re-encrypted vault: {cleanup.fresh.path}.")
    elif cleanup.fresh_error:
        print(f"Note: {cleanup.fresh_error}", file=sys.stderr)
    if cleanup.failed:
        raise CliError(
            f"{plural(len(cleanup.failed), 'backup')} could not be deleted, such as "
            f"{cleanup.failed[0]}; delete them by hand."
        )
    print(
        "Copies and exports made earlier, on this computer or elsewhere, still open with "
        f"the key of '{name}'; delete those too, or ask whoever holds them to."
    )
    return 0


def _refuse_vault_key_file(out: Path, args: argparse.Namespace) -> None:
    """Never let a new personal key replace a vault's own key file."""
    from casetui.vault.paths import VaultPaths

    paths = VaultPaths(vault_path(args))
    protected = {paths.vault, paths.identity, paths.lock}
    if out.name.endswith(".identity.age") and out.exists():
        protected.add(out)  # an existing file named like <vault>.identity.age
    if out.resolve() in {p.resolve() for p in protected}:
        raise CliError(f"{out} is one of a vault's own files; choose another name for your key.")


def cmd_keygen(args: argparse.Namespace) -> int:
    import shlex

    from casetui.services.recipients import write_personal_key

    out: Path = args.out.expanduser()
    _refuse_vault_key_file(out, args)
    if out.exists() and not args.force:
        raise CliError(f"{out} already exists; choose another name, or add --force to replace it.")
    passphrase = ask_new_passphrase(NEW_PASSPHRASE_ENV, [out.stem, vault_path(args).stem])
    public = write_personal_key(out, passphrase, overwrite=args.force)
    chosen: Path | None = getattr(args, "vault", None)
    vault = shlex.quote(str(chosen)) if chosen is not None else "PATH"
    print(f"Wrote your new key to {out}, protected by your passphrase (only you can read it).")
    print(f"Your public key: {public}")
    print()
    print("Send this command to the person who keeps the vault, with your own name in it:")
    print(f'  casetui recipients add {public} --name "Your name"')
    print()
    print("Once they have run it, open the shared vault with your key and its passphrase:")
    print(f"  casetui --vault {vault} --identity {shlex.quote(str(out))}")
    if chosen is None:
        print("(PATH is the shared vault file.)")
    print("Keep the key file private and keep a copy somewhere safe; the public key may be shared.")
    return 0


def cmd_recovery_key(args: argparse.Namespace) -> int:
    import shlex

    from casetui.services.recipients import make_recovery_key
    from casetui.vault.vault import Vault

    out: Path | None = args.out.expanduser() if args.out is not None else None
    if out is not None and (out.exists() or out.is_symlink()):
        raise CliError(
            f"{out} already exists; choose another name, as a recovery key is never "
            "written over a file."
        )
    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        key = make_recovery_key(vault, out)
        count = len(vault.recipients)
    print(
        f"Made a recovery key and added it to the vault as '{key.name}'; the vault is now "
        f"encrypted to {count} keys."
    )
    if out is None:
        where = "recovery.txt"
        print()
        print(key.identity_text.rstrip("\n"))
        print()
        print("This is the only time it is shown; casetui keeps no copy of it.")
    else:
        where = str(out)
        print(f"It is in {out} (readable only by you), the only copy; casetui keeps none.")
        if out.absolute().parent == path.absolute().parent:
            print(
                f"Warning: {out} is in the same folder as the vault; move it offline now.",
                file=sys.stderr,
            )
    print(
        "Anyone who holds it can open the vault, so store it offline: on paper, or on a USB "
        "stick, in a locked drawer, and never beside the vault."
    )
    option = _vault_option(args)
    ident = shlex.quote(where)
    if out is None:
        print("To use it, save the lines above as recovery.txt, then:")
    else:
        print("To use it:")
    print(f"  casetui{option} --identity {ident}           opens the vault")
    print(f"  casetui{option} --identity {ident} passwd    sets a new passphrase")
    return 0


def _report_accreditation(args: argparse.Namespace) -> int:
    """Each active client against the essential requirements, then the agency summary."""
    from datetime import date

    from casetui.core.accreditation import render
    from casetui.core.choices import AuditAction
    from casetui.core.labels import neutral_label
    from casetui.services.readiness import accreditation

    settings, _notices = _settings()
    as_of = args.as_of or date.today()
    path = vault_path(args)
    with open_to_record(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        results = accreditation(vault.repo, as_of, settings.reassess_after_days)
        rows = [
            (
                client.preferred_name
                if args.with_names
                else neutral_label(client.preferred_name, client.calendar_code, client.id),
                client.id,
                result,
            )
            for client, result in results
        ]
        record(vault, AuditAction.REPORT_RUN, f"accreditation readiness as of {as_of}")
    sys.stdout.write(render(rows, as_of, args.format))
    if args.with_names:
        print(
            "Note: this report names clients; keep it private and delete it when done.",
            file=sys.stderr,
        )
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.report_kind == "accreditation":
        return _report_accreditation(args)
    return _report_stats(args)


STATS_COMMAND = "casetui report stats"


def _report_stats(args: argparse.Namespace) -> int:
    """De-identified counts for funders, with small counts suppressed."""
    from datetime import date

    from casetui.core.choices import AuditAction
    from casetui.core.periods import PeriodError, checked, fiscal_year
    from casetui.core.stats import funder_stats, render_stats

    settings, _notices = _settings()
    fy_start = settings.fiscal_year_start
    today = date.today()
    named: Period | None = args.month or args.quarter
    if args.fiscal_year is not None:
        named = fiscal_year(args.fiscal_year, fy_start)
    if named is not None and args.end is not None:
        raise CliError(
            "--to goes with --from, not with --month, --quarter or --fiscal-year; give one "
            "way of saying the period.",
            2,
            STATS_COMMAND,
        )
    if named is None and (args.start is None) != (args.end is None):
        given, missing = ("--from", "--to") if args.end is None else ("--to", "--from")
        raise CliError(
            f"{given} needs {missing} too: give the first and the last day.", 2, STATS_COMMAND
        )
    if named is None and args.start is None:
        raise CliError(
            "Say which period to count: --month YYYY-MM, --quarter YYYY-Qn, --fiscal-year "
            "YYYY, or --from and --to.",
            2,
            STATS_COMMAND,
        )
    start: date = named.start if named is not None else args.start
    end: date = named.end if named is not None else args.end
    try:
        period = checked(
            start, end, today=today, fy_start_month=fy_start, allow_custom=args.custom_period
        )
    except PeriodError as error:
        raise CliError(str(error), 2, STATS_COMMAND) from None
    if period.custom:
        print(
            f"Note: {period.label} is a custom period, not a whole month, quarter or fiscal "
            "year that has ended, so comparing it with other reports can reveal small "
            "counts; please share it with care.",
            file=sys.stderr,
        )
    path = vault_path(args)
    with open_to_record(path, unlocker(args, path), accept_older=accepts_older(args)) as vault:
        stats = funder_stats(
            vault.records().tables,
            start,
            end,
            settings.small_cell_threshold,
            as_of=today,
            fiscal_year_start=fy_start,
        )
        record(vault, AuditAction.REPORT_RUN, f"funder statistics {start}–{end}")
    sys.stdout.write(render_stats(stats, args.format))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from casetui.core.records import RECORD_TYPES
    from casetui.vault.audit import select, trail_lines
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(
        path, unlocker(args, path), accept_older=accepts_older(args), writable=False
    ) as vault:
        say_if_older(vault)
        repo = vault.repo
        if args.client is not None:
            entries = repo.audit.for_parent(client_id(vault, args.client))
        else:
            entries = repo.audit.all()
    chosen = select(entries, since=args.since)
    nouns = {cls.TABLE: cls.NOUN for cls in RECORD_TYPES}
    for line in trail_lines(chosen, nouns):
        print(line)
    if not chosen:
        print("The audit trail holds nothing that matches.", file=sys.stderr)
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from casetui.config import config_path, load_settings, write_defaults

    path = config_path()
    if write_defaults(path):
        print(f"Wrote the default settings to {path}.")
    else:
        print(f"Your settings are in {path}.")
    _settings, notices = load_settings(path)
    for notice in notices:
        print(f"  Note: {notice}")
    return 0


def _masked_option(parser: argparse.ArgumentParser) -> None:
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


def _read_only_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help=(
            "open the vault only to look: nothing can be changed or saved, and another "
            "casetui may have it open for writing at the same time"
        ),
    )


def _masked(args: argparse.Namespace) -> bool | None:
    """True for --masked; None leaves it to the mask_clients setting."""
    return True if getattr(args, "masked", False) else None


def _settings() -> tuple[Settings, list[str]]:
    from casetui.config import load_settings

    return load_settings()


def cmd_open(args: argparse.Namespace) -> int:
    from casetui.ui.launch import run_app
    from casetui.vault.paths import VaultPaths
    from casetui.vault.unlocking import keyring_unlocker

    path = vault_path(args).absolute()
    preset = None
    identity: Path | None = getattr(args, "identity", None)
    if identity is not None:
        identity = identity.expanduser().absolute()  # the lock screen unlocks with it again
        # Read the key file now, while the terminal can still ask for its passphrase.
        preset = keyring_unlocker(unlocker(args, path)(VaultPaths(path)))
    elif os.environ.get(PASSPHRASE_ENV):
        preset = unlocker(args, path)
    settings, notices = _settings()
    return run_app(
        path,
        settings=settings,
        unlocker=preset,
        notices=notices,
        masked=_masked(args),
        read_only=bool(getattr(args, "read_only", False)),
        accept_older=accepts_older(args),
        identity=identity,
    )


DEMO_WEB_HOST = "127.0.0.1"
DEMO_WEB_PORT = 8000


def _demo_port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"the port must be a number from 1 to 65535, not {text!r}")
    return port


def cmd_demo(args: argparse.Namespace) -> int:
    if args.web:
        return _serve_demo(args)
    if args.port is not None or args.host is not None:
        raise CliError("--port and --host only apply with --web; add --web or leave them out.", 2)
    from casetui.ui.launch import run_demo

    settings, notices = _settings()
    return run_demo(settings=settings, notices=notices, masked=_masked(args))


def _serve_demo(args: argparse.Namespace) -> int:
    """Serve the demo, and only the demo, to browsers; see casetui.web."""
    host = DEMO_WEB_HOST if args.host is None else args.host.strip()
    if not host:
        raise CliError("--host is empty; give an address such as 127.0.0.1, or leave it out.", 2)
    try:
        from casetui import web
    except ImportError:
        raise CliError(
            "Serving the demo needs textual-serve; install it with "
            "'pip install textual-serve==1.1.3'."
        ) from None
    try:
        return web.serve_demo(host, args.port or DEMO_WEB_PORT, masked=bool(_masked(args)))
    except web.ServeError as exc:
        raise CliError(exc.message, exc.exit_code) from None


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "open": cmd_open,
    "demo": cmd_demo,
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "calendar": cmd_calendar,
    "check": cmd_check,
    "passwd": cmd_passwd,
    "restore": cmd_restore,
    "rotate-key": cmd_rotate_key,
    "recipients": cmd_recipients,
    "keygen": cmd_keygen,
    "recovery-key": cmd_recovery_key,
    "config": cmd_config,
    "audit": cmd_audit,
    "report": cmd_report,
    "print": cmd_print,
    "import-csv": cmd_import_csv,
}


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.version:
        from casetui import __version__

        print(f"casetui {__version__}")
        return 0
    if args.command is None:
        return cmd_open(args)
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
