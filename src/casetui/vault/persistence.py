"""How an open vault reaches the disk: saving a change, reading other devices', compacting.

A mixin of :class:`~casetui.vault.vault.Vault`, kept apart so each file stays small.
Every method here may run in a worker thread: they take the vault's save mutex
for the disk work and its record mutex only briefly, so the UI thread is never
held up by encryption or I/O.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casetui.core.errors import ReadOnlyVault, RemovedKeyListed, SaveFailed
from casetui.core.text import sanitise_document
from casetui.files import Sink, describe_os_error
from casetui.vault import audit as audit_trail
from casetui.vault import keys
from casetui.vault.backup_scrub import backups_holding, scrub_backups
from casetui.vault.backups import Backup, Backups
from casetui.vault.document import META_ID, META_TABLE
from casetui.vault.journal.device_journal import Journal
from casetui.vault.journal.journal_folder import GRACE_SECONDS
from casetui.vault.journal.merge_state import OWNED_TABLES, Version
from casetui.vault.lock import VaultLock
from casetui.vault.opening import generation_of
from casetui.vault.repository import Repository
from casetui.vault.save_checks import only_audit_changed
from casetui.vault.seen import Seen
from casetui.vault.storage import (
    ChunkReader,
    Document,
    MemoryDocumentStorage,
    document_chunks,
    keep_edits,
)

if TYPE_CHECKING:
    from casetui.vault.vault_paths import VaultPaths

#: A long session takes a fresh backup before saving once this much time has passed.
BACKUP_INTERVAL = timedelta(hours=1)
#: A snapshot is written (in the save worker) once this many changes sit on top of the last.
COMPACT_AFTER = 200


@dataclass(frozen=True, slots=True)
class SaveResult:
    saved_at: datetime
    size: int
    backup: Path | None


@dataclass(frozen=True, slots=True)
class Conflict:
    """One field with two (or more) versions from different devices; the first is shown."""

    table: str
    record_id: str
    field: str
    versions: tuple[Version, ...]


class Persistence:
    """Saving, refreshing, loading the rest, compacting; see the module's docstring."""

    paths: VaultPaths
    keyring: keys.Keyring
    mutex: threading.RLock
    _save_mutex: threading.RLock
    _lock: VaultLock | None
    _journal: Journal | None
    backups: Backups
    _last_backup: datetime | None
    _storage: MemoryDocumentStorage
    _saved_generation: int
    _saved_tables: Document
    _file_generation: int
    _remembers: bool
    seen: Seen
    repo: Repository
    last_saved: datetime | None
    _erased: set[tuple[str, str]]
    _erasure_unfinished: bool
    _retire_pending: bool
    _settle: set[tuple[str, str, str]]
    meta: Any
    recipients: Any
    who: Callable[[], str]
    readmitted_sentence: Callable[[], str | None]
    _remember: Callable[[], None]

    def _writer_journal(self) -> Journal:
        if self._lock is None or self._journal is None:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        if not self._lock.still_ours():
            raise SaveFailed(
                f"The lock file {self.paths.lock} was removed while the vault was open, so "
                "casetui cannot be sure it is the only writer here; close casetui and open "
                "it again."
            )
        return self._journal

    def save(
        self, *, force: bool = False, pin: str | None = None, retire_secret: bool = False
    ) -> SaveResult | None:
        """Write what changed since the last save as one new file. Safe in a worker thread.

        On failure nothing on disk changes, the edits stay in memory, and a later
        call retries. Raises SaveFailed or ReadOnlyVault.

        ``pin`` (``"import"``, say) keeps the vault as it was before this save as a
        pinned backup, which the age policy never prunes. Otherwise a backup is
        taken before the first save of a session (and hourly), unless the save
        only adds audit entries. ``force`` writes a snapshot to the current list
        of keys at once (after the list changed) and removes at once the files it
        replaces, encrypted to the list before; an erasure does the same, so no
        file still holds what was erased. ``retire_secret`` (with ``force``, after a
        key left the list) also replaces the journal secret, so the person removed
        cannot write changes the others accept (see ``journal.journal_secrets``).
        """
        if self._lock is None or self._journal is None:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")
        with self._save_mutex:
            with self.mutex:
                snapshot, generation = self._storage.snapshot()
                self._retire_pending = self._retire_pending or retire_secret
                unfinished = self._erasure_unfinished or self._retire_pending
                if generation == self._saved_generation and not force and not unfinished:
                    return None
                recipients = self.recipients
                back = self.readmitted_sentence()
                if back is not None:
                    raise RemovedKeyListed(back)
                audit_only = not force and only_audit_changed(snapshot, self._saved_tables)
                saved = self._saved_tables
                erased, settle = set(self._erased), set(self._settle)
                who = self.who()
                dirty = self._storage.take_dirty()
            try:
                journal = self._writer_journal()
                backup = None
                if (pin is not None or not audit_only) and not erased:
                    # (An erasure keeps no copy of what it erases.)
                    backup = self._backup_if_due(pin, saved, recipients)
                commit = journal.commit(
                    saved,
                    snapshot,
                    by=who,
                    recipients=recipients,
                    erased=erased,
                    settle=settle,
                    only=dirty,
                )
            except BaseException:
                with self.mutex:
                    self._storage.give_back(dirty)
                raise
            self._saved_generation = generation
            with self.mutex:
                self._erased -= erased
                self._settle -= settle
                self._file_generation = generation_of(journal)
                stamp = {"generation": self._file_generation}
                self._storage.document[META_TABLE] = {META_ID: {**self.meta, **stamp}}
                # As written: the meta row of the snapshot, not of now. An edit made
                # while this save was written (the owner chosen, say) stays unsaved, so
                # the next save writes it rather than take it as saved already.
                written = snapshot.get(META_TABLE, {}).get(META_ID, {})
                self._saved_tables = {**snapshot, META_TABLE: {META_ID: {**written, **stamp}}}
                head = audit_trail.stored_head(self.meta, self.repo.audit_chain)
            if self._remembers:
                self.seen.erased = sorted({*self.seen.erased, *(f"{t}/{r}" for t, r in erased)})
                self.seen.generation = max(self.seen.generation, self._file_generation)
                self.seen.audit_head = head
                self._remember()
                self.seen.written = journal.state.vector.get(journal.device, 0)
                self.seen.save()
            self.last_saved = datetime.now(UTC)
            erasing = bool(erased) or self._erasure_unfinished
            if force or erasing or self._retire_pending:
                # After the change is on disk and noted: a snapshot that fails leaves a
                # saved change, and says so; an erasure's, or a retirement's, is tried
                # again at the next save. Both at once: what was erased, and files
                # encrypted to a key just removed or replaced, must not stay in the folder.
                self._erasure_unfinished = erasing
                self._compact_now(journal, recipients, grace=0, retire=self._retire_pending)
                self._erasure_unfinished = self._retire_pending = False
            return SaveResult(self.last_saved, commit.size if commit else 0, backup)

    # -- backups ----------------------------------------------------------------------

    def _backup_if_due(
        self, pin: str | None, saved: Document, recipients: list[keys.RecipientEntry]
    ) -> Path | None:
        now = datetime.now(UTC)
        due = self._last_backup is None or now - self._last_backup >= BACKUP_INTERVAL
        if pin is None and not due:
            return None
        try:
            backup = self._write_backup(saved, recipients, now, pin)
        except SaveFailed as exc:
            raise SaveFailed(f"Could not keep a backup before saving: {exc.message}") from None
        except OSError as exc:  # a full disk, say, when making the backups folder
            reason = describe_os_error(exc, self.paths.vault)
            raise SaveFailed(f"Could not keep a backup before saving: {reason}.") from None
        self._last_backup = now
        return backup.path

    def _write_backup(
        self,
        document: Document,
        recipients: list[keys.RecipientEntry],
        now: datetime | None = None,
        reason: str | None = None,
    ) -> Backup:
        """Keep ``document`` (the records as saved) as a one-file backup, encrypted with age.

        It is encrypted to the keys its own list names (before a change of keys, the
        old list), so ``casetui check`` finds the two agree.
        """
        listed = document.get(META_TABLE, {}).get(META_ID, {}).get("recipients")
        if isinstance(listed, list) and listed:
            recipients = [keys.RecipientEntry(r["name"], r["key"]) for r in listed]

        def fill(out: Sink) -> int:
            return keys.encrypt_stream(ChunkReader(document_chunks(document)), out, recipients)

        return self.backups.keep_written(fill, now, reason=reason)

    def take_backup(self, reason: str | None = None) -> Backup:
        """Keep the vault as it was last saved as a backup now (pinned, with a reason)."""
        with self.mutex:
            saved, recipients = dict(self._saved_tables), self.recipients
        return self._write_backup(saved, recipients, reason=reason)

    # -- other devices ----------------------------------------------------------------

    def refresh(self) -> set[tuple[str, str]]:
        """Read what other devices saved since (files a sync tool brought); apply it.

        Unsaved edits of this session are saved first, so both are merged field by
        field. Returns the (table, record id) pairs that changed. Listeners hear of
        them as of any write.
        """
        if self._journal is None:
            return set()
        with self._save_mutex:
            if self.writable and self.dirty:
                self.save()
            touched = self._journal.refresh()
            if touched:
                with self.mutex:
                    self._take_in(touched)
                self.carry_out_erasures(touched)
            self.vouch_if_due()
            return touched

    def vouch_if_due(self) -> bool:
        """Write an empty change if this device saved with a journal secret that another
        device has since retired (a key was removed while this one had not synced): the
        others hold those saves back until a change signed with the new secret vouches
        for them. Returns whether one was written."""
        if self._journal is None or not self.writable or not self._journal.vouch_due():
            return False
        with self.mutex:
            recipients, who = self.recipients, self.who()
        with self._save_mutex:
            return self._journal.vouch(by=who, recipients=recipients) is not None

    def carry_out_erasures(self, among: Collection[tuple[str, str]] | None = None) -> int:
        """Carry out here the erasures another device made: this device's files and backups.

        The device that erased compacted its folder at once, and the sync tool carries
        its deletions; this device still has its own backups, and may have written a
        snapshot meanwhile. So: a snapshot now (removing what it replaces at once) and
        every backup rewritten without the records. ``among`` limits the look to those
        records (a refresh); None looks at every record (opening). Returns how many.
        """
        if self._journal is None or not self.writable or not self._remembers:
            return 0
        state = self._journal.state
        done = set(self.seen.erased)
        found = []
        with self.mutex:
            pairs = (
                among
                if among is not None
                else ((t, rid) for t, rows in state.tables.items() for rid in rows)
            )
            for table, record_id in pairs:
                rec = state.record(table, record_id)
                erased = rec is not None and rec.gone is not None and rec.gone.erased
                if erased and f"{table}/{record_id}" not in done:
                    found.append((table, record_id))
        if not found:
            return 0
        self.compact(grace=0)
        scrub_backups(self, backups_holding(self, found), found, delete=False)
        self.seen.erased = sorted(done | {f"{t}/{r}" for t, r in found})
        self.seen.save()
        return len(found)

    def load_rest(self) -> set[tuple[str, str]]:
        """Read the tables left for later at opening (the meeting log, the audit trail)."""
        if self._journal is None or not self._journal.loaded.pending_tables:
            return set()
        with self._save_mutex:
            pending = self._journal.loaded.pending_tables
            touched = self._journal.load_rest()
            with self.mutex:
                for table in pending:
                    rows = dict(self._journal.state.rows(table))
                    live = self._storage.document.get(table, {})
                    self._storage.document[table] = {**rows, **live}
                    self._saved_tables[table] = {**rows, **self._saved_tables.get(table, {})}
                self.repo.loading = frozenset()
                self.repo.reloaded({table: None for table in pending})
        with contextlib.suppress(SaveFailed):  # tried again at the next open
            self.carry_out_erasures()
        return touched

    def _take_in(self, touched: set[tuple[str, str]]) -> None:
        """Put the merged rows of ``touched`` records in memory, as saved. Under the mutex."""
        assert self._journal is not None  # noqa: S101 - callers check
        for table, record_id in list(touched):
            if table == "clients" and self._journal.state.row(table, record_id) is None:
                # Gone on another device: their records go too (see merge_state.OWNED_TABLES).
                for owned in OWNED_TABLES:
                    touched.update(
                        (owned, rid) for rid in self.repo.table(owned).child_ids(record_id)
                    )
        by_table: dict[str, list[str]] = {}
        for table, record_id in touched:
            by_table.setdefault(table, []).append(record_id)
        parents: dict[str, set[str | None] | None] = {}
        for table, ids in by_table.items():
            live = dict(self._storage.document.get(table, {}))
            saved = dict(self._saved_tables.get(table, {}))
            edited = self._storage.dirty.get(table, set())
            for record_id in ids:
                row = self._journal.state.row(table, record_id)
                if row is None:
                    live.pop(record_id, None)
                    saved.pop(record_id, None)
                    continue
                clean = {table: {record_id: dict(row)}}
                sanitise_document(clean)
                theirs = clean[table][record_id]
                mine, base = live.get(record_id), saved.get(record_id)
                if record_id in edited and mine is not None and base is not None:
                    # Edited here since the save this refresh made: keep this session's
                    # fields over the merged row, unsaved, so the next save writes them.
                    live[record_id] = keep_edits(theirs, base, mine)
                else:
                    live[record_id] = theirs
                saved[record_id] = theirs
            self._storage.document[table] = live
            self._saved_tables[table] = saved
            parents[table] = None
        if META_TABLE in by_table:
            meta = self._storage.document[META_TABLE]
            stamp = {"generation": generation_of(self._journal)}
            self._storage.document[META_TABLE] = {META_ID: {**meta.get(META_ID, {}), **stamp}}
        self.repo.reloaded(parents)

    # -- compaction ------------------------------------------------------------------

    def compaction_due(self) -> bool:
        return (
            self._journal is not None
            and self._lock is not None
            and self._journal.loaded.replayed >= COMPACT_AFTER
        )

    def compact(self, *, grace: float = GRACE_SECONDS) -> list[Path]:
        """Write a snapshot of the vault as saved, and remove the files it replaces.

        Saves may go on meanwhile (the journal holds its lock only to gather the
        records), so a save worker is never held up for long.
        """
        journal = self._writer_journal()
        with self.mutex:
            recipients = self.recipients
        return self._compact_now(journal, recipients, grace=grace)

    def _compact_now(
        self,
        journal: Journal,
        recipients: list[keys.RecipientEntry],
        *,
        grace: float,
        retire: bool = False,
    ) -> list[Path]:
        try:
            return journal.compact(recipients, grace=grace, retire=retire)
        except OSError as exc:
            reason = describe_os_error(exc, self.paths.vault)
            raise SaveFailed(
                f"Your changes are saved, but casetui could not write a snapshot of the vault "
                f"({reason}); it tries again with the next save."
            ) from None
        except (UnicodeError, ValueError) as exc:
            raise SaveFailed(
                "Your changes are saved, but casetui could not write a snapshot of the vault "
                f"({type(exc).__name__}); run 'casetui check'."
            ) from None

    # -- removal, erasure, conflicts ---------------------------------------------------

    def mark_erased(self, records: Collection[tuple[str, str]]) -> None:
        """Note records (table, id) being removed as *erased*: the next save erases them.

        Erased records are written as erasures, which every device applies, and the
        save then compacts at once and removes every file that held them.
        """
        with self.mutex:
            self._erased.update(records)

    def _saved_stamp(self, table: str, record_id: str) -> str:
        if self._journal is None:
            return ""
        rec = self._journal.state.record(table, record_id)
        return rec.base[0] if rec is not None and rec.base is not None else "~"

    def _is_gone(self, table: str, record_id: str) -> bool:
        if self._journal is None:
            return False
        rec = self._journal.state.record(table, record_id)
        return rec is not None and rec.gone is not None

    def conflicts(self) -> Iterator[Conflict]:
        """Fields edited on two devices at once: each keeps every version until chosen."""
        if self._journal is None:
            return
        with self.mutex:
            found = list(self._journal.state.conflicts())
            chosen = set(self._settle)  # chosen in this session, and saved in a moment
        for table, record_id, name, versions in found:
            if (table, record_id, name) not in chosen:
                yield Conflict(table, record_id, name, versions)

    def choose_version(self, table: str, record_id: str, name: str, value: Any) -> None:
        """Settle a conflict: ``value`` (one of the versions, or a new one) replaces them all.

        The row is written through the repository's table, so the change is
        checked and audited like any other; the next save writes it.
        """
        with self.mutex:
            self.repo.set_field(table, record_id, name, value)
            self._settle.add((table, record_id, name))

    @property
    def writable(self) -> bool:
        return self._lock is not None and self._lock.held

    @property
    def dirty(self) -> bool:
        return self._storage.generation != self._saved_generation
