"""The merged state of a format-4 vault: every record's fields, each with the change that set it.

Each field holds its *live versions*: the values no other change has replaced.
Normally there is one. When two devices set the same field without either having
seen the other's change, both stay live: the one with the later stamp is shown,
and the other is kept as a conflict ("2 versions") until someone chooses. Edits
to different fields of one record never meet, so both survive.

A change names, for each field it sets, the versions it replaces (the ones its
device had when the edit was made). Changes are applied in causal order: one is
applied only after every change its device had seen when it was made (its
*context*). So a field edit is never lost, and the result does not depend on the
order in which files arrive. Two states merge (:meth:`MergeState.join`) by
keeping the versions both hold, and those the other has not yet seen; this is the
standard multi-value register over a version vector, so any devices that have
applied the same changes hold the same records.

A removal or an erasure is a tombstone, which wins over every edit, concurrent
or later: the record and its fields are gone on every device once it arrives.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from casetui.core.record_tables import RECORD_BY_TABLE

Dot = tuple[str, int]
Row = dict[str, Any]

#: A client's records (goals, needs, meetings…) go with the client: one added on another
#: device while the client was removed there is removed too, whichever arrives first.
CLIENTS = "clients"
OWNED_TABLES = frozenset(
    table
    for table, cls in RECORD_BY_TABLE.items()
    if cls.PARENT == "client_id" and table != "audit"
)


class _Absent:
    """The value of a field a change removed from a record."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True, slots=True)
class Version:
    value: Any
    stamp: str
    device: str
    counter: int

    @property
    def dot(self) -> Dot:
        return (self.device, self.counter)


@dataclass(frozen=True, order=True, slots=True)
class Tombstone:
    """A record removed (entered by mistake) or erased (on the person's request)."""

    erased: bool
    stamp: str
    device: str
    counter: int


@dataclass(frozen=True, slots=True)
class RecordChange:
    """What one change does to one record: fields set, fields unset, versions replaced."""

    table: str
    record_id: str
    values: Mapping[str, Any]
    unset: tuple[str, ...] = ()
    over: Mapping[str, tuple[Dot, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Change:
    """One save on one device: the unit the journal writes, syncs and applies."""

    device: str
    counter: int
    stamp: str
    #: What the device had applied when it made the change, other devices only.
    context: Mapping[str, int]
    records: tuple[RecordChange, ...] = ()
    #: (table, record id, erased) for each record removed or erased.
    gone: tuple[tuple[str, str, bool], ...] = ()
    #: Who made it, as the audit trail names them (a person, or a key's name).
    by: str = ""

    @property
    def dot(self) -> Dot:
        return (self.device, self.counter)


class RecordState:
    """One record's fields and their live versions, kept compact.

    Most records have every field set by one change: ``base`` names it and
    ``values`` holds the fields. A field set by another change, or with several
    live versions, is in ``extra``, which overrides ``values``.
    """

    __slots__ = ("base", "extra", "gone", "values")

    def __init__(
        self,
        base: tuple[str, str, int] | None = None,
        values: Row | None = None,
        extra: dict[str, tuple[Version, ...]] | None = None,
        gone: Tombstone | None = None,
    ) -> None:
        self.base = base
        self.values: Row = values if values is not None else {}
        self.extra = extra
        self.gone = gone

    def fields(self) -> set[str]:
        names = set(self.values)
        if self.extra:
            names.update(self.extra)
        return names

    def versions(self, name: str) -> tuple[Version, ...]:
        if self.extra and name in self.extra:
            return self.extra[name]
        if name in self.values and self.base is not None:
            return (Version(self.values[name], *self.base),)
        return ()

    def set_versions(self, name: str, versions: tuple[Version, ...]) -> None:
        if self.extra is None:
            self.extra = {}
        self.extra[name] = versions

    def row(self) -> Row | None:
        """The record as shown: each field's winning value. None when it is gone.

        Without conflicts or later edits this is ``values`` itself: read it, never
        change it.
        """
        if self.gone is not None:
            return None
        if not self.extra:
            return self.values
        row = dict(self.values)
        for name, versions in self.extra.items():
            if not versions or versions[0].value is ABSENT:
                row.pop(name, None)
            else:
                row[name] = versions[0].value
        return row

    def conflicts(self) -> dict[str, tuple[Version, ...]]:
        """Fields with more than one live version, the shown one first."""
        if self.gone is not None or not self.extra:
            return {}
        return {
            name: v
            for name, v in self.extra.items()
            if len(v) > 1 and any(other.value != v[0].value for other in v[1:])
        }


def _ordered(versions: Collection[Version]) -> tuple[Version, ...]:
    """Versions with the winner first: the latest stamp (stamps name their device)."""
    return tuple(sorted(versions, key=lambda v: v.stamp, reverse=True))


def covered(dot: Dot, vector: Mapping[str, int]) -> bool:
    return vector.get(dot[0], 0) >= dot[1]


class MergeState:
    """Every record of a vault as merged from its snapshots and changes."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, RecordState]] = {}
        #: For each device, how many of its changes are applied (always all up to that).
        self.vector: dict[str, int] = {}
        #: For each device, its latest change's stamp and who made it (for ``casetui check``).
        self.heard: dict[str, tuple[str, str]] = {}

    # -- applying ----------------------------------------------------------------------

    def status(self, change: Change) -> str:
        """``"applied"``, ``"ready"`` to apply now, or ``"waiting"`` for earlier changes."""
        have = self.vector.get(change.device, 0)
        if change.counter <= have:
            return "applied"
        if change.counter != have + 1:
            return "waiting"
        for device, counter in change.context.items():
            if device != change.device and self.vector.get(device, 0) < counter:
                return "waiting"
        return "ready"

    def apply(self, change: Change, tables: Container[str] | None = None) -> set[tuple[str, str]]:
        """Apply a change that is ready (see :meth:`status`); returns the records it touched.

        ``tables`` limits it to those tables (for a vault loading in two steps,
        the rest is applied later with :meth:`apply_rest`). The change counts as
        applied either way.
        """
        if self.status(change) != "ready":
            raise ValueError("change applied out of order")
        touched = self.apply_rest(change, tables)
        self.vector[change.device] = change.counter
        self.hear(change.device, change.stamp, change.by)
        return touched

    def hear(self, device: str, stamp: str, by: str) -> None:
        known = self.heard.get(device)
        if known is None or stamp > known[0]:
            self.heard[device] = (stamp, by)

    def apply_rest(
        self, change: Change, tables: Container[str] | None = None
    ) -> set[tuple[str, str]]:
        """Apply a change's records (in ``tables``, or all) without checking its order."""
        touched: set[tuple[str, str]] = set()
        for table, record_id, erased in change.gone:
            if tables is not None and table not in tables:
                continue
            self._bury(table, record_id, Tombstone(erased, change.stamp, *change.dot))
            touched.add((table, record_id))
        for rc in change.records:
            if tables is not None and rc.table not in tables:
                continue
            self._set(rc, change)
            touched.add((rc.table, rc.record_id))
        return touched

    def _bury(self, table: str, record_id: str, tomb: Tombstone) -> None:
        rows = self.tables.setdefault(table, {})
        rec = rows.get(record_id)
        if rec is not None and rec.gone is not None:
            tomb = max(tomb, rec.gone)
        rows[record_id] = RecordState(gone=tomb)

    def _set(self, rc: RecordChange, change: Change) -> None:
        rows = self.tables.setdefault(rc.table, {})
        rec = rows.get(rc.record_id)
        if rec is None:
            rec = rows[rc.record_id] = RecordState()
        if rec.gone is not None:
            return  # removal wins over every edit
        base = (change.stamp, change.device, change.counter)
        if rec.base is None and not rec.extra and not rc.unset:
            rec.base, rec.values = base, dict(rc.values)
            return
        for name, value in rc.values.items():
            self._set_field(rec, name, Version(value, *base), rc.over.get(name, ()))
        for name in rc.unset:
            self._set_field(rec, name, Version(ABSENT, *base), rc.over.get(name, ()))

    @staticmethod
    def _set_field(rec: RecordState, name: str, new: Version, over: Collection[Dot]) -> None:
        keep = [v for v in rec.versions(name) if v.dot not in over]
        rec.set_versions(name, _ordered([*keep, new]))

    # -- merging two states -----------------------------------------------------------------

    def join(self, other: MergeState) -> set[tuple[str, str]]:
        """Merge ``other`` (a snapshot, say) into this state; returns the records that changed."""
        touched: set[tuple[str, str]] = set()
        for table, theirs in other.tables.items():
            mine = self.tables.setdefault(table, {})
            for record_id, b in theirs.items():
                a = mine.get(record_id)
                if a is b:
                    continue
                merged = self._join_record(a, b, other.vector)
                if merged is not a:
                    mine[record_id] = merged
                    touched.add((table, record_id))
        for device, counter in other.vector.items():
            if counter > self.vector.get(device, 0):
                self.vector[device] = counter
        for device, (stamp, by) in other.heard.items():
            self.hear(device, stamp, by)
        return touched

    def _join_record(
        self, a: RecordState | None, b: RecordState, their_vector: Mapping[str, int]
    ) -> RecordState:
        if a is None:
            fresh = b.base is None or not covered(b.base[1:], self.vector)
            if b.gone is not None:
                return b  # a tombstone is never changed in place
            if fresh and not self._any_covered(b):
                # A new shell (changes edit ``extra`` in place); ``values`` is never edited.
                return RecordState(b.base, b.values, dict(b.extra) if b.extra else None)
            return self._join_fields(RecordState(), b, their_vector)
        if a.gone is not None or b.gone is not None:
            tombs = [t for t in (a.gone, b.gone) if t is not None]
            return RecordState(gone=max(tombs))
        if a.base == b.base and not a.extra and not b.extra and a.values == b.values:
            return a
        return self._join_fields(a, b, their_vector)

    def _any_covered(self, rec: RecordState) -> bool:
        return any(
            covered(v.dot, self.vector) for versions in (rec.extra or {}).values() for v in versions
        )

    def _join_fields(
        self, a: RecordState, b: RecordState, their_vector: Mapping[str, int]
    ) -> RecordState:
        merged = RecordState(base=a.base, values=dict(a.values))
        if a.extra:
            merged.extra = dict(a.extra)
        changed = False
        for name in a.fields() | b.fields():
            va, vb = a.versions(name), b.versions(name)
            dots_a, dots_b = {v.dot for v in va}, {v.dot for v in vb}
            keep = [v for v in va if v.dot in dots_b or not covered(v.dot, their_vector)]
            keep += [v for v in vb if v.dot not in dots_a and not covered(v.dot, self.vector)]
            if {v.dot for v in keep} != dots_a:
                changed = True
                merged.set_versions(name, _ordered(keep))
        return merged if changed else a

    # -- reading ------------------------------------------------------------------------

    def owner_gone(self, table: str, row: Row | None) -> Tombstone | None:
        """The tombstone of the client a record of ``table`` belongs to, if they are gone."""
        if table not in OWNED_TABLES or row is None:
            return None
        owner = self.tables.get(CLIENTS, {}).get(row.get("client_id"))  # type: ignore[arg-type]
        return owner.gone if owner is not None else None

    def row(self, table: str, record_id: str) -> Row | None:
        rec = self.tables.get(table, {}).get(record_id)
        row = None if rec is None else rec.row()
        return None if self.owner_gone(table, row) is not None else row

    def rows(self, table: str) -> Iterator[tuple[str, Row]]:
        """Every record of ``table`` as shown, without those gone or whose client is."""
        gone_clients = (
            {rid for rid, rec in self.tables.get(CLIENTS, {}).items() if rec.gone is not None}
            if table in OWNED_TABLES
            else set()
        )
        for record_id, rec in self.tables.get(table, {}).items():
            if rec.gone is not None:
                continue
            row = rec.values if not rec.extra else rec.row()
            if gone_clients and row is not None and row.get("client_id") in gone_clients:
                continue
            if row is not None:
                yield record_id, row

    def record(self, table: str, record_id: str) -> RecordState | None:
        return self.tables.get(table, {}).get(record_id)

    def gone(self, table: str) -> Iterator[tuple[str, Tombstone]]:
        for record_id, rec in self.tables.get(table, {}).items():
            if rec.gone is not None:
                yield record_id, rec.gone

    def conflicts(self) -> Iterator[tuple[str, str, str, tuple[Version, ...]]]:
        """Every field with more than one live version: (table, record id, field, versions)."""
        for table, rows in self.tables.items():
            for record_id, rec in rows.items():
                found = rec.conflicts()
                if found and self.owner_gone(table, rec.row()) is None:
                    for name, versions in found.items():
                        yield table, record_id, name, versions

    def over(self, table: str, record_id: str, name: str) -> tuple[Dot, ...]:
        """The dots a new value of this field replaces: every live version of it."""
        rec = self.record(table, record_id)
        return () if rec is None else tuple(v.dot for v in rec.versions(name))
