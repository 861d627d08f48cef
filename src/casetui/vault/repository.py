"""A typed API over the vault's TinyDB tables.

Reads return validated, immutable records; writes take records. Every write
holds the vault's mutex, so a save running in a worker thread always snapshots a
consistent document. Writes change memory only: call ``Vault.save()`` to persist.

Per-client figures for caseload lists (last contact, next check-in, open needs,
goal progress) are folded from the raw rows once, cached, and recomputed only
for the client a write touches, so a caseload of thousands stays fast.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from casetui.core.choices import (
    AuditAction,
    GoalStatus,
    NeedStatus,
)
from casetui.core.errors import ReadOnlyVault, ValidationError, VaultDataError, VaultError
from casetui.core.integrity import broken_rules
from casetui.core.labels import new_calendar_code
from casetui.core.records import (
    AdminBlock,
    Assignment,
    AuditEntry,
    CaseEvent,
    Client,
    Consent,
    Goal,
    LegalMatter,
    Meeting,
    NeedItem,
    Partner,
    Record,
    Referral,
    SafetyPlan,
    Staff,
    StrengthsAssessment,
)
from casetui.core.rules import (
    ClientSummary,
    ContactSummary,
    goal_progress,
    open_need_count,
)
from casetui.core.text import printable
from casetui.vault.audit import (
    CHAINED_KEY,
    HEAD_KEY,
    UNKNOWN_ACTOR,
    AuditTrailIsAppendOnly,
    chain_start,
    chained,
    entry_for_change,
    link,
    mark_imported,
    seq_of,
    stored_head,
)

if TYPE_CHECKING:
    from casetui.vault.storage import MemoryDocumentStorage, VaultDB

R = TypeVar("R", bound=Record)
RawRow = dict[str, Any]
#: Where the vault's meta row is stored (the same as ``vault.META_TABLE`` and ``META_ID``).
META_TABLE, META_ID = "_meta", "1"


class RecordMissing(VaultError):
    """A record that should exist does not."""


class RecordInUse(VaultError):
    """A record others refer to cannot be removed."""


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

    def __init__(self, repo: Repository, cls: type[R]) -> None:
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

    def remove(self, record_id: str) -> bool:
        self._repo.check_writable()
        with self._repo.mutex:
            old = self.raw().get(record_id)
            if old is None:
                return False
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

    def __init__(self, repo: Repository, cls: type[AuditEntry]) -> None:
        super().__init__(repo, cls)
        #: The last entry's place and hash, read from the stored rows when first needed.
        self._head: tuple[int, str] | None = None

    def put(self, record: AuditEntry, *, pending: Collection[tuple[str, str]] = ()) -> AuditEntry:
        raise AuditTrailIsAppendOnly(
            "The audit trail can only be added to; its entries cannot be changed."
        )

    def remove(self, record_id: str) -> bool:
        raise AuditTrailIsAppendOnly(
            "The audit trail can only be added to; its entries cannot be removed."
        )

    def add_many(self, records: Sequence[AuditEntry]) -> None:
        raise AuditTrailIsAppendOnly(
            "Audit entries from elsewhere are added with add_imported, which marks them."
        )

    def ordered_raw(self) -> list[tuple[str, RawRow]]:
        """The stored rows in the trail's order (any entry not chained comes first)."""
        return sorted(self.raw().items(), key=lambda item: seq_of(item[1]))

    def __iter__(self) -> Iterator[AuditEntry]:
        for record_id, raw in self.ordered_raw():
            yield self.build(record_id, raw)

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
            rows = chained([(e.id, e.to_dict(with_id=False)) for e in entries], prev, seq + 1)
            added = [
                dataclasses.replace(e, seq=row["seq"], prev=row["prev"])
                for e, (_rid, row) in zip(entries, rows, strict=True)
            ]
            self._tiny.insert_rows(rows)
            if rows:
                self._head = (seq + len(rows), link(*rows[-1]))
                self._repo.set_meta(HEAD_KEY, {"seq": self._head[0], "hash": self._head[1]})
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


class _StoredRecords:
    """The vault's stored rows, as :func:`casetui.core.integrity.broken_rules` sees them."""

    def __init__(self, repo: Repository, pending: Collection[tuple[str, str]]) -> None:
        self._repo = repo
        self._pending = pending

    def exists(self, table: str, record_id: str) -> bool:
        return record_id in self._repo.table(table) or (table, record_id) in self._pending

    def client_of(self, table: str, record_id: str) -> str | None:
        raw = self._repo.table(table).raw().get(record_id)
        client_id = raw.get("client_id") if raw is not None else None
        return client_id if isinstance(client_id, str) else None

    def other_safety_plan(self, plan: SafetyPlan) -> bool:
        return any(pid != plan.id for pid in self._repo.safety_plans.child_ids(plan.client_id))


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
        self.clients = Table(self, Client)
        self.goals = Table(self, Goal)
        self.needs = Table(self, NeedItem)
        self.meetings = Table(self, Meeting)
        self.admin_blocks = Table(self, AdminBlock)
        self.partners = Table(self, Partner)
        self.referrals = Table(self, Referral)
        self.consents = Table(self, Consent)
        self.strengths = Table(self, StrengthsAssessment)
        self.safety_plans = Table(self, SafetyPlan)
        self.assignments = Table(self, Assignment)
        self.case_events = Table(self, CaseEvent)
        self.legal_matters = Table(self, LegalMatter)
        self.audit = AuditTable(self, AuditEntry)
        #: Names the person behind each change; the vault sets it from the key that unlocked.
        self.actor_source: Callable[[], str] = lambda: UNKNOWN_ACTOR
        self._tables: dict[str, Table[Any]] = {
            t.name: t for t in vars(self).values() if isinstance(t, Table)
        }
        self._summaries: dict[str, ClientSummary] = {}
        self._summary_day: date | None = None
        self.listeners: list[Callable[[str], None]] = []

    def tables(self) -> list[Table[Any]]:
        return list(self._tables.values())

    def build_indexes(self) -> None:
        """Build every table's index by parent now, rather than on the first query.

        The app calls this in the worker that unlocks, so the first caseload on the
        UI thread finds them ready (about 30 ms at 2,000 clients and 100k meetings,
        spent while the unlock's progress indicator is already showing).
        """
        with self.mutex:
            for table in self._tables.values():
                if table.parent_field is not None:
                    table._index()

    def table(self, name: str) -> Table[Any]:
        return self._tables[name]

    def noting_need_status(self, need: NeedItem, old: RawRow | None) -> NeedItem:
        """``need`` with its status change added to its history, for writing over ``old``.

        Funder statistics count needs by their status at a period's end, from this.
        """
        stored = None if old is None else self.needs.build(need.id, old)
        client = self.clients.get(need.client_id)
        since = None if client is None else client.intake_date
        return need.noting_status(stored, date.today(), since)

    def coding_new_client(self, client: Client) -> Client:
        """``client``, given a neutral calendar code if they have none, for adding.

        New clients get their code at once (unique in the vault, never their
        initials), so screen sharing and reports never need initials for anyone.
        """
        if client.calendar_code.strip():
            return client
        taken = {str(raw.get("calendar_code", "")) for raw in self.clients.raw().values()}
        code = new_calendar_code(client.preferred_name, taken, seed=client.id)
        return dataclasses.replace(client, calendar_code=code)

    def table_for(self, cls: type[R]) -> Table[R]:
        for table in self.tables():
            if table.cls is cls:
                return table
        raise KeyError(cls.__name__)

    @property
    def actor(self) -> str:
        return self.actor_source()

    @property
    def meta(self) -> dict[str, Any]:
        """The vault's meta row (read-only: change it with :meth:`set_meta`)."""
        row = self.storage.document.get(META_TABLE, {}).get(META_ID)
        return row if isinstance(row, dict) else {}

    def set_meta(self, key: str, value: Any) -> None:
        """Replace one key of the meta row (the trail's bookkeeping)."""
        self.check_writable()
        with self.mutex:
            self.db.record_table(META_TABLE).replace_row(META_ID, {**self.meta, key: value})

    def record_event(
        self, action: AuditAction, *, detail: str = "", client_id: str | None = None
    ) -> AuditEntry | None:
        """Add a session event (unlocked, exported, …) to the audit trail.

        A read-only session cannot write, so its events are not recorded and
        None is returned.
        """
        if not self.writable:
            return None
        entry = AuditEntry.create(
            at=datetime.now(UTC),
            who=self.actor,
            action=action,
            detail=detail[:200],
            client_id=client_id,
        )
        return self.audit.append(entry)

    def check_writable(self) -> None:
        if not self.writable:
            raise ReadOnlyVault("This vault is open read-only; changes cannot be saved.")

    def put_all(self, records: Sequence[Record]) -> None:
        """Write several records as one change: everything is checked before any write.

        Records in the batch may point at each other (a new client and their goal).
        """
        self.check_writable()
        pending = {(r.TABLE, r.id) for r in records}
        plans = [r.client_id for r in records if isinstance(r, SafetyPlan)]
        if len(plans) != len(set(plans)):
            raise VaultError("Only one safety plan per client can be written.")
        with self.mutex:
            for record in records:
                self.check_references(record, pending)
            for record in records:
                self.table(record.TABLE).put(record, pending=pending)

    # -- integrity ----------------------------------------------------------------

    def check_references(self, record: Record, pending: Collection[tuple[str, str]] = ()) -> None:
        """Refuse a write that breaks a rule of :mod:`casetui.core.integrity`.

        ``pending`` holds (table, id) of records written in the same step, which
        may be pointed at too. So a write that points at a record that does not
        exist, links another client's need or goal, or adds a second safety plan
        for one client is refused, and nothing changes.
        """
        found = broken_rules(record, _StoredRecords(self, pending))
        blocking = sorted((b for b in found if b.blocks_write), key=lambda b: b.RANK[b.kind])
        if blocking and blocking[0].kind == "second_plan":
            raise VaultError(blocking[0].sentence())
        if blocking:
            raise RecordMissing(blocking[0].sentence())

    def check_unreferenced(self, table: str, record_id: str) -> None:
        """Refuse to remove a record that other records still point at."""
        advice = {
            Client.TABLE: "close the case instead of deleting it",
            Staff.TABLE: "reassign their clients first",
            Partner.TABLE: "its referrals and consents are kept as history",
            Goal.TABLE: "unlink it from meetings and referrals first",
            NeedItem.TABLE: "unlink it from goals and referrals first",
        }
        for user in self.tables():
            fields = [name for name, target in user.cls.REFS.items() if target == table]
            if not fields:
                continue
            if user.parent_field in fields and user.child_ids(record_id):
                used = True
            else:
                used = any(
                    raw.get(name) == record_id for raw in user.raw().values() for name in fields
                )
            if used:
                noun = self._tables[table].cls.NOUN
                why = advice.get(table, "remove those first")
                raise RecordInUse(f"Other records still point at this {noun}; {why}.")

    def touched(self, table: str, parents: Collection[str | None]) -> None:
        """Forget cached figures for the clients a write touched."""
        if table in (Goal.TABLE, NeedItem.TABLE, Meeting.TABLE):
            for parent in parents:
                if parent is not None:
                    self._summaries.pop(parent, None)
        for listener in self.listeners:
            listener(table)

    # -- figures ------------------------------------------------------------------

    def summary(self, client_id: str, as_of: date | None = None) -> ClientSummary:
        """Last contact, agreed next check-in, open needs and goal progress of one client.

        Meetings after ``as_of`` are planned, not contact, so they are left out.
        The cache holds one day's figures; asking for another day starts afresh.
        """
        with self.mutex:
            if as_of != self._summary_day:
                self._summaries.clear()
                self._summary_day = as_of
            cached = self._summaries.get(client_id)
            if cached is None:
                cached = self._summarise(client_id, as_of)
                self._summaries[client_id] = cached
            return cached

    def _summarise(self, client_id: str, as_of: date | None) -> ClientSummary:
        """Fold the client's raw rows; far cheaper than building every record."""
        try:
            contact = ContactSummary()
            for _mid, raw in self.meetings.raw_children(client_id):
                on = date.fromisoformat(raw["on"])
                if as_of is not None and on > as_of:
                    continue
                nxt = raw.get("next_checkin")
                contact = contact.with_meeting(on, date.fromisoformat(nxt) if nxt else None)
            needs = [NeedStatus(raw["status"]) for _nid, raw in self.needs.raw_children(client_id)]
            goals = [GoalStatus(raw["status"]) for _gid, raw in self.goals.raw_children(client_id)]
        except (KeyError, ValueError, TypeError):
            # A hand-edited or damaged row: building each record names the culprit.
            for table in (self.meetings, self.needs, self.goals):
                table.for_parent(client_id)
            raise
        achieved, total = goal_progress(goals)
        return ClientSummary(contact, open_need_count(needs), achieved, total)
