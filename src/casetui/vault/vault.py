"""The vault: one age-encrypted file holding TinyDB's JSON document.

Opening reads the file once, decrypts it in memory and keeps the document there.
Changes go through :class:`~casetui.vault.repository.Repository`; ``save()``
encrypts the whole document to the vault's recipients and replaces the file
atomically. Before each save it checks that the file on disk is still the one it
opened (by SHA-256), so a second writer is stopped rather than overwritten.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from casetui.core.errors import (
    KeyFileError,
    OlderCopy,
    ReadOnlyVault,
    RemovedKeyListed,
    VaultDataError,
    VaultNotFound,
)
from casetui.core.history_records import AuditEntry
from casetui.core.records import Staff
from casetui.core.recordset import Problem, RecordSet, check_references
from casetui.core.text import plural, printable
from casetui.files import (
    atomic_write,
    atomic_write_stream,
    remove_stale_temps,
)
from casetui.vault import audit as audit_trail
from casetui.vault import keys
from casetui.vault.backups import DEFAULT_KEEP, Backups
from casetui.vault.creation import creatable, write_new_vault
from casetui.vault.document import META_ID, META_TABLE, OWN_KEY_NAME, read_vault, records_of
from casetui.vault.lock import VaultLock
from casetui.vault.repository import Repository
from casetui.vault.save_checks import backup_before_saving, only_audit_changed, verify_unchanged
from casetui.vault.seen import RemovedKey, Seen, recall
from casetui.vault.storage import ChunkReader, Document, document_chunks, open_db
from casetui.vault.unlocking import Unlocker
from casetui.vault.vault_paths import VaultPaths

#: A long session takes a fresh backup before saving once this much time has passed.
BACKUP_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SaveResult:
    saved_at: datetime
    size: int
    backup: Path | None


class Vault:
    """An open vault. Use :meth:`create` or :meth:`open`; close it when done."""

    #: The recipient stanza types in the vault file's header when it was opened
    #: (grease included), to compare with the list in ``meta["recipients"]``; see
    #: :func:`casetui.services.checkup.unlisted_keys`. None for a vault made in this session.
    header_recipients: list[str] | None = None

    def __init__(
        self,
        paths: VaultPaths,
        keyring: keys.Keyring,
        document: Document,
        *,
        fingerprint: str,
        lock: VaultLock | None,
        backups_keep: int = DEFAULT_KEEP,
    ) -> None:
        self.paths = paths
        self.keyring = keyring
        self.mutex = threading.RLock()
        self._save_mutex = threading.Lock()
        self._lock = lock
        self._fingerprint = fingerprint
        self.backups = Backups(paths.vault, backups_keep)
        self._last_backup: datetime | None = None
        self._db, self._storage = open_db(document)
        self._saved_generation = self._storage.generation
        #: The tables as last saved (or opened): a save that changed only the audit
        #: trail (and its head in the meta row) takes no backup.
        self._saved_tables: Document = dict(self._storage.document)
        generation = self.meta.get("generation", 0)
        #: The generation of the file on disk as this session last read or wrote it.
        self._file_generation = generation if isinstance(generation, int) else 0
        #: The throwaway demo vault leaves nothing behind in the state folder.
        self._remembers = keyring.source != "memory"
        self.seen: Seen = recall(self.vault_id) if self._remembers else Seen(self.vault_id)
        self.repo = Repository(self._db, self._storage, self.mutex, writable=lock is not None)
        self.repo.actor_source = self.who
        self.last_saved: datetime | None = None
        self._ssh_name_cache: tuple[object, str | None] | None = None

    # -- opening ------------------------------------------------------------------

    @staticmethod
    def creatable(path: Path) -> bool:
        """Raise VaultExists unless a vault can be created at ``path``; see :mod:`.creation`."""
        return creatable(path)

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str | None,
        *,
        owner_name: str | None = None,
        backups_keep: int = DEFAULT_KEEP,
    ) -> Self:
        """Create a new vault and its passphrase-wrapped identity. Returns it open.

        With ``passphrase=None`` no identity file is written: the key lives only
        in this process, so the vault can never be opened again once it closes.
        ``casetui demo`` uses that for its throwaway vault.

        All or nothing: both files are written and fsynced under hidden temp names
        first, then linked into place, key file first. A create that is stopped
        leaves no vault, and at most a key file that :meth:`creatable` recognises.
        """
        new = write_new_vault(path, passphrase, owner_name=owner_name)
        vault = cls(
            new.paths,
            new.keyring,
            new.document,
            fingerprint=new.sink.hexdigest(),
            lock=new.lock,
            backups_keep=backups_keep,
        )
        new.lock.name_holder(vault.who())  # the case manager, for "open elsewhere"
        if vault._remembers:
            vault.seen.generation = 1
            vault.seen.save()
        return vault

    @classmethod
    def open(
        cls,
        path: Path,
        unlock: Unlocker,
        *,
        writable: bool = True,
        validate: bool = False,
        backups_keep: int = DEFAULT_KEEP,
        accept_older: bool = False,
    ) -> Self:
        """Open a vault. ``writable`` takes the writer lock first (or fails at once).

        ``validate`` checks every record and reference and refuses a vault that
        breaks the rules; without it only the document's shape is checked, and
        records are checked as they are read.

        A copy older than the newest this computer has seen (see
        :mod:`casetui.vault.seen`) is refused for writing with :class:`OlderCopy`
        unless ``accept_older``: the person put it back on purpose.
        """
        paths = VaultPaths(path)
        if not paths.vault.exists():
            raise VaultNotFound(
                f"There is no vault at {paths.vault}; create one with 'casetui init', "
                "or point --vault at yours."
            )
        if paths.vault.is_dir():
            raise VaultNotFound(
                f"{paths.vault} is a folder; point --vault at the vault file in it."
            )
        lock = VaultLock(paths.lock) if writable else None
        if lock is not None:
            lock.acquire()
        try:
            keyring, document, fingerprint, stanzas = read_vault(paths, unlock)
            vault = cls(
                paths,
                keyring,
                document,
                fingerprint=fingerprint,
                lock=lock,
                backups_keep=backups_keep,
            )
            vault.header_recipients = stanzas
            if validate:
                problems = vault.problems()
                if problems:
                    raise VaultDataError(
                        f"The vault {paths.vault} has {len(problems)} record"
                        f"{'' if len(problems) == 1 else 's'} that break casetui's rules; "
                        "run 'casetui check' to list them.",
                        [str(p) for p in problems],
                    )
            vault._take_stock(accept_older=accept_older)
            if lock is not None:
                lock.name_holder(vault.who())  # the case manager, for "open elsewhere"
                remove_stale_temps(paths.vault)
            return vault
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    # -- state --------------------------------------------------------------------

    @property
    def vault_id(self) -> str:
        """A random id made when the vault was created; the same in every copy of it."""
        return str(self.meta.get("vault_id", ""))

    @property
    def generation(self) -> int:
        """How many times this vault file has been saved (1 when it was created)."""
        return self._file_generation

    def older_copy(self) -> tuple[int, int] | None:
        """``(this copy, newest seen)`` when this file is older than one seen here before."""
        if self._remembers and self.seen.generation > self._file_generation:
            return self._file_generation, self.seen.generation
        return None

    def readmitted_keys(self) -> list[RemovedKey]:
        """Keys on the list that were removed from this vault on this computer."""
        with self.mutex:
            listed = [r["key"] for r in self.meta.get("recipients", [])]
        return [self.seen.removed[k] for k in listed if k in self.seen.removed]

    def older_copy_sentence(self) -> str | None:
        older = self.older_copy()
        if older is None:
            return None
        return (
            f"This copy of the vault is older than one casetui has seen on this computer "
            f"(it was saved {plural(older[0], 'time')}, the newer one {older[1]:,}): someone "
            "may have "
            "put back an old copy. Open it read-only to look, or, if you restored it on "
            "purpose, open it with --accept-older-copy."
        )

    def readmitted_sentence(self) -> str | None:
        back = self.readmitted_keys()
        if not back:
            return None
        names = " and ".join(f"'{printable(r.name[:80])}'" for r in back)
        when = back[0].removed_at[:10]
        return (
            f"The key {names} was removed from this vault ({when}) but is on its list again, "
            "perhaps because an older copy was put back; nothing is saved until you remove "
            f"it again ('casetui recipients remove') or confirm that it belongs back "
            "('casetui recipients readmit NAME')."
        )

    def rewritten_trail_sentence(self) -> str | None:
        """Why the audit trail is not the one this computer saved last, if it is not.

        The entry that was last when this computer saved must still be there, at
        the same place, with the same hash: a trail edited offline and its chain
        rebuilt (anyone with a key could) fails this. An older copy is reported
        as that instead.
        """
        anchor = self.seen.audit_head
        if anchor is None or self.older_copy() is not None:
            return None
        seq, digest = anchor
        rows = self._storage.document.get(AuditEntry.TABLE, {})
        found = [(rid, row) for rid, row in rows.items() if audit_trail.seq_of(row) == seq]
        if len(found) == 1 and audit_trail.link(*found[0]) == digest:
            return None
        return (
            f"The audit trail is not the one this computer saved last: its entry {seq} was "
            "changed or removed since, although its chain was made whole again; compare the "
            "vault with its backups, and tell whoever oversees your records."
        )

    def _take_stock(self, *, accept_older: bool) -> None:
        """Refuse an older copy for writing, or move the watermark to this copy.

        A read-only look changes nothing here, unless the person accepted the copy.
        """
        if not self._remembers:
            return
        sentence = self.older_copy_sentence()
        if sentence is not None and not accept_older and self.writable:
            raise OlderCopy(sentence)
        if not self.writable and not (sentence is not None and accept_older):
            return
        if self.seen.generation != self._file_generation:
            # Newer than seen (another device saved it), or older and accepted.
            self.seen.generation = self._file_generation
            self.seen.save()

    @property
    def path(self) -> Path:
        return self.paths.vault

    @property
    def writable(self) -> bool:
        return self._lock is not None and self._lock.held

    @property
    def dirty(self) -> bool:
        return self._storage.generation != self._saved_generation

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self._storage.document[META_TABLE][META_ID]
        return meta

    @property
    def recipients(self) -> list[keys.RecipientEntry]:
        return [keys.RecipientEntry(r["name"], r["key"]) for r in self.meta["recipients"]]

    @property
    def owner_staff_id(self) -> str | None:
        owner = self.meta.get("owner_staff_id")
        return owner if isinstance(owner, str) else None

    def who(self) -> str:
        """The person this session acts as, for the audit trail.

        The vault's own key (the passphrase) is its owner, the case manager; a
        team member's key is the name it was added under; any other key is
        described by how it was given.
        """
        mine = self.keyring.public_keys()
        for entry in self.meta.get("recipients", []):
            if entry.get("key") in mine and entry.get("name") != OWN_KEY_NAME:
                return str(entry.get("name"))[:120]
        own = {r["key"] for r in self.meta.get("recipients", []) if r.get("name") == OWN_KEY_NAME}
        if mine & own or self.keyring.source in ("passphrase", "memory"):
            owner = self._storage.document.get(Staff.TABLE, {}).get(self.owner_staff_id or "")
            name = owner.get("name") if isinstance(owner, dict) else None
            return str(name)[:120] if name else "the vault's owner"
        named = self._ssh_key_name()
        if named:
            return named[:120]
        return f"someone with the {self.keyring.source}"[:120]

    def _ssh_key_name(self) -> str | None:
        """The name of the SSH key on the list that this session's keys open.

        An SSH identity does not show its public key, so each SSH entry is probed
        (a millisecond each); the answer is kept until the list or the keys change.
        """
        entries = tuple(
            (str(r.get("name")), str(r.get("key")))
            for r in self.meta.get("recipients", [])
            if str(r.get("key", "")).startswith("ssh-")
        )
        cache_key = (entries, len(self.keyring.identities))
        if self._ssh_name_cache is None or self._ssh_name_cache[0] != cache_key:
            found = next(
                (
                    name
                    for name, key in entries
                    if name != OWN_KEY_NAME
                    and keys.opens(keys.RecipientEntry(name, key), self.keyring)
                ),
                None,
            )
            self._ssh_name_cache = (cache_key, found)
        return self._ssh_name_cache[1]

    def set_owner(self, staff_id: str) -> None:
        """Record which case manager this vault's own user is ("my caseload")."""
        if not self.writable:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        self.repo.set_meta("owner_staff_id", staff_id)

    def set_recipients(self, entries: list[keys.RecipientEntry]) -> None:
        """Replace the list of keys the vault is encrypted to.

        The file on disk changes only when the vault is saved; ``save(force=True)``
        re-encrypts it to the new list at once. The checks on names and keys live in
        :mod:`casetui.services.recipients`.
        """
        if not self.writable:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        if not entries:
            raise KeyFileError("A vault must be encrypted to at least one key.")
        with self.mutex:
            meta = dict(self.meta)
            meta["recipients"] = [{"name": e.name, "key": e.key} for e in entries]
            self._db.record_table(META_TABLE).replace_row(META_ID, meta)

    def problems(self) -> list[Problem]:
        """Every record checked against the domain rules, and every reference."""
        records, problems = records_of(self._storage.document)
        problems.extend(check_references(records.tables))
        return problems

    def records(self) -> RecordSet:
        """All records, validated. Raises VaultDataError if any break the rules."""
        records, problems = records_of(self._storage.document)
        if problems:
            raise VaultDataError(
                f"The vault has {len(problems)} records that break casetui's rules; "
                "run 'casetui check' to list them.",
                [str(p) for p in problems],
            )
        return records

    # -- saving -------------------------------------------------------------------

    def save(self, *, force: bool = False, pin: str | None = None) -> SaveResult | None:
        """Encrypt and write the document if it changed. Safe to call from a worker thread.

        On failure nothing on disk changes, the edits stay in memory, and a later
        call retries. Raises SaveFailed, VaultChanged or ReadOnlyVault.

        ``pin`` (``"import"``, say) keeps the file as it was before this save as a
        pinned backup, which the age policy never prunes. Otherwise a backup is
        taken before the first save of a session (and hourly), unless the save
        only adds audit entries.
        """
        if self._lock is None:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        with self._save_mutex:
            with self.mutex:
                snapshot, generation = self._storage.snapshot()
                if generation == self._saved_generation and not force:
                    return None
                recipients = self.recipients
                back = self.readmitted_sentence()
                if back is not None:
                    raise RemovedKeyListed(back)
                new_generation = max(self._file_generation, self.seen.generation) + 1
                audit_only = not force and only_audit_changed(snapshot, self._saved_tables)
                snapshot[META_TABLE] = {META_ID: {**self.meta, "generation": new_generation}}
            verify_unchanged(self._lock, self.paths, self._fingerprint)
            backup = self._backup_if_due(pin) if pin is not None or not audit_only else None
            sink = atomic_write_stream(
                self.paths.vault,
                lambda out: keys.encrypt_stream(
                    ChunkReader(document_chunks(snapshot)), out, recipients
                ),
            )
            self._fingerprint = sink.hexdigest()
            self._saved_generation = generation
            with self.mutex:
                # Not through the table: the generation is the file's, not an edit.
                self._storage.document[META_TABLE] = {
                    META_ID: {**self.meta, "generation": new_generation}
                }
                self._saved_tables = {**snapshot, META_TABLE: self._storage.document[META_TABLE]}
            self._file_generation = new_generation
            if self._remembers:
                self.seen.generation = max(self.seen.generation, new_generation)
                self.seen.audit_head = audit_trail.stored_head(snapshot[META_TABLE][META_ID])
                self.seen.save()
            self.last_saved = datetime.now(UTC)
            return SaveResult(self.last_saved, sink.size, backup)

    def _backup_if_due(self, pin: str | None = None) -> Path | None:
        now = datetime.now(UTC)
        due = self._last_backup is None or now - self._last_backup >= BACKUP_INTERVAL
        if pin is None and not due:
            return None
        backup = backup_before_saving(self.backups, self.paths.vault, now, pin)
        self._last_backup = now
        return backup.path

    def close(self) -> None:
        """Release the lock. Unsaved changes are dropped: save first."""
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def wrap_own_identity(self, new_passphrase: str) -> None:
        """Write the vault's identity file again under a new passphrase."""
        secret = self.keyring.own_secret
        own_keys = {r.key for r in self.recipients if r.name == OWN_KEY_NAME}
        if secret is None or not (self.keyring.public_keys() & own_keys):
            raise KeyFileError(
                "Changing the passphrase needs the vault's own key: unlock with the current "
                "passphrase (or with the vault's own identity file)."
            )
        text = f"# public key: {next(iter(own_keys))}\n{secret}\n"
        atomic_write(self.paths.identity, keys.wrap_identity(text, new_passphrase))
