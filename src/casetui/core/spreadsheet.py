"""Clients from a spreadsheet (CSV), and the caseload as CSV.

Reading happens in three steps, each pure: :func:`decode` turns the file's
bytes into text, :func:`read_sheet` splits it into a header and rows (each
row knows the physical line it starts on, counting line breaks inside quoted
cells), and :func:`plan_sheet` checks every row against a
:class:`~casetui.core.sheetmap.SheetMapping` and the vault's records. Every
problem in every row is collected, so one run lists them all.

The rules:

- **Duplicates.** A row whose preferred name and intake date match a client
  already in the vault (ignoring case and spacing) is skipped and reported, so
  importing the same sheet twice adds nothing the second time. Two rows of the
  same sheet that match each other are a problem: casetui cannot tell whether
  they are one person or two.
- **Case managers.** A name is matched to a case manager in the vault, ignoring
  case and spacing. A name that matches none is a problem, unless the mapping
  says ``create_missing = true``: then each such name is added as a case
  manager, once. A row with no case manager gets the mapping's ``default``,
  else the vault's own case manager (its owner).
- **Blank cells** take the field's usual value (status active, check-in every
  14 days, no to every yes/no question, not engaged with the legal system),
  except the preferred name and intake date, which every row must have.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) are written with a ``'`` in front
(:func:`protect_cell`); reading undoes exactly that (:func:`unprotect_cell`),
so a caseload survives the trip out and back unchanged.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casetui.core import fields as f
from casetui.core.errors import ValidationError
from casetui.core.records import Client, Staff
from casetui.core.rules import CaseloadRow
from casetui.core.sheetmap import FIELD_KINDS, SheetMapping, fold
from casetui.core.text import sanitise

#: The largest sheet casetui reads. A caseload of thousands is well under 1 MiB.
MAX_SHEET_BYTES = 64 << 20
#: How much of a cell a message quotes.
SHOWN_CHARS = 40
#: Past this many characters a text cell is reported by its length alone.
_LENGTH_ONLY_FACTOR = 4

_RISKY = re.compile(r"'*[=+\-@\t\r]")
_PROTECTED = re.compile(r"'+[=+\-@\t\r]")
_WHOLE = re.compile(r"^\s*\d{1,6}\s*$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_MAGIC = (
    (b"PK\x03\x04", "a zipped workbook (such as .xlsx or .ods)"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF"),
    (b"\x1f\x8b", "a gzip archive"),
)


class SheetError(ValueError):
    """The sheet as a whole cannot be read. ``message`` is one sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shown(value: str, limit: int = SHOWN_CHARS) -> str:
    """A cell fit to quote: in quotes, controls escaped, at most ``limit`` characters."""
    return repr(value[:limit]) + ("…" if len(value) > limit else "")


# -- cells ---------------------------------------------------------------------------------


def protect_cell(value: str) -> str:
    """``value`` with a ``'`` in front if a spreadsheet would read it as a formula.

    A value that already starts with quotes before such a character gets one more,
    so :func:`unprotect_cell` can always tell the added quote apart.
    """
    return "'" + value if _RISKY.match(value) else value


def unprotect_cell(value: str) -> str:
    """Undo :func:`protect_cell`: drop the one ``'`` it added, and nothing else."""
    return value[1:] if _PROTECTED.match(value) else value


# -- bytes to text -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    #: Said to the person when the encoding was a guess.
    note: str | None = None


def decode(data: bytes, name: str, encoding: str | None = None) -> Decoded:
    """The text of a CSV file: in ``encoding``, or UTF-8 (BOM or not), UTF-16 with a
    BOM, or else Windows-1252, which is said in ``note``. Raises SheetError."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise SheetError(
                f"{name} is {what}, not a CSV file; in your spreadsheet app choose "
                "Save As (or Download) > CSV, and import that file."
            )
    note = None
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise SheetError(
                f"{name} is not valid {encoding} text (byte {exc.start + 1:,} does not fit); "
                "check the encoding set in the mapping."
            ) from None
        text = text.removeprefix("\ufeff")
        used = encoding
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise SheetError(
                f"{name} starts like UTF-16 text but is not valid UTF-16; save it again as "
                "CSV (UTF-8)."
            ) from None
        text, used = text.removeprefix("\ufeff"), "utf-16"
    else:
        try:
            text, used = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, used = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise SheetError(
                    f"{name} is neither UTF-8 nor Windows-1252 text; save it as CSV (UTF-8), "
                    'or set encoding = "..." in the mapping.'
                ) from None
            note = (
                f"{name} is not UTF-8, so it was read as Windows-1252; if letters look "
                'wrong, set encoding = "..." in the mapping.'
            )
    _check_text(text, name)
    return Decoded(text, used, note)


def _check_text(text: str, name: str) -> None:
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise SheetError(
            f"{name} holds a NUL character (line {line:,}), so it is not a plain CSV text "
            "file; save the sheet as CSV (UTF-8) and try again."
        )
    sample = text[:65536]
    junk = len(_CONTROL.findall(sample))
    if junk > max(8, len(sample) // 50):
        raise SheetError(
            f"{name} is full of control characters, so it does not look like a CSV file; "
            "save the sheet as CSV (UTF-8) and try again."
        )


# -- text to rows --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetRow:
    #: The physical line (from 1) the row starts on.
    line: int
    cells: list[str]


@dataclass(slots=True)
class Sheet:
    header: list[str]
    header_line: int
    rows: list[SheetRow]


def sniff_delimiter(text: str) -> str:
    """The likeliest delimiter, judged from the first line: comma unless ; or tab win."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def read_sheet(text: str, name: str, delimiter: str = ",", *, need_rows: bool = True) -> Sheet:
    """Split CSV text into its header and rows. Raises SheetError for the whole file.

    Blank lines, and rows whose cells are all blank, are left out. Without
    ``need_rows`` a sheet with only a header is accepted.
    """
    if csv.field_size_limit() < MAX_SHEET_BYTES:
        csv.field_size_limit(MAX_SHEET_BYTES)  # a long cell gets a clear message, not csv.Error
    if not text.strip():
        raise SheetError(f"{name} is empty; it needs a header row, then one row for each client.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[SheetRow] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if header is None:
                    header = [sanitise(unprotect_cell(c), multiline=False) for c in cells]
                    header_line = start
                else:
                    rows.append(SheetRow(start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SheetError(
            f"{name}, line {start:,}: the row's quotes do not pair up ({exc}); check the "
            "quote marks in that row."
        ) from None
    if header is None:
        raise SheetError(
            f"{name} holds only blank lines; it needs a header row, then one row per client."
        )
    seen: dict[str, int] = {}
    for index, heading in enumerate(header):
        key = fold(heading)
        if not key:
            continue
        if key in seen:
            raise SheetError(
                f"{name}: columns {seen[key] + 1} and {index + 1} are both called "
                f"{shown(heading)}; rename one so casetui knows which to read."
            )
        seen[key] = index
    if not rows and need_rows:
        raise SheetError(
            f"{name} has a header row but no clients below it; add one row for each client."
        )
    return Sheet(header, header_line, rows)


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
    def __init__(self, mapping: SheetMapping, columns: Mapping[str, int]) -> None:
        self.mapping = mapping
        self.columns = columns
        self.specs: dict[str, f.Spec[Any]] = {
            fld.name: fld.metadata["spec"] for fld in dataclasses.fields(Client)
        }
        self.formats = mapping.all_date_formats()
        self.statuses = mapping.statuses()
        self.legal = mapping.legal()

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
                    values[fld] = self.specs[fld].clean(fld, value)
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
) -> SheetPlan:
    """Check every row and work out the records it adds; see the module's rules."""
    columns = column_indexes(sheet, mapping, name)
    used = set(columns.values())
    plan = SheetPlan(
        unused_columns=[h for i, h in enumerate(sheet.header) if i not in used and h],
    )
    convert = _Converter(mapping, columns)
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


# -- the caseload as CSV -------------------------------------------------------------------

EXPORT_HEADER = (
    "Preferred name",
    "Pronouns",
    "Status",
    "Case manager",
    "Intake date",
    "Language",
    "Interpreter needed",
    "Check-in every (days)",
    "Calendar code",
    "Last contact",
    "Next check-in",
    "Open needs",
    "Goals achieved",
    "Goals total",
)


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def caseload_csv(rows: Iterable[CaseloadRow]) -> str:
    """One line per client, with a header; no notes. Cells are formula-safe.

    The text starts with a byte-order mark, so spreadsheet apps read it as UTF-8.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([protect_cell(h) for h in EXPORT_HEADER])
    for row in rows:
        c = row.client
        cells = [
            c.preferred_name,
            c.pronouns,
            c.status.label,
            row.case_manager,
            c.intake_date.isoformat(),
            c.language,
            "yes" if c.interpreter_needed else "no",
            str(c.checkin_interval_days),
            c.calendar_code,
            _day(row.last_contact),
            _day(row.next_checkin),
            str(row.open_needs),
            str(row.goals_achieved),
            str(row.goals_total),
        ]
        writer.writerow([protect_cell(cell) for cell in cells])
    return "\ufeff" + out.getvalue()
