"""The audit trail: who changed which record, when, and which fields.

Every write through the repository appends an entry, and so do the session
events that matter to an auditor (unlocking, locking, exports, reports, key
changes). Entries name fields, never their values, so the trail holds no note,
name or plan text. From the app's side the trail can only grow: its table
refuses ``put`` and ``remove``, and there is no command to edit it.

The entries form a hash chain, so an entry edited, removed or reordered in the
decrypted file shows up in ``casetui check``. Entry ``seq`` (1, 2, 3, ...) holds
in ``prev`` the SHA-256 (lowercase hex) of the canonical JSON of entry
``seq - 1``: the stored entry with its ``id`` (and its own ``prev``), keys
sorted, no spaces, non-ASCII written as ``\\uXXXX``. Entry 1's ``prev`` is the
SHA-256 of ``casetui-audit-v1:`` followed by the vault's id. The meta row's
``audit_head`` holds the last entry's ``seq`` and hash, so an edit to the last
entry, or cutting entries off the end, shows too. A vault from before the chain
has its entries chained, in the order they were added, with the first entry
appended after the upgrade; ``audit_chained`` in the meta row says when.

A key holder can still rebuild the whole chain (and the head) after an edit:
the chain proves the trail is whole and in order, not who wrote it.

Entries brought in by ``casetui import`` keep the time and name the file gave
them, and say when, by whom and from which file they were imported; they are
shown as imported everywhere the trail is shown.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from casetui.core.choices import AuditAction
from casetui.core.errors import VaultError
from casetui.core.history_records import AuditEntry
from casetui.core.records import Client
from casetui.core.text import printable

#: Stored fields that are bookkeeping, not something a person changed.
_IGNORED_FIELDS = frozenset({"id"})
#: Who is recorded when nobody could be named (a vault with no owner yet).
UNKNOWN_ACTOR = "this vault's user"


#: Where the chain starts: entry 1's ``prev`` is SHA-256 of this and the vault's id.
CHAIN_SCHEME = "casetui-audit-v1:"
#: The meta key recording when an older vault's entries were first chained.
CHAINED_KEY = "audit_chained"
#: The meta key holding the last entry's place and hash, so an edit to it shows too.
HEAD_KEY = "audit_head"
#: Fields that place an entry in the chain or say where it came from, not what happened.
_CUSTODY_FIELDS = ("seq", "prev", "chain", "imported_at", "imported_by", "imported_from")


class AuditTrailIsAppendOnly(VaultError):
    """The audit trail cannot be edited or trimmed."""


# -- the chain -------------------------------------------------------------------------


def vault_id(meta: Mapping[str, Any]) -> str:
    """The vault's id, which the chain starts from.

    Opening fills in ``meta["vault_id"]``; for a document that has none, this
    derives it the same way (from when the vault was made and its first key).
    """
    given = meta.get("vault_id")
    if isinstance(given, str) and given:
        return given
    recipients = meta.get("recipients")
    first = recipients[0] if isinstance(recipients, list) and recipients else {}
    key = first.get("key", "") if isinstance(first, dict) else ""
    seed = f"{meta.get('created', '')}|{key}".encode()
    return hashlib.sha256(seed).hexdigest()[:32]


def chain_start(meta: Mapping[str, Any], chain: str = "") -> str:
    """The ``prev`` of the first entry of a chain: the vault's first, or a device's."""
    tail = f":{chain}" if chain else ""
    return hashlib.sha256(f"{CHAIN_SCHEME}{vault_id(meta)}{tail}".encode()).hexdigest()


def head_key(chain: str = "") -> str:
    """The meta key holding a chain's last entry: each device writes only its own."""
    return f"{HEAD_KEY}:{chain}" if chain else HEAD_KEY


def chain_of(row: Mapping[str, Any]) -> str:
    chain = row.get("chain", "")
    return chain if isinstance(chain, str) else ""


def link(record_id: str, row: Mapping[str, Any]) -> str:
    """The hash the entry after this stored one must hold in its ``prev``."""
    canonical = json.dumps(
        {**row, "id": record_id}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def seq_of(row: Mapping[str, Any]) -> int:
    """A stored entry's place in the chain, or 0 when it is not chained."""
    seq = row.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and seq > 0 else 0


def stored_head(meta: Mapping[str, Any], chain: str = "") -> tuple[int, str] | None:
    """A chain's last entry's place and hash as the meta row records them, if it does."""
    head = meta.get(head_key(chain))
    if not isinstance(head, Mapping):
        return None
    digest = head.get("hash")
    if not seq_of(head) or not isinstance(digest, str) or len(digest) != 64:
        return None
    return seq_of(head), digest


def chained(
    rows: list[tuple[str, dict[str, Any]]], start: str, first_seq: int = 1, chain: str = ""
) -> list[tuple[str, dict[str, Any]]]:
    """``rows`` given places from ``first_seq`` on, each holding the hash of the one before.

    ``start`` is the ``prev`` of the first of them: the chain's start, or the
    hash of the entry they follow. ``chain`` names the device's chain they join.
    """
    out = []
    prev = start
    for offset, (record_id, row) in enumerate(rows):
        new = {**row, "seq": first_seq + offset, "prev": prev}
        new.pop("chain", None)
        if chain:
            new["chain"] = chain
        out.append((record_id, new))
        prev = link(record_id, new)
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class ChainCheck:
    """What ``casetui check`` says about the chain: problems, and notes that are not."""

    problems: list[str]
    notes: list[str]


def _when(row: Mapping[str, Any]) -> str:
    at = row.get("at")
    return printable(at[:40]) if isinstance(at, str) else "no time"


def check_chain(
    rows: Mapping[str, Mapping[str, Any]],
    meta: Mapping[str, Any],
    *,
    unchained_allowed: bool = True,
) -> ChainCheck:
    """Walk each chain of the trail in ``seq`` order; report where one does not hold together.

    A vault shared by several devices has one chain per device (and the vault's
    first, from before it was shared); each is checked on its own. Entries not
    chained at all are expected only in a one-file vault from before the chain
    (``unchained_allowed``): a vault folder chains every entry as it is written.
    """
    chains: dict[str, dict[str, Mapping[str, Any]]] = {}
    for rid, row in rows.items():
        chains.setdefault(chain_of(row), {})[rid] = row
    chains.setdefault("", {})
    total = ChainCheck([], [])
    for chain in sorted(chains):
        found = _check_one_chain(chains[chain], meta, chain, unchained_allowed)
        total.problems.extend(found.problems)
        total.notes.extend(found.notes)
    return total


def _check_one_chain(
    rows: Mapping[str, Mapping[str, Any]],
    meta: Mapping[str, Any],
    chain: str,
    unchained_allowed: bool,
) -> ChainCheck:
    problems: list[str] = []
    notes: list[str] = []
    trail = f"The audit trail of device {printable(chain[:32])}" if chain else "The audit trail"
    links = sorted(
        ((seq_of(row), rid, row) for rid, row in rows.items() if seq_of(row)),
        key=lambda item: item[0],
    )
    loose = [(rid, row) for rid, row in rows.items() if not seq_of(row)]
    if not links and (unchained_allowed or not loose):
        if loose:
            notes.append(
                f"{trail}'s {len(loose):,} entries are not chained yet; "
                "they will be with the next change saved."
            )
        return ChainCheck(problems, notes)
    broken = _first_break(links, meta, chain) if links else None
    if broken:
        problems.append(
            f"{trail} is broken at {broken}; "
            "compare the vault with its backups and tell whoever oversees your records."
        )
    if loose:
        rid, row = loose[0]
        problems.append(
            f"{len(loose):,} audit entr{'y is' if len(loose) == 1 else 'ies are'} outside the "
            f"chain (the first {_when(row)}, id {printable(rid[:64])}), so "
            f"{'it was' if len(loose) == 1 else 'they were'} added outside casetui; "
            "compare the vault with its backups and tell whoever oversees your records."
        )
    marked = meta.get(CHAINED_KEY)
    if not chain and isinstance(marked, Mapping) and isinstance(marked.get("entries"), int):
        count = marked["entries"]
        last = next((row for seq, _rid, row in links if seq == count), None)
        if count > 0 and last is not None:
            on = str(marked.get("at", ""))[:10]
            notes.append(
                f"The first {count:,} audit entries (up to {_when(last)}) were made before "
                f"the trail was chained on {printable(on)}, so a change made to them before "
                "then would not show."
            )
    return ChainCheck(problems, notes)


def _first_break(
    links: list[tuple[int, str, Mapping[str, Any]]], meta: Mapping[str, Any], chain: str = ""
) -> str | None:
    """Where the chain first fails, as a phrase naming the entries; None if it holds."""
    total = len(links)
    expected = chain_start(meta, chain)
    before: Mapping[str, Any] | None = None
    before_id = ""
    for position, (seq, rid, row) in enumerate(links, start=1):
        here = f"entry {position} of {total} ({_when(row)}, id {printable(rid[:64])})"
        if seq > position:
            after = f"after {_when(before)}" if before is not None else "at the start"
            return f"{here}: the entry before it ({after}) was removed outside casetui"
        if seq < position:
            return f"{here}: two entries claim place {seq}, so one was copied outside casetui"
        if row.get("prev") != expected:
            if before is None:
                return (
                    f"{here}: it does not start this vault's chain; it was changed outside casetui"
                )
            return (
                f"{here}: it does not follow from entry {position - 1} ({_when(before)}, "
                f"id {printable(before_id[:64])}), so one of them was changed, or entries "
                "were removed or reordered, outside casetui"
            )
        expected = link(rid, row)
        before, before_id = row, rid
    head = meta.get(head_key(chain))
    last = f"entry {total} of {total} ({_when(links[-1][2])}, id {printable(links[-1][1][:64])})"
    if not isinstance(head, Mapping):
        return f"{last}: the vault no longer records which entry is the last"
    if head.get("seq") != total or head.get("hash") != expected:
        if isinstance(head.get("seq"), int) and head["seq"] > total:
            return f"{last}: {head['seq'] - total:,} entries after it were removed outside casetui"
        return f"{last}: it was changed outside casetui"
    return None


def mark_imported(entry: AuditEntry, *, at: datetime, by: str, source: str) -> AuditEntry:
    """``entry`` as brought in from another vault's export: when, by whom, from which file.

    Its place in that vault's chain is dropped: it gets one in this vault's.
    """
    return dataclasses.replace(
        entry,
        seq=0,
        prev="",
        chain="",
        imported_at=at,
        imported_by=(by or UNKNOWN_ACTOR)[:120],
        imported_from=(source or "an unnamed file")[:200],
    )


def same_event(a: AuditEntry, b: AuditEntry) -> bool:
    """True when two entries record the same thing, wherever each sits in a chain."""
    blank = dict.fromkeys(_CUSTODY_FIELDS)
    return {**a.to_dict(), **blank} == {**b.to_dict(), **blank}


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[str]:
    """The names of the fields that differ between two stored rows, in a stable order."""
    before = old or {}
    after = new or {}
    names = [name for name in after if name not in _IGNORED_FIELDS]
    names += [name for name in before if name not in after and name not in _IGNORED_FIELDS]
    return [name for name in names if before.get(name) != after.get(name)]


def client_of(table: str, record_id: str, *rows: Mapping[str, Any] | None) -> str | None:
    """The client a record belongs to, if any: itself for a client, else its ``client_id``."""
    if table == Client.TABLE:
        return record_id
    for row in rows:
        if row is not None and isinstance(row.get("client_id"), str):
            return str(row["client_id"])
    return None


def entry_for_change(
    actor: str,
    table: str,
    record_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    *,
    now: datetime | None = None,
) -> AuditEntry | None:
    """The entry for one write, or None when the write changed nothing."""
    if old is None and new is None:
        return None
    if old is None:
        action, fields = AuditAction.CREATED, [n for n in (new or {}) if n not in _IGNORED_FIELDS]
    elif new is None:
        action, fields = AuditAction.REMOVED, []
    else:
        action, fields = AuditAction.CHANGED, changed_fields(old, new)
        if not fields:
            return None
    return AuditEntry.create(
        at=now or datetime.now(UTC),
        who=actor or UNKNOWN_ACTOR,
        action=action,
        table=table,
        record_id=record_id,
        client_id=client_of(table, record_id, new, old),
        fields=tuple(fields[:80]),
    )


def select(
    entries: Collection[AuditEntry],
    *,
    since: date | None = None,
    actions: Collection[AuditAction] | None = None,
) -> list[AuditEntry]:
    """Entries on or after ``since`` (a UTC day), oldest first (in the order added)."""
    chosen = [
        e
        for e in entries
        if (since is None or e.at.date() >= since) and (actions is None or e.action in actions)
    ]
    chosen.sort(key=lambda e: e.at)  # stable: within a second, the order they were added
    return chosen


def describe(entry: AuditEntry, nouns: Mapping[str, str]) -> str:
    """One plain sentence for an entry, without the person or the time."""
    noun = nouns.get(entry.table, entry.table.replace("_", " ") or "record")
    if entry.action is AuditAction.CREATED:
        text = f"added a {noun}"
    elif entry.action is AuditAction.CHANGED:
        text = f"changed a {noun}: {', '.join(entry.fields).replace('_', ' ')}"
    elif entry.action is AuditAction.REMOVED:
        text = f"removed a {noun}"
    else:
        text = entry.action.label.lower()
    if entry.detail:
        text += f" ({entry.detail})"
    return text


#: How many clients a lookup that matches several lists.
MAX_CANDIDATES = 10


class ClientAmbiguous(VaultError):
    """More than one client matches: ``candidates`` says who, one line each (at most 10)."""

    def __init__(self, message: str, candidates: Sequence[str]) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


def find_client(clients: Mapping[str, Mapping[str, Any]], wanted: str) -> str:
    """A client's id from what a person types: one sentence if not exactly one matches.

    In order: the id; the calendar code or the whole preferred name (any case);
    the start of the preferred name (any case), when only one client's name starts
    so. When several match, :class:`ClientAmbiguous` lists them (name and code).
    """
    wanted = wanted.strip()
    if wanted in clients:
        return wanted
    folded = wanted.casefold()

    def field(raw: Mapping[str, Any], name: str) -> str:
        value = raw.get(name)
        return value.strip().casefold() if isinstance(value, str) else ""

    if folded:
        exact = [
            cid
            for cid, raw in clients.items()
            if folded in (cid.casefold(), field(raw, "calendar_code"), field(raw, "preferred_name"))
        ]
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise _ambiguous(clients, exact, "have that name or code")
        starting = [
            cid for cid, raw in clients.items() if field(raw, "preferred_name").startswith(folded)
        ]
        if len(starting) == 1:
            return starting[0]
        if starting:
            raise _ambiguous(clients, starting, "have names starting that way")
    raise VaultError(
        "No client's id, calendar code or preferred name matches that; run 'casetui' to "
        "see your clients (add --masked to see them by their codes)."
    )


def _ambiguous(
    clients: Mapping[str, Mapping[str, Any]], matches: Collection[str], how: str
) -> ClientAmbiguous:
    def shown(cid: str, name: str) -> str:
        value = clients[cid].get(name)
        return printable(value.strip()) if isinstance(value, str) and value.strip() else ""

    ordered = sorted(matches, key=lambda cid: (shown(cid, "preferred_name").casefold(), cid))
    lines = [
        f"{shown(cid, 'preferred_name') or '(no name)'}, "
        f"code {shown(cid, 'calendar_code') or '(none yet)'}, id {printable(cid)}"
        for cid in ordered[:MAX_CANDIDATES]
    ]
    if len(ordered) > MAX_CANDIDATES:
        lines.append(f"... and {len(ordered) - MAX_CANDIDATES} more")
    ids = ", ".join(printable(cid) for cid in sorted(matches)[:MAX_CANDIDATES])
    more = ", ..." if len(matches) > MAX_CANDIDATES else ""
    return ClientAmbiguous(
        f"{len(matches)} clients {how}, so nothing was changed; give one of their ids "
        f"or codes instead: {ids}{more}.",
        lines,
    )


def provenance(entry: AuditEntry) -> str:
    """For an imported entry, "[imported from FILE by WHO on DAY]"; for a local one, ""."""
    if entry.imported_at is None:
        return ""
    day = entry.imported_at.astimezone().strftime("%Y-%m-%d")
    return f"[imported from {entry.imported_from} by {entry.imported_by} on {day}]"


def describe_entry(entry: AuditEntry, nouns: Mapping[str, str]) -> str:
    """:func:`describe`, led by where an imported entry came from.

    An imported entry's time and person are what the other vault's file said,
    so the mark comes first, where it cannot be missed.
    """
    marked = provenance(entry)
    text = describe(entry, nouns)
    return f"{marked} {text}" if marked else text


def trail_lines(entries: Collection[AuditEntry], nouns: Mapping[str, str]) -> list[str]:
    """One line per entry, in local time: when, who, what, and which record."""
    lines = []
    for entry in entries:
        when = entry.at.astimezone().strftime("%Y-%m-%d %H:%M")
        where = []
        if entry.client_id:
            where.append(f"client {entry.client_id}")
        if entry.record_id and entry.record_id != entry.client_id:
            where.append(f"record {entry.record_id}")
        suffix = f"  [{', '.join(where)}]" if where else ""
        lines.append(f"{when}  {entry.who}  {describe_entry(entry, nouns)}{suffix}")
    return lines
