"""Sentences about the copy of a vault that was opened: older than one seen, a removed
key back on its list, an audit trail rewritten since this computer saved it.

These compare the vault with what this computer remembers of it (see
:mod:`casetui.vault.seen`), because nothing inside a copy can tell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casetui.core.text import plural, printable
from casetui.vault import audit as audit_trail
from casetui.vault.seen import RemovedKey, Seen


def older_copy(seen: Seen, generation: int, *, remembers: bool) -> tuple[int, int] | None:
    """``(this copy, newest seen)`` when this copy is older than one seen here before."""
    if remembers and seen.generation > generation:
        return generation, seen.generation
    return None


def older_copy_sentence(older: tuple[int, int] | None) -> str | None:
    if older is None:
        return None
    return (
        f"This copy of the vault is older than one casetui has seen on this computer "
        f"(it was saved {plural(older[0], 'time')}, the newer one {older[1]:,}): someone "
        "may have "
        "put back an old copy. Open it read-only to look, or, if you restored it on "
        "purpose, open it with --accept-older-copy."
    )


def readmitted_keys(seen: Seen, meta: Mapping[str, Any]) -> list[RemovedKey]:
    """Keys on the list that were removed from this vault on this computer."""
    listed = [r["key"] for r in meta.get("recipients", [])]
    return [seen.removed[k] for k in listed if k in seen.removed]


def readmitted_sentence(back: list[RemovedKey]) -> str | None:
    if not back:
        return None
    names = " and ".join(f"'{printable(r.name[:80])}'" for r in back)
    when = back[0].removed_at[:10]
    return (
        f"The key {names} was removed from this vault ({when}) but is on its list again, "
        "perhaps because an older copy was put back; nothing is saved until you remove "
        f"it again ('casetui recipients remove') or confirm that it belongs back "
        "('casetui recipients readmit NAME')."
    )


def rewritten_trail_sentence(seen: Seen, rows: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why the audit trail is not the one this computer saved last, if it is not.

    The entry that was last when this computer saved must still be there, at
    the same place in its chain, with the same hash: a trail edited offline and
    its chain rebuilt (anyone with a key could) fails this.
    """
    anchor = seen.audit_head
    if anchor is None:
        return None
    seq, digest = anchor
    found = [(rid, row) for rid, row in rows.items() if audit_trail.seq_of(row) == seq]
    if any(audit_trail.link(rid, row) == digest for rid, row in found):
        return None
    return (
        f"The audit trail is not the one this computer saved last: its entry {seq} was "
        "changed or removed since, although its chain was made whole again; compare the "
        "vault with its backups, and tell whoever oversees your records."
    )
