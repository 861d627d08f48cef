"""Where casetui may write a file for you: never over the vault's own files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from casetui.vault.errors import VaultError

if TYPE_CHECKING:
    from casetui.vault.vault import Vault


def check_destination(vault: Vault, out: Path, *, overwrite: bool, what: str) -> None:
    """Refuse, in one sentence, a place ``what`` (an export, a calendar…) must not be written.

    The vault, its key file, its lock and its backups are never written over; a
    folder or a missing folder is refused, and so is an existing file unless
    ``overwrite`` (``--force``).
    """
    paths = vault.paths
    backups = paths.vault.with_name(paths.vault.name + ".backups").resolve()
    target = out.resolve()
    protected = {p.resolve() for p in (paths.vault, paths.identity, paths.lock)}
    if target in protected or target.is_relative_to(backups):
        raise VaultError(f"{out} is one of the vault's own files; choose another name for {what}.")
    if out.is_dir():
        raise VaultError(f"{out} is a folder; give the name of the file to write.")
    if not out.parent.is_dir():
        raise VaultError(f"{out.parent} does not exist; choose a folder that does.")
    if (out.exists() or out.is_symlink()) and not overwrite:
        raise VaultError(
            f"{out} already exists; choose another name, or add --force to replace it."
        )
