"""Rows of a sheet checked against a mapping and the vault: what an import would add."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casetui.core import fields as f
from casetui.core.errors import ValidationError
from casetui.core.formats import unprotect_cell
from casetui.core.funder_catalog import DEFAULT_CATALOG, Catalog
from casetui.core.funder_records import FundingSource
from casetui.core.records import Client, Staff
from casetui.core.sheets.funder_cells import SourceNames, choice_words
from casetui.core.sheets.mapping import FIELD_KINDS, FIELD_TARGETS, SheetMapping, fold
from casetui.core.sheets.read import SHOWN_CHARS, Sheet, SheetError, SheetRow, shown
from casetui.core.text import sanitise

#: Past this many characters a text cell is reported by its length alone.
_LENGTH_ONLY_FACTOR = 4

_WHOLE = re.compile(r"^\s*\d{1,6}\s*$")

# -- rows to records -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem with one row: its line, the column and value when there is one, and why."""

    line: int
    why: str
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line:,}"
        if self.column is not None:
            where += f", column {shown(self.column)}"
        if self.value is not None:
            where += f", value {shown(self.value)}"
        return f"{where}: {self.why}"


@dataclass(frozen=True, slots=True)
class Skipped:
    line: int
    name: str

    def __str__(self) -> str:
        return (
            f"line {self.line:,}: {shown(self.name)} is already in the vault (same preferred "
            "name and intake date), so it was skipped."
        )


@dataclass(slots=True)
class SheetPlan:
    """What a sheet would add, or why it cannot be imported."""

    rows: int = 0
    clients: list[Client] = field(default_factory=list)
    new_staff: list[Staff] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    #: Headings of columns no field reads.
    unused_columns: list[str] = field(default_factory=list)


def client_key(name: str, intake: date) -> tuple[str, date]:
    """What makes two rows the same client: preferred name (folded) and intake date."""
    return fold(name), intake


@dataclass(slots=True)
class _Row:
    line: int
    values: dict[str, Any]
    manager: str
    manager_cell: str | None


class _Converter:
    def __init__(
        self,
        mapping: SheetMapping,
        columns: Mapping[str, int],
        catalog: Catalog = DEFAULT_CATALOG,
        funding_sources: Iterable[FundingSource] = (),
    ) -> None:
        self.mapping = mapping
        self.columns = columns
        self.specs: dict[str, f.Spec[Any]] = {
            fld.name: fld.metadata["spec"] for fld in dataclasses.fields(Client)
        }
        self.formats = mapping.all_date_formats()
        self.statuses = mapping.statuses()
        self.legal = mapping.legal()
        self.choices = choice_words(catalog)
        self.sources = SourceNames.of(funding_sources)

    def row(self, row: SheetRow, header: Sequence[str]) -> tuple[_Row | None, list[RowProblem]]:
        problems: list[RowProblem] = []
        values: dict[str, Any] = {}
        manager = ""
        manager_cell: str | None = None
        failed: set[str] = set()
        for fld, index in self.columns.items():
            column = header[index]
            raw = unprotect_cell(row.cells[index])
            try:
                if fld == "case_manager":
                    manager_cell = raw
                    if len(raw) > 1000:
                        raise ValidationError(
                            fld, f"is {len(raw):,} characters long; a name is at most 120."
                        )
                    manager = sanitise(raw, multiline=False)
                    continue
                value = self.value(fld, raw)
                if value is not None:
                    target = FIELD_TARGETS.get(fld, fld)
                    values[target] = self.specs[target].clean(fld, value)
            except ValidationError as exc:
                failed.add(fld)
                problems.append(RowProblem(row.line, exc.problem, column, raw))
        if "intake_date" not in values and "intake_date" not in failed:
            column = header[self.columns["intake_date"]]
            problems.append(RowProblem(row.line, "is required; fill it in.", column, ""))
        if problems:
            return None, problems
        return _Row(row.line, values, manager, manager_cell), []

    def value(self, fld: str, raw: str) -> object:
        kind = FIELD_KINDS[fld]
        text = raw.strip()
        if kind == "text":
            spec = self.specs[fld]
            limit = spec.max_len if isinstance(spec, f.TextSpec) else 2000
            if len(raw) > limit * _LENGTH_ONLY_FACTOR + 4096:
                raise ValidationError(
                    fld,
                    f"is {len(raw):,} characters long; the limit is {limit:,}. Please shorten it.",
                )
            return raw
        if not text:
            return None
        if kind == "date":
            return self.date(fld, text)
        if kind in ("funders' choice", "funders' choices"):
            return self.choices[fld].read(raw)
        if kind == "funding sources":
            return self.sources.read(fld, raw)
        if kind == "whole number":
            if not _WHOLE.match(text):
                raise ValidationError(fld, "is not a whole number of days, such as 14.")
            return int(text)
        word = fold(text[:200])
        if kind == "yes/no":
            if word in self.mapping.yes_words:
                return True
            if word in self.mapping.no_words:
                return False
            raise ValidationError(
                fld, "is not a yes or a no; add the word under [yes_no] in the mapping."
            )
        if kind == "status":
            status = self.statuses.get(word)
            if status is None:
                raise ValidationError(
                    fld,
                    "is not a status casetui knows (active, on hold, closed); add the word "
                    "under [status] in the mapping.",
                )
            return status
        engagement = self.legal.get(word)
        if engagement is None:
            raise ValidationError(
                fld,
                "is not a legal engagement casetui knows (not engaged, considering, engaged); "
                "add the word under [legal_engagement] in the mapping.",
            )
        return engagement

    def date(self, fld: str, text: str) -> date:
        readings: dict[date, str] = {}
        if len(text) <= SHOWN_CHARS:
            for fmt in self.formats:
                try:
                    day = datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
                readings.setdefault(day, fmt)
        if not readings:
            forms = " or ".join(_describe_format(fmt) for fmt in self.formats)
            raise ValidationError(fld, f"is not a date written as {forms}.")
        if len(readings) > 1:
            a, b = sorted(readings)[:2]
            raise ValidationError(
                fld,
                f"could be {a.isoformat()} or {b.isoformat()}; keep only one of "
                f"{readings[a]} and {readings[b]} in date_formats.",
            )
        return next(iter(readings))


def _describe_format(fmt: str) -> str:
    return fmt.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY").replace("%y", "YY")


def column_indexes(sheet: Sheet, mapping: SheetMapping, name: str) -> dict[str, int]:
    """Which column each mapped field reads. Raises SheetError naming missing headings."""
    by_heading = {fold(h): i for i, h in enumerate(sheet.header) if fold(h)}
    columns: dict[str, int] = {}
    missing: list[str] = []
    for fld, heading in mapping.columns.items():
        index = by_heading.get(fold(heading))
        if index is None:
            missing.append(f"{shown(heading)} (for {fld})")
        else:
            columns[fld] = index
    if missing:
        present = ", ".join(shown(h, 30) for h in sheet.header if h)[:300]
        raise SheetError(
            f"{name} has no column called {', '.join(missing)}; its columns are: {present}."
        )
    return columns


def plan_sheet(
    sheet: Sheet,
    mapping: SheetMapping,
    *,
    name: str,
    staff: Sequence[Staff],
    clients: Iterable[Client],
    owner_id: str | None,
    catalog: Catalog = DEFAULT_CATALOG,
    funding_sources: Iterable[FundingSource] = (),
) -> SheetPlan:
    """Check every row and work out the records it adds; see the module's rules.

    ``catalog`` holds the funders' lists in use, whose codes and words a cell may
    name; ``funding_sources``, the vault's, which a cell names by name.
    """
    columns = column_indexes(sheet, mapping, name)
    used = set(columns.values())
    plan = SheetPlan(
        unused_columns=[h for i, h in enumerate(sheet.header) if i not in used and h],
    )
    convert = _Converter(mapping, columns, catalog, funding_sources)
    width = len(sheet.header)
    ready: list[_Row] = []
    for row in sheet.rows:
        plan.rows += 1
        cells = row.cells
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]
        if len(cells) != width:
            plan.problems.append(
                RowProblem(
                    row.line,
                    f"has {len(cells)} cells, but the header has {width}; a delimiter or a "
                    "quote mark may be missing or extra in this row.",
                )
            )
            continue
        converted, problems = convert.row(SheetRow(row.line, cells), sheet.header)
        plan.problems.extend(problems)
        if converted is not None:
            ready.append(converted)

    staff_by_name: dict[str, list[Staff]] = {}
    for member in staff:
        staff_by_name.setdefault(fold(member.name), []).append(member)
    owner = owner_id if owner_id in {s.id for s in staff} else None
    created: dict[str, Staff] = {}
    manager_heading = sheet.header[columns["case_manager"]] if "case_manager" in columns else None

    def resolve(wanted: str) -> str:
        """The id of the case manager called ``wanted``; raises ValidationError."""
        key = fold(wanted)
        found = staff_by_name.get(key, [])
        if len(found) > 1:
            raise ValidationError(
                "case_manager",
                f"{len(found)} case managers have this name; rename one in casetui first.",
            )
        if found:
            return found[0].id
        if key in created:
            return created[key].id
        if not mapping.create_case_managers:
            raise ValidationError(
                "case_manager",
                "is not a case manager in this vault; check the spelling, add them in casetui, "
                "or set create_missing = true under [case_manager] in the mapping.",
            )
        member = Staff.create(name=wanted)
        created[key] = member
        return member.id

    default_id: str | None = None
    default_problem: str | None = None
    if mapping.default_case_manager:
        try:
            default_id = resolve(mapping.default_case_manager)
        except ValidationError as exc:
            default_problem = f"has no case manager, and the mapping's default {exc.problem}"
    elif owner is not None:
        default_id = owner
    else:
        default_problem = (
            "has no case manager, and the vault has no owner to fall back on; add "
            'default = "..." under [case_manager] in the mapping.'
        )

    existing = {client_key(c.preferred_name, c.intake_date) for c in clients}
    first_line: dict[tuple[str, date], int] = {}
    for item in ready:
        name_value: str = item.values["preferred_name"]
        key = client_key(name_value, item.values["intake_date"])
        if key in first_line:
            plan.problems.append(
                RowProblem(
                    item.line,
                    f"repeats line {first_line[key]:,} (same preferred name and intake date); "
                    "remove one, or import one of them by hand.",
                )
            )
            continue
        first_line[key] = item.line
        if key in existing:
            plan.skipped.append(Skipped(item.line, name_value))
            continue
        try:
            if item.manager:
                manager_id = resolve(item.manager)
            elif default_id is not None:
                manager_id = default_id
            else:
                plan.problems.append(RowProblem(item.line, str(default_problem)))
                continue
        except ValidationError as exc:
            plan.problems.append(
                RowProblem(item.line, exc.problem, manager_heading, item.manager_cell)
            )
            continue
        try:
            plan.clients.append(Client.create(case_manager_id=manager_id, **item.values))
        except ValidationError as exc:
            plan.problems.append(RowProblem(item.line, f"{exc.field} {exc.problem}"))
    plan.new_staff = [
        m for m in created.values() if any(c.case_manager_id == m.id for c in plan.clients)
    ]
    plan.problems.sort(key=lambda p: p.line)
    return plan
