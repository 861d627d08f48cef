"""``casetui open`` (also what a bare ``casetui`` does) and ``casetui demo``.

Textual and the app load only inside the functions that start it, so that
``casetui --help`` and the other commands start quickly without them.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from casetui.cli.cli_error import CliError
from casetui.cli.common import accepts_older, unlocker, user_settings, vault_path
from casetui.cli.parsing import CliParser, common_options, masked_option, read_only_option
from casetui.cli.prompts import PASSPHRASE_ENV

DEMO_WEB_HOST = "127.0.0.1"
DEMO_WEB_PORT = 8000


def add_open_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
    common = common_options()
    opener = commands.add_parser(
        "open",
        parents=[common],
        help="open the app (the same as running casetui with no command)",
        description=(
            "Open your vault in the app. On first run it helps you create one. "
            f"Set {PASSPHRASE_ENV} or use --identity to skip the passphrase prompt."
        ),
    )
    masked_option(opener)
    read_only_option(opener)


def add_demo_parser(commands: argparse._SubParsersAction[CliParser]) -> None:
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
    masked_option(demo)


def _masked(args: argparse.Namespace) -> bool | None:
    """True for --masked; None leaves it to the mask_clients setting."""
    return True if getattr(args, "masked", False) else None


def run_open(args: argparse.Namespace) -> int:
    # Textual loads here, when the app starts, never for --help or another command.
    from casetui.ui.launch import run_app
    from casetui.vault.unlocking import keyring_unlocker
    from casetui.vault.vault_paths import VaultPaths

    path = vault_path(args).absolute()
    preset = None
    identity: Path | None = getattr(args, "identity", None)
    if identity is not None:
        identity = identity.expanduser().absolute()  # the lock screen unlocks with it again
        # Read the key file now, while the terminal can still ask for its passphrase.
        preset = keyring_unlocker(unlocker(args, path)(VaultPaths(path)))
    elif os.environ.get(PASSPHRASE_ENV):
        preset = unlocker(args, path)
    settings, notices = user_settings()
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


def _demo_port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"the port must be a number from 1 to 65535, not {text!r}")
    return port


def run_demo(args: argparse.Namespace) -> int:
    if args.web:
        return _serve_demo(args)
    if args.port is not None or args.host is not None:
        raise CliError("--port and --host only apply with --web; add --web or leave them out.", 2)
    # Textual loads here, when the demo starts, never for --help or another command.
    from casetui.ui.launch import run_demo as launch_demo

    settings, notices = user_settings()
    return launch_demo(settings=settings, notices=notices, masked=_masked(args))


def _serve_demo(args: argparse.Namespace) -> int:
    """Serve the demo, and only the demo, to browsers; see casetui.web."""
    host = DEMO_WEB_HOST if args.host is None else args.host.strip()
    if not host:
        raise CliError("--host is empty; give an address such as 127.0.0.1, or leave it out.", 2)
    try:  # textual-serve (and Textual) load only when the demo is served
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
