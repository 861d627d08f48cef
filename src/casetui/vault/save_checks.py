"""Whether a save changes only the audit trail (such a save takes no backup)."""

from __future__ import annotations

from typing import Any

from casetui.core.history_records import AuditEntry
from casetui.vault import audit as audit_trail
from casetui.vault.document import META_ID, META_TABLE
from casetui.vault.storage import Document


def only_audit_changed(snapshot: Document, saved: Document) -> bool:
    """Whether ``snapshot`` differs from the last save (``saved``) only in audit entries.

    The storage swaps in a new dict for a table on every write, so a table
    that is the same object as at the last save is unchanged. The meta row is
    compared without the audit trail's head, which each new entry moves.
    """
    if snapshot.keys() != saved.keys():
        return False
    for table, rows in snapshot.items():
        if table in (AuditEntry.TABLE, META_TABLE) or rows is saved[table]:
            continue
        return False

    def settled(document: Document) -> dict[str, Any]:
        meta = document.get(META_TABLE, {}).get(META_ID, {})
        return {
            k: v
            for k, v in meta.items()
            if k != "generation" and not k.startswith(audit_trail.HEAD_KEY)
        }

    return settled(snapshot) == settled(saved)
