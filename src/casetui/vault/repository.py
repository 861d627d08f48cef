"""A typed API over the vault's TinyDB tables (see :mod:`casetui.vault.tables`).

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
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from casetui.core.choices import (
    AuditAction,
    GoalStatus,
    NeedStatus,
)
from casetui.core.errors import ReadOnlyVault, VaultError
from casetui.core.funder_records import FundingSource, HouseholdMember, ServiceRecord
from casetui.core.history_records import Assignment, AuditEntry, CaseEvent
from casetui.core.integrity import broken_rules
from casetui.core.labels import new_calendar_code
from casetui.core.private_records import Consent, LegalMatter, SafetyPlan, StrengthsAssessment
from casetui.core.records import (
    AdminBlock,
    Client,
    Goal,
    Meeting,
    NeedItem,
    Partner,
    Record,
    Referral,
    Staff,
)
from casetui.core.rules import (
    ClientSummary,
    ContactSummary,
    goal_progress,
    open_need_count,
)
from casetui.vault.audit import UNKNOWN_ACTOR
from casetui.vault.document import META_ID, META_TABLE
from casetui.vault.tables import AuditTable, RawRow, RecordInUse, RecordMissing, Table

if TYPE_CHECKING:
    from casetui.vault.storage import MemoryDocumentStorage, VaultDB

R = TypeVar("R", bound=Record)


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
        self.funding_sources = Table(self, FundingSource)
        self.services = Table(self, ServiceRecord)
        self.household = Table(self, HouseholdMember)
        self.audit = AuditTable(self, AuditEntry)
        #: The audit chain this session appends to (see ``TableOwner.audit_chain``).
        self.audit_chain = ""
        #: Names the person behind each change; the vault sets it from the key that unlocked.
        self.actor_source: Callable[[], str] = lambda: UNKNOWN_ACTOR
        self._tables: dict[str, Table[Any]] = {
            t.name: t for t in vars(self).values() if isinstance(t, Table)
        }
        self._summaries: dict[str, ClientSummary] = {}
        self._summary_day: date | None = None
        #: Told of every write: the table and the clients (parents) it touched.
        self.listeners: list[Callable[[str, Collection[str | None]], None]] = []
        #: Whether a record was removed or erased for good (a vault folder knows).
        self.is_gone: Callable[[str, str], bool] = lambda _table, _record_id: False
        #: Tables still loading after the vault opened (the meeting log, the audit trail).
        self.loading: frozenset[str] = frozenset()
        #: The clock stamp of the save that wrote a record ("" when not known: a vault of
        #: one file; "~", after every stamp, for a record not saved yet).
        self.saved_stamp: Callable[[str, str], str] = lambda _table, _record_id: ""

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

    def remove_all(self, records: Sequence[tuple[str, str]]) -> int:
        """Remove several records as one change (a client and everything linked to them).

        Only records outside the set may not point at one inside it; those inside
        go together. Returns how many were removed.
        """
        self.check_writable()
        doomed = set(records)
        with self.mutex:
            for table, record_id in records:
                self.check_unreferenced(table, record_id, ignore=doomed)
            removed = 0
            for table, record_id in records:
                removed += self.table(table).remove(record_id, checked=False)
            return removed

    def check_unreferenced(
        self, table: str, record_id: str, ignore: Collection[tuple[str, str]] = ()
    ) -> None:
        """Refuse to remove a record that other records (not in ``ignore``) still point at."""
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
            if user.parent_field in fields and not ignore:
                used = bool(user.child_ids(record_id))
            else:
                used = any(
                    raw.get(name) == record_id and (user.name, rid) not in ignore
                    for rid, raw in user.raw().items()
                    for name in fields
                )
            if used:
                noun = self._tables[table].cls.NOUN
                why = advice.get(table, "remove those first")
                raise RecordInUse(f"Other records still point at this {noun}; {why}.")

    def reloaded(self, tables: dict[str, set[str | None] | None]) -> None:
        """Rows of these tables were replaced from outside (another device, a late load).

        Indexes and cached figures are rebuilt, and listeners hear of every client
        (None: every client) as for a write.
        """
        with self.mutex:
            for name in tables:
                table = self._tables.get(name)
                if table is not None:
                    table.forget_index()
            self._summaries.clear()
        for name, parents in tables.items():
            for listener in self.listeners:
                listener(name, parents if parents is not None else {None})

    def set_field(self, table: str, record_id: str, name: str, value: Any) -> None:
        """Write one field of a stored record (choosing between two versions of it)."""
        owner = self.table(table)
        current = owner.require(record_id)
        row = {**current.to_dict(with_id=False), name: value}
        owner.put(owner.cls.from_dict(row, record_id=record_id))

    def touched(self, table: str, parents: Collection[str | None]) -> None:
        """Forget cached figures for the clients a write touched."""
        if table in (Goal.TABLE, NeedItem.TABLE, Meeting.TABLE):
            for parent in parents:
                if parent is not None:
                    self._summaries.pop(parent, None)
        for listener in self.listeners:
            listener(table, parents)

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
