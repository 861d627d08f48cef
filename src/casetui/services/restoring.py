"""``casetui restore``: bring the records back to a backup, as a new change.

A vault folder may be shared through a sync tool, so putting old files back
would not go back: the other devices still hold the newer ones, and the union
of the folders is the vault. A restore is therefore written forward, like any
edit: every record is set to what the backup holds, records added since are
removed, and every device follows. Two things do not go back: the audit trail
(it only grows; the restore is recorded in it), and records removed or erased
since the backup (a removal is for good); the outcome counts those.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casetui.core.errors import ValidationError, VaultError
from casetui.core.history_records import AuditEntry
from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.core.records import Record
from casetui.files import open_regular
from casetui.vault import keys
from casetui.vault.document import load_document
from casetui.vault.repository import Repository
from casetui.vault.storage import Document
from casetui.vault.vault import Vault


@dataclass(frozen=True, slots=True)
class RestoreOutcome:
    changed: int
    removed: int
    #: Records in the backup that were removed or erased since, so stay gone.
    stay_gone: int


def read_backup(vault: Vault, path: Path) -> Document:
    """Decrypt and check a backup with the vault's keys (one sentence if it cannot be)."""
    with open_regular(path) as fh:  # never follows a link or hangs on a pipe
        data = fh.read()
    return load_document(keys.decrypt(data, vault.keyring, path, what="backup"), path)


def restore_records(vault: Vault, document: Document) -> RestoreOutcome:
    """Set every record to the backup's ``document``, in memory; the caller saves."""
    repo = vault.repo
    wanted: list[Record] = []
    stay_gone = 0
    doomed: list[tuple[str, str]] = []
    with repo.mutex:
        for table, cls in RECORD_BY_TABLE.items():
            if table == AuditEntry.TABLE:
                continue
            rows = document.get(table, {})
            current = repo.table(table).raw()
            for record_id, row in rows.items():
                if repo.is_gone(table, record_id):
                    stay_gone += 1
                    continue
                if current.get(record_id) == row:
                    continue
                try:
                    wanted.append(cls.from_dict(row, record_id=record_id))
                except ValidationError as exc:
                    raise VaultError(
                        f"The backup holds a damaged {cls.NOUN} ({exc}); choose another backup."
                    ) from None
            doomed.extend((table, rid) for rid in current if rid not in rows)
        # The backup's records first: once they are back, nothing kept points at the
        # records added since, and those can go.
        if wanted:
            try:
                repo.put_all(wanted)
            except VaultError:
                wanted = _put_what_can_come_back(repo, wanted)
        removed = repo.remove_all(doomed) if doomed else 0
    return RestoreOutcome(len(wanted), removed, stay_gone)


def _put_what_can_come_back(repo: Repository, wanted: list[Record]) -> list[Record]:
    """Put the records one by one, leaving out those that point at a record gone for good."""
    pending = {(r.TABLE, r.id) for r in wanted}
    put = []
    for record in wanted:
        try:
            repo.check_references(record, pending)
        except VaultError:
            continue
        put.append(record)
    if put:
        repo.put_all(put)
    return put
