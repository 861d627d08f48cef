"""What a journal file holds: a change or a snapshot part, as JSON, and their checks.

Every file says which vault it belongs to, which device wrote it and its place in
that device's sequence, and carries a MAC made with the vault's journal secret.
The secret travels only inside snapshots, which are encrypted to the vault's
keys, so someone who knows the public keys (anyone can) can encrypt a file to
the vault but cannot make one that casetui applies.

Reading is strict: anything that is not exactly the expected shape is refused
with :class:`NotAJournalFile` and one reason, never half-applied.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from casetui.vault.journal.hlc import Stamp
from casetui.vault.journal.merge_state import (
    ABSENT,
    Change,
    Dot,
    MergeState,
    RecordChange,
    RecordState,
    Tombstone,
    Version,
)

FORMAT = "casetui-vault"
VERSION = 4
DEVICE_PATTERN = re.compile(r"^[a-z0-9]{4,32}$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
#: Record ids joined by newlines (checked in one pass).
_RECORD_IDS = re.compile(r"[A-Za-z0-9_.:-]{1,80}(?:\n[A-Za-z0-9_.:-]{1,80})*")
_TABLE = re.compile(r"^[a-z_]{1,40}$")
#: Which snapshot part holds a table; every other table is in "main".
PART_OF_TABLE = {"meetings": "meetings", "audit": "audit"}
#: A snapshot's files: its head (what it holds, and the journal secrets), then the records.
PARTS = ("head", "main", "meetings", "audit")
RECORD_PARTS = ("main", "meetings", "audit")


class NotAJournalFile(ValueError):
    """A file that is not a valid journal file of this vault; the message says why."""


def secret_id(secret: str) -> str:
    """A short public name for a journal secret (a hash, never the secret)."""
    return hashlib.sha256(f"casetui-journal-secret:{secret}".encode()).hexdigest()[:16]


#: Every file ends with its MAC, over the exact bytes before it: ``,"mac":"<64 hex>"}``.
_MAC_HEAD = b',"mac":"'
_MAC_TAIL = len(_MAC_HEAD) + 64 + len(b'"}')


def seal(doc: dict[str, Any], secret: str) -> bytes:
    """``doc`` as the UTF-8 JSON written inside the age file, ending with its MAC.

    The MAC covers the bytes as written (serialised once), so checking it never
    serialises the file again.
    """
    body = json.dumps(
        {**doc, "key": secret_id(secret)}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    signed = body[:-1]  # without the closing brace
    mac = hmac.new(bytes.fromhex(secret), signed, hashlib.sha256).hexdigest()
    return signed + _MAC_HEAD + mac.encode("ascii") + b'"}'


def verified(plaintext: bytes, doc: Mapping[str, Any], secrets: Mapping[str, str]) -> bool:
    """Whether ``plaintext`` (``doc`` parsed) ends with a MAC made with one of ``secrets``."""
    secret = secrets.get(str(doc.get("key")))
    if (
        secret is None
        or len(plaintext) < _MAC_TAIL + 2
        or plaintext[-_MAC_TAIL : -_MAC_TAIL + len(_MAC_HEAD)] != _MAC_HEAD
        or not plaintext.endswith(b'"}')
    ):
        return False
    signed = memoryview(plaintext)[:-_MAC_TAIL]
    expected = hmac.new(bytes.fromhex(secret), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), plaintext[-66:-2])


#: :func:`seal` puts the secret's id last, just before the MAC: ``,"key":"<16 hex>"``.
_KEY_HEAD = b',"key":"'
_KEY_TAIL = len(_KEY_HEAD) + 16 + 1


def signed_with(plaintext: bytes) -> str | None:
    """The id of the secret a sealed file names, read from its last bytes (so its MAC can
    be checked before the JSON is parsed, and the bytes let go); None if it names none."""
    end = len(plaintext) - _MAC_TAIL
    tail = plaintext[end - _KEY_TAIL : end] if end >= _KEY_TAIL else b""
    if len(tail) != _KEY_TAIL or not tail.startswith(_KEY_HEAD) or not tail.endswith(b'"'):
        return None
    key = tail[len(_KEY_HEAD) : -1]
    return key.decode("ascii") if re.fullmatch(rb"[0-9a-f]{16}", key) else None


def _require(ok: bool, why: str) -> None:
    if not ok:
        raise NotAJournalFile(why)


def _as_list(value: object, why: str) -> list[Any]:
    if not isinstance(value, list):
        raise NotAJournalFile(why)
    return value


def _as_dict(value: object, why: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NotAJournalFile(why)
    return value


def _as_str(value: object, why: str) -> str:
    if not isinstance(value, str):
        raise NotAJournalFile(why)
    return value


def _vector(value: object, why: str) -> dict[str, int]:
    vector = _as_dict(value, why)
    for device, counter in vector.items():
        _require(bool(DEVICE_PATTERN.match(device)) and _counter(counter), why)
    return {str(k): int(v) for k, v in vector.items()}


def text_of(plaintext: bytes) -> str:
    try:
        return plaintext.decode("utf-8")
    except UnicodeDecodeError:
        raise NotAJournalFile("it does not hold JSON") from None


def parse(plaintext: bytes | str, vault_id: str | None) -> dict[str, Any]:
    """The JSON object in a decrypted journal file, its header checked (not its MAC)."""
    try:
        loaded = json.loads(plaintext if isinstance(plaintext, str) else text_of(plaintext))
    except (json.JSONDecodeError, RecursionError):
        raise NotAJournalFile("it does not hold JSON") from None
    doc = _as_dict(loaded, "it does not hold a journal entry")
    _require(doc.get("format") == FORMAT, "it is not a casetui vault file")
    version = doc.get("version")
    if not isinstance(version, int):
        raise NotAJournalFile("it has no format version")
    _require(version <= VERSION, f"it was written by a newer casetui (format {version})")
    _require(version == VERSION, f"it is in an older format ({version})")
    _require(isinstance(doc.get("vault"), str), "it does not name its vault")
    _require(vault_id is None or doc["vault"] == vault_id, "it belongs to another vault")
    _require(
        isinstance(doc.get("device"), str) and bool(DEVICE_PATTERN.match(doc["device"])),
        "it does not name the device that wrote it",
    )
    _require(isinstance(doc.get("key"), str) and isinstance(doc.get("mac"), str), "it has no MAC")
    return doc


# -- changes ----------------------------------------------------------------------------


def change_doc(change: Change, vault_id: str) -> dict[str, Any]:
    records = []
    for rc in change.records:
        over = {name: [list(dot) for dot in dots] for name, dots in rc.over.items() if dots}
        records.append([rc.table, rc.record_id, dict(rc.values), list(rc.unset), over])
    return {
        "format": FORMAT,
        "version": VERSION,
        "kind": "change",
        "vault": vault_id,
        "device": change.device,
        "n": change.counter,
        "at": change.stamp,
        "ctx": dict(change.context),
        "by": change.by[:120],
        "records": records,
        "gone": [[t, r, e] for t, r, e in change.gone],
    }


def _dot(raw: object) -> Dot:
    why = "a replaced version is not named properly"
    items = _as_list(raw, why)
    _require(len(items) == 2 and _counter(items[1]), why)
    device = _as_str(items[0], why)
    _require(bool(DEVICE_PATTERN.match(device)), why)
    return (device, items[1])


def _counter(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _ids(table: object, record_id: object) -> tuple[str, str]:
    name = _as_str(table, "a table name is not valid")
    _require(bool(_TABLE.match(name)), "a table name is not valid")
    rid = _as_str(record_id, "a record id is not valid")
    _require(bool(_RECORD_ID.match(rid)), "a record id is not valid")
    return name, rid


def read_change(doc: Mapping[str, Any]) -> Change:
    """The change a parsed file holds; NotAJournalFile if any part is malformed."""
    _require(doc.get("kind") == "change", "it is not a change")
    _require(_counter(doc.get("n")), "it has no place in its device's sequence")
    try:
        stamp = Stamp.parse(doc.get("at"))
    except ValueError:
        raise NotAJournalFile("its time stamp is not valid") from None
    _require(stamp.device == doc["device"], "its time stamp names another device")
    ctx = _vector(doc.get("ctx"), "its context is not valid")
    records: list[RecordChange] = []
    for raw in _as_list(doc.get("records"), "its records are missing"):
        _require(isinstance(raw, list) and len(raw) == 5, "a record in it is malformed")
        table, record_id = _ids(raw[0], raw[1])
        values, unset, over = raw[2], raw[3], raw[4]
        _require(isinstance(values, dict), "a record's fields are malformed")
        _require(
            isinstance(unset, list) and all(isinstance(u, str) for u in unset),
            "a record's removed fields are malformed",
        )
        _require(isinstance(over, dict), "a record's replaced versions are malformed")
        records.append(
            RecordChange(
                table,
                record_id,
                values,
                tuple(unset),
                {str(k): tuple(_dot(d) for d in _list(v)) for k, v in over.items()},
            )
        )
    gone: list[tuple[str, str, bool]] = []
    for raw in _as_list(doc.get("gone"), "its removals are missing"):
        _require(isinstance(raw, list) and len(raw) == 3, "a removal in it is malformed")
        table, record_id = _ids(raw[0], raw[1])
        _require(isinstance(raw[2], bool), "a removal in it is malformed")
        gone.append((table, record_id, raw[2]))
    by = doc.get("by", "")
    return Change(
        doc["device"],
        doc["n"],
        stamp.text(),
        ctx,
        tuple(records),
        tuple(gone),
        by[:120] if isinstance(by, str) else "",
    )


def _list(value: object) -> list[Any]:
    return _as_list(value, "a list in it is malformed")


# -- snapshots ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SnapshotHeader:
    device: str
    seq: int
    part: str
    vector: dict[str, int]


def _version_out(v: Version) -> list[Any]:
    head: list[Any] = [v.stamp, v.device, v.counter]
    return head if v.value is ABSENT else [*head, v.value]


def snapshot_docs(
    state: MergeState,
    *,
    device: str,
    seq: int,
    vault_id: str,
    secrets: Mapping[str, str],
    retired: Mapping[str, Mapping[str, int]] | None = None,
) -> dict[str, dict[str, Any]]:
    """The parts of a snapshot of ``state``, by part name (see :data:`PARTS`).

    The head carries the journal secrets (so only the vault's keys can read
    them) and what the snapshot holds, so a device can tell which snapshots to read
    without decrypting their records.
    """
    docs: dict[str, dict[str, Any]] = {}
    for part in PARTS:
        docs[part] = {
            "format": FORMAT,
            "version": VERSION,
            "kind": "snapshot",
            "vault": vault_id,
            "device": device,
            "seq": seq,
            "part": part,
            "parts": list(PARTS),
            "vector": dict(state.vector),
        }
        if part != "head":
            docs[part].update(tables={}, gone={})
    docs["head"]["secrets"] = dict(secrets)
    if retired:
        docs["head"]["retired"] = {k: dict(v) for k, v in retired.items()}
    docs["head"]["heard"] = {d: list(seen) for d, seen in state.heard.items()}
    for table, rows in state.tables.items():
        doc = docs[PART_OF_TABLE.get(table, "main")]
        live: dict[str, Any] = {}
        gone: dict[str, Any] = {}
        for record_id, rec in rows.items():
            # A record whose client is gone goes with them: its fields are not kept.
            t = rec.gone or state.owner_gone(table, rec.row())
            if t is not None:
                gone[record_id] = [t.erased, t.stamp, t.device, t.counter]
                continue
            extra = (
                {name: [_version_out(v) for v in vs] for name, vs in rec.extra.items()}
                if rec.extra
                else None
            )
            live[record_id] = [list(rec.base) if rec.base else None, rec.values, extra]
        doc["tables"][table] = live
        if gone:
            doc["gone"][table] = gone
    return docs


def read_snapshot_header(doc: Mapping[str, Any]) -> SnapshotHeader:
    _require(doc.get("kind") == "snapshot", "it is not a snapshot")
    _require(_counter(doc.get("seq")), "it has no place in its device's sequence")
    _require(
        doc.get("part") in PARTS and doc.get("parts") == list(PARTS), "its parts are not valid"
    )
    vector = _vector(doc.get("vector"), "its version vector is not valid")
    return SnapshotHeader(doc["device"], doc["seq"], doc["part"], vector)


def read_heard(state: MergeState, doc: Mapping[str, Any]) -> None:
    """Note when each device was last heard from, from a snapshot's head."""
    heard = doc.get("heard", {})
    if not isinstance(heard, dict):
        return
    for device, seen in heard.items():
        if (
            isinstance(device, str)
            and DEVICE_PATTERN.match(device)
            and isinstance(seen, list)
            and len(seen) == 2
            and all(isinstance(x, str) for x in seen)
        ):
            state.hear(device, seen[0][:64], seen[1][:120])


def _stamped(items: list[Any], why: str) -> tuple[str, str, int]:
    """A (stamp, device, counter) triple, checked for its types only (the MAC vouches)."""
    _require(
        len(items) >= 3
        and isinstance(items[0], str)
        and isinstance(items[1], str)
        and type(items[2]) is int,
        why,
    )
    return items[0], items[1], items[2]


def fill_snapshot(state: MergeState, doc: Mapping[str, Any]) -> None:
    """Add one snapshot part's records to ``state`` (a fresh state for this snapshot).

    Its MAC was checked before, so only the shapes are checked here, cheaply: a
    file from a member is trusted to be well formed in its details, and a
    malformed one is still refused rather than half read.
    """
    tables = _as_dict(doc.get("tables"), "its tables are missing")
    gone = _as_dict(doc.get("gone"), "its tables are missing")
    why = "a record in it is malformed"
    for table, rows in tables.items():
        _require(isinstance(table, str) and bool(_TABLE.match(table)), "a table name is not valid")
        _require(isinstance(rows, dict), "a table in it is malformed")
        out = state.tables.setdefault(table, {})
        # Every id checked in one pass; each base (stamp, device, counter) made once and
        # shared: most records of a snapshot were set by a few changes.
        _require(
            not rows or _RECORD_IDS.fullmatch("\n".join(rows)) is not None,
            "a record id is not valid",
        )
        bases: dict[tuple[str, str, int], tuple[str, str, int]] = {}
        for record_id, raw in rows.items():
            if type(raw) is not list or len(raw) != 3:
                raise NotAJournalFile(why)
            base_raw, values, extra_raw = raw
            if type(values) is not dict:
                raise NotAJournalFile(why)
            if base_raw is None:
                base = None
            else:
                if not (
                    type(base_raw) is list
                    and len(base_raw) == 3
                    and type(base_raw[0]) is str
                    and type(base_raw[1]) is str
                    and type(base_raw[2]) is int
                ):
                    raise NotAJournalFile(why)
                key = (base_raw[0], base_raw[1], base_raw[2])
                base = bases.setdefault(key, key)
            extra = None
            if extra_raw is not None:
                extra = {}
                for name, versions in _as_dict(extra_raw, why).items():
                    found = []
                    for v in _as_list(versions, why):
                        items = _as_list(v, why)
                        stamp, device, counter = _stamped(items, why)
                        _require(len(items) in (3, 4), why)
                        found.append(
                            Version(items[3] if len(items) == 4 else ABSENT, stamp, device, counter)
                        )
                    extra[str(name)] = tuple(found)
            out[record_id] = RecordState(base, values, extra)
    for table, rows in gone.items():
        _require(isinstance(table, str) and bool(_TABLE.match(table)), "a table name is not valid")
        _require(isinstance(rows, dict), "a table of removals in it is malformed")
        out = state.tables.setdefault(table, {})
        for record_id, raw in rows.items():
            _require(_RECORD_ID.match(record_id) is not None, "a record id is not valid")
            items = _as_list(raw, "a removal is malformed")
            _require(len(items) == 4 and isinstance(items[0], bool), "a removal is malformed")
            stamp, device, counter = _stamped(items[1:], "a removal is malformed")
            out[record_id] = RecordState(gone=Tombstone(items[0], stamp, device, counter))


def read_secrets(doc: Mapping[str, Any]) -> dict[str, str]:
    secrets = _as_dict(doc.get("secrets"), "its journal secrets are missing")
    out: dict[str, str] = {}
    for key, secret in secrets.items():
        _require(
            isinstance(secret, str) and re.fullmatch(r"[0-9a-f]{64}", secret) is not None,
            "a journal secret in it is malformed",
        )
        _require(key == secret_id(secret), "a journal secret in it is misnamed")
        out[key] = secret
    return out
