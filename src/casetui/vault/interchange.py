"""Import and export in the interchange format (see :mod:`casetui.core.recordset`).

Import validates everything first, including references across the file and the
vault, and writes nothing unless all of it is valid. Records already in the vault
(same id) are never duplicated: identical ones are skipped, and where the vault
holds a different version, the vault's version is kept and reported.

Export writes the whole vault, encrypted to the vault's recipients unless the
person asks for plaintext.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from casetui.core.choices import AuditAction
from casetui.core.records import RECORD_BY_TABLE, AuditEntry, Record
from casetui.core.recordset import RecordSet, check_references, describe_counts, parse_interchange
from casetui.vault import keys
from casetui.vault.audit import same_event
from casetui.vault.destinations import check_destination, write_user_file
from casetui.vault.errors import ImportRejected
from casetui.vault.files import NotAFile, TooLarge, read_limited
from casetui.vault.vault import SaveResult, Vault

MAX_IMPORT_BYTES = 1 << 30


@dataclass(slots=True)
class ImportPlan:
    source: str
    new: RecordSet
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)

    def describe(self) -> list[str]:
        lines = []
        if len(self.new):
            lines.append(f"Added {describe_counts(self.new.counts())}.")
        else:
            lines.append("Nothing new to add.")
        if any(self.unchanged.values()):
            lines.append(f"Already in the vault, unchanged: {describe_counts(self.unchanged)}.")
        if any(self.kept.values()):
            lines.append(
                "Already in the vault with different details, so the vault's version was kept: "
                f"{describe_counts(self.kept)}."
            )
        return lines


def read_user_file(path: Path, what: str, limit: int, too_large: str) -> bytes:
    """The bytes of a file the user named to import from; one sentence if they cannot be read.

    ``what`` names the file in messages ("the file to import"); ``too_large`` is the
    sentence for a file over ``limit`` bytes.
    """
    try:
        return read_limited(path, limit)
    except TooLarge:
        raise ImportRejected(too_large, []) from None
    except NotAFile:
        raise ImportRejected(f"{path} is a device, not a file; give {what}.", []) from None
    except FileNotFoundError:
        raise ImportRejected(f"There is no file at {path}; check the path.", []) from None
    except IsADirectoryError:
        raise ImportRejected(f"{path} is a folder; give {what}.", []) from None
    except PermissionError:
        raise ImportRejected(f"casetui may not read {path}; check its permissions.", []) from None
    except OSError as exc:
        raise ImportRejected(
            f"Could not read {path}: {exc.strerror or type(exc).__name__}.", []
        ) from None


def read_interchange_file(path: Path, keyring: keys.Keyring) -> object:
    """Read an export or sample file: plain JSON, or age-encrypted to this vault."""
    name = path.name
    data = read_user_file(
        path,
        "the file to import",
        MAX_IMPORT_BYTES,
        f"{name} is larger than 1 GiB; casetui will not import it.",
    )
    if keys.is_age_file(data):
        data = keys.decrypt(data, keyring, path, what="export file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            f"{name} is not UTF-8 text, so it is not a casetui export.", []
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "nothing was imported.",
            [],
        ) from None
    except RecursionError:
        raise ImportRejected(f"{name} is nested too deeply to be a casetui export.", []) from None


def plan_import(vault: Vault, data: object, source: str) -> ImportPlan:
    """Validate ``data`` against the rules and the vault. Raises ImportRejected."""
    incoming, problems = parse_interchange(data)
    if problems:
        raise ImportRejected(
            f"{source} has {len(problems)} problem{'' if len(problems) == 1 else 's'}; "
            "nothing was imported.",
            [f"{source}: {p}" for p in problems],
        )
    existing = vault.records()
    plan = ImportPlan(source, RecordSet())
    merged: dict[str, list[Record]] = {}
    for table in RECORD_BY_TABLE:
        have = {r.id: r for r in existing.tables[table]}
        merged[table] = list(have.values())
        plan.unchanged[table] = plan.kept[table] = 0
        for record in incoming.tables[table]:
            current = have.get(record.id)
            if current is None:
                plan.new.add(record)
                merged[table].append(record)
            elif current == record or (
                isinstance(current, AuditEntry)
                and isinstance(record, AuditEntry)
                and same_event(current, record)
            ):
                plan.unchanged[table] += 1
            else:
                plan.kept[table] += 1
    ref_problems = check_references(merged)
    if ref_problems:
        raise ImportRejected(
            f"{source} has {len(ref_problems)} record{'' if len(ref_problems) == 1 else 's'} "
            "that refer to missing or repeated records; nothing was imported.",
            [f"{source}: {p}" for p in ref_problems],
        )
    return plan


def apply_import(vault: Vault, plan: ImportPlan) -> SaveResult | None:
    """Add the plan's new records and save once, so a failure leaves the vault as it was.

    The audit trail gets one entry for the whole import, with the count. Audit
    entries in the file join the trail marked as imported (now, by this session's
    person, from ``plan.source``), so they never pass for ones made here.
    """
    added = 0
    for table, records in plan.new.tables.items():
        if not records:
            continue
        if table == AuditEntry.TABLE:
            entries = [r for r in records if isinstance(r, AuditEntry)]
            vault.repo.audit.add_imported(entries, source=plan.source)
        else:
            vault.repo.table_for(RECORD_BY_TABLE[table]).add_many(records)
        added += len(records)
    if added:
        vault.repo.record_event(
            AuditAction.IMPORTED, detail=f"{added:,} record{'' if added == 1 else 's'}"
        )
    return vault.save(pin="import")


def write_export(vault: Vault, out: Path, *, plaintext: bool, overwrite: bool) -> int:
    """Write the whole vault to ``out`` (0600). Returns the number of bytes written."""
    check_destination(vault, out, overwrite=overwrite, what="the export")
    document = vault.records().to_interchange(
        exported=datetime.now(UTC).isoformat(timespec="seconds")
    )
    payload = json.dumps(document, ensure_ascii=False, indent=1).encode()
    data = payload if plaintext else keys.encrypt(payload, vault.recipients)
    write_user_file(out, data, overwrite=overwrite, what="the export", vault=vault)
    return len(data)
