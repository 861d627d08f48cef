"""The audit trail: who changed which record, when, and which fields.

Every write through the repository appends an entry, and so do the session
events that matter to an auditor (unlocking, locking, exports, reports, key
changes). Entries name fields, never their values, so the trail holds no note,
name or plan text. From the app's side the trail can only grow: its table
refuses ``put`` and ``remove``, and there is no command to edit it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime
from typing import Any

from casetui.core.choices import AuditAction
from casetui.core.records import AuditEntry, Client
from casetui.vault.errors import VaultError

#: Stored fields that are bookkeeping, not something a person changed.
_IGNORED_FIELDS = frozenset({"id"})
#: Who is recorded when nobody could be named (a vault with no owner yet).
UNKNOWN_ACTOR = "this vault's user"


class AuditTrailIsAppendOnly(VaultError):
    """The audit trail cannot be edited or trimmed."""


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


def find_client(clients: Mapping[str, Mapping[str, Any]], wanted: str) -> str:
    """A client's id from its id or its preferred name (any case); one sentence if not found."""
    wanted = wanted.strip()
    if wanted in clients:
        return wanted
    folded = wanted.casefold()
    matches = [
        cid
        for cid, raw in clients.items()
        if str(raw.get("preferred_name", "")).casefold() == folded
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise VaultError(
            f"{len(matches)} clients have that name; give one of their ids instead: "
            + ", ".join(sorted(matches)[:10])
            + "."
        )
    raise VaultError("No client has that id or preferred name; check the spelling.")


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
        lines.append(f"{when}  {entry.who}  {describe(entry, nouns)}{suffix}")
    return lines
