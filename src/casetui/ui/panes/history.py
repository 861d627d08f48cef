"""A client's audit trail: who added, changed or removed what in their records, and when.

Entries name fields, never their contents, so nothing here needs hiding while
the screen is shared.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from casetui.core.history_records import AuditEntry
from casetui.core.record_tables import RECORD_TYPES
from casetui.ui.panes.base import Pane
from casetui.ui.widgets.row_list import Column, Row, RowList
from casetui.vault.audit import describe_entry, select

NOUNS = {cls.TABLE: cls.NOUN for cls in RECORD_TYPES}


def when(entry: AuditEntry) -> str:
    return entry.at.astimezone().strftime("%Y-%m-%d %H:%M")


def audit_row(entry: AuditEntry, *extra: str) -> Row:
    """An entry's cells; an imported one says so first in What (see ``describe_entry``)."""
    return Row(entry.id, (when(entry), entry.who, describe_entry(entry, NOUNS), *extra), entry)


class HistoryPane(Pane):
    DEFAULT_CSS = """
    HistoryPane #history-info { height: auto; padding: 0 1; color: $text-muted; }
    HistoryPane #history-list { height: 1fr; min-height: 5; }
    """

    def compose(self) -> ComposeResult:
        yield Static(
            "Every change to this client's records: who, when and which fields (never "
            "what they said). Newest first.",
            id="history-info",
        )
        yield RowList(
            [
                Column("when", "When", 16, sort_key=lambda e: e.at),
                Column("who", "Who", 18, sort_key=lambda e: e.who.casefold()),
                Column("what", "What", 0, 20),
            ],
            empty_text="Nothing recorded yet.",
            id="history-list",
        )

    def refresh_data(self) -> None:
        entries = select(self.vault.repo.audit.for_parent(self.client_id))
        self.query_one(RowList).set_rows([audit_row(e) for e in reversed(entries)])
