"""A whole set of records: reading the interchange format and checking references.

The interchange format is what ``casetui export`` writes and ``casetui import``
reads (the sample caseload uses it too)::

    {"format": "casetui", "version": 2,
     "staff": [{...}], "clients": [{...}], "goals": [...], "needs": [...],
     "meetings": [...], "admin_blocks": [...], "partners": [...], "referrals": [...],
     "consents": [...], "strengths": [...], "safety_plans": [...],
     "assignments": [...], "case_events": [...], "legal_matters": [...]}

Every record carries its ``id``; relations are by id. Tables may be left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casetui.core.errors import ValidationError
from casetui.core.fields import JSON
from casetui.core.private_records import SafetyPlan
from casetui.core.record_tables import RECORD_BY_TABLE, RECORD_TYPES
from casetui.core.records import Goal, Meeting, NeedItem, Record, Referral
from casetui.core.text import printable

FORMAT_NAME = "casetui"
FORMAT_VERSION = 3
#: Versions this casetui reads. Version 1 had no partners, referrals, consents,
#: strengths, safety plans, assignments, case events or legal matters; version 2
#: had no audit trail.
READABLE_VERSIONS = frozenset({1, 2, 3})
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
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        return records, [
            Problem(
                "document",
                f"has format version {version!r}; this casetui reads versions up to "
                f"{FORMAT_VERSION}. Update casetui and try again.",
            )
        ]
    for key in data:
        if key not in RECORD_BY_TABLE and key not in _HEADER_KEYS:
            problems.append(Problem(printable(str(key)[:40]), "is not a table casetui knows."))
    for table, cls in RECORD_BY_TABLE.items():
        rows = data.get(table, [])
        if not isinstance(rows, list):
            problems.append(Problem(table, "should be a list of records."))
            continue
        for index, row in enumerate(rows):
            rid = row.get("id") if isinstance(row, dict) else None
            shown = f" (id {printable(rid[:64])})" if isinstance(rid, str) else ""
            where = f"{table}[{index}]{shown}"
            try:
                records.add(cls.from_dict(row))
            except ValidationError as exc:
                problems.append(Problem(where, str(exc)))
    return records, problems


def check_references(tables: Mapping[str, Iterable[Record]]) -> list[Problem]:
    """Check ids are unique and every reference points at a record that exists.

    References are declared on each record class (``REFS``). Beyond that: a goal
    may link only to its own client's needs, a meeting may list only its own
    client's goals, a referral's need and goal must be its client's, and a client
    has at most one safety plan.
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
    nouns = {cls.TABLE: cls.NOUN for cls in RECORD_TYPES}

    def missing(where: str, field_name: str, noun: str, ref: str) -> None:
        problems.append(Problem(where, f"{field_name}: no {noun} has the id {ref!r}."))

    for table, rows_by_id in by_table.items():
        for record in rows_by_id.values():
            where = f"{table}/{record.id}"
            for field_name, target in type(record).REFS.items():
                ref = getattr(record, field_name)
                if ref is not None and ref not in by_table.get(target, {}):
                    missing(where, field_name, nouns.get(target, target), ref)

    goals = by_table.get(Goal.TABLE, {})
    needs = by_table.get(NeedItem.TABLE, {})

    def same_client(
        where: str, field_name: str, pool: dict[str, Any], ref: str, owner: str
    ) -> None:
        found = pool.get(ref)
        if found is not None and found.client_id != owner:
            noun = "need" if pool is needs else "goal"
            problems.append(Problem(where, f"{field_name}: {ref!r} is another client's {noun}."))
        elif found is None and field_name in ("linked_needs", "goals_discussed"):
            noun = "need" if pool is needs else "goal"
            missing(where, field_name, f"{noun} of this client", ref)

    for g in goals.values():
        for nid in g.linked_needs:
            same_client(f"goals/{g.id}", "linked_needs", needs, nid, g.client_id)
    for m in by_table.get(Meeting.TABLE, {}).values():
        for gid in m.goals_discussed:
            same_client(f"meetings/{m.id}", "goals_discussed", goals, gid, m.client_id)
    for r in by_table.get(Referral.TABLE, {}).values():
        if r.need_id is not None:
            same_client(f"referrals/{r.id}", "need_id", needs, r.need_id, r.client_id)
        if r.goal_id is not None:
            same_client(f"referrals/{r.id}", "goal_id", goals, r.goal_id, r.client_id)
    plans: dict[str, str] = {}
    for p in by_table.get(SafetyPlan.TABLE, {}).values():
        if p.client_id in plans:
            problems.append(
                Problem(f"safety_plans/{p.id}", "is a second safety plan for the same client.")
            )
        plans[p.client_id] = p.id
    return problems
