"""The ``casetui`` command line.

Only argparse and the standard library load at start-up, so ``casetui --help``
is quick; each command imports what it needs when it runs. Every failure is
reported as one sentence on stderr with a non-zero exit code, never a traceback:

    0  all is well          2  the command line was wrong
    1  something is wrong   3  the vault is open elsewhere
  130  cancelled (Ctrl+C)  70  an unexpected internal error
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from casetui.config import Settings
    from casetui.vault.vault import Unlocker

PASSPHRASE_ENV = "CASETUI_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
NEW_PASSPHRASE_ENV = "CASETUI_NEW_PASSPHRASE"  # noqa: S105
MAX_LISTED_PROBLEMS = 20


class CliError(Exception):
    """A problem to report in one sentence."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


# -- parser -------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"casetui: {message}; see 'casetui --help'.\n")


def _common_options(required: bool = False) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
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
    return common


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
        "--plaintext", action="store_true", help="write readable JSON (holds survivors' data!)"
    )
    exp.add_argument("--force", action="store_true", help="replace FILE if it exists")

    cal = commands.add_parser(
        "calendar",
        parents=[common],
        help="write your coming weeks to an .ics file for a calendar app",
        description=(
            "Write your time blocks, your clients' planned meetings and the check-ins "
            "falling due to an iCalendar (.ics) file, in this computer's time zone. "
            "Clients appear only as their calendar code, or their initials, unless you "
            "add --with-names; nothing else from their records is written."
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
    cal.add_argument(
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
    commands.add_parser(
        "passwd",
        parents=[common],
        help="change the passphrase",
        description=(
            "Change the passphrase. Only the small key file is re-encrypted, so this is quick. "
            f"Scripts may set {NEW_PASSPHRASE_ENV}."
        ),
    )
    commands.add_parser(
        "open",
        parents=[common],
        help="open the app (the same as running casetui with no command)",
        description=(
            "Open your vault in the app. On first run it helps you create one. "
            f"Set {PASSPHRASE_ENV} or use --identity to skip the passphrase prompt."
        ),
    )
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


def ask_new_passphrase(env_name: str) -> str:
    """A new passphrase from ``env_name`` or typed twice, refusing very weak ones."""
    from casetui.core.passphrase import assess

    env = os.environ.get(env_name)
    if env is not None:
        verdict = assess(env)
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
        verdict = assess(first)
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
    from casetui.vault.vault import identity_unlocker, passphrase_unlocker

    identity: Path | None = getattr(args, "identity", None)
    if identity is not None:
        return identity_unlocker(
            identity.expanduser(), lambda: ask_passphrase(f"Passphrase for {identity.name}: ")
        )
    return passphrase_unlocker(lambda: ask_passphrase(f"Passphrase for {path.name}: "))


def print_problems(problems: Sequence[str]) -> None:
    for line in problems[:MAX_LISTED_PROBLEMS]:
        print(f"  - {line}", file=sys.stderr)
    if len(problems) > MAX_LISTED_PROBLEMS:
        print(f"  ... and {len(problems) - MAX_LISTED_PROBLEMS} more.", file=sys.stderr)


# -- commands -----------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from casetui.core.errors import ValidationError
    from casetui.vault.vault import Vault, VaultPaths

    path = vault_path(args)
    paths = VaultPaths(path)
    for existing in (paths.vault, paths.identity):
        if existing.exists():
            raise CliError(
                f"{existing} already exists; open that vault, or choose another path with --vault."
            )
    passphrase = ask_new_passphrase(PASSPHRASE_ENV)
    try:
        vault = Vault.create(path, passphrase, owner_name=args.name)
    except ValidationError as exc:
        raise CliError(f"Your name {exc.problem}") from None
    vault.close()
    print(f"Created a new vault at {path}")
    print(f"Its key file is {paths.identity}, protected by your passphrase.")
    print(
        "Keep copies of both files somewhere safe: without the key file and the passphrase, "
        "no one, including you, can open the vault."
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from casetui.vault.interchange import apply_import, plan_import, read_interchange_file
    from casetui.vault.vault import Vault

    path = vault_path(args)
    if args.sample:
        from casetui.resources import sample_caseload

        source = sample_caseload()
    else:
        source = args.file.expanduser()
    with Vault.open(path, unlocker(args, path), validate=True) as vault:
        data = read_interchange_file(source, vault.keyring)
        plan = plan_import(vault, data, source.name)
        apply_import(vault, plan)
    for line in plan.describe():
        print(line)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from casetui.vault.interchange import write_export
    from casetui.vault.vault import Vault

    path = vault_path(args)
    out: Path = args.out.expanduser()
    with Vault.open(path, unlocker(args, path), writable=False, validate=True) as vault:
        size = write_export(vault, out, plaintext=args.plaintext, overwrite=args.force)
        keys = len(vault.recipients)
    if args.plaintext:
        print(
            f"Warning: {out} holds survivors' records as plain text. Keep it off shared and "
            "synced folders, and delete it as soon as you are done.",
            file=sys.stderr,
        )
        print(f"Wrote {size:,} bytes of plain JSON to {out}.")
    else:
        print(f"Wrote {size:,} bytes to {out}, encrypted to the vault's {keys} key(s).")
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from datetime import date

    from casetui.vault.calendar import local_zone, write_calendar
    from casetui.vault.vault import Vault

    path = vault_path(args)
    out: Path = args.out.expanduser()
    zone = local_zone()
    with Vault.open(path, unlocker(args, path), writable=False) as vault:
        calendar = write_calendar(
            vault,
            out,
            staff_id=args.staff,
            as_of=date.today(),
            zone=zone,
            weeks=args.weeks,
            with_names=args.with_names,
            overwrite=args.force,
        )
    if args.with_names:
        print(
            f"Warning: {out} holds clients' names. Keep it private: off shared and synced "
            "folders and shared calendars, and delete it when you are done.",
            file=sys.stderr,
        )
    where = zone.key if zone is not None else "UTC"
    print(
        f"Wrote {calendar.events} event(s) for the next {args.weeks} week(s) to {out}: "
        f"{calendar.blocks} time block(s), {calendar.meetings} meeting(s), "
        f"{calendar.checkins} check-in(s), in {where} time."
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from casetui.core.recordset import describe_counts
    from casetui.vault.checkup import check_vault

    path = vault_path(args)
    report = check_vault(path, unlocker(args, path))
    print(f"Checked {report.path}")
    print(f"  Unlocked with: {report.unlocked_with}")
    print(f"  Records: {describe_counts(report.counts)}")
    names = ", ".join(r.name for r in report.recipients)
    print(f"  Encrypted to {len(report.recipients)} key(s): {names}")
    if report.backups:
        opening = sum(1 for b in report.backups if b.opens)
        print(f"  Backups: {len(report.backups)} kept, {opening} open with this key")
        for b in report.backups:
            taken = b.backup.taken.strftime("%Y-%m-%d %H:%M UTC")
            print(f"    {taken}  {b.backup.size:>12,} bytes  {b.note}")
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


def cmd_passwd(args: argparse.Namespace) -> int:
    from casetui.vault.vault import Vault

    path = vault_path(args)
    with Vault.open(path, unlocker(args, path), validate=True) as vault:
        new = ask_new_passphrase(NEW_PASSPHRASE_ENV)
        vault.wrap_own_identity(new)
    print("The passphrase is changed. Use the new one from now on.")
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


def _settings() -> tuple[Settings, list[str]]:
    from casetui.config import load_settings

    return load_settings()


def cmd_open(args: argparse.Namespace) -> int:
    from casetui.ui.launch import run_app
    from casetui.vault.vault import VaultPaths, keyring_unlocker

    path = vault_path(args).absolute()
    preset = None
    if getattr(args, "identity", None) is not None:
        # Read the key file now, while the terminal can still ask for its passphrase.
        preset = keyring_unlocker(unlocker(args, path)(VaultPaths(path)))
    elif os.environ.get(PASSPHRASE_ENV):
        preset = unlocker(args, path)
    settings, notices = _settings()
    return run_app(path, settings=settings, unlocker=preset, notices=notices)


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
    return run_demo(settings=settings, notices=notices)


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
        return web.serve_demo(host, args.port or DEMO_WEB_PORT)
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
    "config": cmd_config,
}


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.version:
        from casetui import __version__

        print(f"casetui {__version__}")
        return 0
    if args.command is None:
        return cmd_open(args)
    return COMMANDS[args.command](args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args, parser)
    except CliError as exc:
        print(f"casetui: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\ncasetui: cancelled; nothing more was changed.", file=sys.stderr)
        return 130
    except Exception as exc:
        from casetui.vault.errors import ImportRejected, VaultDataError, VaultError

        if isinstance(exc, ImportRejected | VaultDataError) and exc.problems:
            print_problems(exc.problems)
        if isinstance(exc, VaultError):
            print(f"casetui: {exc.message}", file=sys.stderr)
            return exc.exit_code
        print(
            f"casetui: something unexpected went wrong ({type(exc).__name__}); nothing more "
            "was saved. Please report it; this message holds no case data.",
            file=sys.stderr,
        )
        return 70
