"""The vault file's contents: reading and decrypting it, and checking its document's shape.

The document is TinyDB's JSON: one object per table, and a meta row (the
format, the recipients, the owner, the generation) in ``_meta``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from casetui.core.errors import (
    KeyFileError,
    ValidationError,
    VaultDamaged,
    VaultError,
    VaultNotFound,
    VaultShapeError,
)
from casetui.core.record_tables import RECORD_BY_TABLE
from casetui.core.recordset import Problem, RecordSet
from casetui.core.text import json_may_need_cleaning, printable, sanitise_document
from casetui.files import HashingReader, NotAFile, open_regular
from casetui.vault import keys
from casetui.vault.storage import Document
from casetui.vault.unlocking import Unlocker
from casetui.vault.vault_paths import VaultPaths

VAULT_FORMAT = "casetui-vault"
VAULT_VERSION = 4
#: Version 2 added partners, referrals, consents, strengths, safety plans,
#: assignments, case events and legal matters; version 3 the audit trail; version 4
#: keeps the vault as a folder of change files (see ``vault/journal``), and this
#: one-file form only for backups. An older one-file vault is converted to a folder
#: when it is opened for writing.
META_TABLE = "_meta"
META_ID = "1"
OWN_KEY_NAME = "this vault"
#: The vault's old own key while ``rotate-key`` replaces it; gone when it finishes.
PREVIOUS_KEY_NAME = "this vault's previous key"


def read_vault(
    paths: VaultPaths, unlock: Unlocker
) -> tuple[keys.Keyring, Document, str, list[str]]:
    """Unlock, then decrypt and parse the vault file in one streaming pass.

    The file is checked to be an age file before the (slow) unlock. Returns the
    keyring, the document, the SHA-256 of the file's bytes and the types of the
    recipient stanzas in its header (see :func:`keys.header_stanzas`).
    """
    try:
        with open_regular(paths.vault) as fh:  # a named pipe must not hang the open
            head = fh.read(keys.HEADER_READ)
            keys.check_age_prefix(head[: len(keys.AGE_HEADER) + 64], paths.vault)
            stanzas = keys.header_stanzas(head)
            del head
            fh.seek(0)
            keyring = unlock(paths)
            reader = HashingReader(fh)
            # Passed straight through so no local name keeps the plaintext alive.
            document = load_document(keys.decrypt_stream(reader, keyring, paths.vault), paths.vault)
            while reader.read(1 << 20):  # hash anything after the age payload, too
                pass
    except PermissionError:
        raise VaultNotFound(f"casetui may not read {paths.vault}; check its permissions.") from None
    except IsADirectoryError:
        raise VaultNotFound(
            f"{paths.vault} is a folder; point --vault at the vault file."
        ) from None
    except NotAFile as exc:
        raise VaultNotFound(
            f"{paths.vault} is {exc.kind}, not a vault file; point --vault at the vault file."
        ) from None
    except VaultError:
        raise
    except OSError as exc:
        raise VaultDamaged(f"Could not read {paths.vault}: {exc.strerror}.") from None
    return keyring, document, reader.hexdigest(), stanzas


def load_document(plaintext: bytes, path: Path) -> Document:
    """Parse decrypted bytes into a document, checking its overall shape.

    Every string in it is cleaned of escape sequences and unsafe controls (see
    :func:`~casetui.core.text.sanitise_document`), so text from a hand-edited or
    older vault is as inert as text typed today, raw rows included. Cleaning
    happens in memory only and does not mark the vault as changed: opening never
    writes, a read-only look stays read-only, and no "could not save" question
    can come from an edit nobody made. The next save writes the whole document,
    so it writes the cleaned text. A quick scan of the bytes skips the walk over
    the document when nothing in it can need cleaning.
    """
    advice = "restore the newest backup (casetui check lists them)"
    try:
        text = plaintext.decode("utf-8")
    except UnicodeDecodeError:
        raise VaultShapeError(f"{path} decrypted, but does not hold text; {advice}.") from None
    needs_cleaning = json_may_need_cleaning(plaintext)
    del plaintext
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise VaultShapeError(
            f"{path} decrypted, but does not hold valid JSON; {advice}."
        ) from None
    if needs_cleaning and isinstance(document, dict | list):
        sanitise_document(document)
    check_shape(document, path)
    return document  # type: ignore[no-any-return]


def check_shape(document: object, path: Path) -> None:
    """Raise VaultShapeError unless ``document`` is a casetui vault document."""
    advice = "restore the newest backup (casetui check lists them)"

    def bad(what: str) -> VaultShapeError:
        return VaultShapeError(f"{path} decrypted, but {what}; {advice}.")

    if not isinstance(document, dict):
        raise bad("it is not a casetui vault document")
    meta_table = document.get(META_TABLE)
    meta = meta_table.get(META_ID) if isinstance(meta_table, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != VAULT_FORMAT:
        raise bad("it is not a casetui vault document (its header is missing)")
    version = meta.get("version")
    if not isinstance(version, int):
        raise bad("its header has no format version")
    if version > VAULT_VERSION:
        raise VaultShapeError(
            f"{path} was written by a newer casetui (format {version}); update casetui to open it."
        )
    recipients = meta.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        raise bad("its list of recipients is missing")
    for entry in recipients:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("key"), str)
        ):
            raise bad("its list of recipients is damaged")
        try:
            keys.parse_recipient(entry["key"])
        except KeyFileError:
            raise bad("its list of recipients holds a key that is not valid") from None
    for table, rows in document.items():
        if table == META_TABLE:
            continue
        if table not in RECORD_BY_TABLE:
            raise bad(f"it holds a table casetui does not know ({str(table)[:40]!r})")
        if not isinstance(rows, dict) or not all(isinstance(r, dict) for r in rows.values()):
            raise bad(f"its {table!r} table is not a set of records")
    for table in RECORD_BY_TABLE:
        document.setdefault(table, {})
    meta["version"] = VAULT_VERSION
    if not isinstance(meta.get("vault_id"), str):
        # Vaults made before ids: derived, so every copy gets the same one.
        seed = f"{meta.get('created', '')}|{recipients[0]['key']}".encode()
        meta["vault_id"] = hashlib.sha256(seed).hexdigest()[:32]


def records_of(document: Document) -> tuple[RecordSet, list[Problem]]:
    """Build and validate every record in a document. Returns records and problems."""
    records = RecordSet()
    problems: list[Problem] = []
    for table, cls in RECORD_BY_TABLE.items():
        for record_id, raw in document.get(table, {}).items():
            try:
                records.add(cls.from_dict(raw, record_id=record_id))
            except ValidationError as exc:
                problems.append(Problem(f"{table}/{printable(record_id[:64])}", str(exc)))
    return records, problems
