"""A typed API over the vault's TinyDB tables.

Reads return validated, immutable records; writes take records. Every write
holds the vault's mutex, so a save running in a worker thread always snapshots a
consistent document. Writes change memory only: call ``Vault.save()`` to persist.

Per-client figures for caseload lists (last contact, next check-in, open needs,
goal progress) are folded from the raw rows once, cached, and recomputed only
for the client a write touches, so a caseload of thousands stays fast.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from casetui.core.choices import CASELOAD_STATUSES, ClientStatus, GoalStatus, NeedStatus
from casetui.core.errors import ValidationError
from casetui.core.records import AdminBlock, Client, Goal, Meeting, NeedItem, Record, Staff
from casetui.core.rules import (
    Capacity,
    CaseloadRow,
    ClientSummary,
    ContactSummary,
    caseload_row,
    goal_progress,
    open_need_count,
)
from casetui.vault.errors import ReadOnlyVault, VaultDataError, VaultError

if TYPE_CHECKING:
    from casetui.vault.storage import MemoryDocumentStorage, VaultDB

R = TypeVar("R", bound=Record)
RawRow = dict[str, Any]


class RecordMissing(VaultError):
    """A record that should exist does not."""


class RecordInUse(VaultError):
    """A record others refer to cannot be removed."""


def _damaged(table: str, record_id: str, exc: Exception) -> VaultDataError:
    field = exc.field if isinstance(exc, ValidationError) else "its fields"
    return VaultDataError(
        f"A record in the vault's {table} ({record_id[:64]}) is damaged in {field}; "
        "run 'casetui check' for details.",
        [f"{table}/{record_id[:64]}: {exc}"],
    )


class Table(Generic[R]):
    """One table of records of type ``R``, optionally indexed by a parent id."""

    def __init__(self, repo: Repository, cls: type[R], parent_field: str | None = None) -> None:
        self._repo = repo
        self.cls = cls
        self.name = cls.TABLE
        self.parent_field = parent_field
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

    def put(self, record: R) -> R:
        """Insert ``record``, or replace the stored record with the same id."""
        self._repo.check_writable()
        with self._repo.mutex:
            self._repo.check_references(record)
            new = record.to_dict(with_id=False)
            old = self.raw().get(record.id)
            # Read the old parent first: replace_row rewrites the stored dict in place.
            old_parent, new_parent = self._parent_of(old), self._parent_of(new)
            if old is None:
                self._tiny.insert_rows([(record.id, new)])
            else:
                self._tiny.replace_row(record.id, new)
            self._reindex(record.id, old_parent, new_parent)
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

    def remove(self, record_id: str) -> bool:
        self._repo.check_writable()
        with self._repo.mutex:
            old = self.raw().get(record_id)
            if old is None:
                return False
            self._repo.check_unreferenced(self.name, record_id)
            self._tiny.remove_row(record_id)
            parent = self._parent_of(old)
            self._reindex(record_id, parent, None)
            self._repo.touched(self.name, {parent})
            return True


class Repository:
    def __init__(
        self,
        db: VaultDB,
        storage: MemoryDocumentStorage,
        mutex: threading.RLock,
        *,
        writable: bool,
    ) -> None:
        self.db = db
        self.storage = storage
        self.mutex = mutex
        self.writable = writable
        self.staff = Table(self, Staff)
        self.clients = Table(self, Client, parent_field="case_manager_id")
        self.goals = Table(self, Goal, parent_field="client_id")
        self.needs = Table(self, NeedItem, parent_field="client_id")
        self.meetings = Table(self, Meeting, parent_field="client_id")
        self.admin_blocks = Table(self, AdminBlock, parent_field="staff_id")
        self._summaries: dict[str, ClientSummary] = {}
        self.listeners: list[Callable[[str], None]] = []

    def tables(self) -> list[Table[Any]]:
        return [self.staff, self.clients, self.goals, self.needs, self.meetings, self.admin_blocks]

    def table_for(self, cls: type[R]) -> Table[R]:
        for table in self.tables():
            if table.cls is cls:
                return table
        raise KeyError(cls.__name__)

    def check_writable(self) -> None:
        if not self.writable:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")

    # -- integrity ----------------------------------------------------------------

    def check_references(self, record: Record) -> None:
        """Refuse a write that would point at a record that does not exist."""
        targets: list[tuple[str, str | None, Table[Any]]] = []
        if isinstance(record, Client):
            targets.append(("case_manager_id", record.case_manager_id, self.staff))
        elif isinstance(record, Goal | NeedItem):
            targets.append(("client_id", record.client_id, self.clients))
        elif isinstance(record, Meeting):
            targets.append(("client_id", record.client_id, self.clients))
            targets.append(("staff_id", record.staff_id, self.staff))
        elif isinstance(record, AdminBlock):
            targets.append(("staff_id", record.staff_id, self.staff))
        for field, target_id, table in targets:
            if target_id is not None and target_id not in table:
                noun = table.cls.NOUN
                raise RecordMissing(
                    f"This {record.NOUN} refers to a {noun} that does not exist ({field})."
                )

    def check_unreferenced(self, table: str, record_id: str) -> None:
        """Refuse to remove a client or case manager that other records still use."""
        users: list[Table[Any]]
        if table == Client.TABLE:
            users = [self.goals, self.needs, self.meetings]
            advice = "close the case instead of deleting it"
        elif table == Staff.TABLE:
            users = [self.clients, self.admin_blocks]
            advice = "reassign their clients first"
        else:
            return
        if any(t.child_ids(record_id) for t in users):
            raise RecordInUse(f"Other records still belong to this {table[:-1]}; {advice}.")

    def touched(self, table: str, parents: Collection[str | None]) -> None:
        """Forget cached figures for the clients a write touched."""
        if table in (Goal.TABLE, NeedItem.TABLE, Meeting.TABLE):
            for parent in parents:
                if parent is not None:
                    self._summaries.pop(parent, None)
        for listener in self.listeners:
            listener(table)

    # -- figures ------------------------------------------------------------------

    def summary(self, client_id: str) -> ClientSummary:
        """Last contact, agreed next check-in, open needs and goal progress of one client."""
        with self.mutex:
            cached = self._summaries.get(client_id)
            if cached is None:
                cached = self._summarise(client_id)
                self._summaries[client_id] = cached
            return cached

    def _summarise(self, client_id: str) -> ClientSummary:
        """Fold the client's raw rows; far cheaper than building every record."""
        try:
            contact = ContactSummary()
            for _mid, raw in self.meetings.raw_children(client_id):
                nxt = raw.get("next_checkin")
                contact = contact.with_meeting(
                    date.fromisoformat(raw["on"]), date.fromisoformat(nxt) if nxt else None
                )
            needs = [NeedStatus(raw["status"]) for _nid, raw in self.needs.raw_children(client_id)]
            goals = [GoalStatus(raw["status"]) for _gid, raw in self.goals.raw_children(client_id)]
        except (KeyError, ValueError, TypeError):
            # A hand-edited or damaged row: building each record names the culprit.
            for table in (self.meetings, self.needs, self.goals):
                table.for_parent(client_id)
            raise
        achieved, total = goal_progress(goals)
        return ClientSummary(contact, open_need_count(needs), achieved, total)

    def caseload(
        self,
        as_of: date,
        *,
        staff_id: str | None = None,
        statuses: Collection[ClientStatus] = CASELOAD_STATUSES,
    ) -> list[CaseloadRow]:
        """Caseload rows for one case manager (or everyone), sorted by preferred name."""
        with self.mutex:
            names = {sid: raw.get("name", "") for sid, raw in self.staff.raw().items()}
            if staff_id is None:
                candidates: Iterator[tuple[str, RawRow]] = iter(list(self.clients.raw().items()))
            else:
                candidates = self.clients.raw_children(staff_id)
            wanted = {s.value for s in statuses}
            rows = []
            for client_id, raw in candidates:
                if raw.get("status") not in wanted:
                    continue
                client = self.clients.build(client_id, raw)
                manager = names.get(client.case_manager_id, "")
                rows.append(caseload_row(client, manager, self.summary(client_id), as_of))
        rows.sort(key=lambda row: (row.client.preferred_name.casefold(), row.client.id))
        return rows

    def capacity(self, staff_id: str) -> Capacity:
        staff = self.staff.require(staff_id)
        with self.mutex:
            wanted = {s.value for s in CASELOAD_STATUSES}
            count = sum(
                1
                for _cid, raw in self.clients.raw_children(staff_id)
                if raw.get("status") in wanted
            )
        return Capacity(count, staff.capacity)
