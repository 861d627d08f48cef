"""TinyDB, backed by a document held in memory and persisted only on ``save``.

TinyDB's own JSON storage writes plaintext, and its CachingMiddleware can drop
writes in a crash, so neither is used. Here the decrypted document lives only in
this process's memory; every TinyDB write replaces it there and bumps a
generation counter. :class:`~casetui.vault.vault.Vault` encrypts and writes the
document as a whole, atomically, when asked to save.

Documents are keyed by the record's own string id (``cl_3f9a27c1d0``) rather
than TinyDB's integer ids, so records keep their identity across export and
import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, cast

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document as TinyDocument
from tinydb.table import Table

Document = dict[str, dict[str, dict[str, Any]]]


class MemoryDocumentStorage(Storage):
    """A TinyDB storage over an in-memory document, counting writes.

    TinyDB never edits a table's dict in place: every write builds a new dict for
    the table and assigns it into the document (and casetui's own writes replace
    row dicts rather than editing them). So a shallow copy of the top-level dict
    is a consistent snapshot that later writes cannot disturb, which lets a save
    serialise in a worker thread without holding the lock for long.
    """

    def __init__(self, document: Document) -> None:
        self.document = document
        self.generation = 0
        #: The ids written to in each table since the last save (see ``take_dirty``).
        self.dirty: dict[str, set[str]] = {}

    def note_dirty(self, table: str, ids: Iterable[str]) -> None:
        self.dirty.setdefault(table, set()).update(ids)

    def take_dirty(self) -> dict[str, set[str]]:
        """The ids written since the last call; a save that fails gives them back."""
        taken, self.dirty = self.dirty, {}
        return taken

    def give_back(self, dirty: dict[str, set[str]]) -> None:
        for table, ids in dirty.items():
            self.note_dirty(table, ids)

    def read(self) -> Document:
        return self.document

    def write(self, data: Document) -> None:
        self.document = data
        self.generation += 1

    def snapshot(self) -> tuple[Document, int]:
        """A consistent, immutable view of the document and its generation."""
        return dict(self.document), self.generation


class RecordTable(Table):
    """A TinyDB table whose document ids are the records' string ids.

    TinyDB supports any ``document_id_class``, but its type hints assume ``int``;
    the few ignores below are confined to this class.
    """

    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self) -> str:  # pragma: no cover - every insert names its id
        raise RuntimeError("casetui records always carry their own id")

    def _note(self, ids: Iterable[str]) -> None:
        cast(MemoryDocumentStorage, self._storage).note_dirty(self.name, ids)

    def insert_rows(self, rows: list[tuple[str, dict[str, Any]]]) -> None:
        self._note(rid for rid, _row in rows)
        self.insert_multiple([TinyDocument(row, doc_id=rid) for rid, row in rows])  # type: ignore[arg-type]

    def replace_row(self, record_id: str, row: dict[str, Any]) -> None:
        """Swap in a new dict rather than editing the stored one (see ``snapshot``)."""

        def replace(table: dict[str, Any]) -> None:
            if record_id not in table:
                raise KeyError(record_id)
            table[record_id] = dict(row)

        self._note([record_id])
        self._update_table(replace)  # type: ignore[arg-type]

    def replace_rows(self, rows: list[tuple[str, dict[str, Any]]]) -> None:
        """Swap in new dicts for many stored rows in one write."""

        def replace(table: dict[str, Any]) -> None:
            for record_id, row in rows:
                if record_id not in table:
                    raise KeyError(record_id)
                table[record_id] = dict(row)

        self._note(rid for rid, _row in rows)
        self._update_table(replace)  # type: ignore[arg-type]

    def remove_row(self, record_id: str) -> None:
        self._note([record_id])
        self.remove(doc_ids=[record_id])  # type: ignore[list-item]


class VaultDB(TinyDB):
    table_class = RecordTable

    def record_table(self, name: str) -> RecordTable:
        return cast(RecordTable, self.table(name))


def keep_edits(
    theirs: dict[str, Any], base: dict[str, Any], mine: dict[str, Any]
) -> dict[str, Any]:
    """A row merged in from other devices (``theirs``), with the fields this session
    changed from ``base`` (the row as last saved) since put back, and those it removed
    taken out again: what to show, and what the next save writes as this session's."""
    kept = {**theirs, **{k: v for k, v in mine.items() if k not in base or base[k] != v}}
    for gone in base.keys() - mine.keys():
        kept.pop(gone, None)
    return kept


def open_db(document: Document) -> tuple[VaultDB, MemoryDocumentStorage]:
    db = VaultDB(storage=MemoryDocumentStorage, document=document)
    return db, cast(MemoryDocumentStorage, db.storage)


def document_chunks(document: Document, batch: int = 64) -> Iterator[bytes]:
    """The document as UTF-8 JSON, one record per line, in small pieces.

    Serialising record by record, rather than in one ``json.dumps`` call, keeps
    the whole text out of memory and lets the UI thread run between pieces. The
    result is ordinary JSON that ``json.loads`` (or ``jq``) reads as one object.
    """
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    yield b"{"
    for t, (name, rows) in enumerate(document.items()):
        yield f"{',' if t else ''}\n{encode(name)}:{{".encode()
        parts: list[str] = []
        for r, (record_id, row) in enumerate(rows.items()):
            parts.append(f"{',' if r else ''}\n{encode(record_id)}:{encode(row)}")
            if len(parts) >= batch:
                yield "".join(parts).encode()
                parts.clear()
        parts.append("}")
        yield "".join(parts).encode()
    yield b"\n}\n"


class ChunkReader:
    """A binary reader over an iterator of byte chunks (for streaming encryption)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if size < 0 or size >= len(self._buffer):
            out = bytes(self._buffer)
            self._buffer.clear()
        else:
            out = bytes(self._buffer[:size])
            del self._buffer[:size]
        return out
