"""Fixtures for the tests that drive the app with Pilot.

Every test here has each of its writes checked against the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# -- every write in the app's flows leaves its audit entry -------------------------------


@pytest.fixture(autouse=True)
def audit_watch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In the app's flows, check that every write left the right audit entry.

    Each ``put`` and ``remove`` that changed something must be followed by an
    entry naming its table, record, action and changed fields, and no entry may
    hold any of the text that was written (sentences, names and notes).
    """
    from casetui.vault.audit import entry_for_change
    from casetui.vault.tables import AuditTable, Table

    writes: list[tuple[str, str, dict[str, object] | None, dict[str, object] | None]] = []
    entries: list[dict[str, object]] = []
    put, remove, append = Table.put, Table.remove, AuditTable.append

    def watched_put(self: Table, record, *, pending=()):  # type: ignore[no-untyped-def,type-arg]
        old = self.raw().get(record.id)
        before = dict(old) if old is not None else None
        result = put(self, record, pending=pending)
        # What was stored, which may hold more than was given (a need's status history).
        stored = self.raw().get(record.id)
        writes.append((self.name, record.id, before, dict(stored) if stored is not None else None))
        return result

    def watched_remove(self: Table, record_id: str, *, checked: bool = True) -> bool:  # type: ignore[type-arg]
        old = self.raw().get(record_id)
        before = dict(old) if old is not None else None
        removed = remove(self, record_id, checked=checked)
        if removed:
            writes.append((self.name, record_id, before, None))
        return removed

    def watched_append(self: AuditTable, entry):  # type: ignore[no-untyped-def]
        stored = append(self, entry)
        entries.append(entry.to_dict())
        return stored

    monkeypatch.setattr(Table, "put", watched_put)
    monkeypatch.setattr(Table, "remove", watched_remove)
    monkeypatch.setattr(AuditTable, "append", watched_append)
    yield
    changes = [e for e in entries if e["table"]]
    for table, record_id, before, after in writes:
        expected = entry_for_change("", table, record_id, before, after)
        if expected is None:
            continue
        found = [
            e
            for e in changes
            if (e["table"], e["record_id"], e["action"]) == (table, record_id, expected.action)
            and tuple(e["fields"]) == expected.fields  # type: ignore[arg-type]
        ]
        assert found, f"no audit entry for {expected.action} of {table}/{record_id}"
    written = {
        value
        for _t, _r, before, after in writes
        for row in (before, after)
        if row
        for value in row.values()
        if isinstance(value, str) and (" " in value.strip() or len(value) > 24)
    }
    for entry in entries:
        text = " ".join(str(v) for k, v in entry.items() if k != "who")
        leaked = [value for value in written if value in text]
        assert not leaked, f"an audit entry holds written text: {leaked[:3]}"
