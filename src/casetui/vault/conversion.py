"""Turning a one-file vault (format 3) into a vault folder (format 4), at the same path.

The folder is written in full under a hidden temp name first, and the old file
is kept as a pinned backup (``...-before-format-4.age``). Then two renames swap
them: the file moves aside, the folder takes its name. Should casetui be stopped
between the two, :func:`finish_interrupted` (run under the writer lock before
every open) completes the swap, so the vault is never missing for long and
never lost: its data is in the staged folder and in the backup.
"""

from __future__ import annotations

import contextlib
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casetui.core.history_records import AuditEntry
from casetui.files import TEMP_SUFFIX, fsync_dir, remove_stale_temps
from casetui.vault import audit as audit_trail
from casetui.vault import keys
from casetui.vault.backups import Backups
from casetui.vault.document import META_ID, META_TABLE
from casetui.vault.journal import journal_folder as jf
from casetui.vault.journal.device_journal import Document, Journal
from casetui.vault.vault_paths import VaultPaths

#: Why the old file is kept: its backup is named ``...-before-format-4.age``.
BACKUP_REASON = "format 4"


def staged_folder(paths: VaultPaths) -> Path:
    return paths.vault.with_name(f".{paths.vault.name}.format4{TEMP_SUFFIX}")


def moved_file(paths: VaultPaths) -> Path:
    return paths.vault.with_name(f".{paths.vault.name}.format3{TEMP_SUFFIX}")


def finish_interrupted(paths: VaultPaths) -> None:
    """Complete or undo a conversion that was stopped. Call only under the writer lock."""
    staged, old = staged_folder(paths), moved_file(paths)
    if not paths.vault.exists() and jf.is_journal_folder(staged) and old.is_file():
        staged.rename(paths.vault)  # stopped between the two renames: finish
        fsync_dir(paths.vault.parent)
    if paths.vault.is_dir() and old.is_file():
        with contextlib.suppress(OSError):
            old.unlink()  # the backup keeps it
    if staged.exists() and (paths.vault.is_file() or paths.vault.is_dir()):
        shutil.rmtree(staged, ignore_errors=True)  # stopped before the swap: start again


def chain_older_entries(document: Document) -> None:
    """Chain the audit entries of a vault from before chaining, as the first save would have.

    After the conversion each device appends to a chain of its own, so the
    vault's first chain is closed as it is.
    """
    rows = document.get(AuditEntry.TABLE, {})
    if not rows or any(audit_trail.seq_of(row) for row in rows.values()):
        return
    meta: dict[str, Any] = document[META_TABLE][META_ID]
    relinked = audit_trail.chained(list(rows.items()), audit_trail.chain_start(meta))
    document[AuditEntry.TABLE] = dict(relinked)
    last_id, last_row = relinked[-1]
    meta[audit_trail.HEAD_KEY] = {"seq": len(relinked), "hash": audit_trail.link(last_id, last_row)}
    meta[audit_trail.CHAINED_KEY] = {
        "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "entries": len(relinked),
    }


def convert(
    paths: VaultPaths,
    document: Document,
    *,
    keyring: keys.Keyring,
    device: str,
    backups: Backups,
) -> list[str]:
    """Write ``document`` (read from the file at ``paths.vault``) as a folder in its place.

    Returns the ids of the new folder's journal secrets, for this computer to trust.
    """
    meta = document[META_TABLE][META_ID]
    recipients = [keys.RecipientEntry(r["name"], r["key"]) for r in meta["recipients"]]
    staged, old = staged_folder(paths), moved_file(paths)
    shutil.rmtree(staged, ignore_errors=True)
    remove_stale_temps(paths.vault)  # an older casetui's half-written saves, whole copies
    chain_older_entries(document)
    journal = Journal.create(
        staged,
        document,
        keyring=keyring,
        recipients=recipients,
        vault_id=str(meta["vault_id"]),
        device=device,
        saves=generation if isinstance(generation := meta.get("generation"), int) else 1,
    )
    backups.take(paths.vault, reason=BACKUP_REASON)
    paths.vault.rename(old)
    staged.rename(paths.vault)
    fsync_dir(paths.vault.parent)
    with contextlib.suppress(OSError):
        old.unlink()
    return sorted(journal.loaded.secrets)
