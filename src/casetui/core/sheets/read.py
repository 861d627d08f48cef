"""A spreadsheet's bytes to text, and its text to a header and rows."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from casetui.core.formats import unprotect_cell
from casetui.core.sheets.mapping import fold
from casetui.core.text import sanitise

#: The largest sheet casetui reads. A caseload of thousands is well under 1 MiB.
MAX_SHEET_BYTES = 64 << 20
#: How much of a cell a message quotes.
SHOWN_CHARS = 40

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
