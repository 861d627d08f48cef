"""What most commands share: finding and unlocking the vault, recording, listing problems."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from casetui.cli.cli_error import CliError
from casetui.cli.prompts import ask_passphrase

if TYPE_CHECKING:
    from casetui.config import Settings
    from casetui.core.choices import AuditAction
    from casetui.vault.unlocking import Unlocker
    from casetui.vault.vault import Vault

MAX_LISTED_PROBLEMS = 20


def vault_path(args: argparse.Namespace) -> Path:
    from casetui.config import default_vault_path

    chosen: Path | None = getattr(args, "vault", None)
    return (chosen or default_vault_path()).expanduser()


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


def user_settings() -> tuple[Settings, list[str]]:
    from casetui.config import load_settings

    return load_settings()
