"""A whole set of records: reading the interchange format and checking references.

The interchange format is what ``casetui export`` writes and ``casetui import``
reads (the sample caseload uses it too)::

    {"format": "casetui", "version": 1,
     "staff": [{...}], "clients": [{...}], "goals": [...], "needs": [...],
     "meetings": [...], "admin_blocks": [...]}

Every record carries its ``id``; relations are by id. Tables may be left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casetui.core.errors import ValidationError
from casetui.core.fields import JSON
from casetui.core.records import (
    RECORD_BY_TABLE,
    RECORD_TYPES,
    AdminBlock,
    Client,
    Goal,
    Meeting,
    NeedItem,
    Record,
    Staff,
)

FORMAT_NAME = "casetui"
FORMAT_VERSION = 1
#: Keys the interchange document may hold besides the tables.
_HEADER_KEYS = {"format", "version", "exported", "note", "as_of"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one record: where it is, and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(slots=True)
class RecordSet:
    """Records grouped by table, in table order."""

    tables: dict[str, list[Record]] = field(
        default_factory=lambda: {cls.TABLE: [] for cls in RECORD_TYPES}
    )

    def add(self, record: Record) -> None:
        self.tables[record.TABLE].append(record)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def counts(self) -> dict[str, int]:
        return {table: len(rows) for table, rows in self.tables.items()}

    def ids(self, table: str) -> set[str]:
        return {r.id for r in self.tables[table]}

    def to_interchange(self, **header: JSON) -> dict[str, JSON]:
        doc: dict[str, JSON] = {"format": FORMAT_NAME, "version": FORMAT_VERSION, **header}
        for table, rows in self.tables.items():
            doc[table] = [r.to_dict() for r in rows]
        return doc


def describe_counts(counts: Mapping[str, int]) -> str:
    """'3 case managers, 32 clients, ...' leaving out empty tables."""
    nouns = {cls.TABLE: cls.NOUN for cls in RECORD_TYPES}
    parts = []
    for table, n in counts.items():
        if n:
            noun = nouns.get(table, table)
            parts.append(f"{n:,} {noun}{'' if n == 1 else 's'}")
    return ", ".join(parts) if parts else "nothing"


def parse_interchange(data: object) -> tuple[RecordSet, list[Problem]]:
    """Validate an interchange document. Returns the records and every problem found."""
    problems: list[Problem] = []
    records = RecordSet()
    if not isinstance(data, dict):
        return records, [Problem("document", "should be a JSON object with one list per table.")]
    if data.get("format") != FORMAT_NAME:
        return records, [
            Problem("document", "is not a casetui export ('format' is not 'casetui').")
        ]
    version = data.get("version")
    if version != FORMAT_VERSION:
        return records, [
            Problem(
                "document",
                f"has format version {version!r}; this casetui reads version {FORMAT_VERSION}. "
                "Update casetui and try again.",
            )
        ]
    for key in data:
        if key not in RECORD_BY_TABLE and key not in _HEADER_KEYS:
            problems.append(Problem(str(key)[:40], "is not a table casetui knows."))
    for table, cls in RECORD_BY_TABLE.items():
        rows = data.get(table, [])
        if not isinstance(rows, list):
            problems.append(Problem(table, "should be a list of records."))
            continue
        for index, row in enumerate(rows):
            rid = row.get("id") if isinstance(row, dict) else None
            where = f"{table}[{index}]" + (f" (id {rid})" if isinstance(rid, str) else "")
            try:
                records.add(cls.from_dict(row))
            except ValidationError as exc:
                problems.append(Problem(where, str(exc)))
    return records, problems


def check_references(tables: Mapping[str, Iterable[Record]]) -> list[Problem]:
    """Check ids are unique and every reference points at a record that exists.

    A goal may link only to its own client's needs, and a meeting may list only
    its own client's goals.
    """
    problems: list[Problem] = []
    by_table: dict[str, dict[str, Any]] = {}
    for table, rows in tables.items():
        seen: dict[str, Any] = {}
        for record in rows:
            if record.id in seen:
                problems.append(Problem(f"{table}/{record.id}", "appears more than once."))
            seen[record.id] = record
        by_table[table] = seen
    staff = by_table.get(Staff.TABLE, {})
    clients = by_table.get(Client.TABLE, {})
    goals = by_table.get(Goal.TABLE, {})
    needs = by_table.get(NeedItem.TABLE, {})

    def missing(where: str, field_name: str, noun: str, ref: str) -> None:
        problems.append(Problem(where, f"{field_name}: no {noun} has the id {ref!r}."))

    for c in clients.values():
        if c.case_manager_id not in staff:
            missing(f"clients/{c.id}", "case_manager_id", "case manager", c.case_manager_id)
    for g in goals.values():
        where = f"goals/{g.id}"
        if g.client_id not in clients:
            missing(where, "client_id", "client", g.client_id)
        for nid in g.linked_needs:
            need = needs.get(nid)
            if need is None or need.client_id != g.client_id:
                missing(where, "linked_needs", "need of this client", nid)
    for n in needs.values():
        if n.client_id not in clients:
            missing(f"needs/{n.id}", "client_id", "client", n.client_id)
    for m in by_table.get(Meeting.TABLE, {}).values():
        where = f"meetings/{m.id}"
        if m.client_id not in clients:
            missing(where, "client_id", "client", m.client_id)
        if m.staff_id is not None and m.staff_id not in staff:
            missing(where, "staff_id", "case manager", m.staff_id)
        for gid in m.goals_discussed:
            goal = goals.get(gid)
            if goal is None or goal.client_id != m.client_id:
                missing(where, "goals_discussed", "goal of this client", gid)
    for b in by_table.get(AdminBlock.TABLE, {}).values():
        if b.staff_id not in staff:
            missing(f"admin_blocks/{b.id}", "staff_id", "case manager", b.staff_id)
    return problems
