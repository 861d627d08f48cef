"""One device's view of a format-4 vault folder: open it, commit saves, compact it.

:class:`Journal` turns the difference between two documents (TinyDB's tables as
last saved and as they are now) into one small change file, and keeps the merged
state in step. Reading other devices' new files (:meth:`Journal.refresh`) and
compacting (:meth:`Journal.compact`) are separate steps the caller runs in a worker.
"""

from __future__ import annotations

import secrets as random
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casetui.core.errors import SaveFailed
from casetui.files import ensure_private_dir
from casetui.vault import keys
from casetui.vault.journal import change_files as cf
from casetui.vault.journal import journal_folder as jf
from casetui.vault.journal import journal_secrets as js
from casetui.vault.journal.folder_files import write_snapshot_docs
from casetui.vault.journal.hlc import Clock, Stamp
from casetui.vault.journal.merge_state import Change, MergeState, RecordChange, RecordState, Row

Document = dict[str, dict[str, dict[str, Any]]]
#: Keys of the meta row that describe this copy, not the vault: never journalled.
LOCAL_META = frozenset({"generation"})
META_TABLE = "_meta"


def new_device_id() -> str:
    return random.token_hex(8)


@dataclass(frozen=True, slots=True)
class Commit:
    path: Path
    size: int
    records: int


class Journal:
    """A vault folder opened by one device (see :mod:`.journal_folder` for the files)."""

    def __init__(self, loaded: jf.Loaded, keyring: keys.Keyring, device: str, clock: Clock) -> None:
        self.root = loaded.root
        self.loaded = loaded
        self.keyring = keyring
        self.device = device
        self.clock = clock
        self.lock = threading.RLock()
        self._next = self._first_free_counter()
        self._snapshot_seq = max(
            (seq for (dev, seq) in loaded.listing.snapshots if dev == device), default=0
        )

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        root: Path,
        document: Document,
        *,
        keyring: keys.Keyring,
        recipients: Iterable[keys.RecipientEntry],
        vault_id: str,
        device: str,
        clock: Clock | None = None,
        saves: int = 1,
    ) -> Journal:
        """Write a new vault folder holding ``document`` as its first snapshot.

        ``saves`` is how many saves it counts as (a converted vault keeps its count,
        so this computer does not take it for an older copy).
        """
        clock = clock or Clock(device)
        state = MergeState()
        stamp = clock.tick().text()
        saves = max(1, saves)
        state.vector[device] = saves
        for table, rows in document.items():
            out = state.tables.setdefault(table, {})
            for record_id, row in rows.items():
                values = _journalled(table, row)
                out[record_id] = RecordState((stamp, device, saves), values)
        secret = random.token_hex(32)
        secrets = {cf.secret_id(secret): secret}
        ensure_private_dir(root)
        ensure_private_dir(root / jf.CHANGES)
        jf.write_snapshot(
            root,
            state,
            device=device,
            seq=1,
            vault_id=vault_id,
            secrets=secrets,
            recipients=recipients,
        )
        return cls.open(root, keyring, device=device, trust=lambda _v: set(secrets), clock=clock)

    @classmethod
    def open(
        cls,
        root: Path,
        keyring: keys.Keyring,
        *,
        device: str,
        trust: Callable[[str], Collection[str]] = lambda _vault_id: (),
        clock: Clock | None = None,
        later: Collection[str] = (),
    ) -> Journal:
        """Open a vault folder; ``trust`` as for :func:`.journal_folder.load`."""
        clock = clock or Clock(device)
        loaded = jf.load(root, keyring, clock=clock, trust=trust, later=later)
        return cls(loaded, keyring, device, clock)

    def load_rest(self) -> set[tuple[str, str]]:
        with self.lock:
            return jf.load_rest(self.loaded, self.keyring)

    # -- reading --------------------------------------------------------------------------

    @property
    def state(self) -> MergeState:
        return self.loaded.state

    @property
    def vault_id(self) -> str:
        return self.loaded.vault_id

    @property
    def problems(self) -> list[jf.FileProblem]:
        return self.loaded.problems

    def document(self, tables: Iterable[str] = ()) -> Document:
        """The merged records as TinyDB's document: every table, each record's shown values."""
        doc: Document = {table: {} for table in tables}
        for table in self.state.tables:
            doc[table] = dict(self.state.rows(table))
        return doc

    # -- saving ---------------------------------------------------------------------------

    def _first_free_counter(self) -> int:
        mine = [n for (dev, n) in self.loaded.listing.changes if dev == self.device]
        return max([self.state.vector.get(self.device, 0), *mine]) + 1

    def diff(
        self,
        saved: Mapping[str, Mapping[str, Row]],
        current: Mapping[str, Mapping[str, Row]],
        only: Mapping[str, Collection[str]] | None = None,
    ) -> tuple[list[RecordChange], list[tuple[str, str]]]:
        """What changed from ``saved`` to ``current``: records set, and records removed.

        Tables and rows are compared by identity first (TinyDB swaps in a new dict
        for each write), then field by field. ``only`` names the ids written in
        each table, when known, so a save costs the change, not the table.
        """
        records: list[RecordChange] = []
        removed: list[tuple[str, str]] = []
        for table, rows in current.items():
            before = saved.get(table, {})
            if rows is before:
                continue
            if only is not None and table in only:
                for record_id in sorted(only[table]):
                    old, row = before.get(record_id), rows.get(record_id)
                    if row is None:
                        if old is not None:
                            removed.append((table, record_id))
                    elif old is not row:
                        change = self._record_change(table, record_id, old, row)
                        if change is not None:
                            records.append(change)
                continue
            for record_id, row in rows.items():
                old = before.get(record_id)
                if old is row:
                    continue
                change = self._record_change(table, record_id, old, row)
                if change is not None:
                    records.append(change)
            removed.extend((table, rid) for rid in before if rid not in rows)
        for table, rows in saved.items():
            if table not in current:
                removed.extend((table, rid) for rid in rows)
        return records, removed

    def _record_change(
        self, table: str, record_id: str, old: Row | None, new: Row
    ) -> RecordChange | None:
        old_values = _journalled(table, old) if old is not None else {}
        new_values = _journalled(table, new)
        values = {k: v for k, v in new_values.items() if k not in old_values or old_values[k] != v}
        unset = tuple(k for k in old_values if k not in new_values)
        if not values and not unset:
            return None
        over = {name: self.state.over(table, record_id, name) for name in (*values, *unset)}
        return RecordChange(table, record_id, values, unset, over)

    def commit(
        self,
        saved: Mapping[str, Mapping[str, Row]],
        current: Mapping[str, Mapping[str, Row]],
        *,
        by: str,
        recipients: Iterable[keys.RecipientEntry],
        erased: Collection[tuple[str, str]] = (),
        settle: Collection[tuple[str, str, str]] = (),
        only: Mapping[str, Collection[str]] | None = None,
    ) -> Commit | None:
        """Write what changed from ``saved`` to ``current`` as one change file, and apply it.

        Records in ``erased`` that are gone from ``current`` are written as erased
        rather than removed. Each (table, record id, field) in ``settle`` is written
        with its value in ``current`` even if unchanged, replacing every version of
        it: that is how a person chooses between two versions. Returns None when
        nothing changed. SaveFailed leaves the state as it was, so the same commit
        can be tried again.
        """
        with self.lock:
            records, removed = self.diff(saved, current, only)
            records = self._settling(records, current, settle)
            if not records and not removed:
                return None
            gone = tuple((t, r, (t, r) in erased) for t, r in removed)
            return self._write(by=by, recipients=recipients, records=records, gone=gone)

    def _write(
        self,
        *,
        by: str,
        recipients: Iterable[keys.RecipientEntry],
        records: list[RecordChange],
        gone: tuple[tuple[str, str, bool], ...],
    ) -> Commit:
        with self.lock:
            for _attempt in range(3):
                if self.state.vector.get(self.device, 0) != self._next - 1:
                    # This device's sequence cannot go on (a file in its next place
                    # that is not its own, or its own set aside as damaged): carry on
                    # as a new device, whose changes every device can apply.
                    self._become_new_device()
                context = {d: n for d, n in self.state.vector.items() if d != self.device}
                stamp = self.clock.tick().text()
                change = Change(
                    self.device, self._next, stamp, context, tuple(records), gone, by[:120]
                )
                signing = self._signing_id()
                try:
                    path = jf.write_change(
                        self.root,
                        change,
                        vault_id=self.vault_id,
                        secret=self.loaded.secrets[signing],
                        recipients=recipients,
                    )
                except SaveFailed:
                    if not jf.change_path(self.root, self.device, self._next).exists():
                        raise
                    self._next += 1  # the name is taken: go on as a new device
                    continue
                self.state.apply(change)
                self.loaded.signed[(self.device, self._next)] = signing
                if self.loaded.pending_tables:
                    self.loaded.applied.append(change)  # load_rest applies it again
                self.loaded.replayed += 1
                self._next += 1
                return Commit(path, path.stat().st_size, len(records) + len(gone))
            raise SaveFailed(
                "casetui could not find a free name for this save in the vault folder; "
                "run 'casetui check'."
            )

    def rename_device(self, device: str) -> None:
        """Write from now on as ``device`` (this computer's remembered name in the vault)."""
        with self.lock:
            self.device = device
            self.clock = self.clock.renamed(device)
            self._next = self._first_free_counter()
            self._snapshot_seq = max(
                (seq for (dev, seq) in self.loaded.listing.snapshots if dev == device), default=0
            )

    def _become_new_device(self) -> None:
        self.device = new_device_id()
        self.clock = self.clock.renamed(self.device)
        self._next = 1
        self._snapshot_seq = 0

    def _settling(
        self,
        records: list[RecordChange],
        current: Mapping[str, Mapping[str, Row]],
        settle: Collection[tuple[str, str, str]],
    ) -> list[RecordChange]:
        by_record = {(rc.table, rc.record_id): rc for rc in records}
        for table, record_id, name in settle:
            row = current.get(table, {}).get(record_id)
            if row is None or name not in row:
                continue
            rc = by_record.get((table, record_id))
            values = {**(rc.values if rc else {}), name: row[name]}
            over = {**(rc.over if rc else {}), name: self.state.over(table, record_id, name)}
            by_record[(table, record_id)] = RecordChange(
                table, record_id, values, rc.unset if rc else (), over
            )
        return list(by_record.values())

    def _signing_id(self) -> str:
        return js.signing_id(self.loaded.secrets, self.loaded.retired)

    def vouch_due(self) -> bool:
        """Whether this device wrote changes with a secret since retired, and has written
        none with a secret in use after them (others hold those back until it does)."""
        with self.lock:
            own = [(n, k) for (d, n), k in self.loaded.signed.items() if d == self.device]
            late = [n for n, k in own if js.after_cutoff(k, self.device, n, self.loaded.retired)]
            if not late:
                return False
            return not any(n > max(late) and k not in self.loaded.retired for n, k in own)

    def vouch(self, *, by: str, recipients: Iterable[keys.RecipientEntry]) -> Commit | None:
        """Write an empty change signed with a secret in use, if :meth:`vouch_due`: it
        vouches for this device's earlier changes, made before it read that a key was
        removed."""
        if not self.vouch_due():
            return None
        return self._write(by=by, recipients=recipients, records=[], gone=())

    # -- other devices --------------------------------------------------------------------

    def refresh(self) -> set[tuple[str, str]]:
        """Read the files other devices added since; returns the records they changed."""
        with self.lock:
            return jf.refresh(self.loaded, self.keyring, self.clock)

    # -- compaction -----------------------------------------------------------------------

    def compact(
        self,
        recipients: Iterable[keys.RecipientEntry],
        *,
        grace: float = jf.GRACE_SECONDS,
        retire: bool = False,
    ) -> list[Path]:
        """Write a snapshot of everything applied, then remove the files it replaces.

        Returns the files removed. The records are gathered under the lock (a
        moment); encrypting and writing them, the slow part, is not, so saves go
        on meanwhile: their changes sit on top of the new snapshot.

        ``retire`` (after a key left the list) retires the journal secrets in use
        and puts a new one in the snapshot; this device signs with it once the
        snapshot is written (see :mod:`.journal_secrets`).
        """
        entries = list(recipients)
        with self.lock:
            if self.loaded.pending_tables:
                jf.load_rest(self.loaded, self.keyring)
            self._snapshot_seq += 1
            device, seq = self.device, self._snapshot_seq
            vector = dict(self.state.vector)
            secrets, retired = dict(self.loaded.secrets), dict(self.loaded.retired)
            if retire:
                secrets, retired = js.retiring(secrets, retired, vector)
            docs = cf.snapshot_docs(
                self.state,
                device=device,
                seq=seq,
                vault_id=self.vault_id,
                secrets=secrets,
                retired=retired,
            )
            replayed = self.loaded.replayed
        write_snapshot_docs(
            self.root,
            docs,
            device=device,
            seq=seq,
            secret=secrets[js.signing_id(secrets, retired)],
            recipients=entries,
        )
        del docs
        with self.lock:
            self.loaded.secrets.update(secrets)
            js.merge(self.loaded.retired, retired)
            self.loaded.signed = {
                k: v for k, v in self.loaded.signed.items() if k[1] > vector.get(k[0], 0)
            }
            self.loaded.snapshots[(device, seq)] = vector
            self.loaded.chosen = [(device, seq)]
            self.loaded.replayed = max(0, self.loaded.replayed - replayed)
            return jf.prune(self.root, (device, seq), vector, self.loaded.snapshots, grace=grace)

    def last_heard(self) -> dict[str, Stamp]:
        return dict(self.loaded.last_heard)


def _journalled(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    if table == META_TABLE:
        return {k: v for k, v in row.items() if k not in LOCAL_META}
    return dict(row)
