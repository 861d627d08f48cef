"""The vault's tables: typed records over TinyDB's rows, and the append-only audit trail.

Reads return validated, immutable records; writes take records. Every write
holds the vault's mutex and is checked by its
:class:`~casetui.vault.repository.Repository` first (references, and what may be
removed), so a refused write changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from casetui.core.errors import ValidationError, VaultDataError, VaultError
from casetui.core.history_records import AuditEntry
from casetui.core.records import Client, NeedItem, Record
from casetui.core.text import printable
from casetui.vault.audit import (
    CHAINED_KEY,
    AuditTrailIsAppendOnly,
    chain_of,
    chain_start,
    chained,
    entry_for_change,
    head_key,
    link,
    mark_imported,
    seq_of,
    stored_head,
)

if TYPE_CHECKING:
    import threading

    from casetui.vault.storage import MemoryDocumentStorage, VaultDB

R = TypeVar("R", bound=Record)
RawRow = dict[str, Any]


class TableOwner(Protocol):
    """What a table needs of the repository that holds it (see ``vault/repository.py``).

    A protocol rather than an import, so the tables and the repository do not
    import each other.
    """

    db: VaultDB
    storage: MemoryDocumentStorage
    mutex: threading.RLock
    audit: AuditTable
    #: The audit chain this session appends to: "" for the vault's first, or a device's id.
    audit_chain: str

    @property
    def actor(self) -> str: ...

    loading: frozenset[str]

    def is_gone(self, table: str, record_id: str) -> bool: ...

    def saved_stamp(self, table: str, record_id: str) -> str: ...

    @property
    def meta(self) -> dict[str, Any]: ...

    def set_meta(self, key: str, value: Any) -> None: ...

    def check_writable(self) -> None: ...

    def check_references(
        self, record: Record, pending: Collection[tuple[str, str]] = ()
    ) -> None: ...

    def check_unreferenced(
        self, table: str, record_id: str, ignore: Collection[tuple[str, str]] = ()
    ) -> None: ...

    def noting_need_status(self, need: NeedItem, old: RawRow | None) -> NeedItem: ...

    def coding_new_client(self, client: Client) -> Client: ...

    def touched(self, table: str, parents: Collection[str | None]) -> None: ...


class RecordMissing(VaultError):
    """A record that should exist does not."""


class RecordInUse(VaultError):
    """A record others refer to cannot be removed."""


def _trail_order(row: RawRow, stamp: str) -> tuple[int, int, str, str, int]:
    """Where an entry sits in the trail: unchained first, then the vault's first chain,
    then the devices' chains by when each entry was saved (the save's clock stamp,
    which follows what its device had seen; the entry's time, to the second, when
    there is none)."""
    seq, chain = seq_of(row), chain_of(row)
    if not seq:
        return (0, 0, "", "", 0)
    if not chain:
        return (1, seq, "", "", seq)
    at = row.get("at")
    return (2, 0, stamp or (at if isinstance(at, str) else ""), chain, seq)


def _damaged(table: str, record_id: str, exc: Exception) -> VaultDataError:
    field = exc.field if isinstance(exc, ValidationError) else "its fields"
    shown = printable(record_id[:64])  # the key of a hand-edited file, as it is there
    return VaultDataError(
        f"A record in the vault's {table} ({shown}) is damaged in {field}; "
        "run 'casetui check' for details.",
        [f"{table}/{shown}: {exc}"],
    )


class Table(Generic[R]):
    """One table of records of type ``R``, optionally indexed by a parent id."""

    def __init__(self, repo: TableOwner, cls: type[R]) -> None:
        self._repo = repo
        self.cls = cls
        self.name = cls.TABLE
        self.parent_field = cls.PARENT
        self._tiny = repo.db.record_table(cls.TABLE)
        self._children: dict[str, list[str]] | None = None

    # -- reading ------------------------------------------------------------------

    def raw(self) -> dict[str, RawRow]:
        """The stored rows by id. Read-only: TinyDB swaps this dict on every write."""
        rows: dict[str, RawRow] = self._repo.storage.document.get(self.name, {})
        return rows

    def build(self, record_id: str, raw: RawRow) -> R:
        try:
            return self.cls.from_dict(raw, record_id=record_id)
        except ValidationError as exc:
            raise _damaged(self.name, record_id, exc) from None

    def get(self, record_id: str) -> R | None:
        raw = self.raw().get(record_id)
        return None if raw is None else self.build(record_id, raw)

    def require(self, record_id: str) -> R:
        record = self.get(record_id)
        if record is None:
            raise RecordMissing(f"There is no {self.cls.NOUN} with the id {record_id[:64]!r}.")
        return record

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.raw()

    def __len__(self) -> int:
        return len(self.raw())

    def __iter__(self) -> Iterator[R]:
        for record_id, raw in list(self.raw().items()):
            yield self.build(record_id, raw)

    def all(self) -> list[R]:
        return list(self)

    def _index(self) -> dict[str, list[str]]:
        if self.parent_field is None:
            raise TypeError(f"{self.name} has no parent index")
        if self._children is None:
            children: dict[str, list[str]] = {}
            field = self.parent_field
            for record_id, raw in self.raw().items():
                parent = raw.get(field)
                children.setdefault(parent if isinstance(parent, str) else "", []).append(record_id)
            self._children = children
        return self._children

    def forget_index(self) -> None:
        """Drop the index by parent (rows were replaced from outside); rebuilt when asked."""
        self._children = None

    def child_ids(self, parent_id: str) -> list[str]:
        return list(self._index().get(parent_id, ()))

    def raw_children(self, parent_id: str) -> Iterator[tuple[str, RawRow]]:
        rows = self.raw()
        for record_id in self._index().get(parent_id, ()):
            raw = rows.get(record_id)
            if raw is not None:
                yield record_id, raw

    def for_parent(self, parent_id: str) -> list[R]:
        return [self.build(rid, raw) for rid, raw in self.raw_children(parent_id)]

    # -- writing ------------------------------------------------------------------

    def _reindex(self, record_id: str, old_parent: str | None, new_parent: str | None) -> None:
        if self._children is None or old_parent == new_parent:
            return
        # A brand-new record has old_parent None; a removed one has new_parent None.
        if old_parent is not None and record_id in self._children.get(old_parent, ()):
            self._children[old_parent].remove(record_id)
        if new_parent is not None:
            self._children.setdefault(new_parent, []).append(record_id)

    def _parent_of(self, raw: RawRow | None) -> str | None:
        if raw is None or self.parent_field is None:
            return None
        parent = raw.get(self.parent_field)
        return parent if isinstance(parent, str) else None

    def put(self, record: R, *, pending: Collection[tuple[str, str]] = ()) -> R:
        """Insert ``record``, or replace the stored record with the same id.

        ``pending`` names records being written in the same step (see ``put_all``).
        """
        self._repo.check_writable()
        with self._repo.mutex:
            self._repo.check_references(record, pending)
            old = self.raw().get(record.id)
            if old is None and self._repo.is_gone(self.name, record.id):
                raise VaultError(
                    f"That {self.cls.NOUN} was removed from this vault, on this device or "
                    "another; it cannot be brought back under the same id."
                )
            if isinstance(record, NeedItem):
                record = cast(R, self._repo.noting_need_status(record, old))
            elif isinstance(record, Client) and old is None:
                record = cast(R, self._repo.coding_new_client(record))
            new = record.to_dict(with_id=False)
            # Read the old parent (and what changed) first: replace_row rewrites the
            # stored dict in place.
            old_parent, new_parent = self._parent_of(old), self._parent_of(new)
            entry = entry_for_change(self._repo.actor, self.name, record.id, old, new)
            if old is None:
                self._tiny.insert_rows([(record.id, new)])
            else:
                self._tiny.replace_row(record.id, new)
            self._reindex(record.id, old_parent, new_parent)
            if entry is not None:
                self._repo.audit.append(entry)
            self._repo.touched(self.name, {old_parent, new_parent})
        return record

    def add(self, record: R) -> R:
        """Insert a new record; its id must not be taken."""
        if record.id in self:
            raise VaultError(f"A {self.cls.NOUN} with the id {record.id!r} already exists.")
        return self.put(record)

    def add_many(self, records: Sequence[R]) -> None:
        """Insert many new records in one TinyDB write (used by import)."""
        self._repo.check_writable()
        with self._repo.mutex:
            existing = self.raw()
            rows = []
            for record in records:
                if record.id in existing:
                    raise VaultError(f"A {self.cls.NOUN} with the id {record.id!r} already exists.")
                rows.append((record.id, record.to_dict(with_id=False)))
            self._tiny.insert_rows(rows)
            parents = set()
            for record_id, row in rows:
                parent = self._parent_of(row)
                self._reindex(record_id, None, parent)
                parents.add(parent)
            self._repo.touched(self.name, parents)

    def remove(self, record_id: str, *, checked: bool = True) -> bool:
        """Remove a record; refused while others point at it (unless the caller checked)."""
        self._repo.check_writable()
        if self._repo.loading:
            raise VaultError("casetui is still reading the meeting log; try again in a moment.")
        with self._repo.mutex:
            old = self.raw().get(record_id)
            if old is None:
                return False
            if checked:
                self._repo.check_unreferenced(self.name, record_id)
            entry = entry_for_change(self._repo.actor, self.name, record_id, old, None)
            self._tiny.remove_row(record_id)
            parent = self._parent_of(old)
            self._reindex(record_id, parent, None)
            if entry is not None:
                self._repo.audit.append(entry)
            self._repo.touched(self.name, {parent})
            return True


class AuditTable(Table[AuditEntry]):
    """The audit trail's table: entries are appended, never replaced or removed.

    Each entry appended is chained to the one before (see :mod:`casetui.vault.audit`);
    the meta row keeps the last entry's place and hash. Iterating gives the
    entries in the order they were added.
    """

    def __init__(self, repo: TableOwner, cls: type[AuditEntry]) -> None:
        super().__init__(repo, cls)
        #: The last entry's place and hash, read from the stored rows when first needed.
        self._head: tuple[int, str] | None = None

    def put(self, record: AuditEntry, *, pending: Collection[tuple[str, str]] = ()) -> AuditEntry:
        raise AuditTrailIsAppendOnly(
            "The audit trail can only be added to; its entries cannot be changed."
        )

    def remove(self, record_id: str, *, checked: bool = True) -> bool:
        raise AuditTrailIsAppendOnly(
            "The audit trail can only be added to; its entries cannot be removed."
        )

    def add_many(self, records: Sequence[AuditEntry]) -> None:
        raise AuditTrailIsAppendOnly(
            "Audit entries from elsewhere are added with add_imported, which marks them."
        )

    def ordered_raw(self) -> list[tuple[str, RawRow]]:
        """The stored rows in the trail's order.

        Any entry not chained comes first, then the vault's first chain in its
        order, then the entries of each device's chain by time (a shared vault).
        """
        stamp = self._repo.saved_stamp
        return sorted(
            self.raw().items(), key=lambda item: _trail_order(item[1], stamp(self.name, item[0]))
        )

    def __iter__(self) -> Iterator[AuditEntry]:
        for record_id, raw in self.ordered_raw():
            yield self.build(record_id, raw)

    def for_parent(self, parent_id: str) -> list[AuditEntry]:
        """One client's entries, in the trail's order (not the order they were stored)."""
        stamp = self._repo.saved_stamp
        rows = sorted(
            self.raw_children(parent_id),
            key=lambda item: _trail_order(item[1], stamp(self.name, item[0])),
        )
        return [self.build(record_id, raw) for record_id, raw in rows]

    def append(self, entry: AuditEntry) -> AuditEntry:
        """Add ``entry`` at the end of the trail; returns it as stored (with its place)."""
        (stored,) = self._insert([entry])
        return stored

    def add_imported(self, entries: Sequence[AuditEntry], *, source: str) -> list[AuditEntry]:
        """Add entries from another vault's export, marked as imported now, by whom, from where."""
        at = datetime.now(UTC)
        return self._insert(
            [mark_imported(e, at=at, by=self._repo.actor, source=source) for e in entries]
        )

    def _insert(self, entries: Sequence[AuditEntry]) -> list[AuditEntry]:
        self._repo.check_writable()
        with self._repo.mutex:
            stored = self.raw()
            ids = [e.id for e in entries]
            if any(i in stored for i in ids) or len(set(ids)) != len(ids):
                raise AuditTrailIsAppendOnly("That audit entry is already in the trail.")
            seq, prev = self._chain_head()
            chain = self._repo.audit_chain
            rows = chained(
                [(e.id, e.to_dict(with_id=False)) for e in entries], prev, seq + 1, chain
            )
            added = [
                dataclasses.replace(e, seq=row["seq"], prev=row["prev"], chain=chain)
                for e, (_rid, row) in zip(entries, rows, strict=True)
            ]
            self._tiny.insert_rows(rows)
            if rows:
                self._head = (seq + len(rows), link(*rows[-1]))
                self._repo.set_meta(head_key(chain), {"seq": self._head[0], "hash": self._head[1]})
            for e in added:
                self._reindex(e.id, None, e.client_id or "")
            self._repo.touched(self.name, ())
            return added

    def _chain_head(self) -> tuple[int, str]:
        """The last entry's place and hash; the first call chains an older vault's entries.

        The meta row's record wins over the stored rows, so a new entry never seals
        an edit to the last entry, or entries cut off the end, made outside casetui:
        ``casetui check`` still finds the break.
        """
        chain = self._repo.audit_chain
        if self._head is None and chain:
            # A device's own chain in a shared vault (format 4).
            recorded = stored_head(self._repo.meta, chain)
            mine = [(rid, row) for rid, row in self.raw().items() if chain_of(row) == chain]
            last = max(mine, key=lambda item: seq_of(item[1]), default=None)
            if recorded is not None:
                self._head = recorded
            elif last is not None and seq_of(last[1]):
                self._head = (seq_of(last[1]), link(*last))
            else:
                self._head = (0, chain_start(self._repo.meta, chain))
        if self._head is None:
            rows = self.ordered_raw()
            recorded = stored_head(self._repo.meta)
            if recorded is not None:
                self._head = recorded
            elif rows and seq_of(rows[-1][1]):
                record_id, row = rows[-1]
                self._head = (seq_of(row), link(record_id, row))
            elif rows:
                self._head = self._chain_older(rows)
            else:
                self._head = (0, chain_start(self._repo.meta))
        return self._head

    def _chain_older(self, rows: list[tuple[str, RawRow]]) -> tuple[int, str]:
        """Chain the entries of a vault from before chaining, in the order they were added.

        The meta row notes when, so ``casetui check`` can say that changes made to
        them before then would not show.
        """
        relinked = chained(rows, chain_start(self._repo.meta))
        self._tiny.replace_rows(relinked)
        self._repo.set_meta(
            CHAINED_KEY,
            {
                "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "entries": len(relinked),
            },
        )
        return len(relinked), link(*relinked[-1])
