"""The checks around each save: that casetui is still the only writer of an unchanged
file, whether only the audit trail changed, and a backup of the file first.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from casetui.core.errors import SaveFailed, VaultChanged
from casetui.core.history_records import AuditEntry
from casetui.files import describe_os_error, sha256_file
from casetui.vault import audit as audit_trail
from casetui.vault.backups import Backup, Backups
from casetui.vault.document import META_ID, META_TABLE
from casetui.vault.lock import VaultLock
from casetui.vault.storage import Document
from casetui.vault.vault_paths import VaultPaths


def verify_unchanged(lock: VaultLock | None, paths: VaultPaths, fingerprint: str) -> None:
    """Refuse to save unless the lock is still ours and the file is the one last read or written.

    ``fingerprint`` is the SHA-256 of the file as this session opened or last saved it.
    """
    if lock is None or not lock.still_ours():
        raise SaveFailed(
            f"The lock file {paths.lock} was removed while the vault was open, so "
            "casetui cannot be sure it is the only writer; close casetui and open it again."
        )
    try:
        on_disk = sha256_file(paths.vault)
    except FileNotFoundError:
        raise VaultChanged(
            f"The vault file {paths.vault} was moved or deleted while open; your changes "
            "are still here, but casetui will not save them over a missing file."
        ) from None
    except OSError as exc:
        raise SaveFailed(f"Could not read {paths.vault} to check it: {exc.strerror}.") from None
    if on_disk != fingerprint:
        raise VaultChanged(
            f"The vault file {paths.vault} was changed by another program since it was "
            "opened; casetui will not overwrite that version, and your changes are still here."
        )


def only_audit_changed(snapshot: Document, saved: Document) -> bool:
    """Whether ``snapshot`` differs from the last save (``saved``) only in audit entries.

    The storage swaps in a new dict for a table on every write, so a table
    that is the same object as at the last save is unchanged. The meta row is
    compared without the audit trail's head, which each new entry moves.
    """
    if snapshot.keys() != saved.keys():
        return False
    for table, rows in snapshot.items():
        if table in (AuditEntry.TABLE, META_TABLE) or rows is saved[table]:
            continue
        return False

    def settled(document: Document) -> dict[str, Any]:
        meta = document.get(META_TABLE, {}).get(META_ID, {})
        return {
            k: v
            for k, v in meta.items()
            if k != "generation" and not k.startswith(audit_trail.HEAD_KEY)
        }

    return settled(snapshot) == settled(saved)


def backup_before_saving(
    backups: Backups, vault_path: Path, now: datetime, pin: str | None
) -> Backup:
    """Keep a backup of the vault file as it is, or refuse the save in one sentence."""
    try:
        return backups.take(vault_path, now, reason=pin)
    except SaveFailed as exc:
        raise SaveFailed(f"Could not keep a backup before saving: {exc.message}") from None
    except OSError as exc:  # a full disk, say, when making the backups folder
        reason = describe_os_error(exc, vault_path)
        raise SaveFailed(f"Could not keep a backup before saving: {reason}.") from None
