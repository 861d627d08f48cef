"""Backups without what was erased: find the ones that hold records, rewrite or delete them.

Each backup is one age file holding the whole document; rewriting one decrypts
it, drops the records, and encrypts it again to the keys its own list names,
written atomically over the same name. A backup that cannot be read here is
deleted: it may hold them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from casetui.core.errors import VaultError
from casetui.files import atomic_write, open_regular
from casetui.vault import keys
from casetui.vault.backups import Backup, Backups
from casetui.vault.document import META_ID, META_TABLE, load_document
from casetui.vault.storage import Document, document_chunks


class HasBackups(Protocol):
    """What these functions need of a vault: its keys and its backups."""

    keyring: keys.Keyring
    backups: Backups


@dataclass(slots=True)
class BackupScrub:
    rewritten: list[Path] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)


def backups_holding(vault: HasBackups, records: Sequence[tuple[str, str]]) -> list[Backup]:
    """The backups that still hold any of ``records`` (each is decrypted to look)."""
    wanted = set(records)
    holding = []
    for backup in vault.backups.newest_first():
        document = _read_backup(vault, backup)
        if document is None or any(rid in document.get(t, {}) for t, rid in wanted):
            holding.append(backup)
    return holding


def scrub_backups(
    vault: HasBackups,
    backups: Sequence[Backup],
    records: Sequence[tuple[str, str]],
    *,
    delete: bool,
) -> BackupScrub:
    """Rewrite each backup without ``records`` (encrypted to its own keys), or delete it.

    A backup that cannot be read here is deleted either way: it may hold them.
    """
    outcome = BackupScrub()
    for backup in backups:
        document = None if delete else _read_backup(vault, backup)
        try:
            if document is None:
                backup.path.unlink()
                outcome.deleted.append(backup.path)
                continue
            for table, record_id in records:
                document.get(table, {}).pop(record_id, None)
            meta = document[META_TABLE][META_ID]
            recipients = [keys.RecipientEntry(r["name"], r["key"]) for r in meta["recipients"]]
            data = keys.encrypt(b"".join(document_chunks(document)), recipients)
            atomic_write(backup.path, data)
            outcome.rewritten.append(backup.path)
        except (OSError, VaultError):
            outcome.failed.append(backup.path)
    return outcome


def _read_backup(vault: HasBackups, backup: Backup) -> Document | None:
    with contextlib.suppress(OSError, VaultError, json.JSONDecodeError):
        with open_regular(backup.path) as fh:
            data = fh.read()
        plain = keys.decrypt(data, vault.keyring, backup.path, what="backup")
        return load_document(plain, backup.path)
    return None
