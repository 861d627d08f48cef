"""Spreadsheet (CSV) import of clients, and the caseload as a CSV export.

The checking lives in :mod:`casetui.core.sheets` and the mapping in
:mod:`casetui.core.sheets.mapping`; this module reads the files, asks the vault for
its records, and writes. An import goes through the same
:func:`~casetui.services.interchange.plan_import` and
:func:`~casetui.services.interchange.apply_import` as ``casetui import``: nothing is
written unless every row is valid, then the vault is saved once, with one
"imported" entry in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from casetui.core.choices import ClientStatus
from casetui.core.errors import ImportRejected
from casetui.core.funder_catalog import DEFAULT_CATALOG, Catalog
from casetui.core.funder_records import FundingSource
from casetui.core.records import Client, Staff
from casetui.core.recordset import RecordSet
from casetui.core.sheets.caseload_export import caseload_csv
from casetui.core.sheets.mapping import FIELD_KINDS, MappingError, SheetMapping, parse_mapping
from casetui.core.sheets.plan import SheetPlan, plan_sheet
from casetui.core.sheets.read import (
    MAX_SHEET_BYTES,
    Sheet,
    SheetError,
    decode,
    read_sheet,
    sniff_delimiter,
)
from casetui.core.sheets.suggest import guess_date_formats, match_headings, suggest_mapping
from casetui.services import caseload_view
from casetui.services.interchange import ImportPlan, apply_import, plan_import, read_user_file
from casetui.vault import keys
from casetui.vault.destinations import check_destination, write_user_file
from casetui.vault.vault import Vault

MAX_MAPPING_BYTES = 1 << 20
#: The ending a CSV export must have (an encrypted one may also end in .csv.age).
CSV_SUFFIXES = (".csv",)


def _read(path: Path, what: str, limit: int) -> bytes:
    return read_user_file(
        path,
        f"the {what.removeprefix('a ')} file",  # "a mapping" -> "the mapping file"
        limit,
        f"{path.name} is larger than {limit >> 20} MiB, far too big for {what}; "
        "check that it is the right file.",
    )


def load_mapping(path: Path) -> SheetMapping:
    """Read and check a mapping file; one sentence if anything is wrong."""
    data = _read(path, "a mapping", MAX_MAPPING_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            f"{path.name} is not UTF-8 text; a mapping is a TOML file saved as UTF-8.", []
        ) from None
    try:
        return parse_mapping(text, path.name)
    except MappingError as exc:
        raise ImportRejected(exc.message, []) from None


@dataclass(frozen=True, slots=True)
class LoadedSheet:
    sheet: Sheet
    #: Said to the person, such as which encoding was guessed.
    notes: tuple[str, ...] = ()


def _sheet_bytes(path: Path, keyring: keys.Keyring | None) -> bytes:
    data = _read(path, "a spreadsheet", MAX_SHEET_BYTES)
    if keys.is_age_file(data):
        if keyring is None:
            raise ImportRejected(
                f"{path.name} is encrypted; decrypt it with 'age --decrypt' first, or import "
                "it with --map, which unlocks the vault.",
                [],
            )
        data = keys.decrypt(data, keyring, path, what="spreadsheet")
    return data


def load_sheet(path: Path, mapping: SheetMapping, keyring: keys.Keyring | None) -> LoadedSheet:
    """Read a CSV file (plain, or encrypted to this vault) as the mapping says."""
    data = _sheet_bytes(path, keyring)
    try:
        decoded = decode(data, path.name, mapping.encoding)
        sheet = read_sheet(decoded.text, path.name, mapping.delimiter)
    except SheetError as exc:
        raise ImportRejected(exc.message, []) from None
    return LoadedSheet(sheet, (decoded.note,) if decoded.note else ())


def plan_sheet_import(
    vault: Vault,
    sheet: Sheet,
    mapping: SheetMapping,
    name: str,
    catalog: Catalog = DEFAULT_CATALOG,
) -> SheetPlan:
    """Check every row against the mapping and the vault. Writes nothing.

    ``catalog``: the funders' lists in use (see ``config/funder_lists.py``).
    """
    records = vault.records()
    try:
        return plan_sheet(
            sheet,
            mapping,
            name=name,
            staff=[r for r in records.tables[Staff.TABLE] if isinstance(r, Staff)],
            clients=[r for r in records.tables[Client.TABLE] if isinstance(r, Client)],
            owner_id=vault.owner_staff_id,
            catalog=catalog,
            funding_sources=[
                r for r in records.tables[FundingSource.TABLE] if isinstance(r, FundingSource)
            ],
        )
    except SheetError as exc:
        raise ImportRejected(exc.message, []) from None


def apply_sheet_import(vault: Vault, plan: SheetPlan, name: str) -> ImportPlan:
    """Add a plan with no problems: validated again, then saved once. Raises ImportRejected."""
    if plan.problems:
        raise ImportRejected(f"{name} has problems; nothing was imported.", [])
    records = RecordSet()
    for member in plan.new_staff:
        records.add(member)
    for client in plan.clients:
        records.add(client)
    checked = plan_import(vault, records.to_interchange(), name)
    apply_import(vault, checked)
    return checked


# -- suggesting a mapping ------------------------------------------------------------------


def suggest_for(path: Path) -> tuple[str, list[str], dict[str, int], str | None]:
    """A starter mapping for the CSV at ``path``.

    Returns the mapping's text, the sheet's headings, the columns matched
    (field -> column index) and a note about the encoding, if it was guessed.
    Only headings and date formats go into the mapping, never a cell's value.
    """
    data = _sheet_bytes(path, None)
    try:
        decoded = decode(data, path.name)
        delimiter = sniff_delimiter(decoded.text)
        sheet = read_sheet(decoded.text, path.name, delimiter, need_rows=False)
    except SheetError as exc:
        raise ImportRejected(exc.message, []) from None
    chosen = match_headings(sheet.header)
    formats: dict[str, list[str]] = {}
    for field, index in chosen.items():
        if FIELD_KINDS[field] == "date":
            values = (row.cells[index] for row in sheet.rows if index < len(row.cells))
            fitting = guess_date_formats(values)
            if fitting:
                formats[field] = fitting
    encoding = "cp1252" if decoded.encoding == "cp1252" else None
    text, chosen = suggest_mapping(
        sheet.header,
        source=path.name,
        delimiter=delimiter,
        encoding=encoding,
        date_formats=formats,
    )
    return text, sheet.header, chosen, decoded.note


def write_private(out: Path, text: str, *, overwrite: bool) -> None:
    """Write ``text`` to ``out`` (0600), never over a file without ``overwrite``."""
    write_user_file(out, text.encode(), overwrite=overwrite, what="the mapping")


# -- the caseload as CSV -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvExport:
    size: int
    clients: int


def write_caseload_csv(
    vault: Vault, out: Path, *, plaintext: bool, overwrite: bool, as_of: date
) -> CsvExport:
    """Write the caseload list (every client, any status) as CSV to ``out`` (0600).

    Encrypted to the vault's recipients unless ``plaintext``; no notes are written.
    """
    suffixes = CSV_SUFFIXES if plaintext else (*CSV_SUFFIXES, ".csv.age")
    check_destination(vault, out, overwrite=overwrite, what="the export", suffixes=suffixes)
    rows = caseload_view.caseload(vault.repo, as_of, statuses=frozenset(ClientStatus))
    payload = caseload_csv(rows).encode()
    data = payload if plaintext else keys.encrypt(payload, vault.recipients)
    write_user_file(
        out, data, overwrite=overwrite, what="the export", suffixes=suffixes, vault=vault
    )
    return CsvExport(len(data), len(rows))
