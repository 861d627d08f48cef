"""Import and export in the interchange format (see :mod:`casetui.core.recordset`).

Import validates everything first, including references across the file and the
vault, and writes nothing unless all of it is valid. Records already in the vault
(same id) are never duplicated: identical ones are skipped, and where the vault
holds a different version, the vault's version is kept and reported.

Export writes the whole vault, encrypted to the vault's recipients unless the
person asks for plaintext.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

from casetui.core.choices import AuditAction
from casetui.core.errors import ImportRejected, ValidationError
from casetui.core.history_records import AuditEntry
from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.core.records import Record, Staff
from casetui.core.recordset import RecordSet, check_references, describe_counts, parse_interchange
from casetui.files import NotAFile, TooLarge, read_limited
from casetui.vault import keys
from casetui.vault.audit import same_event
from casetui.vault.destinations import check_destination, write_user_file
from casetui.vault.vault import SaveResult, Vault

MAX_IMPORT_BYTES = 1 << 30

#: How alike two case managers' names must be (difflib's ratio) to ask before adding both.
SIMILAR_NAME_RATIO = 0.85


@dataclass(frozen=True, slots=True)
class StaffMatch:
    """A case manager in the file (``incoming``) and one in the vault (``existing``)."""

    incoming: str
    existing: str


@dataclass(slots=True)
class ImportPlan:
    source: str
    new: RecordSet
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    #: Case managers in the file with the same name as one in the vault: the file's
    #: records are filed under the vault's case manager, who is not added again.
    matched: list[StaffMatch] = field(default_factory=list)
    #: Case managers to be added whose names resemble one in the vault: ask first.
    similar: list[StaffMatch] = field(default_factory=list)

    def describe(self) -> list[str]:
        lines = []
        if len(self.new):
            lines.append(f"Added {describe_counts(self.new.counts())}.")
        else:
            lines.append("Nothing new to add.")
        lines.extend(
            f"{match.incoming} is already a case manager in this vault; their clients and "
            "records were filed under them, not added as a second case manager."
            for match in self.matched
        )
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
    incoming = _match_staff(plan, incoming, existing, vault.owner_staff_id)
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
        one = len(ref_problems) == 1
        raise ImportRejected(
            f"{source} has {len(ref_problems)} record{'' if one else 's'} "
            f"that refer{'s' if one else ''} to missing or repeated records; nothing was "
            "imported.",
            [f"{source}: {p}" for p in ref_problems],
        )
    return plan


def same_name_key(name: str) -> str:
    """Names compared as the same person: case-insensitive, spaces trimmed and single."""
    return " ".join(name.split()).casefold()


def similar_names(a: str, b: str) -> bool:
    """Whether two different names may be the same person, to ask before adding both.

    The same letters with other punctuation or spacing ("Mary-Ann" and "Maryann"),
    one name within the other ("Priya" and "Priya Oakhaven"), or a likely typing
    slip ("Priya Oakhavn").
    """
    key_a, key_b = same_name_key(a), same_name_key(b)
    if key_a == key_b:
        return False  # the same name: matched, not asked about
    letters_a = "".join(ch for ch in key_a if ch.isalnum())
    letters_b = "".join(ch for ch in key_b if ch.isalnum())
    if letters_a and letters_a == letters_b:
        return True
    words_a, words_b = set(key_a.split()), set(key_b.split())
    if words_a and words_b and (words_a <= words_b or words_b <= words_a):
        return True
    return SequenceMatcher(None, key_a, key_b).ratio() >= SIMILAR_NAME_RATIO


def _match_staff(
    plan: ImportPlan, incoming: RecordSet, existing: RecordSet, owner: str | None
) -> RecordSet:
    """File the records of a case manager already in the vault (by name) under them.

    A case manager in the file whose id is new to the vault, but whose name is one
    the vault has (case-insensitive, trimmed), is the same person: they are not
    added, and every reference to them points at the vault's case manager instead.
    One whose name only resembles a vault case manager's is noted in ``plan.similar``.
    """
    have = [r for r in existing.tables[Staff.TABLE] if isinstance(r, Staff)]
    have_ids = {r.id for r in have}
    # Where two share a name, the vault's own case manager first, then by id.
    by_name: dict[str, Staff] = {}
    for person in sorted(have, key=lambda r: (r.id != owner, r.id)):
        by_name.setdefault(same_name_key(person.name), person)
    mapping: dict[str, str] = {}
    for record in incoming.tables[Staff.TABLE]:
        if not isinstance(record, Staff) or record.id in have_ids:
            continue
        same = by_name.get(same_name_key(record.name))
        if same is not None:
            mapping[record.id] = same.id
            plan.matched.append(StaffMatch(record.name, same.name))
            continue
        plan.similar.extend(
            StaffMatch(record.name, person.name)
            for person in have
            if similar_names(record.name, person.name)
        )
    if not mapping:
        return incoming
    result = RecordSet()
    for table, records in incoming.tables.items():
        for record in records:
            if table == Staff.TABLE and record.id in mapping:
                continue
            changes = {
                name: mapping[value]
                for name, target in record.REFS.items()
                if target == Staff.TABLE
                and isinstance(value := getattr(record, name), str)
                and value in mapping
            }
            if changes:
                try:
                    record = dataclasses.replace(record, **changes)  # noqa: PLW2901
                except ValidationError as error:
                    raise ImportRejected(
                        f"{plan.source} has a {record.NOUN} that no longer makes sense once "
                        f"its case managers are matched by name ({error.field} {error.problem}); "
                        "nothing was imported.",
                        [],
                    ) from None
            result.add(record)
    return result


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
