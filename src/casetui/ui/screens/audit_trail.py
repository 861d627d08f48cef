"""The whole vault's audit trail, newest first.

Enter on an entry about a client opens that client's History tab. Clients are
named as everywhere else (their neutral code while the screen is shared).
"""

from __future__ import annotations

from itertools import islice
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from casetui.ui.masking import is_masked, on_masking, stored_client_name
from casetui.ui.panes.history import audit_row
from casetui.ui.records_view import ShowsRecords
from casetui.ui.safe_text import one_line
from casetui.ui.widgets.chrome import CaseScreen
from casetui.ui.widgets.row_list import Column, RowList
from casetui.vault.audit import select

#: The screen builds at most this many rows; the command line prints any number.
SHOWN = 5000


EMPTY = "Nothing recorded yet."
READING = "Reading the audit trail: it follows in a moment…"


class AuditScreen(ShowsRecords, CaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="audit.back"),
        Binding("enter", "open", "Open client", id="audit.open"),
    ]

    DEFAULT_CSS = """
    AuditScreen #audit-list { height: 1fr; min-height: 5; }
    AuditScreen #audit-more { height: auto; padding: 0 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield from self.chrome("audit", "Audit trail")
        yield RowList(
            [
                Column("when", "When", 16, sort_key=lambda e: e.at),
                Column("who", "Who", 16, sort_key=lambda e: e.who.casefold()),
                Column("what", "What", 0, 20),
                Column("client", "Client", 18),
            ],
            empty_text=EMPTY,
            id="audit-list",
        )
        yield Static("", id="audit-more")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RowList).focus()
        on_masking(self, lambda _masked: self.reload())

    def reload_records(self) -> None:
        self.reload()

    def reload(self) -> None:
        vault = self.case_app.require_vault()
        listed = self.query_one(RowList)
        if "audit" in vault.loading:
            # Just after unlocking the trail is still being read: showing what this
            # session added so far would look like the whole of it.
            listed.empty_text = READING
            listed.set_rows([])
            self.query_one("#audit-more", Static).update("")
            return
        listed.empty_text = EMPTY
        repo = vault.repo
        clients = repo.clients.raw()
        masked = is_masked(self)
        rows = []
        stored = repo.audit.ordered_raw()  # in the order they were added: the newest last
        newest = [repo.audit.build(i, raw) for i, raw in islice(reversed(stored), SHOWN)]
        more = len(stored) - len(newest)
        self.query_one("#audit-more", Static).update(
            one_line(
                f"Showing the newest {SHOWN:,} of {len(stored):,} entries; "
                "'casetui audit --since YYYY-MM-DD' prints the rest."
                if more > 0
                else ""
            )
        )
        newest.reverse()  # oldest first again, so entries of the same second keep order
        for entry in reversed(select(newest)):
            client_id = entry.client_id or ""
            raw = clients.get(client_id)
            rows.append(audit_row(entry, stored_client_name(client_id, raw, masked) if raw else ""))
        listed.set_rows(rows)

    @on(RowList.Chosen)
    def action_open(self) -> None:
        row = self.query_one(RowList).current
        client_id = row.data.client_id if row is not None else None
        if client_id and client_id in self.case_app.require_vault().repo.clients:
            self.case_app.open_client(client_id, tab="history")

    def action_back(self) -> None:
        self.case_app.go_back()
