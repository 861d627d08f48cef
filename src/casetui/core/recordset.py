"""A whole set of records: reading the interchange format and checking references.

The interchange format is what ``casetui export`` writes and ``casetui import``
reads (the sample caseload uses it too)::

    {"format": "casetui", "version": 4,
     "staff": [{...}], "clients": [{...}], "goals": [...], "needs": [...],
     "meetings": [...], "admin_blocks": [...], "partners": [...], "referrals": [...],
     "consents": [...], "strengths": [...], "safety_plans": [...],
     "assignments": [...], "case_events": [...], "legal_matters": [...],
     "funding_sources": [...], "services": [...], "household": [...], "audit": [...]}

Every record carries its ``id``; relations are by id. Tables may be left out, and
so may a field that holds its usual value: an older file reads as it always did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from casetui.core.errors import ValidationError
from casetui.core.fields import JSON
from casetui.core.integrity import Broken, broken_rules
from casetui.core.private_records import SafetyPlan
from casetui.core.record_tables import RECORD_BY_TABLE, RECORD_TYPES
from casetui.core.records import Record
from casetui.core.text import printable

FORMAT_NAME = "casetui"
FORMAT_VERSION = 4
#: Versions this casetui reads. Version 1 had no partners, referrals, consents,
#: strengths, safety plans, assignments, case events or legal matters; version 2
#: had no audit trail; version 3 had nothing kept for funders' reports (funding
#: sources, services, household members, and a client's funder fields). An older
#: casetui given a newer file says to update, rather than listing every new field.
READABLE_VERSIONS = frozenset({1, 2, 3, 4})
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
            doc[table] = [r.interchange_dict() for r in rows]
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
    """Check ids are unique and every reference keeps the rules of :mod:`casetui.core.integrity`.

    References are declared on each record class (``REFS``). Beyond that: a goal
    may link only to its own client's needs, a meeting may list only its own
    client's goals, a referral's need and goal must be its client's, and a client
    has at most one safety plan.
    """
    problems: list[Problem] = []
    by_table: dict[str, dict[str, Record]] = {}
    for table, rows in tables.items():
        seen: dict[str, Record] = {}
        for record in rows:
            if record.id in seen:
                problems.append(Problem(f"{table}/{record.id}", "appears more than once."))
            seen[record.id] = record
        by_table[table] = seen
    records = _SetRecords(by_table)
    found = [
        broken
        for rows_by_id in by_table.values()
        for record in rows_by_id.values()
        for broken in broken_rules(record, records)
    ]
    found.sort(key=lambda broken: Broken.RANK[broken.kind])  # stable: table order within
    problems += [Problem(f"{b.record.TABLE}/{b.record.id}", b.problem()) for b in found]
    return problems


class _SetRecords:
    """A whole set of records, as :func:`casetui.core.integrity.broken_rules` sees them."""

    def __init__(self, by_table: Mapping[str, Mapping[str, Record]]) -> None:
        self._by_table = by_table
        self._first_plan: dict[str, str] = {}
        for plan in by_table.get(SafetyPlan.TABLE, {}).values():
            if isinstance(plan, SafetyPlan):
                self._first_plan.setdefault(plan.client_id, plan.id)

    def exists(self, table: str, record_id: str) -> bool:
        return record_id in self._by_table.get(table, {})

    def client_of(self, table: str, record_id: str) -> str | None:
        record = self._by_table.get(table, {}).get(record_id)
        client_id = getattr(record, "client_id", None)
        return client_id if isinstance(client_id, str) else None

    def other_safety_plan(self, plan: SafetyPlan) -> bool:
        return self._first_plan.get(plan.client_id, plan.id) != plan.id
