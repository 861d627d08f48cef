"""Asking on the terminal: passphrases (or their environment variables) and yes/no."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from casetui.cli.cli_error import CliError

PASSPHRASE_ENV = "CASETUI_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
NEW_PASSPHRASE_ENV = "CASETUI_NEW_PASSPHRASE"  # noqa: S105


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


def confirm(question: str) -> bool:
    """Ask a yes/no question on the terminal; anything but yes is no."""
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().casefold() in ("y", "yes")
